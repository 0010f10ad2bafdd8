import type { OrderStatusChangedData } from '@waimai/platform';
import type { OrderFactsRow } from '../db/schema';

const earliest = (kept: Date | null, seen: Date): Date => (kept && kept.getTime() <= seen.getTime() ? kept : seen);

/**
 * The facts once `change` is folded in. Every fact takes the event's own time, each time
 * keeps its earliest value and flags only turn on, so folding an event twice, or events in
 * any order, gives the same facts: Kafka may deliver again, and orders.events and
 * payments.events are separate topics with no order between them.
 */
export function withStatusChange(facts: OrderFactsRow, change: OrderStatusChangedData): OrderFactsRow {
  const at = new Date(change.at);
  const { from, to } = change;
  const next: OrderFactsRow = {
    ...facts,
    // The same on every event of the order.
    merchantId: change.merchantId,
    customerId: change.customerId,
    totalCents: change.totalCents,
    wasOvertime: facts.wasOvertime || change.wasOvertime || to === 'OVERTIME',
    neededAttention: facts.neededAttention || change.needsAttention,
  };
  if (from === null) next.placedAt = earliest(facts.placedAt, at);
  if (from === 'PENDING_PAYMENT' && to === 'CREATED') next.paidAt = earliest(facts.paidAt, at);
  if (to === 'DELIVERING' && (from === 'CREATED' || from === 'NOTIFIED')) next.grabbedAt = earliest(facts.grabbedAt, at);
  if (to === 'RECEIVED') next.deliveredAt = earliest(facts.deliveredAt, at);
  if (to === 'CANCELLED') next.cancelledAt = earliest(facts.cancelledAt, at);
  // The rider named by the latest event (by its own time) that names one: after a
  // reassignment, the new rider; once delivered, the one who delivered it.
  if (change.riderId !== null && (facts.riderSeenAt === null || at.getTime() >= facts.riderSeenAt.getTime())) {
    next.riderId = change.riderId;
    next.riderSeenAt = at;
  }
  return next;
}

/** The facts once payments reported the order's payment stuck: it needed operations' attention. */
export function withAttention(facts: OrderFactsRow): OrderFactsRow {
  return { ...facts, neededAttention: true };
}
