import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import {
  affectedRows,
  enqueueEvents,
  isDuplicateKey,
  markProcessed,
  type CatalogEvent,
  type Database,
  type Transaction,
} from '@waimai/platform';
import {
  paymentEvents,
  payments,
  processedEvents,
  refunds,
  type CallbackOutcome,
  type PaymentRow,
  type PaymentsSchema,
  type PaymentStatus,
  type RefundRow,
} from './schema';

/** The consumer name under which refund requests are marked processed. */
export const REFUND_CONSUMER = 'payments.refunds';

/** What the provider answered when a payment was opened there. */
export interface OpenedAtProvider {
  payUrl: string;
  qrCode: string;
  expiresAt: Date;
}

/**
 * The statements a use case runs inside its own transaction (`store.inTransaction`). SQL
 * only: which to run, in which order, and what they mean is the domain's (domain/payments.ts).
 */
function transactionStatements(tx: Transaction<PaymentsSchema>) {
  return {
    async enqueue(events: readonly CatalogEvent[]): Promise<void> {
      await enqueueEvents(tx, events);
    },

    /** False when `eventId` was marked before (a redelivery, or a concurrent one that won). */
    async markProcessed(eventId: string): Promise<boolean> {
      return markProcessed(tx, REFUND_CONSUMER, eventId);
    },

    async paymentForUpdate(id: string): Promise<PaymentRow | undefined> {
      const [row] = await tx.select().from(payments).where(eq(payments.id, id)).for('update');
      return row;
    },

    async insertPayment(row: PaymentRow): Promise<void> {
      await tx.insert(payments).values(row);
    },

    /** PENDING → FAILED, releasing the order's pending slot; false when it was no longer PENDING. */
    async failPending(id: string, now: Date): Promise<boolean> {
      const failed = await tx
        .update(payments)
        .set({ status: 'FAILED', pendingOrderId: null, updatedAt: now })
        .where(and(eq(payments.id, id), eq(payments.status, 'PENDING')));
      return affectedRows(failed) === 1;
    },

    /** Records one provider event about one payment; false when it was recorded before. */
    async recordProviderEvent(event: { eventId: string; paymentId: string; outcome: CallbackOutcome; movedTo: PaymentStatus | null; receivedAt: Date }): Promise<boolean> {
      try {
        await tx.insert(paymentEvents).values(event);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },

    async settle(id: string, fields: { status: PaymentStatus; paidAt?: Date; providerTxnId?: string | null }, now: Date): Promise<void> {
      await tx
        .update(payments)
        .set({ ...fields, pendingOrderId: null, updatedAt: now })
        .where(eq(payments.id, id));
    },

    /** The order's first paid, still refundable payment (the one named, when named), locked. */
    async refundablePaymentForUpdate(orderId: string, paymentId: string | null, statuses: readonly PaymentStatus[]): Promise<PaymentRow | undefined> {
      const [row] = await tx
        .select()
        .from(payments)
        .where(and(eq(payments.orderId, orderId), paymentId ? eq(payments.id, paymentId) : undefined, inArray(payments.status, [...statuses])))
        .orderBy(asc(payments.paidAt), asc(payments.id))
        .limit(1)
        .for('update');
      return row;
    },

    /** Every refund of a payment, paid out or only claimed. */
    async refundsOfPayment(paymentId: string): Promise<RefundRow[]> {
      return tx.select().from(refunds).where(eq(refunds.paymentId, paymentId));
    },

    async insertRefund(row: RefundRow): Promise<void> {
      await tx.insert(refunds).values(row);
    },

    /** Marks a claimed refund paid out; false when another attempt recorded it first. */
    async recordRefundPaid(refundId: string, providerRefundId: string): Promise<boolean> {
      const recorded = await tx
        .update(refunds)
        .set({ providerRefundId })
        .where(and(eq(refunds.id, refundId), isNull(refunds.providerRefundId)));
      return affectedRows(recorded) === 1;
    },

    async setRefunded(paymentId: string, refundedCents: number, status: PaymentStatus, now: Date): Promise<void> {
      await tx.update(payments).set({ refundedCents, status, updatedAt: now }).where(eq(payments.id, paymentId));
    },
  };
}
export type PaymentStatements = ReturnType<typeof transactionStatements>;

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

    /** Every payment of an order, oldest first, from the primary (a decision follows). */
    async ofOrderOnPrimary(orderId: string): Promise<PaymentRow[]> {
      return primary.select().from(payments).where(eq(payments.orderId, orderId)).orderBy(asc(payments.createdAt));
    },

    async isProcessed(eventId: string): Promise<boolean> {
      const [row] = await primary
        .select({ eventId: processedEvents.eventId })
        .from(processedEvents)
        .where(and(eq(processedEvents.consumer, REFUND_CONSUMER), eq(processedEvents.eventId, eventId)));
      return row !== undefined;
    },

    /**
     * Records what the provider answered for a payment claimed without it; only the first
     * answer is kept (a concurrent call opening the same payment may have recorded it).
     */
    async recordOpened(paymentId: string, opened: OpenedAtProvider): Promise<void> {
      await primary
        .update(payments)
        .set({ payUrl: opened.payUrl, qrCode: opened.qrCode, expiresAt: opened.expiresAt })
        .where(and(eq(payments.id, paymentId), isNull(payments.payUrl)));
    },

    /** Runs `work` in one transaction on the primary; it commits when `work` resolves. */
    async inTransaction<T>(work: (statements: PaymentStatements) => Promise<T>): Promise<T> {
      return primary.transaction((tx) => work(transactionStatements(tx)));
    },
  };
}
export type PaymentStore = ReturnType<typeof createPaymentStore>;
