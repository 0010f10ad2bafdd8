import { checkHistory, untilOutboxesDrained, type HistoryFigures } from './lib/checks';
import { OrderFlow, type FlowRecord } from './lib/flow';
import { FAULT_TIMERS, SERVICE_NAMES, startProcessStack, type ProcessStack } from './lib/process-stack';

/**
 * The fault suite (`pnpm test:faults`; also part of `pnpm test`): the whole order flow at a
 * steady rate through the gateway while services are killed with SIGKILL, at random and at
 * the points that matter, then the history is checked in MySQL, Kafka and through the API.
 *
 * Sized by FAULT_SECONDS (how long orders and faults go on, default 150), FAULT_ORDERS_PER_SECOND
 * (default 1) and FAULT_EVERY_SECONDS (default 12).
 */
const seconds = Number(process.env.FAULT_SECONDS ?? 150);
const ordersPerSecond = Number(process.env.FAULT_ORDERS_PER_SECOND ?? 1);
const faultEverySeconds = Number(process.env.FAULT_EVERY_SECONDS ?? 12);

const log = (message: string) => process.stdout.write(`faults: ${message}\n`);

let stack: ProcessStack | undefined;
let runningFlow: OrderFlow | undefined;

afterAll(async () => {
  // A failed test leaves the flow's customer and rider loops running: stop them first.
  runningFlow?.abort();
  await stack?.stop();
});

/** Kill → the first order paid after it that a rider saw among its offers, per kind of fault. */
function recoveryTimes(record: FlowRecord): Map<string, number[]> {
  const byKind = new Map<string, number[]>();
  for (const fault of record.faults) {
    let best = Number.POSITIVE_INFINITY;
    for (const { orderId, at } of record.acknowledgedPayments.values()) {
      const offeredAt = record.firstOffered.get(orderId);
      if (at > fault.at && offeredAt !== undefined) best = Math.min(best, offeredAt - fault.at);
    }
    const key = `${fault.kind} (${fault.service})`;
    byKind.set(key, [...(byKind.get(key) ?? []), best]);
  }
  return byKind;
}

function report(record: FlowRecord, figures: HistoryFigures): void {
  const faults = new Map<string, number>();
  for (const fault of record.faults) faults.set(`${fault.kind} (${fault.service})`, (faults.get(`${fault.kind} (${fault.service})`) ?? 0) + 1);
  const failedRequests = record.exchanges.filter((exchange) => exchange.status === 0 || exchange.status >= 500 || exchange.codes.includes('INTERNAL_SERVER_ERROR')).length;
  log(`orders ${figures.orders}, paid ${figures.paid}, delivered ${figures.delivered}, late ${figures.late}, refunds ${figures.compensated}, events sent twice by a killed relay ${figures.republished}; requests ${record.exchanges.length} (${failedRequests} failed while a service was down, retried by the client)`);
  log(`faults: ${[...faults].map(([kind, count]) => `${kind} ×${count}`).join(', ') || 'none'}`);
  for (const [kind, times] of recoveryTimes(record)) {
    const shown = times.map((ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'no paid order offered after it'));
    log(`recovery, kill → next paid order offered: ${kind}: ${shown.join(', ')}`);
  }
  log(`violations: ${figures.violations.length}`);
  for (const violation of figures.violations) log(`  - ${violation}`);
}

describe('the order history under SIGKILL', () => {
  it(
    `orders, payments, grabs and deliveries for ${seconds} s with a service killed every ~${faultEverySeconds} s leave a history without a single violation`,
    async () => {
      stack = await startProcessStack({
        ...FAULT_TIMERS,
      });
      log(`services' logs in ${stack.logDir}`);
      const flow = new OrderFlow({ stack, ordersPerSecond, seconds, faultEverySeconds, log });
      runningFlow = flow;
      await flow.setUp();
      await flow.run();

      // Every service back, riders finish what they hold, relays drain.
      await Promise.all(SERVICE_NAMES.map((name) => (stack as ProcessStack).revive(name)));
      await flow.finish(120_000);
      await untilOutboxesDrained(stack.env);

      const figures = await checkHistory(stack.env, flow.record);
      report(flow.record, figures);

      expect(flow.record.faults.length).toBeGreaterThan(0);
      expect(figures.paid).toBeGreaterThan(0);
      expect(figures.violations).toEqual([]);
    },
    (seconds + 600) * 1000,
  );
});
