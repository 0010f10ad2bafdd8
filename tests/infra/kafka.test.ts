import { randomUUID } from 'node:crypto';
import {
  createKafkaEventBus,
  createLogger,
  defineEvent,
  eventConsumer,
  kafkaConsumedBatches,
  kafkaFetches,
  kafkaLogCreator,
  newEvent,
  on,
  onBatch,
  BATCH_CHUNK_EVENTS,
  Topics,
  z,
  type EventBus,
  type EventEnvelope,
  type EventMeta,
  type Subscription,
} from '@waimai/platform';
import { eventually, testInfraConfig } from '@waimai/testkit';
import { Kafka, type Consumer, type KafkaMessage } from 'kafkajs';

// The broker is the real one `pnpm test` made sure of (a local Kafka 3.9.1 unless KAFKA_BROKERS says otherwise).
const config = testInfraConfig();
const logger = createLogger('kafka-test', config.LOG_LEVEL);
const topic = `${config.KAFKA_TOPIC_PREFIX}${Topics.orderEvents}`;
// Types of this test only: the bus carries any envelope, not just the catalog's.
const testEvent = (type: string) => defineEvent({ type, topic: Topics.orderEvents, data: z.record(z.string(), z.unknown()) });

describe('Kafka through the event bus (kafkajs 2.2.4 against the configured broker)', () => {
  let bus: EventBus;
  const subscriptions: Subscription[] = [];
  const rawConsumers: Consumer[] = [];

  beforeAll(() => {
    bus = createKafkaEventBus(config, 'kafka-test', logger);
  });

  afterAll(async () => {
    await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    await Promise.all(rawConsumers.map((consumer) => consumer.disconnect()));
    await bus.close();
  });

  /** Everything a consumer group of the bus receives from orders.events, from the beginning. */
  async function collectWithBus(): Promise<Array<{ event: EventEnvelope; meta: EventMeta }>> {
    const received: Array<{ event: EventEnvelope; meta: EventMeta }> = [];
    subscriptions.push(
      await bus.subscribe({
        groupId: `kafka-test-${randomUUID()}`,
        topics: [Topics.orderEvents],
        fromBeginning: true,
        handle: async (event, meta) => {
          received.push({ event, meta });
        },
      }),
    );
    return received;
  }

  /** The raw records of orders.events as a plain kafkajs consumer group sees them (key, headers). */
  async function collectRaw(): Promise<KafkaMessage[]> {
    const kafka = new Kafka({ clientId: 'kafka-test-raw', brokers: config.KAFKA_BROKERS, logCreator: kafkaLogCreator(logger) });
    const consumer = kafka.consumer({ groupId: `${config.KAFKA_TOPIC_PREFIX}kafka-test-raw-${randomUUID()}`, maxWaitTimeInMs: 100 });
    rawConsumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const messages: KafkaMessage[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        messages.push(message);
      },
    });
    return messages;
  }

  test('an event published on the bus reaches a consumer group intact, keyed by its aggregate id', async () => {
    const [viaBus, raw] = await Promise.all([collectWithBus(), collectRaw()]);
    const orderId = `order-${randomUUID()}`;
    const event = newEvent(testEvent('OrderCreated'), orderId, { totalCents: 4800, items: [{ productId: 'p-1', quantity: 2 }] });

    await bus.publish(Topics.orderEvents, [event]);

    const delivered = await eventually(
      () => viaBus.find((entry) => entry.event.aggregateId === orderId),
      20_000,
      'the event reaching the bus consumer group',
    );
    expect(delivered.event).toEqual(event);
    expect(delivered.meta.topic).toBe(Topics.orderEvents);

    const record = await eventually(
      () => raw.find((message) => message.key?.toString('utf8') === orderId),
      20_000,
      'the record reaching the raw consumer group',
    );
    expect(record.headers?.['event-type']?.toString()).toBe('OrderCreated');
    expect(JSON.parse(record.value?.toString('utf8') ?? 'null')).toEqual(event);
  });

  test("a group's fetches and the fetched batches that held events are counted under its name", async () => {
    const counted = async (group: string) => ({
      fetches: (await kafkaFetches.get()).values.find((value) => value.labels.group === group)?.value ?? 0,
      batches: (await kafkaConsumedBatches.get()).values.find((value) => value.labels.group === group)?.value ?? 0,
    });
    const reading = `kafka-test-hops-${randomUUID()}`;
    const received: EventEnvelope[] = [];
    subscriptions.push(
      await bus.subscribe({
        groupId: reading,
        topics: [Topics.orderEvents],
        fromBeginning: true,
        handle: async (event) => {
          received.push(event);
        },
      }),
    );
    const orderId = `order-${randomUUID()}`;
    await bus.publish(Topics.orderEvents, [1, 2, 3].map((n) => newEvent(testEvent('OrderCounted'), orderId, { n })));
    await eventually(() => received.filter((event) => event.aggregateId === orderId).length === 3 || undefined, 20_000, 'the three events reaching the group');
    const after = await counted(reading);
    expect(after.fetches).toBeGreaterThanOrEqual(1);
    // Only batches that held events: never more than the events handled.
    expect(after.batches).toBeGreaterThanOrEqual(1);
    expect(after.batches).toBeLessThanOrEqual(received.length);

    // A group that finds nothing new still completes fetches (each after the broker's wait), and counts no batch.
    const idle = `kafka-test-idle-${randomUUID()}`;
    subscriptions.push(await bus.subscribe({ groupId: idle, topics: [Topics.orderEvents], fromBeginning: false, handle: async () => undefined }));
    await eventually(async () => ((await counted(idle)).fetches >= 2 ? true : undefined), 20_000, 'the idle group completing fetches');
    expect((await counted(idle)).batches).toBe(0);
  });

  test('a batched group (fetches that gather events) still gets every event, in order per aggregate', async () => {
    const received: EventEnvelope[] = [];
    subscriptions.push(
      await bus.subscribe({
        groupId: `kafka-test-batched-${randomUUID()}`,
        topics: [Topics.orderEvents],
        fromBeginning: true,
        batched: true,
        handle: async (event) => {
          received.push(event);
        },
      }),
    );
    const orders = Array.from({ length: 5 }, () => `order-${randomUUID()}`);
    const steps = ['OrderCreated', 'OrderPaid', 'OrderDelivered'];
    for (const type of steps) await bus.publish(Topics.orderEvents, orders.map((orderId) => newEvent(testEvent(type), orderId, {})));

    for (const orderId of orders) {
      const mine = await eventually(
        () => {
          const events = received.filter((event) => event.aggregateId === orderId);
          return events.length === steps.length && events;
        },
        20_000,
        `the ${steps.length} events of ${orderId}`,
      );
      expect(mine.map((event) => event.type)).toEqual(steps);
    }
  });

  test("one aggregate's events arrive in the order they were published, all on one partition", async () => {
    const received = await collectWithBus();
    const orderId = `order-${randomUUID()}`;
    const steps = ['OrderCreated', 'OrderPaid', 'OrderNotified', 'OrderGrabbed', 'OrderDelivered'];

    for (const type of steps) await bus.publish(Topics.orderEvents, [newEvent(testEvent(type), orderId, {})]);

    const mine = await eventually(
      () => {
        const events = received.filter((entry) => entry.event.aggregateId === orderId);
        return events.length === steps.length && events;
      },
      20_000,
      `all ${steps.length} events of one order`,
    );
    expect(mine.map((entry) => entry.event.type)).toEqual(steps);
    expect(new Set(mine.map((entry) => entry.meta.partition)).size).toBe(1);
  });
});

describe("an event consumer's batch handlers (onBatch)", () => {
  let bus: EventBus;
  const consumers: Array<{ stop(): Promise<void> }> = [];

  beforeAll(() => {
    bus = createKafkaEventBus(config, 'kafka-test-batches', logger);
  });

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await bus.close();
  });

  test('runs of one type come to its batch handler together, the per-event handler in between, every event once and in order', async () => {
    const orderId = `order-${randomUUID()}`;
    const placed = testEvent(`Placed${randomUUID().slice(0, 8)}`);
    const paid = testEvent(`Paid${randomUUID().slice(0, 8)}`);
    const calls: Array<{ kind: 'batch' | 'one'; ids: string[] }> = [];
    const consumer = eventConsumer({
      group: `kafka-test-on-batch-${randomUUID()}`,
      bus,
      logger,
      batched: true,
      handlers: [
        onBatch(placed, async (events) => {
          const mine = events.filter((event) => event.aggregateId === orderId);
          expect(mine).toHaveLength(events.length);
          calls.push({ kind: 'batch', ids: events.map((event) => event.id) });
        }),
        on(paid, async (event) => {
          if (event.aggregateId === orderId) calls.push({ kind: 'one', ids: [event.id] });
        }),
      ],
    });
    consumers.push(consumer);
    await consumer.start();
    // One aggregate: one partition, in this order; the consumer's fetch gathers them.
    const events = [placed, placed, placed, paid, placed, placed].map((definition) => newEvent(definition, orderId, {}));
    await bus.publish(Topics.orderEvents, events);

    await eventually(() => calls.flatMap((call) => call.ids).length === events.length, 30_000, 'every event handed over');
    expect(calls.flatMap((call) => call.ids)).toEqual(events.map((event) => event.id));
    // The batch handler never saw the per-event type, and was called fewer times than it had events.
    const batchCalls = calls.filter((call) => call.kind === 'batch');
    expect(batchCalls.flatMap((call) => call.ids)).toEqual(events.filter((_, index) => index !== 3).map((event) => event.id));
    expect(batchCalls.length).toBeLessThan(5);
    expect(calls.filter((call) => call.kind === 'one').map((call) => call.ids)).toEqual([[events[3]!.id]]);
  });

  test('a backlog larger than a chunk comes to the batch handler at most BATCH_CHUNK_EVENTS at a time, every event once and in order', async () => {
    const orderId = `order-${randomUUID()}`;
    const placed = testEvent(`Placed${randomUUID().slice(0, 8)}`);
    const calls: string[][] = [];
    const events = Array.from({ length: BATCH_CHUNK_EVENTS * 2 + 50 }, () => newEvent(placed, orderId, {}));
    // Published before the group starts: its first fetch brings the whole backlog of one partition.
    await bus.publish(Topics.orderEvents, events);
    const consumer = eventConsumer({
      group: `kafka-test-on-batch-chunks-${randomUUID()}`,
      bus,
      logger,
      fromBeginning: true,
      handlers: [
        onBatch(placed, async (batch) => {
          calls.push(batch.filter((event) => event.aggregateId === orderId).map((event) => event.id));
        }),
      ],
    });
    consumers.push(consumer);
    await consumer.start();

    await eventually(() => calls.flat().length === events.length, 30_000, 'every event handed over');
    expect(calls.flat()).toEqual(events.map((event) => event.id));
    expect(Math.max(...calls.map((ids) => ids.length))).toBeLessThanOrEqual(BATCH_CHUNK_EVENTS);
    expect(calls.length).toBeGreaterThanOrEqual(3);
  });

  test('a batch handler that throws gets the whole batch again until it succeeds; nothing is skipped', async () => {
    const orderId = `order-${randomUUID()}`;
    const placed = testEvent(`Placed${randomUUID().slice(0, 8)}`);
    let failures = 0;
    const applied = new Map<string, number>();
    const consumer = eventConsumer({
      group: `kafka-test-on-batch-fail-${randomUUID()}`,
      bus,
      logger,
      batched: true,
      handlers: [
        onBatch(placed, async (events) => {
          if (failures < 2) {
            failures += 1;
            throw new Error('the batch handler fails (test)');
          }
          for (const event of events) applied.set(event.id, (applied.get(event.id) ?? 0) + 1);
        }),
      ],
    });
    consumers.push(consumer);
    await consumer.start();
    const events = Array.from({ length: 4 }, () => newEvent(placed, orderId, {}));
    await bus.publish(Topics.orderEvents, events);

    await eventually(() => events.every((event) => applied.has(event.id)), 60_000, 'every event applied once the handler succeeds');
    expect(failures).toBe(2);
    // Each applied once here: nothing was marked handled while the batch failed.
    expect([...applied.values()]).toEqual(events.map(() => 1));
  });
});

describe('consumer offsets: committed on a timer, never past an event whose handler has not finished', () => {
  const kafka = new Kafka({ clientId: 'kafka-test-offsets', brokers: config.KAFKA_BROKERS, logCreator: kafkaLogCreator(logger) });
  const admin = kafka.admin();
  const buses: EventBus[] = [];

  beforeAll(async () => {
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(buses.map((each) => each.close()));
    await admin.disconnect();
  });

  function busCommittingEvery(intervalMs: number): EventBus {
    const created = createKafkaEventBus({ ...config, KAFKA_COMMIT_INTERVAL_MS: intervalMs }, 'kafka-test-offsets', logger);
    buses.push(created);
    return created;
  }

  /** The group's committed offset on one partition of orders.events (-1: none). */
  async function committed(groupId: string, partition: number): Promise<bigint> {
    const [offsets] = await admin.fetchOffsets({ groupId: `${config.KAFKA_TOPIC_PREFIX}${groupId}`, topics: [topic] });
    return BigInt(offsets?.partitions.find((each) => each.partition === partition)?.offset ?? '-1');
  }

  test('a batch handled is not committed at once; stopping commits it, so the group resumes after it', async () => {
    // A minute: the timer never fires during the test, so whatever is committed came from stop().
    const bus = busCommittingEvery(60_000);
    const groupId = `kafka-test-stop-${randomUUID()}`;
    const orderId = `order-${randomUUID()}`;
    const handled: EventMeta[] = [];
    const first = await bus.subscribe({
      groupId,
      topics: [Topics.orderEvents],
      fromBeginning: true,
      handle: async (event, meta) => {
        if (event.aggregateId === orderId) handled.push(meta);
      },
    });

    const events = ['OrderCreated', 'OrderPaid', 'OrderNotified'].map((type) => newEvent(testEvent(type), orderId, {}));
    await bus.publish(Topics.orderEvents, events);
    await eventually(() => handled.length === events.length, 30_000, 'the three events handled');
    const { partition } = handled[0] as EventMeta;
    const last = BigInt((handled[events.length - 1] as EventMeta).offset);
    // Handled, fetched batches finished, and nothing committed: no commit per batch.
    expect(await committed(groupId, partition)).toBeLessThanOrEqual(last);

    await first.stop();
    // Past the three (other test files may have added events after them, handled too).
    expect(await committed(groupId, partition)).toBeGreaterThan(last);

    // The same group again: it resumes after them and gets only what comes next.
    const again: string[] = [];
    const second = await bus.subscribe({
      groupId,
      topics: [Topics.orderEvents],
      fromBeginning: true,
      handle: async (event) => {
        if (event.aggregateId === orderId) again.push(event.type);
      },
    });
    await bus.publish(Topics.orderEvents, [newEvent(testEvent('OrderGrabbed'), orderId, {})]);
    await eventually(() => again.includes('OrderGrabbed'), 30_000, 'the next event reaching the group again');
    expect(again).toEqual(['OrderGrabbed']);
    await second.stop();
  });

  test('while a handler keeps failing, the commits stop before its event; once it succeeds they pass it', async () => {
    const bus = busCommittingEvery(200);
    const groupId = `kafka-test-fail-${randomUUID()}`;
    const orderId = `order-${randomUUID()}`;
    const types = ['OrderCreated', 'OrderPaid', 'OrderNotified', 'OrderGrabbed'];
    let failing = true;
    let failures = 0;
    const handled: Array<{ type: string; meta: EventMeta }> = [];
    const subscription = await bus.subscribe({
      groupId,
      topics: [Topics.orderEvents],
      fromBeginning: true,
      handle: async (event, meta) => {
        if (event.aggregateId !== orderId) return;
        if (event.type === 'OrderNotified' && failing) {
          failures += 1;
          throw new Error('the handler fails (test)');
        }
        handled.push({ type: event.type, meta });
      },
    });
    await bus.publish(Topics.orderEvents, types.map((type) => newEvent(testEvent(type), orderId, {})));
    await eventually(() => handled.length === 2 && failures >= 2, 30_000, 'the first two handled and the third failing');
    const { partition, offset: paidOffset } = (handled[1] as { meta: EventMeta }).meta;
    // The first two are committed on the timer, however long the third fails.
    await eventually(async () => (await committed(groupId, partition)) > BigInt(paidOffset), 10_000, 'the first two committed');
    const whileFailing: bigint[] = [];
    for (let check = 0; check < 5; check += 1) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      whileFailing.push(await committed(groupId, partition));
    }

    failing = false;
    await eventually(() => handled.length === types.length, 30_000, 'the rest handled once the handler succeeds');
    expect(handled.map((entry) => entry.type)).toEqual(types);
    const notified = BigInt((handled[2] as { meta: EventMeta }).meta.offset);
    const last = BigInt((handled[types.length - 1] as { meta: EventMeta }).meta.offset);
    // While it failed, nothing at or after the failing event was committed.
    for (const at of whileFailing) expect(at).toBeLessThanOrEqual(notified);
    await eventually(async () => (await committed(groupId, partition)) > last, 10_000, 'all four committed on the timer');
    await subscription.stop();
  });
});
