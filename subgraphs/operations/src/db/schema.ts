import { boolean, char, datetime, index, int, mysqlEnum, mysqlTable, text, varchar } from 'drizzle-orm/mysql-core';
import { auditActions, auditTargetTypes, outbox, processedEvents } from '@waimai/platform';

// Re-exported so drizzle-kit's migration creates the platform's outbox and consumer tables here too.
export { outbox, processedEvents };

const at = (name: string) => datetime(name, { mode: 'date', fsp: 3 });

/**
 * Every AuditRecorded event once, keyed by its event id: a redelivered or replayed event
 * finds its row and adds nothing. Each index serves one filter of `auditLog`, newest first.
 */
export const auditLog = mysqlTable(
  'audit_log',
  {
    /** The AuditRecorded event's id (a UUIDv7, so it also orders entries of the same millisecond). */
    id: char('id', { length: 36 }).primaryKey(),
    service: varchar('service', { length: 32 }).notNull(),
    actorId: varchar('actor_id', { length: 128 }).notNull(),
    /** The actor's roles when they acted, as a JSON array. */
    actorRoles: varchar('actor_roles', { length: 200 }).notNull(),
    action: mysqlEnum('action', auditActions).notNull(),
    targetType: mysqlEnum('target_type', auditTargetTypes).notNull(),
    targetId: varchar('target_id', { length: 128 }).notNull(),
    // text, not varchar(500): the producer bounds reasons; a longer one must not jam the consumer.
    reason: text('reason'),
    before: varchar('before_status', { length: 64 }),
    after: varchar('after_status', { length: 64 }),
    /** Action-specific facts, as a JSON object. */
    details: text('details').notNull(),
    /** When the action happened (the event's `at`). */
    at: at('at').notNull(),
    recordedAt: at('recorded_at').notNull(),
  },
  (t) => [
    index('audit_log_at').on(t.at, t.id),
    index('audit_log_actor_at').on(t.actorId, t.at, t.id),
    // By id alone: target ids are UUIDs or user subs, and a console looks one up without its type.
    index('audit_log_target_at').on(t.targetId, t.at, t.id),
    index('audit_log_target_type_at').on(t.targetType, t.at, t.id),
    index('audit_log_action_at').on(t.action, t.at, t.id),
  ],
);

/**
 * One row per order, folded from its OrderStatusChanged events (and PaymentNeedsAttention):
 * each time is the event's own time and is kept at its earliest, flags only ever turn on, so
 * events arriving twice or out of order give the same row. Each time has its index: the
 * figures count by one of them over a range.
 */
export const orderFacts = mysqlTable(
  'order_facts',
  {
    orderId: varchar('order_id', { length: 64 }).primaryKey(),
    // Null until the order's own events arrive (a payment's problem may be seen first).
    merchantId: varchar('merchant_id', { length: 64 }),
    customerId: varchar('customer_id', { length: 128 }),
    /** The rider named by the order's latest event that names one: the one who delivered it, once delivered. */
    riderId: varchar('rider_id', { length: 128 }),
    riderSeenAt: at('rider_seen_at'),
    totalCents: int('total_cents'),
    placedAt: at('placed_at'),
    paidAt: at('paid_at'),
    grabbedAt: at('grabbed_at'),
    deliveredAt: at('delivered_at'),
    cancelledAt: at('cancelled_at'),
    wasOvertime: boolean('was_overtime').notNull().default(false),
    neededAttention: boolean('needed_attention').notNull().default(false),
  },
  (t) => [
    index('order_facts_placed').on(t.placedAt),
    index('order_facts_paid').on(t.paidAt),
    index('order_facts_grabbed').on(t.grabbedAt),
    index('order_facts_delivered').on(t.deliveredAt),
    index('order_facts_cancelled').on(t.cancelledAt),
    // Per merchant and per rider over long ranges, covering what their figures read (no row
    // lookups); an hour or a day is found faster through the time indexes above.
    index('order_facts_merchant').on(t.merchantId, t.placedAt, t.paidAt, t.cancelledAt, t.totalCents),
    index('order_facts_rider').on(t.riderId, t.deliveredAt, t.wasOvertime),
  ],
);

/** Every PaymentRefunded event once (by event id): money given back, when and why. */
export const refundFacts = mysqlTable(
  'refund_facts',
  {
    eventId: char('event_id', { length: 36 }).primaryKey(),
    paymentId: varchar('payment_id', { length: 64 }).notNull(),
    orderId: varchar('order_id', { length: 64 }).notNull(),
    // A string, not the catalog's enum: payments adds reasons (GOODWILL), and a reason this
    // table did not know must not need a migration here before its refunds can be kept.
    reason: varchar('reason', { length: 32 }).notNull(),
    refundCents: int('refund_cents').notNull(),
    /** When payments recorded the refund (the event's occurredAt). */
    refundedAt: at('refunded_at').notNull(),
  },
  (t) => [index('refund_facts_refunded').on(t.refundedAt), index('refund_facts_order').on(t.orderId)],
);

export const operationsSchema = { auditLog, orderFacts, refundFacts, outbox, processedEvents };
export type OperationsSchema = typeof operationsSchema;

export type AuditEntryRow = typeof auditLog.$inferSelect;
export type OrderFactsRow = typeof orderFacts.$inferSelect;
export type RefundFactsRow = typeof refundFacts.$inferSelect;
