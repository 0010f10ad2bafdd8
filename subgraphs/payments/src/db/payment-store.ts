import { and, asc, eq, inArray } from 'drizzle-orm';
import {
  affectedRows,
  enqueueEvents,
  isDuplicateKey,
  markProcessed,
  newEvent,
  newId,
  PaymentFailed,
  PaymentRefunded,
  PaymentSucceeded,
  type Database,
  type PaymentFailedData,
  type PaymentRefundedData,
  type PaymentSucceededData,
  type RefundRequestedData,
} from '@waimai/platform';
import {
  isExpired,
  PAID_STATUSES,
  paymentExpiry,
  refundOutcome,
  REFUNDABLE_STATUSES,
  statusAfterCallback,
  type ProviderCallback,
} from '../domain/payment-rules';
import type { CreatedPayment } from '../providers/provider';
import { paymentEvents, payments, refunds, type PaymentMethod, type PaymentRow, type PaymentsSchema, type PaymentStatus, type RefundRow } from './schema';

/** The consumer name under which refund requests are marked processed. */
export const REFUND_CONSUMER = 'payments.refunds';

/** What initiatePayment knows about the order, from the orders service. */
export interface OrderToPay {
  id: string;
  customerId: string;
  totalCents: number;
  /** The order's own payment deadline, when the orders service tells it. */
  paymentDueAt: Date | null;
}

export interface StartPayment {
  order: OrderToPay;
  method: PaymentMethod;
  provider: string;
  windowSeconds: number;
  /** Opens the payment at the provider; runs while this payment's row is held, once per new payment. */
  openAtProvider(payment: { id: string; expiresAt: Date }): Promise<CreatedPayment>;
  now?: Date;
}

export type StartPaymentResult =
  | { kind: 'created'; payment: PaymentRow; eventsEnqueued: boolean }
  | { kind: 'pending'; payment: PaymentRow }
  | { kind: 'already-paid'; payment: PaymentRow };

export type CallbackResult =
  | { kind: 'unknown-payment' }
  | { kind: 'mismatch'; field: 'orderId' | 'amountCents' }
  | { kind: 'duplicate' }
  | { kind: 'unchanged'; status: PaymentStatus }
  | { kind: 'applied'; status: PaymentStatus };

export type RefundResult =
  | { kind: 'duplicate-event' }
  | { kind: 'no-refundable-payment' }
  | { kind: 'already-refunded'; refund: RefundRow }
  | { kind: 'nothing-left'; payment: PaymentRow }
  | { kind: 'refunded'; refund: RefundRow; payment: PaymentRow };

export interface RefundPayout {
  payment: PaymentRow;
  refundCents: number;
  refundKey: string;
}

/** Several tries: a race for one order's pending payment settles in one more pass. */
const START_ATTEMPTS = 3;

export function createPaymentStore(db: Database<PaymentsSchema>, primary: Database<PaymentsSchema>) {
  async function byIdOnPrimary(id: string): Promise<PaymentRow | undefined> {
    const [row] = await primary.select().from(payments).where(eq(payments.id, id));
    return row;
  }

  return {
    byIdOnPrimary,

    async byIds(ids: readonly string[]): Promise<PaymentRow[]> {
      if (ids.length === 0) return [];
      return db.select().from(payments).where(inArray(payments.id, [...ids]));
    },

    async ofOrders(orderIds: readonly string[]): Promise<PaymentRow[]> {
      if (orderIds.length === 0) return [];
      return db.select().from(payments).where(inArray(payments.orderId, [...orderIds]));
    },

    /**
     * Returns the order's pending payment, or opens a new one for the order's own total. The
     * unique pending_order_id makes concurrent calls for one order agree on one payment: the
     * loser's insert fails on the key and it returns the winner's payment. A pending payment
     * whose link expired is failed (PaymentFailed, reason EXPIRED) and replaced.
     */
    async startPayment(input: StartPayment): Promise<StartPaymentResult> {
      const { order } = input;
      for (let attempt = 1; ; attempt += 1) {
        const now = input.now ?? new Date();
        const existing = await primary.select().from(payments).where(eq(payments.orderId, order.id)).orderBy(asc(payments.createdAt));
        const paid = existing.find((payment) => PAID_STATUSES.includes(payment.status));
        if (paid) return { kind: 'already-paid', payment: paid };
        const pending = existing.find((payment) => payment.status === 'PENDING');
        if (pending && !isExpired(pending, now)) return { kind: 'pending', payment: pending };

        try {
          return await primary.transaction(async (tx) => {
            let eventsEnqueued = false;
            if (pending) {
              const expired = await tx
                .update(payments)
                .set({ status: 'FAILED', pendingOrderId: null, updatedAt: now })
                .where(and(eq(payments.id, pending.id), eq(payments.status, 'PENDING')));
              if (affectedRows(expired) === 1) {
                const data: PaymentFailedData = { paymentId: pending.id, orderId: order.id, reason: 'EXPIRED' };
                await enqueueEvents(tx, [newEvent(PaymentFailed, order.id, data, now)]);
                eventsEnqueued = true;
              }
            }
            const expiresAt = paymentExpiry(now, input.windowSeconds, order.paymentDueAt);
            const row: PaymentRow = {
              id: newId(),
              orderId: order.id,
              customerId: order.customerId,
              amountCents: order.totalCents,
              paymentMethod: input.method,
              provider: input.provider,
              status: 'PENDING',
              payUrl: null,
              qrCode: null,
              expiresAt,
              paidAt: null,
              providerTxnId: null,
              refundedCents: 0,
              pendingOrderId: order.id,
              createdAt: now,
              updatedAt: now,
            };
            // Claims the order's pending slot first: a concurrent call waits on this key and
            // then loses, so only the winner opens a payment at the provider.
            await tx.insert(payments).values(row);
            const opened = await input.openAtProvider({ id: row.id, expiresAt });
            const details = { payUrl: opened.payUrl, qrCode: opened.qrCode, expiresAt: opened.expiresAt };
            await tx.update(payments).set(details).where(eq(payments.id, row.id));
            return { kind: 'created' as const, payment: { ...row, ...details }, eventsEnqueued };
          });
        } catch (err) {
          if (!isDuplicateKey(err) || attempt >= START_ATTEMPTS) throw err;
          // Another call for this order won the race; the next pass returns its payment.
        }
      }
    },

    /**
     * Applies one provider callback, once: the event id is recorded with its payment in the same
     * transaction as its effect, so a repeat (or a concurrent duplicate) changes nothing, while the
     * same event id about another payment is that payment's own event. A callback that
     * does not match its payment changes nothing at all, not even the event record.
     */
    async applyCallback(callback: ProviderCallback, provider: string, now = new Date()): Promise<CallbackResult> {
      return primary.transaction(async (tx) => {
        const [payment] = await tx.select().from(payments).where(eq(payments.id, callback.paymentId)).for('update');
        if (!payment || payment.provider !== provider) return { kind: 'unknown-payment' as const };
        if (payment.orderId !== callback.orderId) return { kind: 'mismatch' as const, field: 'orderId' as const };
        if (payment.amountCents !== callback.amountCents) return { kind: 'mismatch' as const, field: 'amountCents' as const };

        const next = statusAfterCallback(payment.status, callback.paymentStatus);
        try {
          await tx.insert(paymentEvents).values({
            eventId: callback.eventId,
            paymentId: payment.id,
            outcome: callback.paymentStatus,
            movedTo: next,
            receivedAt: now,
          });
        } catch (err) {
          if (isDuplicateKey(err)) return { kind: 'duplicate' as const };
          throw err;
        }
        if (!next) return { kind: 'unchanged' as const, status: payment.status };

        if (next === 'SUCCEEDED') {
          await tx
            .update(payments)
            .set({ status: next, paidAt: now, providerTxnId: callback.providerTxnId ?? null, pendingOrderId: null, updatedAt: now })
            .where(eq(payments.id, payment.id));
          const data: PaymentSucceededData = {
            paymentId: payment.id,
            orderId: payment.orderId,
            amountCents: payment.amountCents,
            paidAt: now.toISOString(),
          };
          await enqueueEvents(tx, [newEvent(PaymentSucceeded, payment.orderId, data, now)]);
        } else {
          await tx.update(payments).set({ status: next, pendingOrderId: null, updatedAt: now }).where(eq(payments.id, payment.id));
          const data: PaymentFailedData = { paymentId: payment.id, orderId: payment.orderId, reason: 'PROVIDER_REPORTED_FAILURE' };
          await enqueueEvents(tx, [newEvent(PaymentFailed, payment.orderId, data, now)]);
        }
        return { kind: 'applied' as const, status: next };
      });
    },

    /**
     * Gives money back for one RefundRequested event, exactly once: the event is marked
     * processed, the refund row (unique per payment and reason) written, the provider paid
     * and PaymentRefunded enqueued in one transaction. When the provider call throws, all of
     * it rolls back and the event is retried.
     */
    async refund(
      eventId: string,
      request: RefundRequestedData,
      payOut: (payout: RefundPayout) => Promise<{ providerRefundId: string }>,
      now = new Date(),
    ): Promise<RefundResult> {
      return primary.transaction(async (tx) => {
        if (!(await markProcessed(tx, REFUND_CONSUMER, eventId))) return { kind: 'duplicate-event' as const };

        const [payment] = await tx
          .select()
          .from(payments)
          .where(
            and(
              eq(payments.orderId, request.orderId),
              request.paymentId ? eq(payments.id, request.paymentId) : undefined,
              inArray(payments.status, [...REFUNDABLE_STATUSES]),
            ),
          )
          .orderBy(asc(payments.paidAt), asc(payments.id))
          .limit(1)
          .for('update');
        if (!payment) return { kind: 'no-refundable-payment' as const };

        const [previous] = await tx
          .select()
          .from(refunds)
          .where(and(eq(refunds.paymentId, payment.id), eq(refunds.reason, request.reason)));
        if (previous) return { kind: 'already-refunded' as const, refund: previous };

        const outcome = refundOutcome(payment, request.amountCents);
        if (outcome.refundCents === 0) return { kind: 'nothing-left' as const, payment };

        const refund: RefundRow = {
          id: newId(),
          paymentId: payment.id,
          orderId: payment.orderId,
          amountCents: outcome.refundCents,
          reason: request.reason,
          providerRefundId: null,
          createdAt: now,
        };
        // The unique (payment, reason) key is taken before the provider is asked to pay.
        await tx.insert(refunds).values(refund);
        const { providerRefundId } = await payOut({ payment, refundCents: outcome.refundCents, refundKey: `${payment.id}:${request.reason}` });
        await tx.update(refunds).set({ providerRefundId }).where(eq(refunds.id, refund.id));
        await tx
          .update(payments)
          .set({ refundedCents: outcome.totalRefundedCents, status: outcome.status, updatedAt: now })
          .where(eq(payments.id, payment.id));

        const data: PaymentRefundedData = {
          paymentId: payment.id,
          orderId: payment.orderId,
          refundCents: outcome.refundCents,
          totalRefundedCents: outcome.totalRefundedCents,
          reason: request.reason,
        };
        await enqueueEvents(tx, [newEvent(PaymentRefunded, payment.orderId, data, now)]);
        return {
          kind: 'refunded' as const,
          refund: { ...refund, providerRefundId },
          payment: { ...payment, refundedCents: outcome.totalRefundedCents, status: outcome.status, updatedAt: now },
        };
      });
    },
  };
}
export type PaymentStore = ReturnType<typeof createPaymentStore>;
