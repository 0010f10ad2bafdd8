import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Kafka, type Consumer } from 'kafkajs';
import { consumerGroupTimings, countConsumerHops, createMissingTopics, kafkaLogCreator, type KafkaOptions, type Logger, type TopicName } from '@waimai/platform';
import { decodeEnvelope } from './event-sources';
import type { EventRouter } from './event-router';
import { subscriptionMetrics } from './subscription-metrics';

export interface EventFeedOptions {
  kafka: KafkaOptions;
  /** Logical topics to read, all by one consumer. */
  topics: readonly TopicName[];
  router: EventRouter;
  logger: Logger;
  /** Read each topic from its beginning instead of from now (benchmarks only). */
  fromBeginning?: boolean;
  /** How often to delete the empty groups of gateway processes that died without deleting theirs (GATEWAY_GROUP_SWEEP_MS). */
  groupSweepMs?: number;
}

export interface EventFeed {
  /** The consumer groups this process uses (physical names; one, reading every topic). */
  readonly groupIds: readonly string[];
  /** Resolves once every consumer has joined its group and knows where it starts reading. */
  ready(): Promise<void>;
  /** For /readyz: throws, saying why, while some consumer is not reading. */
  check(): Promise<void>;
  /** Events read from Kafka so far, over all topics. */
  eventsRead(): number;
  /** Stops the consumers, then deletes their groups. */
  stop(): Promise<void>;
}

// 5 s between attempts to (re)start a consumer that could not connect or crashed for good.
const RESTART_DELAY_MS = 5000;
// 60 s: see GATEWAY_GROUP_SWEEP_MS.
const DEFAULT_GROUP_SWEEP_MS = 60_000;
// Few, short retries inside kafkajs (about 1.5 s when the broker refuses connections): the
// feed retries on its own every 5 s, and stop() must not wait out a long kafkajs backoff.
const KAFKA_RETRY = { retries: 3, initialRetryTime: 200 } as const;

/**
 * A group id no other process uses: every gateway process reads every event of the topic
 * (broadcast), so each needs its own group. `hostname-pid-random` also tells an operator
 * whose group it was if one is ever left behind.
 */
function uniqueGroupBase(prefix: string): string {
  const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
  return `${gatewayGroupPrefix(prefix)}${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** What every gateway process's group id starts with; the sweep looks only at these. */
export function gatewayGroupPrefix(topicPrefix: string): string {
  return `${topicPrefix}gateway-`;
}

interface TopicConsumer {
  topics: readonly TopicName[];
  groupId: string;
  /** When it first fetched (joined, offsets resolved); null before and after it stopped. */
  readingSince: number | null;
  problem: string;
  consumer: Consumer | null;
  restartTimer: NodeJS.Timeout | null;
}

/**
 * Feeds the router from Kafka: one consumer reading every topic, in a consumer group of its own
 * (unique per process), starting at the latest offset, so every gateway replica sees every
 * event and keeps those of the sockets connected to it. The group is deleted on stop. One
 * consumer rather than one per topic: one fetch (and one heartbeat) per poll for all topics, so
 * an idle gateway asks the broker a quarter as often.
 *
 * A consumer counts as ready after its first fetch: by then it has joined its group and
 * resolved its starting offsets, so no event published after that point is missed.
 */
export function startEventFeed(options: EventFeedOptions): EventFeed {
  const log = options.logger.child({ component: 'event-feed' });
  const kafka = new Kafka({
    clientId: 'gateway',
    brokers: options.kafka.KAFKA_BROKERS,
    logCreator: kafkaLogCreator(options.logger),
    retry: KAFKA_RETRY,
  });
  const base = uniqueGroupBase(options.kafka.KAFKA_TOPIC_PREFIX);
  const physical = (topic: TopicName) => `${options.kafka.KAFKA_TOPIC_PREFIX}${topic}`;
  const logicalOf = new Map<string, TopicName>(options.topics.map((topic) => [physical(topic), topic]));
  const consumers: TopicConsumer[] = [
    {
      topics: options.topics,
      groupId: `${base}-events`,
      readingSince: null,
      problem: 'waiting for Kafka',
      consumer: null,
      restartTimer: null,
    },
  ];
  let stopping = false;
  let connectedOnce = false;
  let read = 0;
  const starting = new Set<Promise<void>>();

  let resolveReady: () => void = () => undefined;
  const allReady = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  let interrupt: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    interrupt = resolve;
  });
  /** Waits `ms`, or less if the feed stops meanwhile. */
  const pause = (ms: number) => Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms).unref()), stopped]);
  const track = (work: Promise<void>) => {
    starting.add(work);
    void work.finally(() => starting.delete(work));
  };

  /** Creates missing topics: the gateway may start before the services that write them. */
  const ensureTopics = () => createMissingTopics(kafka, options.topics.map(physical), options.kafka);

  const scheduleRestart = (entry: TopicConsumer) => {
    if (stopping || entry.restartTimer) return;
    entry.restartTimer = setTimeout(() => {
      entry.restartTimer = null;
      track(start(entry));
    }, RESTART_DELAY_MS);
    entry.restartTimer.unref();
  };

  async function start(entry: TopicConsumer): Promise<void> {
    if (stopping) return;
    const consumer = kafka.consumer({
      groupId: entry.groupId,
      allowAutoTopicCreation: false,
      // The group is this process's alone, so a restart never waits for a dead member; the
      // timings matter for a kafkajs-internal rejoin.
      ...consumerGroupTimings(options.kafka),
    });
    entry.consumer = consumer;
    entry.problem = 'joining its consumer group';
    // One series for the feed, whatever this process's group is called.
    countConsumerHops(consumer, 'gateway.events');
    consumer.on(consumer.events.FETCH, () => {
      if (entry.readingSince !== null || stopping) return;
      entry.readingSince = Date.now();
      log.info({ topics: entry.topics, groupId: entry.groupId }, 'A subscription event consumer is reading.');
      if (consumers.every((each) => each.readingSince !== null)) resolveReady();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // kafkajs restarts the consumer itself after a retriable error.
      if (payload.restart || stopping) return;
      entry.readingSince = null;
      entry.problem = `crashed: ${payload.error.message}`;
      log.error({ topics: entry.topics, err: payload.error }, 'A subscription event consumer crashed; starting it again in 5 s.');
      void consumer.disconnect().catch(() => undefined);
      scheduleRestart(entry);
    });
    try {
      await consumer.connect();
      connectedOnce = true;
      await consumer.subscribe({ topics: entry.topics.map(physical), fromBeginning: options.fromBeginning ?? false });
      if (stopping) {
        await consumer.disconnect();
        return;
      }
      await consumer.run({
        // Nothing is committed: a restarted process starts at the latest offset in a new group
        // anyway, and a group without offsets that a crashed process leaves behind is no lag
        // for monitoring and is dropped by Kafka itself (Empty with no offsets, at its next
        // offsets.retention.check.interval.ms, 10 min by default), besides the sweep below.
        autoCommit: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          const topic = logicalOf.get(batch.topic) ?? (batch.topic as TopicName);
          for (const message of batch.messages) {
            if (!isRunning() || isStale()) break;
            read += 1;
            const event = decodeEnvelope(message.value);
            if (event) {
              options.router.route(topic, event);
            } else {
              subscriptionMetrics.eventsReceived.inc({ topic, outcome: 'invalid' });
              log.warn({ topic, partition: batch.partition, offset: message.offset }, 'Skipped a message that is not an event envelope.');
            }
            resolveOffset(message.offset);
          }
          await heartbeat();
        },
      });
    } catch (err) {
      entry.problem = `cannot reach Kafka: ${(err as Error).message}`;
      if (!stopping) log.warn({ topics: entry.topics, err }, 'A subscription event consumer could not start; trying again in 5 s.');
      await consumer.disconnect().catch(() => undefined);
      scheduleRestart(entry);
    }
  }

  async function deleteGroups(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      // A group whose member just left can still look non-empty for a moment: a few tries.
      for (let attempt = 1; ; attempt += 1) {
        try {
          await admin.deleteGroups(consumers.map((entry) => entry.groupId));
          return;
        } catch (err) {
          const failures = (err as { groups?: Array<{ groupId: string; error?: { type?: string } }> }).groups ?? [];
          const remaining = failures.filter((group) => group.error && group.error.type !== 'GROUP_ID_NOT_FOUND');
          if (failures.length && remaining.length === 0) return;
          if (attempt >= 5) throw err;
          await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Deletes the groups of gateway processes that are gone: Empty (no member; a crashed
   * process's member is dropped after its session) and not this process's. A live replica's
   * group has members, and Kafka refuses to delete a group that has any (NON_EMPTY_GROUP), so a
   * replica that joins meanwhile keeps its group; one whose consumer is between restarts
   * recreates it on joining (it commits nothing).
   */
  async function sweepStaleGroups(): Promise<string[]> {
    const own = new Set(consumers.map((entry) => entry.groupId));
    const prefix = gatewayGroupPrefix(options.kafka.KAFKA_TOPIC_PREFIX);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      const candidates = groups.map((group) => group.groupId).filter((groupId) => groupId.startsWith(prefix) && !own.has(groupId));
      if (!candidates.length) return [];
      const described = await admin.describeGroups(candidates);
      const empty = described.groups.filter((group) => group.state === 'Empty' && group.members.length === 0).map((group) => group.groupId);
      if (!empty.length) return [];
      const results = await admin.deleteGroups(empty).catch((err: unknown) => (err as { groups?: Array<{ groupId: string; errorCode: number }> }).groups ?? []);
      const deleted = results.filter((result) => !result.errorCode).map((result) => result.groupId);
      if (deleted.length) log.info({ groupIds: deleted }, 'Deleted the subscription consumer groups of gateway processes that are gone.');
      return deleted;
    } finally {
      await admin.disconnect();
    }
  }

  let sweepTimer: NodeJS.Timeout | null = null;
  const scheduleSweep = () => {
    if (stopping) return;
    sweepTimer = setTimeout(() => {
      track(
        sweepStaleGroups()
          .catch((err: unknown) => log.warn({ err }, 'Could not sweep stale gateway consumer groups; trying again later.'))
          .then(scheduleSweep),
      );
    }, options.groupSweepMs ?? DEFAULT_GROUP_SWEEP_MS);
    sweepTimer.unref();
  };

  track(
    (async () => {
      while (!stopping) {
        try {
          await ensureTopics();
          break;
        } catch (err) {
          if (stopping) return;
          for (const entry of consumers) entry.problem = `cannot reach Kafka: ${(err as Error).message}`;
          log.warn({ err }, 'Kafka is not reachable; the subscription event consumers wait for it.');
          await pause(RESTART_DELAY_MS);
        }
      }
      await Promise.all(consumers.map((entry) => start(entry)));
      // The first sweep right after starting: a replica restarted after a crash finds its
      // predecessor's groups once their member's session has ended.
      await sweepStaleGroups().catch((err: unknown) => log.warn({ err }, 'Could not sweep stale gateway consumer groups; trying again later.'));
      scheduleSweep();
    })(),
  );

  return {
    groupIds: consumers.map((entry) => entry.groupId),
    ready: () => allReady,
    async check() {
      const notReading = consumers.filter((entry) => entry.readingSince === null);
      if (notReading.length) throw new Error(notReading.map((entry) => `${entry.topics.join(', ')}: ${entry.problem}`).join('; '));
    },
    eventsRead: () => read,
    async stop() {
      stopping = true;
      interrupt();
      if (sweepTimer) clearTimeout(sweepTimer);
      for (const entry of consumers) {
        if (entry.restartTimer) clearTimeout(entry.restartTimer);
        entry.readingSince = null;
        entry.problem = 'stopped';
      }
      // Starts under way end within kafkajs's short retries, then see `stopping`.
      await Promise.all([...starting]);
      await Promise.all(consumers.map((entry) => entry.consumer?.disconnect().catch(() => undefined)));
      if (!connectedOnce) return;
      try {
        await deleteGroups();
      } catch (err) {
        log.warn({ err, groupIds: consumers.map((entry) => entry.groupId) }, 'The subscription consumer groups could not be deleted; Kafka drops them once their offsets expire (offsets.retention.minutes).');
      }
    },
  };
}
