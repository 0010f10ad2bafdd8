import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Topics } from '@waimai/platform';
import { startKafkaCluster, type KafkaCluster } from '../../scripts/lib/kafka-cluster';
import { checkHistory, untilOutboxesDrained } from './lib/checks';
import { OrderFlow } from './lib/flow';
import { groupCoordinator, leadersOf } from './lib/kafka-leaders';
import { FAULT_TIMERS, startProcessStack, type ProcessStack } from './lib/process-stack';

/**
 * The platform on a 3-broker Kafka cluster (KRaft; every topic on 3 brokers, writes acknowledged
 * by 2, idempotent producers), the order flow through the gateway, and mid-flow the broker
 * leading the most partitions SIGKILLed, left down a while, then started again on its data:
 * paying, dispatching and delivering go on with two brokers, and the history afterwards has
 * no violation (no acknowledged payment or order lost, every paid order offered, outboxes
 * drained, each topic holding exactly its outboxes' events).
 *
 * Sized by BROKER_FAULT_SECONDS (how long orders go on, default 45) and FAULT_ORDERS_PER_SECOND (default 1).
 */
const seconds = Number(process.env.BROKER_FAULT_SECONDS ?? 45);
const ordersPerSecond = Number(process.env.FAULT_ORDERS_PER_SECOND ?? 1);

const log = (message: string) => process.stdout.write(`broker faults: ${message}\n`);

/** The consumer groups of the order flow (logical ids; the services prefix them with KAFKA_TOPIC_PREFIX). */
const FLOW_GROUPS = ['orders.payments', 'riders.dispatch', 'payments', 'products.stock'];

let cluster: KafkaCluster | undefined;
let stack: ProcessStack | undefined;
let runningFlow: OrderFlow | undefined;
let admin: Admin | undefined;

afterAll(async () => {
  // A failed test leaves the flow's customer and rider loops running: stop them first.
  runningFlow?.abort();
  await stack?.stop();
  await admin?.disconnect();
  await cluster?.stop();
});

describe('the order history when a Kafka broker dies', () => {
  it(
    `orders, payments and deliveries for ${seconds} s on 3 brokers, the busiest broker SIGKILLed mid-flow and restarted later, leave a history without a single violation`,
    async () => {
      cluster = await startKafkaCluster({ size: 3, logger: { info: log, warn: log } });
      stack = await startProcessStack({
        KAFKA_BROKERS: cluster.brokers.join(','),
        KAFKA_REPLICATION_FACTOR: '3',
        ...FAULT_TIMERS,
      });
      log(`services' logs in ${stack.logDir}, Kafka's in ${cluster.dir}`);
      const prefix = stack.env.KAFKA_TOPIC_PREFIX ?? '';
      admin = new Kafka({ clientId: 'broker-faults', brokers: cluster.brokers, logLevel: logLevel.NOTHING, retry: { retries: 10 } }).admin();
      await admin.connect();

      // No service is killed: the broker is the fault.
      const flow = new OrderFlow({ stack, ordersPerSecond, seconds, faultEverySeconds: seconds, log, faults: [] });
      runningFlow = flow;
      await flow.setUp();
      let killedAt = 0;
      let restartedAt = 0;
      const brokerFault = async (running: KafkaCluster, client: Admin) => {
        // A third of the way in: orders at every stage are in flight.
        await sleep((seconds * 1000) / 3);
        const leaders = await leadersOf(client, Object.values(Topics).map((topic) => `${prefix}${topic}`));
        const [victimId = 1, led = 0] = [...leaders.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
        const coordinated: string[] = [];
        for (const group of FLOW_GROUPS) if ((await groupCoordinator(client, `${prefix}${group}`)) === victimId) coordinated.push(group);
        log(`killing broker ${victimId}: leader of ${led} of the flow's partitions, coordinator of ${coordinated.join(', ') || 'no flow group'}`);
        killedAt = Date.now();
        await running.kill(running.indexOf(victimId));
        // Down for a third of the flow: long past its fencing, so the two others carry everything.
        await sleep((seconds * 1000) / 3);
        await running.restart(running.indexOf(victimId));
        restartedAt = Date.now();
      };
      await Promise.all([flow.run(), brokerFault(cluster, admin)]);

      await flow.finish(120_000);
      await untilOutboxesDrained(stack.env);

      const figures = await checkHistory(stack.env, flow.record);
      const paidWhileDown = [...flow.record.acknowledgedPayments.values()].filter(({ at }) => at > killedAt && at < restartedAt);
      const offeredWhileDown = paidWhileDown.filter(({ orderId }) => flow.record.firstOffered.has(orderId));
      const firstOfferAfterKill = Math.min(
        ...[...flow.record.acknowledgedPayments.values()]
          .filter(({ at }) => at > killedAt)
          .map(({ orderId }) => (flow.record.firstOffered.get(orderId) ?? Number.POSITIVE_INFINITY) - killedAt),
      );
      log(`orders ${figures.orders}, paid ${figures.paid}, delivered ${figures.delivered}, refunds ${figures.compensated}, events sent twice ${figures.republished}`);
      log(`broker down ${((restartedAt - killedAt) / 1000).toFixed(1)} s: ${paidWhileDown.length} payments acknowledged meanwhile, ${offeredWhileDown.length} of them offered to riders; kill → next paid order offered ${(firstOfferAfterKill / 1000).toFixed(1)} s`);
      log(`violations: ${figures.violations.length}`);
      for (const violation of figures.violations) log(`  - ${violation}`);

      expect(figures.paid).toBeGreaterThan(0);
      // The platform went on with two brokers: orders paid while the third was down reached riders.
      expect(offeredWhileDown.length).toBeGreaterThan(0);
      expect(figures.violations).toEqual([]);
    },
    (seconds + 900) * 1000,
  );
});
