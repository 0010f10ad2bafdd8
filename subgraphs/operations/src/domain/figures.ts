import { BadUserInputError, type OrderStatusChangedData, type PaymentRefundedData, type RefundReason } from '@waimai/platform';
import type { BucketSize, FiguresStore, MerchantTotals, RiderTotals, TimeRange } from '../db/figures-store';
import { withAttention, withStatusChange } from './order-facts';

/** Consumer names in processed_events; part of the deployed state, never renamed. */
export const ORDER_FACTS_CONSUMER = 'operations.order-facts';
export const PAYMENT_ATTENTION_CONSUMER = 'operations.payment-attention';
export const REFUNDS_CONSUMER = 'operations.refunds';

export const figureBuckets = ['HOUR', 'DAY'] as const satisfies readonly BucketSize[];

const BUCKET_MS: Record<BucketSize, number> = { HOUR: 3_600_000, DAY: 86_400_000 };
// 1000 buckets: six weeks of hours or almost three years of days in one answer, a few kB.
export const MAX_BUCKETS = 1000;

/**
 * Refund reasons that are not compensation: money for an order that could no longer be paid,
 * or that was cancelled, goes back in full; it is the price of food never sent, no gift.
 * Every other reason (LATE_DELIVERY, GOODWILL, any added later) is compensation, unless the
 * order was cancelled (see compensationBy), whatever its refund's reason says.
 */
export const notCompensationReasons = ['ORDER_NOT_PAYABLE', 'ORDER_CANCELLED'] as const satisfies readonly RefundReason[];

export interface BusinessFigures {
  from: Date;
  to: Date;
  ordersPlaced: number;
  ordersPaid: number;
  ordersDelivered: number;
  ordersCancelled: number;
  gmvCents: number;
  paidToGrabSecondsAvg: number | null;
  paidToGrabSecondsP90: number | null;
  grabToDeliverySecondsAvg: number | null;
  grabToDeliverySecondsP90: number | null;
  overtimeDeliveries: number;
  overtimeRate: number | null;
  compensationCents: number;
  ordersNeedingAttention: number;
  attentionShare: number | null;
}

export interface RiderPerformance extends RiderTotals {
  overtimeRate: number;
}

/**
 * The buckets of `size` covering [from, to), aligned to UTC (epoch milliseconds are UTC, and
 * days and hours divide them evenly), the first and last cut to the range.
 */
export function bucketsOf(range: TimeRange, size: BucketSize): TimeRange[] {
  const length = BUCKET_MS[size];
  const buckets: TimeRange[] = [];
  for (let start = Math.floor(range.from.getTime() / length) * length; start < range.to.getTime(); start += length) {
    buckets.push({ from: new Date(Math.max(start, range.from.getTime())), to: new Date(Math.min(start + length, range.to.getTime())) });
  }
  return buckets;
}

/** The nearest-rank percentile (the smallest value with at least `percent` % of the values at or below it); null for none. */
export function percentile(values: readonly number[], percent: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((percent / 100) * sorted.length) - 1)]!;
}

export function average(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

function checkedRange(range: TimeRange): TimeRange {
  if (range.from.getTime() >= range.to.getTime()) throw new BadUserInputError('`to` must be after `from`.', [{ field: 'to', message: 'must be after from' }]);
  return range;
}

/** The figures' use cases: fold events into the read models, and read figures out of them. */
export function createFigures(store: FiguresStore) {
  return {
    /** Folds a batch of OrderStatusChanged into their orders' facts, in order, in one transaction; how many were folded now (the others were before). */
    foldStatusChanges(events: ReadonlyArray<{ id: string; data: OrderStatusChangedData }>): Promise<number> {
      return store.foldOrders(
        ORDER_FACTS_CONSUMER,
        events.map(({ id, data }) => ({ id, orderId: data.orderId, fold: (facts) => withStatusChange(facts, data) })),
      );
    },

    /** Marks the order as having needed attention (its payment got stuck). */
    foldPaymentAttention(eventId: string, orderId: string): Promise<boolean> {
      return store.foldOrder(PAYMENT_ATTENTION_CONSUMER, eventId, orderId, withAttention);
    },

    /** Keeps a refund payments made, at the time it recorded it. */
    recordRefund(eventId: string, refund: PaymentRefundedData, refundedAt: Date): Promise<boolean> {
      return store.recordRefund(REFUNDS_CONSUMER, { eventId, paymentId: refund.paymentId, orderId: refund.orderId, reason: refund.reason, refundCents: refund.refundCents, refundedAt });
    },

    async business(range: TimeRange, size: BucketSize): Promise<BusinessFigures[]> {
      checkedRange(range);
      const buckets = bucketsOf(range, size);
      if (buckets.length > MAX_BUCKETS) {
        throw new BadUserInputError(`The range holds ${buckets.length} buckets; at most ${MAX_BUCKETS}.`, [{ field: 'to', message: `at most ${MAX_BUCKETS} buckets after from` }]);
      }
      const [placed, cancelled, paid, grabs, deliveries, compensation] = await Promise.all([
        store.countsBy('placed', range, size),
        store.countsBy('cancelled', range, size),
        store.paidBy(range, size),
        store.grabs(range, size),
        store.deliveries(range, size),
        store.compensationBy(range, size, notCompensationReasons),
      ]);
      // Each row's bucket is an aligned start; a cut first bucket is found by its aligned start too.
      const keyOf = (date: Date) => Math.floor(date.getTime() / BUCKET_MS[size]);
      const byBucket = <T extends { bucket: Date }>(rows: readonly T[]) => {
        const grouped = new Map<number, T[]>();
        for (const row of rows) grouped.set(keyOf(row.bucket), [...(grouped.get(keyOf(row.bucket)) ?? []), row]);
        return (bucket: TimeRange) => grouped.get(keyOf(bucket.from)) ?? [];
      };
      const placedIn = byBucket(placed);
      const cancelledIn = byBucket(cancelled);
      const paidIn = byBucket(paid);
      const grabsIn = byBucket(grabs);
      const deliveriesIn = byBucket(deliveries);
      const compensationIn = byBucket(compensation);
      const seconds = (rows: ReadonlyArray<{ seconds: number | null }>) => rows.flatMap((row) => (row.seconds === null ? [] : [row.seconds]));

      return buckets.map((bucket) => {
        const paidRow = paidIn(bucket)[0];
        const ordersPaid = paidRow?.count ?? 0;
        const ordersNeedingAttention = paidRow?.neededAttention ?? 0;
        const delivered = deliveriesIn(bucket);
        const overtimeDeliveries = delivered.filter((row) => row.overtime).length;
        const toGrab = seconds(grabsIn(bucket));
        const toDelivery = seconds(delivered);
        return {
          ...bucket,
          ordersPlaced: placedIn(bucket)[0]?.count ?? 0,
          ordersPaid,
          ordersDelivered: delivered.length,
          ordersCancelled: cancelledIn(bucket)[0]?.count ?? 0,
          gmvCents: paidRow?.gmvCents ?? 0,
          paidToGrabSecondsAvg: average(toGrab),
          paidToGrabSecondsP90: percentile(toGrab, 90),
          grabToDeliverySecondsAvg: average(toDelivery),
          grabToDeliverySecondsP90: percentile(toDelivery, 90),
          overtimeDeliveries,
          overtimeRate: ratio(overtimeDeliveries, delivered.length),
          compensationCents: compensationIn(bucket)[0]?.cents ?? 0,
          ordersNeedingAttention,
          attentionShare: ratio(ordersNeedingAttention, ordersPaid),
        };
      });
    },

    merchants(range: TimeRange, afterMerchantId: string | null, limit: number): Promise<MerchantTotals[]> {
      return store.merchantTotals(checkedRange(range), afterMerchantId, limit);
    },

    async riders(range: TimeRange, afterRiderId: string | null, limit: number): Promise<RiderPerformance[]> {
      const rows = await store.riderTotals(checkedRange(range), afterRiderId, limit);
      return rows.map((row) => ({ ...row, overtimeRate: row.overtimeDeliveries / row.deliveries }));
    },
  };
}
export type Figures = ReturnType<typeof createFigures>;
