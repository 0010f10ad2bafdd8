import { Kafka, Partitioners, type Consumer, type Producer, type Admin, CompressionTypes, type IHeaders, type IMemberAssignment, type KafkaMessage, type PartitionMetadata } from 'kafkajs';
import { z } from 'zod';
import { kafkaLogCreator, type Logger } from './logger';
import { countConsumerHops } from './metrics';
import { inSpan, SpanKind, traceCarrier, type TraceCarrier } from './telemetry';

/** Versioned JSON envelope of every event on every topic. */
export const eventEnvelopeSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  version: z.literal(1).default(1),
  aggregateId: z.string().min(1),
  occurredAt: z.string().datetime(),
  data: z.record(z.string(), z.unknown()),
});
export type EventEnvelope = z.infer<typeof eventEnvelopeSchema>;

/** Logical topic names; the physical name adds KAFKA_TOPIC_PREFIX (isolated test runs). */
export const Topics = {
  orderEvents: 'orders.events',
  paymentEvents: 'payments.events',
  dispatchOffers: 'dispatch.offers',
  riderEvents: 'riders.events',
  auditEvents: 'audit.events',
  adEvents: 'ads.events',
} as const;
export type TopicName = (typeof Topics)[keyof typeof Topics];

export interface EventMeta {
  topic: TopicName;
  partition: number;
  offset: string;
}

/** An event as a batch hands it over: with where it was read and the trace context it was sent in. */
export interface ReceivedEvent {
  event: EventEnvelope;
  meta: EventMeta;
  carrier: TraceCarrier;
}

/**
 * Events a batch handler gets at most in one call (`handleBatch`): a fetched batch larger than
 * this (a backlog) is handed over in chunks, with a heartbeat after each.
 */
export const BATCH_CHUNK_EVENTS = 100;

export interface SubscribeOptions {
  groupId: string;
  topics: TopicName[];
  /** Called once per event; a throw makes kafkajs retry it (delivery is at least once). Give this or `handleBatch`. */
  handle?(event: EventEnvelope, meta: EventMeta): Promise<void>;
  /**
   * Called instead of `handle` with every valid event of one fetched batch of one partition, in
   * offset order (for a batched group, up to about a second of events). The batch's offsets are
   * marked handled only after it returns; a throw makes kafkajs deliver the whole batch again (at
   * least once), so the handler makes each event's effect idempotent, as `handle` does.
   */
  handleBatch?(events: ReceivedEvent[]): Promise<void>;
  fromBeginning?: boolean;
  partitionsConsumedConcurrently?: number;
  /**
   * The group may wait for events to gather (up to KAFKA_MAX_WAIT_MS, or KAFKA_BATCH_MIN_BYTES
   * of them) instead of fetching as soon as one arrives: for consumers nobody waits on (read
   * models, clean-ups, refunds), which then fetch about once a second under load instead of once
   * an event. Left out for those on a request's or an offer's path.
   */
  batched?: boolean;
}

export interface Subscription {
  stop(): Promise<void>;
}

/** The one doorway to Kafka: publish envelopes keyed by aggregate, consume them in groups. */
export interface EventBus {
  /**
   * `traces[i]` is the trace context of `events[i]` (the outbox row's), sent as its message's
   * headers; without it each message carries the active trace, if any.
   */
  publish(topic: TopicName, events: EventEnvelope[], traces?: readonly TraceCarrier[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  ensureTopics(topics: TopicName[]): Promise<void>;
  /**
   * For readiness: resolves once the producer is connected (connecting it if needed) and every
   * consumer has joined its group; throws naming what is not. A consumer that joined once stays
   * ready through later rebalances: a rebalance pauses every replica's consumers at once, and
   * taking them all out of the load balancer for it would stop requests that need no consumer.
   */
  check(): Promise<void>;
  /** Each consumer group's lag per partition (end offset minus committed offset), for /metrics. */
  consumerLag(): Promise<ConsumerLag[]>;
  close(): Promise<void>;
}

export interface ConsumerLag {
  /** The group and topic without KAFKA_TOPIC_PREFIX. */
  group: string;
  topic: TopicName;
  partition: number;
  lag: number;
}

export interface KafkaOptions {
  KAFKA_BROKERS: string[];
  KAFKA_TOPIC_PREFIX: string;
  KAFKA_TOPIC_PARTITIONS: number;
  KAFKA_REPLICATION_FACTOR: number;
  KAFKA_SESSION_TIMEOUT_MS?: number;
  KAFKA_REBALANCE_TIMEOUT_MS?: number;
  KAFKA_MAX_WAIT_MS?: number;
  /** Commit handled offsets at most this often (ms); 0: after every batch. Default 1 000. */
  KAFKA_COMMIT_INTERVAL_MS?: number;
  /** A batched group's fetch waits for this many bytes (or KAFKA_MAX_WAIT_MS); 1: as soon as an event arrives. Default 65 536. */
  KAFKA_BATCH_MIN_BYTES?: number;
}

/**
 * The group timings of every waimai consumer (services and the gateway's feed), chosen for
 * recovery after a crash. kafkajs 2.x has no static membership (it never sends
 * group.instance.id) and always joins with a new member id, so a process restarted after a
 * kill -9 cannot take its dead member's place: the group first has to drop the dead member.
 * That happens at whichever comes first:
 * - the dead member's session ends: sessionTimeout after its last heartbeat;
 * - the rebalance the restarted member starts times out: rebalanceTimeout after it asks to join.
 */
export function consumerGroupTimings(options: Pick<KafkaOptions, 'KAFKA_SESSION_TIMEOUT_MS' | 'KAFKA_REBALANCE_TIMEOUT_MS' | 'KAFKA_MAX_WAIT_MS'>) {
  const sessionTimeout = options.KAFKA_SESSION_TIMEOUT_MS ?? 6000;
  return {
    // 6 000 ms by default, Kafka's group.min.session.timeout.ms: a broker refuses a shorter
    // session (INVALID_SESSION_TIMEOUT) unless its minimum was lowered.
    sessionTimeout,
    // 4 000 ms by default: live members rejoin well within it (a heartbeat, then at most one
    // event handler of up to ~3 s); a slower one is dropped and rejoins, and the events it had
    // not committed are delivered again (at least once, deduplicated by processed_events).
    rebalanceTimeout: options.KAFKA_REBALANCE_TIMEOUT_MS ?? 4000,
    // 500 ms, never above a third of the session: live members learn of a rebalance within
    // half a second, and a member survives several lost heartbeats before its session ends.
    heartbeatInterval: Math.min(500, Math.floor(sessionTimeout / 3)),
    // 1 000 ms by default: how long the broker holds a fetch that finds nothing new. With
    // minBytes 1 (kafkajs's default) it answers as soon as one message arrives, so a lone event
    // (a paid order, an offer) is handed over at once whatever this is; it only sets how often an
    // idle consumer asks (1/s instead of 10/s at 100 ms: most of the platform's idle CPU was
    // these empty fetches, in the broker and in every process). kafkajs heartbeats between
    // fetches, so an idle member heartbeats about once a second: far inside the 6 s session, and
    // it learns of a rebalance within a second, inside the 4 s rebalance timeout.
    maxWaitTimeInMs: options.KAFKA_MAX_WAIT_MS ?? 1000,
  };
}

/**
 * The topic-level `min.insync.replicas` for a replication factor: 2 of 3 replicas must have a
 * write before acks=all acknowledges it, so an acknowledged event survives losing any one
 * broker, and writes go on while one of the three is down. One replica (a single local
 * broker) cannot ask for more than itself.
 */
export function minInSyncReplicas(replicationFactor: number): number {
  return Math.min(2, replicationFactor);
}

/**
 * Creates those of `topics` (physical names) that do not exist yet, each with
 * KAFKA_TOPIC_PARTITIONS partitions on KAFKA_REPLICATION_FACTOR brokers and its
 * min.insync.replicas; another process creating one first is fine. Topics that exist are
 * left as they are.
 */
export async function createMissingTopics(
  kafka: Kafka,
  topics: readonly string[],
  options: Pick<KafkaOptions, 'KAFKA_TOPIC_PARTITIONS' | 'KAFKA_REPLICATION_FACTOR'>,
): Promise<void> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (!missing.length) return;
    try {
      await admin.createTopics({
        // Waited for below: kafkajs's wait gives up when the broker it asks has not heard of the topic yet.
        waitForLeaders: false,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: options.KAFKA_TOPIC_PARTITIONS,
          replicationFactor: options.KAFKA_REPLICATION_FACTOR,
          configEntries: [{ name: 'min.insync.replicas', value: String(minInSyncReplicas(options.KAFKA_REPLICATION_FACTOR)) }],
        })),
      });
    } catch (err) {
      // Another process created them first: that is the state wanted.
      if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err;
    }
    await untilTopicsLed(admin, missing);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until every partition of `topics` has a leader in the metadata the cluster answers
 * with. In a cluster, the controller creates a topic and each broker learns of it a moment
 * later: a broker asked before then answers UNKNOWN_TOPIC_OR_PARTITION, which is no failure.
 */
async function untilTopicsLed(admin: Admin, topics: string[]): Promise<void> {
  // 30 s: metadata reaches every broker within a second or two, more on a loaded machine.
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics });
      if (described.length === topics.length && described.every((topic) => topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0))) return;
    } catch (err) {
      const type = (err as { type?: string }).type;
      if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw err;
    }
    if (Date.now() > until) throw new Error(`Kafka created ${topics.join(', ')} but did not give every partition a leader within 30 s.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A Kafka message's headers as a trace carrier (kafkajs hands them over as Buffers). */
function carrierOf(headers: IHeaders | undefined): TraceCarrier {
  const carrier: TraceCarrier = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) carrier[name] = first.toString();
  }
  return carrier;
}

export function createKafkaEventBus(options: KafkaOptions, clientId: string, logger: Logger): EventBus {
  const log = logger.child({ component: 'event-bus' });
  const kafka = new Kafka({
    clientId,
    brokers: options.KAFKA_BROKERS,
    logCreator: kafkaLogCreator(logger),
    retry: { retries: 8, initialRetryTime: 200 },
  });
  const physical = (topic: TopicName) => `${options.KAFKA_TOPIC_PREFIX}${topic}`;
  const logical = new Map<string, TopicName>(
    Object.values(Topics).map((topic) => [physical(topic), topic]),
  );
  let producer: Producer | undefined;
  let producerReady: Promise<Producer> | undefined;
  const consumers = new Set<Consumer>();
  // Each running consumer's group (logical name), topics and whether it has joined, for check() and
  // consumerLag(); and its pending offsets, committed before it leaves.
  const groups = new Map<Consumer, { groupId: string; topics: TopicName[]; joined: boolean; crashed?: string; offsets: PeriodicCommits }>();
  let producerConnected = false;
  let admin: Promise<Admin> | undefined;

  function getAdmin(): Promise<Admin> {
    admin ??= (async () => {
      const client = kafka.admin();
      await client.connect();
      return client;
    })().catch((err: unknown) => {
      admin = undefined;
      throw err;
    });
    return admin;
  }

  // The producer's partitioner (a key's partition is murmur2(key) modulo the partition count),
  // applied before sending so that each send holds one partition; see publish().
  const partitionOf = Partitioners.DefaultPartitioner();
  const partitionMetadata = new Map<string, Promise<PartitionMetadata[]>>();
  /** A topic's partitions, read once per process (a topic's partitions are only added by an operator, with a restart). */
  function partitionsOf(topic: string): Promise<PartitionMetadata[]> {
    let known = partitionMetadata.get(topic);
    if (!known) {
      known = getAdmin()
        .then(async (client) => (await client.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions ?? [])
        .then((partitions) => {
          if (partitions.length === 0) throw new Error(`Kafka knows no partitions of ${topic}.`);
          return partitions;
        });
      partitionMetadata.set(topic, known);
      known.catch(() => partitionMetadata.delete(topic));
    }
    return known;
  }

  function getProducer(): Promise<Producer> {
    producerReady ??= (async () => {
      // Idempotent producer: a retried send is written once per partition, even when the
      // leader it went to died after writing it. kafkajs 2.2.4 accepts idempotence only with
      // acks -1 (publish sends that: every in-sync replica, at least min.insync.replicas, has
      // the write before it is acknowledged) and unlimited retries; one request in flight per
      // broker, so a retried batch never overtakes a later one of its partition (the broker
      // would refuse the later one's sequence number).
      producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        // An idempotent producer must keep retrying (kafkajs warns otherwise); the outbox
        // relay simply waits while Kafka is away, and its rows stay until published.
        retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5_000 },
      });
      producer.on(producer.events.CONNECT, () => {
        producerConnected = true;
      });
      producer.on(producer.events.DISCONNECT, () => {
        producerConnected = false;
      });
      await producer.connect();
      producerConnected = true;
      return producer;
    })().catch((err: unknown) => {
      producerReady = undefined;
      throw err;
    });
    return producerReady;
  }

  return {
    async publish(topic, events, traces) {
      if (events.length === 0) return;
      const ready = await getProducer();
      const active = traces ? {} : traceCarrier();
      const messages = events.map((event, index) => ({
        key: event.aggregateId,
        value: JSON.stringify(event),
        headers: { ...(traces?.[index] ?? active), 'event-type': event.type },
      }));
      // One send for the whole batch, then a check that every partition in it was
      // acknowledged. kafkajs 2.2.4 sends a multi-partition batch as one request per leader
      // and, when one of them fails (its broker was killed), retries only to leaders that have
      // not answered yet: a partition whose leadership moved to a broker that already answered
      // is dropped while send() resolves (tulios/kafkajs#1303). Such a partition is missing
      // from send()'s answer, which lists the partitions each broker acknowledged, so it is
      // sent again on its own, where every retry goes to its current leader. The idempotent
      // producer writes it once even if the failed attempt had reached the old leader. Sends
      // are in turn, never together: concurrent send()s on one idempotent kafkajs producer can
      // lose messages without an error (tulios/kafkajs#1005), so a producer only ever has one
      // send under way (the relay publishes one batch at a time, too).
      const byPartition = new Map<number, typeof messages>();
      const metadata = await partitionsOf(physical(topic));
      for (const message of messages) {
        const partition = partitionOf({ topic: physical(topic), partitionMetadata: metadata, message });
        const batch = byPartition.get(partition);
        if (batch) batch.push(message);
        else byPartition.set(partition, [message]);
      }
      const send = (batches: [number, typeof messages][]) =>
        ready.send({
          topic: physical(topic),
          acks: -1,
          compression: CompressionTypes.None,
          messages: batches.flatMap(([partition, batch]) => batch.map((message) => ({ ...message, partition }))),
        });
      const acknowledged = new Set((await send([...byPartition])).filter((answer) => answer.errorCode === 0).map((answer) => answer.partition));
      for (const [partition, batch] of byPartition) {
        if (acknowledged.has(partition)) continue;
        log.warn({ topic, partition, events: batch.length }, 'Kafka did not acknowledge a partition of a send (kafkajs#1303); sending it again on its own.');
        await send([[partition, batch]]);
      }
    },

    async subscribe({ groupId, topics, handle, handleBatch, fromBeginning = false, partitionsConsumedConcurrently = 1, batched = false }) {
      if (!handle === !handleBatch) throw new Error(`Consumer ${groupId} needs exactly one of handle and handleBatch.`);
      const consumer = kafka.consumer({
        groupId: `${options.KAFKA_TOPIC_PREFIX}${groupId}`,
        allowAutoTopicCreation: false,
        ...consumerGroupTimings(options),
        // kafkajs's default, 1: the broker answers a fetch as soon as one event is there.
        minBytes: batched ? (options.KAFKA_BATCH_MIN_BYTES ?? 65_536) : 1,
      });
      const offsets = periodicCommits(consumer, options.KAFKA_COMMIT_INTERVAL_MS ?? 1000, (err) =>
        log.warn({ groupId, err }, 'Could not commit consumed offsets; the events after the last commit may be delivered again.'),
      );
      const state = { groupId, topics, joined: false, crashed: undefined as string | undefined, offsets };
      countConsumerHops(consumer, groupId);
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        state.joined = true;
        state.crashed = undefined;
        offsets.assigned(payload.memberAssignment);
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        // kafkajs restarts a consumer after a retriable crash and it joins again; until then it reads nothing.
        state.joined = false;
        state.crashed = payload.error.message;
      });
      await consumer.connect();
      for (const topic of topics) await consumer.subscribe({ topic: physical(topic), fromBeginning });
      consumers.add(consumer);
      groups.set(consumer, state);
      await consumer.run({
        partitionsConsumedConcurrently,
        autoCommit: offsets.intervalMs === 0,
        ...(handleBatch
          ? {
              eachBatchAutoResolve: false,
              eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
                // A fetch may bring a backlog of thousands: handled a chunk at a time, each chunk's
                // offsets resolved and a heartbeat sent after it, so that the member stays in its
                // group and a failure delivers again one chunk, not the whole fetch.
                for (let start = 0; start < batch.messages.length; start += BATCH_CHUNK_EVENTS) {
                  // As kafkajs's eachMessage does: a stopping consumer, or a batch of a partition
                  // this member lost in a rebalance, is left for whoever reads it next.
                  if (!isRunning() || isStale()) return;
                  const chunk = batch.messages.slice(start, start + BATCH_CHUNK_EVENTS);
                  const received = chunk.flatMap((message) => {
                    const read = readMessage(batch.topic, batch.partition, message);
                    return read ? [read] : [];
                  });
                  if (received.length) await handleReceived(received, () => handleBatch(received));
                  const last = chunk.at(-1)!;
                  resolveOffset(last.offset);
                  offsets.handled(batch.topic, batch.partition, last.offset);
                  await heartbeat();
                }
              },
            }
          : {
              eachMessage: async ({ topic, partition, message }) => {
                const read = readMessage(topic, partition, message);
                if (read && handle) await handleReceived([read], () => handle(read.event, read.meta));
                offsets.handled(topic, partition, message.offset);
              },
            }),
      });
      /** The message's envelope, where it was read and its trace context; null (logged) when it is not a valid envelope. */
      function readMessage(topic: string, partition: number, message: KafkaMessage): ReceivedEvent | null {
        const meta: EventMeta = { topic: logical.get(topic) ?? (topic as TopicName), partition, offset: message.offset };
        try {
          const event = eventEnvelopeSchema.parse(JSON.parse(message.value?.toString('utf8') ?? 'null'));
          return { event, meta, carrier: carrierOf(message.headers) };
        } catch (err) {
          // A malformed event can never succeed; log it with its position and move on.
          log.error({ ...meta, err }, 'Skipped an event that is not a valid envelope.');
          return null;
        }
      }
      /**
       * Runs `work` in one process span. A lone event's span continues the trace of whoever
       * produced it (traceparent header); a batch's links to each of its events' producers.
       */
      function handleReceived(received: ReceivedEvent[], work: () => Promise<void>): Promise<void> {
        const [first] = received;
        if (!first) return Promise.resolve();
        const lone = received.length === 1;
        return inSpan(
          `${first.meta.topic} process`,
          {
            kind: SpanKind.CONSUMER,
            carrier: lone ? first.carrier : undefined,
            links: lone ? undefined : received.map((each) => each.carrier),
            attributes: {
              'messaging.system': 'kafka',
              'messaging.operation.type': 'process',
              'messaging.destination.name': first.meta.topic,
              'messaging.consumer.group.name': groupId,
              'messaging.destination.partition.id': String(first.meta.partition),
              'messaging.kafka.offset': first.meta.offset,
              ...(lone ? { 'messaging.message.id': first.event.id, 'waimai.event.type': first.event.type } : { 'messaging.batch.message_count': received.length }),
            },
          },
          work,
        );
      }
      return {
        async stop() {
          consumers.delete(consumer);
          groups.delete(consumer);
          await offsets.close();
          await consumer.disconnect();
        },
      };
    },

    async ensureTopics(topics) {
      await createMissingTopics(kafka, topics.map(physical), options);
    },

    async check() {
      await getProducer();
      if (!producerConnected) throw new Error('the producer is not connected');
      const waiting = [...groups.values()].filter((state) => !state.joined);
      if (waiting.length) {
        throw new Error(`not joined: ${waiting.map((state) => (state.crashed ? `${state.groupId} (crashed: ${state.crashed})` : state.groupId)).join(', ')}`);
      }
    },

    async consumerLag() {
      const client = await getAdmin();
      const ends = new Map<string, Map<number, { high: number; low: number }>>();
      const rows: ConsumerLag[] = [];
      for (const { groupId, topics } of groups.values()) {
        const committed = await client.fetchOffsets({ groupId: `${options.KAFKA_TOPIC_PREFIX}${groupId}`, topics: topics.map(physical) });
        for (const { topic, partitions } of committed) {
          if (!ends.has(topic)) {
            const offsets = await client.fetchTopicOffsets(topic);
            ends.set(topic, new Map(offsets.map((each) => [each.partition, { high: Number(each.high), low: Number(each.low) }])));
          }
          for (const { partition, offset } of partitions) {
            const end = ends.get(topic)?.get(partition);
            if (!end) continue;
            // -1: nothing committed yet; everything still retained is unread.
            const at = Number(offset) < 0 ? end.low : Number(offset);
            rows.push({ group: groupId, topic: logical.get(topic) ?? (topic as TopicName), partition, lag: Math.max(0, end.high - at) });
          }
        }
      }
      return rows;
    },

    async close() {
      // What each consumer handled since its last commit is committed before it leaves.
      await Promise.all(
        [...consumers].map(async (consumer) => {
          await groups.get(consumer)?.offsets.close();
          await consumer.disconnect();
        }),
      );
      consumers.clear();
      groups.clear();
      const closing = admin;
      admin = undefined;
      if (closing) await closing.then((client) => client.disconnect(), () => undefined);
      if (producer) await producer.disconnect();
    },
  };
}

interface PeriodicCommits {
  /** 0: kafkajs commits after every batch itself, and the rest of this does nothing. */
  readonly intervalMs: number;
  /** `offset` of `topic`/`partition` was handled: the group may resume after it. */
  handled(topic: string, partition: number, offset: string): void;
  /** After a rebalance: forget what was handled on partitions this member no longer holds. */
  assigned(assignment: IMemberAssignment): void;
  /** Commits what is pending and stops the timer (before the consumer disconnects). */
  close(): Promise<void>;
}

/**
 * Commits a consumer's handled offsets every `intervalMs` instead of after each fetched batch
 * (kafkajs 2.2.4 commits after every batch when autoCommit is on, whatever autoCommitInterval
 * says). Only offsets whose event the handler finished are committed, so a commit never moves
 * past an unhandled event: after a crash, a lost partition or a failed commit, the group
 * resumes at the last commit and up to `intervalMs` of events are delivered again, which the
 * idempotent handlers absorb (at least once, as before). docs/performance/consumers-and-calls.md.
 */
function periodicCommits(consumer: Consumer, intervalMs: number, onError: (err: unknown) => void): PeriodicCommits {
  // "topic\0partition" → the next offset to read (Kafka commits the offset after the last handled one).
  let pending = new Map<string, { topic: string; partition: number; offset: string }>();
  let committing: Promise<void> = Promise.resolve();
  // The partitions this member holds since its last join (null: not joined yet).
  let held: IMemberAssignment | null = null;
  const holds = (entry: { topic: string; partition: number }) => !held || !!held[entry.topic]?.includes(entry.partition);
  const commit = () => {
    if (!pending.size) return committing;
    const batch = [...pending.values()];
    pending = new Map();
    committing = committing
      .then(() => consumer.commitOffsets(batch))
      .catch((err: unknown) => {
        // Put back what no later handled offset replaced: the next tick tries again.
        for (const entry of batch) {
          const key = `${entry.topic}\0${entry.partition}`;
          if (!pending.has(key) && holds(entry)) pending.set(key, entry);
        }
        onError(err);
      });
    return committing;
  };
  const timer = intervalMs > 0 ? setInterval(() => void commit(), intervalMs) : undefined;
  timer?.unref();
  return {
    intervalMs,
    handled(topic, partition, offset) {
      if (!timer) return;
      pending.set(`${topic}\0${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
    },
    assigned(assignment) {
      held = assignment;
      for (const [key, entry] of pending) if (!holds(entry)) pending.delete(key);
    },
    async close() {
      if (timer) clearInterval(timer);
      await commit();
    },
  };
}
