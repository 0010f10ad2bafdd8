import { randomUUID } from 'node:crypto';
import {
  createKafkaEventBus,
  createLogger,
  defineEvent,
  kafkaLogCreator,
  newEvent,
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
