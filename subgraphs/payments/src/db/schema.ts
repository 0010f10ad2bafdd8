import { char, datetime, index, int, mysqlEnum, mysqlTable, primaryKey, unique, varchar } from 'drizzle-orm/mysql-core';
import { outbox, processedEvents, refundReasons } from '@waimai/platform';

// Re-exported so drizzle-kit's migration creates the platform's outbox and consumer tables here too.
export { outbox, processedEvents };

const createdAt = () => datetime('created_at', { mode: 'date', fsp: 3 }).notNull();

export const paymentMethods = ['ALIPAY', 'WECHAT_PAY', 'CARD'] as const;
export const paymentStatuses = ['PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED', 'PARTIALLY_REFUNDED'] as const;
export const callbackOutcomes = ['SUCCESS', 'FAILURE'] as const;

export const payments = mysqlTable(
  'payments',
  {
    id: char('id', { length: 36 }).primaryKey(),
    orderId: varchar('order_id', { length: 64 }).notNull(),
    customerId: varchar('customer_id', { length: 128 }).notNull(),
    // Always the order's own total as the orders service reported it, never a client's value.
    amountCents: int('amount_cents').notNull(),
    paymentMethod: mysqlEnum('method', paymentMethods).notNull(),
    provider: varchar('provider', { length: 32 }).notNull(),
    status: mysqlEnum('status', paymentStatuses).notNull(),
    payUrl: varchar('pay_url', { length: 1000 }),
    qrCode: varchar('qr_code', { length: 2000 }),
    expiresAt: datetime('expires_at', { mode: 'date', fsp: 3 }),
    paidAt: datetime('paid_at', { mode: 'date', fsp: 3 }),
    providerTxnId: varchar('provider_txn_id', { length: 128 }),
    refundedCents: int('refunded_cents').notNull().default(0),
    /**
     * The order id while this payment is PENDING, NULL otherwise: the unique key lets one
     * order have at most one pending payment, however many initiatePayment calls race.
     */
    pendingOrderId: varchar('pending_order_id', { length: 64 }).unique('payments_pending_order'),
    createdAt: createdAt(),
    updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [
    index('payments_order_created').on(t.orderId, t.createdAt),
    // The staff search (searchPayments), newest first: by status, or all.
    index('payments_status_created').on(t.status, t.createdAt, t.id),
    index('payments_created').on(t.createdAt, t.id),
  ],
);

/**
 * Every provider event applied, by the provider's event id and the payment it is about: a
 * repeat is answered and changes nothing. The payment is part of the key because an event id
 * is only the provider's promise, not ours: a provider that reuses one (or two providers'
 * ids that meet) must not make a second payment's callback look like a repeat and never apply.
 */
export const paymentEvents = mysqlTable(
  'payment_events',
  {
    eventId: varchar('event_id', { length: 64 }).notNull(),
    paymentId: char('payment_id', { length: 36 }).notNull(),
    outcome: mysqlEnum('outcome', callbackOutcomes).notNull(),
    // The status the event moved the payment to; NULL when it changed nothing (e.g. a FAILURE after success).
    movedTo: mysqlEnum('moved_to', paymentStatuses),
    receivedAt: datetime('received_at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [primaryKey({ name: 'payment_events_event_payment', columns: [t.eventId, t.paymentId] })],
);

/**
 * Every refund, claimed before the provider is asked and marked paid out after it answered.
 * A claim's amount counts against what is left of its payment at once, so concurrent refunds
 * never give back more than was paid.
 */
export const refunds = mysqlTable(
  'refunds',
  {
    id: char('id', { length: 36 }).primaryKey(),
    paymentId: char('payment_id', { length: 36 }).notNull(),
    orderId: varchar('order_id', { length: 64 }).notNull(),
    amountCents: int('amount_cents').notNull(),
    reason: mysqlEnum('reason', refundReasons).notNull(),
    /**
     * What makes a refund the same refund when it is asked for again, unique per order: a
     * requested refund is `<payment id>:<reason>` (one per payment and reason, so a refund
     * request seen twice is paid once), a goodwill compensation `GOODWILL:<idempotency key>`.
     */
    refundKey: varchar('refund_key', { length: 200 }).notNull(),
    // NULL while the refund is claimed and not yet paid out by the provider (domain/payments.ts).
    providerRefundId: varchar('provider_refund_id', { length: 128 }),
    paidOutAt: datetime('paid_out_at', { mode: 'date', fsp: 3 }),
    /**
     * When the payout is next tried by the retries (jobs/refund-payouts.ts), NULL once paid out.
     * A replica takes a due refund by moving this forward with a conditional update.
     */
    payoutDueAt: datetime('payout_due_at', { mode: 'date', fsp: 3 }),
    /** Provider calls for this refund that failed; at REFUND_ATTENTION_AFTER_FAILURES operations are told, once. */
    failedPayouts: int('failed_payouts').notNull().default(0),
    /** When PaymentNeedsAttention was raised for this refund; NULL until then, so it is raised once. */
    attentionRaisedAt: datetime('attention_raised_at', { mode: 'date', fsp: 3 }),
    createdAt: createdAt(),
  },
  (t) => [
    unique('refunds_order_key').on(t.orderId, t.refundKey),
    index('refunds_payment').on(t.paymentId, t.createdAt),
    // The staff search (searchRefunds), newest first: by order, by reason, or all.
    index('refunds_order_created').on(t.orderId, t.createdAt, t.id),
    index('refunds_reason_created').on(t.reason, t.createdAt, t.id),
    index('refunds_created').on(t.createdAt, t.id),
    // Refunds whose payout is due: the payout retries (jobs/refund-payouts.ts).
    index('refunds_payout_due').on(t.payoutDueAt),
  ],
);

export const paymentsSchema = { payments, paymentEvents, refunds, outbox, processedEvents };
export type PaymentsSchema = typeof paymentsSchema;

export type PaymentRow = typeof payments.$inferSelect;
export type RefundRow = typeof refunds.$inferSelect;
export type PaymentMethod = (typeof paymentMethods)[number];
export type PaymentStatus = (typeof paymentStatuses)[number];
export type CallbackOutcome = (typeof callbackOutcomes)[number];
export type RefundReason = (typeof refundReasons)[number];
