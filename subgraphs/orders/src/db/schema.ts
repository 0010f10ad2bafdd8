import {
  boolean,
  char,
  datetime,
  double,
  index,
  int,
  mysqlEnum,
  mysqlTable,
  primaryKey,
  uniqueIndex,
  varchar,
  bigint,
} from 'drizzle-orm/mysql-core';
import { campaignKinds, fundingSources, orderStatuses, outbox, processedEvents } from '@waimai/platform';

const at = (name: string) => datetime(name, { mode: 'date', fsp: 3 });

export const orders = mysqlTable(
  'orders',
  {
    id: char('id', { length: 36 }).primaryKey(),
    customerId: varchar('customer_id', { length: 128 }).notNull(),
    merchantId: char('merchant_id', { length: 36 }).notNull(),
    // Snapshots from products at creation: who may see the order, where riders pick it up.
    merchantOwnerId: varchar('merchant_owner_id', { length: 128 }).notNull(),
    merchantLat: double('merchant_lat').notNull(),
    merchantLng: double('merchant_lng').notNull(),
    status: mysqlEnum('status', orderStatuses).notNull(),
    // Bumped by every transition: each conditional UPDATE compares it (optimistic lock).
    version: int('version').notNull().default(0),
    // What the customer pays: items_cents - discount_cents + delivery_fee_cents, fixed when the
    // order is placed (the breakdown is a snapshot; a campaign changing later changes nothing).
    totalCents: int('total_cents').notNull(),
    itemsCents: int('items_cents').notNull().default(0),
    discountCents: int('discount_cents').notNull().default(0),
    deliveryFeeCents: int('delivery_fee_cents').notNull().default(0),
    // False when operations did not price the order's discounts in time: placed without any.
    discountsAvailable: boolean('discounts_available').notNull().default(true),
    deliveryAddress: varchar('delivery_address', { length: 300 }).notNull(),
    deliveryLat: double('delivery_lat').notNull(),
    deliveryLng: double('delivery_lng').notNull(),
    idempotencyKey: varchar('idempotency_key', { length: 64 }),
    riderId: varchar('rider_id', { length: 128 }),
    paymentId: char('payment_id', { length: 36 }),
    wasOvertime: boolean('was_overtime').notNull().default(false),
    needsAttention: boolean('needs_attention').notNull().default(false),
    dispatchRound: int('dispatch_round').notNull().default(0),
    refundCents: int('refund_cents').notNull().default(0),
    // 500: a staff member's reason (cancelOrderAsStaff); a customer's is at most 300.
    cancelReason: varchar('cancel_reason', { length: 500 }),
    createdAt: at('created_at').notNull(),
    paymentDueAt: at('payment_due_at'),
    paidAt: at('paid_at'),
    offerExpiresAt: at('offer_expires_at'),
    grabbedAt: at('grabbed_at'),
    pickedUpAt: at('picked_up_at'),
    deadlineAt: at('deadline_at').notNull(),
    deliveredAt: at('delivered_at'),
    closeDueAt: at('close_due_at'),
    closedAt: at('closed_at'),
    cancelledAt: at('cancelled_at'),
    // Set when staff gave the order to its current rider (reassignOrder): repeating that
    // reassignment is a no-op, while naming the rider who grabbed it is a mistake.
    reassignedAt: at('reassigned_at'),
    // The re-dispatch staff asked for in the current round (round, radius, riders): asking the
    // same again before dispatch answered changes nothing (redispatchOrder is idempotent).
    redispatchKey: char('redispatch_key', { length: 64 }),
  },
  (t) => [
    uniqueIndex('orders_customer_idempotency').on(t.customerId, t.idempotencyKey),
    index('orders_customer_created').on(t.customerId, t.createdAt, t.id),
    index('orders_merchant_created').on(t.merchantId, t.createdAt, t.id),
    index('orders_rider_status').on(t.riderId, t.status),
    // Staff search (searchOrders), newest first: one index per filter that leads a console's poll,
    // each ending in (created_at, id) so the keyset page reads the index in order.
    index('orders_created').on(t.createdAt, t.id),
    index('orders_status_created').on(t.status, t.createdAt, t.id),
    index('orders_rider_created').on(t.riderId, t.createdAt, t.id),
    index('orders_attention_created').on(t.needsAttention, t.createdAt, t.id),
    index('orders_overtime_created').on(t.wasOvertime, t.createdAt, t.id),
    // The scheduler's sweeps: one range scan per timer.
    index('orders_status_payment_due').on(t.status, t.paymentDueAt),
    index('orders_status_offer_expires').on(t.status, t.offerExpiresAt),
    index('orders_status_deadline').on(t.status, t.deadlineAt),
    index('orders_status_close_due').on(t.status, t.closeDueAt),
  ],
);

export const orderItems = mysqlTable(
  'order_items',
  {
    orderId: char('order_id', { length: 36 }).notNull(),
    productId: char('product_id', { length: 36 }).notNull(),
    productName: varchar('product_name', { length: 100 }).notNull(),
    unitPriceCents: int('unit_price_cents').notNull(),
    quantity: int('quantity').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.productId] })],
);

export const orderTimeline = mysqlTable(
  'order_timeline',
  {
    seq: bigint('seq', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    orderId: char('order_id', { length: 36 }).notNull(),
    status: mysqlEnum('status', orderStatuses).notNull(),
    step: varchar('step', { length: 32 }).notNull(),
    actorId: varchar('actor_id', { length: 128 }),
    at: at('at').notNull(),
  },
  (t) => [index('order_timeline_order').on(t.orderId, t.seq)],
);

/** Riders offered an order (written when dispatch notifies): grabbing needs a live one. */
export const orderOffers = mysqlTable(
  'order_offers',
  {
    orderId: char('order_id', { length: 36 }).notNull(),
    riderId: varchar('rider_id', { length: 128 }).notNull(),
    round: int('round').notNull(),
    expiresAt: at('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.riderId] })],
);

/**
 * Riders operations suspended, as riders announced it (RiderUpdated on riders.events): a
 * suspended rider's grab is refused. `changed_at` is the event's time, so an older event
 * delivered late never overwrites a newer one.
 */
export const riderSuspensions = mysqlTable('rider_suspensions', {
  riderId: varchar('rider_id', { length: 128 }).primaryKey(),
  suspended: boolean('suspended').notNull(),
  changedAt: at('changed_at').notNull(),
});

/** The discounts an order was placed with (a snapshot of what operations reserved for it). */
export const orderDiscounts = mysqlTable(
  'order_discounts',
  {
    orderId: char('order_id', { length: 36 }).notNull(),
    campaignId: varchar('campaign_id', { length: 64 }).notNull(),
    couponId: varchar('coupon_id', { length: 64 }),
    kind: mysqlEnum('kind', campaignKinds).notNull(),
    title: varchar('title', { length: 200 }).notNull(),
    fundedBy: mysqlEnum('funded_by', fundingSources).notNull(),
    amountCents: int('amount_cents').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.campaignId] })],
);

export const ordersSchema = { orders, orderItems, orderTimeline, orderOffers, riderSuspensions, orderDiscounts, outbox, processedEvents };
export type OrdersSchema = typeof ordersSchema;

export type OrderRow = typeof orders.$inferSelect;
export type OrderItemRow = typeof orderItems.$inferSelect;
export type OrderDiscountRow = typeof orderDiscounts.$inferSelect;
export type OrderTimelineRow = typeof orderTimeline.$inferSelect;
