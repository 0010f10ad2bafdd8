import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import { createKafkaEventBus, createLogger, newEvent, OrderOffered, Topics, type EventEnvelope } from '@waimai/platform';
import { ensureKafka } from '../../scripts/lib/kafka-broker';
import { startEventFeed } from '../src/event-feed';
import { EventRouter } from '../src/event-router';
import { decodeEnvelope, eventSources } from '../src/event-sources';
import { fanOutBenchConfigFromEnv } from './env';

/**
 * What broadcast fan-out costs one gateway process: every replica decodes every offer and
 * looks its rider up, whether or not that rider is connected here. Prints events/s for N
 * riders connected to this process (N subscribers), two ways:
 *
 *   - in process: decode + route of serialized envelopes, no Kafka (the CPU ceiling);
 *   - through Kafka: the gateway's own consumer (event-feed.ts) reading a topic of M offers
 *     from the beginning, from its first event to its last.
 *
 * Run: pnpm --filter @waimai/gateway bench:fan-out   (EVENTS=200000 RIDERS=100000 to change sizes)
 */
const config = fanOutBenchConfigFromEnv();
const { EVENTS, RIDERS } = config;
const CONNECTED = [0, 1_000, 10_000, 100_000].filter((n) => n <= RIDERS);

const riderId = (n: number) => `rider-${n.toString().padStart(6, '0')}`;

function offers(count: number): EventEnvelope[] {
  const expiresAt = new Date(Date.now() + 30_000).toISOString();
  return Array.from({ length: count }, (_, n) =>
    newEvent(OrderOffered, riderId(n % RIDERS), {
      offerId: `offer-${n}`,
      orderId: `order-${Math.floor(n / 5)}`,
      riderId: riderId(n % RIDERS),
      round: 1,
      distanceMeters: 800,
      expiresAt,
    }),
  );
}

/** A router with riders 0..connected-1 subscribed, and a count of what reached them. */
function routerWith(connected: number) {
  const router = new EventRouter(eventSources);
  let delivered = 0;
  const subscriber = { deliver: () => void (delivered += 1) };
  for (let n = 0; n < connected; n += 1) router.subscribe('orderOffers', riderId(n), subscriber);
  return { router, delivered: () => delivered };
}

function inProcess(messages: Buffer[], connected: number) {
  const { router, delivered } = routerWith(connected);
  // One warm-up pass so the JIT has seen the path, then the measured pass.
  for (const message of messages.slice(0, 10_000)) {
    const event = decodeEnvelope(message);
    if (event) router.route(Topics.dispatchOffers, { ...event, id: `warm-${event.id}` });
  }
  const before = delivered();
  const start = process.hrtime.bigint();
  for (const message of messages) {
    const event = decodeEnvelope(message);
    if (event) router.route(Topics.dispatchOffers, event);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { eventsPerSecond: Math.round(messages.length / seconds), delivered: delivered() - before };
}

async function throughKafka(prefix: string, connected: number) {
  const { router, delivered } = routerWith(connected);
  const feed = startEventFeed({
    kafka: { ...config, KAFKA_TOPIC_PREFIX: prefix },
    topics: [Topics.dispatchOffers],
    router,
    logger: createLogger('bench', 'warn'),
    fromBeginning: true,
  });
  let first = 0;
  for (;;) {
    const read = feed.eventsRead();
    if (read > 0 && first === 0) first = performance.now();
    if (read >= EVENTS) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const seconds = (performance.now() - first) / 1000;
  await feed.stop();
  return { eventsPerSecond: Math.round(EVENTS / seconds), delivered: delivered() };
}

async function main(): Promise<void> {
  const events = offers(EVENTS);
  const messages = events.map((event) => Buffer.from(JSON.stringify(event)));
  const bytes = Math.round(messages.reduce((total, message) => total + message.length, 0) / messages.length);
  process.stdout.write(`fan-out: ${EVENTS} OrderOffered events (${bytes} B each) for ${RIDERS} riders; node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}\n\n`);

  process.stdout.write('in process (decode + route, no Kafka)\n');
  for (const connected of CONNECTED) {
    const { eventsPerSecond, delivered } = inProcess(messages, connected);
    process.stdout.write(`  N=${String(connected).padStart(6)} subscribers: ${eventsPerSecond.toLocaleString('en-US').padStart(9)} events/s (${delivered} routed to a subscriber)\n`);
  }

  const broker = await ensureKafka({ brokers: config.KAFKA_BROKERS, logger: { info: () => undefined, warn: (message) => process.stderr.write(`${message}\n`) } });
  const prefix = `bench-${randomBytes(3).toString('hex')}-`;
  const bus = createKafkaEventBus({ ...config, KAFKA_TOPIC_PREFIX: prefix }, 'bench', createLogger('bench', 'warn'));
  try {
    await bus.ensureTopics([Topics.dispatchOffers]);
    for (let start = 0; start < events.length; start += 5_000) await bus.publish(Topics.dispatchOffers, events.slice(start, start + 5_000));
    process.stdout.write(`\nthrough Kafka (the gateway's consumer, ${config.KAFKA_TOPIC_PARTITIONS} partitions, from the beginning)\n`);
    for (const connected of CONNECTED) {
      const { eventsPerSecond, delivered } = await throughKafka(prefix, connected);
      process.stdout.write(`  N=${String(connected).padStart(6)} subscribers: ${eventsPerSecond.toLocaleString('en-US').padStart(9)} events/s (${delivered} routed to a subscriber)\n`);
    }
  } finally {
    await bus.close();
    const admin = new Kafka({ clientId: 'bench', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [`${prefix}${Topics.dispatchOffers}`] }).catch(() => undefined);
    await admin.disconnect();
    await broker.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`The fan-out benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
