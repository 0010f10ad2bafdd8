import { repeatEvery, type Logger, type OrdersApiClient } from '@waimai/platform';
import type { StockStore } from '../db/stock-store';

/** Holds checked per round: one call to orders, which accepts up to 500 ids. */
const BATCH = 200;

export interface OrphanHoldSweepOptions {
  stock: StockStore;
  orders: Pick<OrdersApiClient, 'existing'>;
  /** A hold unclaimed this long without a known order is asked about. */
  orphanSeconds: number;
  logger: Logger;
}

export interface SweepOutcome {
  /** Holds asked about. */
  checked: number;
  /** Of those, orders said they exist: confirmed, never asked about again. */
  confirmed: number;
  /** Orders said they do not exist: stock given back. */
  released: number;
  /** Orders could not be asked: nothing released, asked again next round. */
  unanswered: number;
}

/**
 * Releases stock holds whose order never appeared: orders died between the hold and the
 * order row (createOrder), and no retry with the same idempotency key came to resume it.
 *
 * A timer alone does not decide: every candidate is checked with orders, which reads its
 * primary, and only holds orders says have no order are released. Why an order cannot appear
 * after that check: a hold is a candidate only once it is `orphanSeconds` (120 s) past its last
 * claim, and createOrder writes its order within one stock call plus one insert (about 3 s at
 * most) of the claim it got back; so by the time of the check, any order of that claim is
 * already committed. A retry that resumes the hold claims it again (claimed_at moves), and the
 * release is conditional on the claim seen here, under the row's lock: the retry either lands
 * first (nothing is released) or finds the hold released and takes a new one. A process of
 * orders frozen for longer than the window (a paused VM) is the one case this does not cover.
 *
 * Safe with several replicas: two sweeps may ask about the same hold, and the conditional
 * release gives its stock back once. Holds whose order emitted an event are confirmed by the
 * order-events consumer and never reach this sweep at all.
 */
export function createOrphanHoldSweep({ stock, orders, orphanSeconds, logger }: OrphanHoldSweepOptions) {
  const log = logger.child({ component: 'orphan-hold-sweep' });

  return {
    async sweep(now = new Date()): Promise<SweepOutcome> {
      const claimedBefore = new Date(now.getTime() - orphanSeconds * 1000);
      const candidates = await stock.unconfirmedHolds(claimedBefore, BATCH);
      const outcome: SweepOutcome = { checked: candidates.length, confirmed: 0, released: 0, unanswered: 0 };
      if (candidates.length === 0) return outcome;
      let existing: Set<string>;
      try {
        existing = new Set((await orders.existing({ body: { orderIds: candidates } })).value.existing);
      } catch (err) {
        log.warn({ err, holds: candidates.length }, 'Could not ask orders about stock holds without an order; releasing none this round.');
        return { ...outcome, unanswered: candidates.length };
      }
      const withOrder = candidates.filter((orderId) => existing.has(orderId));
      await stock.confirm(withOrder);
      outcome.confirmed = withOrder.length;
      for (const orderId of candidates.filter((id) => !existing.has(id))) {
        if (await stock.releaseOrphan(orderId, claimedBefore)) {
          outcome.released += 1;
          log.warn({ orderId }, 'Released a stock hold whose order never appeared.');
        }
      }
      return outcome;
    },
  };
}
export type OrphanHoldSweep = ReturnType<typeof createOrphanHoldSweep>;

/** Runs `sweep` every `intervalMs`, one round at a time; `stop` waits for the current round. */
export function startOrphanHoldSweep(sweep: OrphanHoldSweep, intervalMs: number, logger: Logger) {
  const log = logger.child({ component: 'orphan-hold-sweep' });
  return repeatEvery(intervalMs, () => sweep.sweep(), (err) => log.error({ err }, 'A stock hold sweep failed.'));
}
