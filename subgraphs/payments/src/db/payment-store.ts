import { and, asc, eq, gte, inArray, isNull, lt, lte, sql, type SQL } from 'drizzle-orm';
import {
  affectedRows,
  enqueueEvents,
  isDuplicateKey,
  markProcessed,
  newestFirst,
  setEachById,
  type CatalogEvent,
  type Database,
  type Keyset,
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
  type RefundReason,
  type RefundRow,
} from './schema';

/** The consumer name under which refund requests are marked processed. */
export const REFUND_CONSUMER = 'payments.refunds';

/** The staff search of payments; every field is optional and they combine with AND. */
export interface PaymentSearch {
  statuses?: readonly PaymentStatus[];
  orderId?: string;
  createdFrom?: Date;
  createdTo?: Date;
}

/** The staff search of refunds; every field is optional and they combine with AND. */
export interface RefundSearch {
  reasons?: readonly RefundReason[];
  orderId?: string;
  createdFrom?: Date;
  createdTo?: Date;
}

/** What settling a payment writes besides clearing its pending slot: its new status, and when paid, when and the provider's transaction. */
export interface SettledFields {
  status: PaymentStatus;
  paidAt?: Date;
  providerTxnId?: string | null;
}

/** A provider event about one payment, as payment_events records it. */
export type ProviderEventRow = typeof paymentEvents.$inferInsert;

/** A provider event's key among others: its id and its payment's (the table's primary key). */
export const providerEventKey = (eventId: string, paymentId: string) => `${eventId}\u0000${paymentId}`;

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

    /** Payments by id, locked in id order (the same order as every use case's). */
    async paymentsForUpdate(ids: readonly string[]): Promise<PaymentRow[]> {
      if (ids.length === 0) return [];
      return tx.select().from(payments).where(inArray(payments.id, [...ids])).orderBy(asc(payments.id)).for('update');
    },

    /**
     * Which of these provider events were recorded before (providerEventKey). A plain read,
     * after their payments were locked: a concurrent callback about one of them committed
     * before the lock was granted, and this read sees it (and were one missed, its insert would
     * fail on the primary key, and the caller's transaction with it).
     */
    async providerEventsAmong(keys: ReadonlyArray<{ eventId: string; paymentId: string }>): Promise<Set<string>> {
      if (keys.length === 0) return new Set();
      const rows = await tx
        .select({ eventId: paymentEvents.eventId, paymentId: paymentEvents.paymentId })
        .from(paymentEvents)
        .where(and(inArray(paymentEvents.eventId, [...new Set(keys.map((key) => key.eventId))]), inArray(paymentEvents.paymentId, [...new Set(keys.map((key) => key.paymentId))])));
      return new Set(rows.map((row) => providerEventKey(row.eventId, row.paymentId)));
    },

    /** Records provider events none of which was recorded before (a duplicate key throws). */
    async recordProviderEvents(events: readonly ProviderEventRow[]): Promise<void> {
      if (events.length > 0) await tx.insert(paymentEvents).values([...events]);
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

    async settle(id: string, fields: SettledFields, now: Date): Promise<void> {
      await tx
        .update(payments)
        .set({ ...fields, pendingOrderId: null, updatedAt: now })
        .where(eq(payments.id, id));
    },

    /** settle for several payments in one statement, each with its own fields (the payments' rows are locked by the caller). */
    async settleEach(moves: ReadonlyArray<{ id: string; fields: SettledFields }>, now: Date): Promise<void> {
      if (moves.length === 0) return;
      const updates = moves.map(({ id, fields }) => ({ id, changes: { ...fields, pendingOrderId: null, updatedAt: now } }));
      await tx.update(payments).set(setEachById(payments, payments.id, updates)).where(inArray(payments.id, moves.map(({ id }) => id)));
    },

    /** Every payment of an order, locked in id order (the same order for every use case, so none wait on each other crosswise). */
    async paymentsOfOrderForUpdate(orderId: string): Promise<PaymentRow[]> {
      return tx.select().from(payments).where(eq(payments.orderId, orderId)).orderBy(asc(payments.id)).for('update');
    },

    /** The order's refund with this key, paid out or only claimed. */
    async refundByKey(orderId: string, refundKey: string): Promise<RefundRow | undefined> {
      const [row] = await tx
        .select()
        .from(refunds)
        .where(and(eq(refunds.orderId, orderId), eq(refunds.refundKey, refundKey)));
      return row;
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
    async recordRefundPaid(refundId: string, providerRefundId: string, now: Date): Promise<boolean> {
      const recorded = await tx
        .update(refunds)
        .set({ providerRefundId, paidOutAt: now, payoutDueAt: null })
        .where(and(eq(refunds.id, refundId), isNull(refunds.providerRefundId)));
      return affectedRows(recorded) === 1;
    },

    /**
     * Counts one failed provider call for a refund still unpaid, and reads the count back
     * with the refund; undefined when it was paid out meanwhile (the failure no longer matters).
     */
    async countFailedPayout(refundId: string): Promise<RefundRow | undefined> {
      const counted = await tx
        .update(refunds)
        .set({ failedPayouts: sql`${refunds.failedPayouts} + 1` })
        .where(and(eq(refunds.id, refundId), isNull(refunds.providerRefundId)));
      if (affectedRows(counted) !== 1) return undefined;
      const [row] = await tx.select().from(refunds).where(eq(refunds.id, refundId));
      return row;
    },

    /** Marks that operations were told about a refund; false when they were told before. */
    async markAttentionRaised(refundId: string, now: Date): Promise<boolean> {
      const marked = await tx
        .update(refunds)
        .set({ attentionRaisedAt: now })
        .where(and(eq(refunds.id, refundId), isNull(refunds.attentionRaisedAt)));
      return affectedRows(marked) === 1;
    },

    async setRefunded(paymentId: string, refundedCents: number, status: PaymentStatus, now: Date): Promise<void> {
      await tx.update(payments).set({ refundedCents, status, updatedAt: now }).where(eq(payments.id, paymentId));
    },
  };
}
export type PaymentStatements = ReturnType<typeof transactionStatements>;

/**
 * `db` takes the stale-ok reads (staff search, which a replica a little behind may answer);
 * every other read is on the primary: a payment and its refunds are read back by whoever has
 * just paid or refunded, and by the order's answer right after.
 */
export function createPaymentStore(db: Database<PaymentsSchema>, primary: Database<PaymentsSchema>) {
  async function byIdOnPrimary(id: string): Promise<PaymentRow | undefined> {
    const [row] = await primary.select().from(payments).where(eq(payments.id, id));
    return row;
  }

  return {
    byIdOnPrimary,

    async byIds(ids: readonly string[]): Promise<PaymentRow[]> {
      if (ids.length === 0) return [];
      return primary.select().from(payments).where(inArray(payments.id, [...ids]));
    },

    async ofOrders(orderIds: readonly string[]): Promise<PaymentRow[]> {
      if (orderIds.length === 0) return [];
      return primary.select().from(payments).where(inArray(payments.orderId, [...orderIds]));
    },

    /** Every payment of an order, oldest first, from the primary (a decision follows). */
    async ofOrderOnPrimary(orderId: string): Promise<PaymentRow[]> {
      return primary.select().from(payments).where(eq(payments.orderId, orderId)).orderBy(asc(payments.createdAt));
    },

    async refundOnPrimary(id: string): Promise<RefundRow | undefined> {
      const [row] = await primary.select().from(refunds).where(eq(refunds.id, id));
      return row;
    },

    async refundsOfPayments(paymentIds: readonly string[]): Promise<RefundRow[]> {
      if (paymentIds.length === 0) return [];
      return primary
        .select()
        .from(refunds)
        .where(inArray(refunds.paymentId, [...paymentIds]))
        .orderBy(asc(refunds.createdAt), asc(refunds.id));
    },

    /**
     * A newest-first page (created_at, then id) of the payments matching every given filter,
     * after `after`. Each path has its index: by order payments_order_created, by status
     * payments_status_created, otherwise payments_created.
     */
    async searchPayments(filter: PaymentSearch, after: Keyset | null, limit: number): Promise<PaymentRow[]> {
      const newest = newestFirst({ createdAt: payments.createdAt, id: payments.id }, after);
      const conditions: Array<SQL | undefined> = [
        filter.statuses === undefined ? undefined : inArray(payments.status, [...filter.statuses]),
        filter.orderId === undefined ? undefined : eq(payments.orderId, filter.orderId),
        filter.createdFrom === undefined ? undefined : gte(payments.createdAt, filter.createdFrom),
        filter.createdTo === undefined ? undefined : lt(payments.createdAt, filter.createdTo),
        newest.after,
      ];
      return db
        .select()
        .from(payments)
        .where(and(...conditions))
        .orderBy(...newest.orderBy)
        .limit(limit);
    },

    /**
     * A newest-first page (created_at, then id) of the refunds matching every given filter,
     * after `after`. Each path has its index: by order refunds_order_created, by reason
     * refunds_reason_created, otherwise refunds_created.
     */
    async searchRefunds(filter: RefundSearch, after: Keyset | null, limit: number): Promise<RefundRow[]> {
      const newest = newestFirst({ createdAt: refunds.createdAt, id: refunds.id }, after);
      const conditions: Array<SQL | undefined> = [
        filter.reasons === undefined ? undefined : inArray(refunds.reason, [...filter.reasons]),
        filter.orderId === undefined ? undefined : eq(refunds.orderId, filter.orderId),
        filter.createdFrom === undefined ? undefined : gte(refunds.createdAt, filter.createdFrom),
        filter.createdTo === undefined ? undefined : lt(refunds.createdAt, filter.createdTo),
        newest.after,
      ];
      return db
        .select()
        .from(refunds)
        .where(and(...conditions))
        .orderBy(...newest.orderBy)
        .limit(limit);
    },

    /** Up to `limit` refunds whose payout is due at `now`, the longest waiting first (refunds_payout_due). */
    async refundsDueForPayout(now: Date, limit: number): Promise<RefundRow[]> {
      return primary.select().from(refunds).where(lte(refunds.payoutDueAt, now)).orderBy(asc(refunds.payoutDueAt)).limit(limit);
    },

    /**
     * Takes a due refund for one payout attempt by moving its due time to `next`: of several
     * replicas that saw it due, exactly one wins (false for the others, and once it was paid out).
     */
    async takeDuePayout(refund: Pick<RefundRow, 'id' | 'payoutDueAt'>, next: Date): Promise<boolean> {
      if (!refund.payoutDueAt) return false;
      const taken = await primary
        .update(refunds)
        .set({ payoutDueAt: next })
        .where(and(eq(refunds.id, refund.id), eq(refunds.payoutDueAt, refund.payoutDueAt), isNull(refunds.providerRefundId)));
      return affectedRows(taken) === 1;
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
