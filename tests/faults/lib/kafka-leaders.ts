import type { Admin } from 'kafkajs';

/**
 * Where a Kafka cluster's load sits, to choose the broker whose loss hurts most: how many
 * partitions of `topics` each broker leads, and which partition of __consumer_offsets (whose
 * leader is the group's coordinator) a consumer group belongs to.
 */
export async function leadersOf(admin: Admin, topics: string[]): Promise<Map<number, number>> {
  const led = new Map<number, number>();
  for (const topic of (await metadataOf(admin, topics)).topics) {
    for (const partition of topic.partitions) led.set(partition.leader, (led.get(partition.leader) ?? 0) + 1);
  }
  return led;
}

// A few seconds: a new topic reaches every broker's metadata within milliseconds of its creation.
const METADATA_WAIT_MS = 15_000;

/**
 * The topics' metadata once a broker knows all of them with a leader for every partition.
 * kafkajs asks any one broker, and a broker of a KRaft cluster applies a new topic a few
 * milliseconds after the controller does: until then it answers UNKNOWN_TOPIC_OR_PARTITION (or
 * LEADER_NOT_AVAILABLE), which is asked again; any other error is thrown.
 */
async function metadataOf(admin: Admin, topics: string[]): Promise<Awaited<ReturnType<Admin['fetchTopicMetadata']>>> {
  const deadline = Date.now() + METADATA_WAIT_MS;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      const complete = metadata.topics.length === topics.length && metadata.topics.every((topic) => topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0));
      if (complete || Date.now() >= deadline) return metadata;
    } catch (err) {
      const type = (err as { type?: string }).type;
      if ((type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') || Date.now() >= deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The __consumer_offsets partition of a consumer group, as the broker computes it:
 * `Utils.abs(groupId.hashCode()) % partitions` (Java's String.hashCode over UTF-16 units).
 */
export function groupCoordinatorPartition(groupId: string, partitions: number): number {
  let hash = 0;
  for (let i = 0; i < groupId.length; i += 1) hash = (Math.imul(31, hash) + groupId.charCodeAt(i)) | 0;
  // Kafka's Utils.abs maps Integer.MIN_VALUE to 0 instead of overflowing.
  const abs = hash === -2147483648 ? 0 : Math.abs(hash);
  return abs % partitions;
}

/** The broker coordinating `groupId`: the leader of its __consumer_offsets partition. */
export async function groupCoordinator(admin: Admin, groupId: string): Promise<number | undefined> {
  const partitions = (await metadataOf(admin, ['__consumer_offsets'])).topics[0]?.partitions ?? [];
  const partition = groupCoordinatorPartition(groupId, partitions.length);
  return partitions.find((each) => each.partitionId === partition)?.leader;
}
