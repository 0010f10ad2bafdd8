import type { OrdersApiClient } from './internal-api/orders-api';
import type { Logger } from './logger';

/** What one round of an orphan sweep did. */
export interface SweepOutcome {
  /** Holds asked about. */
  checked: number;
  /** Of those, orders said they exist: confirmed, never asked about again. */
  confirmed: number;
  /** Orders said they do not exist: given back. */
  released: number;
  /** Orders could not be asked: nothing released, asked again next round. */
  unanswered: number;
}

/** Holds checked per sweep round: one call to orders, which accepts up to 500 ids. */
export const ORPHAN_SWEEP_BATCH = 200;

export interface OrphanSweepRound {
  /** The order ids of holds claimed before the window and not confirmed yet (at most ORPHAN_SWEEP_BATCH). */
  candidates: readonly string[];
  /** Orders' internal API, asked outside any transaction which of those orders exist. */
  orders: Pick<OrdersApiClient, 'existing'>;
  /** Marks holds whose order exists, so they are never asked about again. */
  confirm(orderIds: string[]): Promise<void>;
  /** Gives one hold back, conditionally on the claim the sweep saw; false when a retry resumed it meanwhile. */
  release(orderId: string): Promise<boolean>;
  /** What is held, for the logs: "stock holds", "discount holds". */
  what: string;
  log: Logger;
}

/**
 * One round of the sweep that gives back what was held for an order that never appeared
 * (orders died between the hold and its insert, and no retry resumed it): products' stock
 * holds and operations' discount holds. Orders reads its primary and names the orders that
 * exist; only the others are released, each conditionally on the claim seen (a retry that
 * resumed the hold meanwhile wins). No answer from orders, no release.
 */
export async function sweepOrphanHolds(round: OrphanSweepRound): Promise<SweepOutcome> {
  const { candidates, log, what } = round;
  const outcome: SweepOutcome = { checked: candidates.length, confirmed: 0, released: 0, unanswered: 0 };
  if (candidates.length === 0) return outcome;
  let existing: Set<string>;
  try {
    existing = new Set((await round.orders.existing({ body: { orderIds: [...candidates] } })).value.existing);
  } catch (err) {
    log.warn({ err, holds: candidates.length }, `Could not ask orders about ${what} without an order; releasing none this round.`);
    return { ...outcome, unanswered: candidates.length };
  }
  const withOrder = candidates.filter((orderId) => existing.has(orderId));
  await round.confirm(withOrder);
  outcome.confirmed = withOrder.length;
  for (const orderId of candidates.filter((id) => !existing.has(id))) {
    if (await round.release(orderId)) {
      outcome.released += 1;
      log.warn({ orderId }, `Released ${what} of an order that never appeared.`);
    }
  }
  return outcome;
}
