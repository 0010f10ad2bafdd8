import { boolean, char, datetime, double, index, int, mysqlEnum, mysqlTable, primaryKey, text, varchar } from 'drizzle-orm/mysql-core';
import { adPlacementStatuses, auditActions, auditTargetTypes, campaignKinds, fundingSources, outbox, processedEvents } from '@waimai/platform';

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

/** A campaign's own status; whether it runs now also depends on its window (domain/campaigns.ts). */
export const campaignStatuses = ['ACTIVE', 'PAUSED', 'ENDED'] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

/**
 * A campaign (活动): what it gives, to which baskets, when, and how much money it may give.
 * `reserved_cents + spent_cents <= budget_cents` always holds: every reservation adds to
 * `reserved_cents` with a conditional UPDATE that checks it (db/campaign-store.ts).
 */
export const campaigns = mysqlTable(
  'campaigns',
  {
    id: char('id', { length: 36 }).primaryKey(),
    kind: mysqlEnum('kind', campaignKinds).notNull(),
    title: varchar('title', { length: 100 }).notNull(),
    fundedBy: mysqlEnum('funded_by', fundingSources).notNull(),
    /** The merchant paying for a MERCHANT-funded campaign (which then applies to its shop only); null for PLATFORM. */
    merchantId: varchar('merchant_id', { length: 64 }),
    /** That merchant's owner (a user's sub) as products named it at creation: who may manage the campaign besides staff. */
    ownerId: varchar('owner_id', { length: 128 }),
    /** The shops it applies to, as a JSON array; empty for any shop (then the area decides). */
    merchantIds: text('merchant_ids').notNull(),
    /** The area it applies to (the delivery location within the circle); null for anywhere. */
    areaLat: double('area_lat'),
    areaLng: double('area_lng'),
    areaRadiusMeters: int('area_radius_meters'),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
    status: mysqlEnum('status', campaignStatuses).notNull(),
    budgetCents: int('budget_cents').notNull(),
    reservedCents: int('reserved_cents').notNull().default(0),
    spentCents: int('spent_cents').notNull().default(0),
    /** Orders per customer that may get it; null for no limit. */
    perCustomerLimit: int('per_customer_limit'),
    /** The kinds it combines with, as a JSON array. */
    stacksWith: varchar('stacks_with', { length: 200 }).notNull(),
    thresholdCents: int('threshold_cents'),
    offCents: int('off_cents'),
    percent: int('percent'),
    capCents: int('cap_cents'),
    /** The dishes a PERCENT_OFF applies to, as a JSON array; null for every item. */
    productIds: text('product_ids'),
    createdBy: varchar('created_by', { length: 128 }).notNull(),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [
    // Pricing reads the ACTIVE campaigns whose window has not ended.
    index('campaigns_status_ends').on(t.status, t.endsAt),
    index('campaigns_owner_created').on(t.ownerId, t.createdAt, t.id),
    index('campaigns_created').on(t.createdAt, t.id),
  ],
);

/** A coupon issued to one customer: single use (held by one order at a time), with its own expiry. */
export const coupons = mysqlTable(
  'coupons',
  {
    id: char('id', { length: 36 }).primaryKey(),
    campaignId: char('campaign_id', { length: 36 }).notNull(),
    customerId: varchar('customer_id', { length: 128 }).notNull(),
    expiresAt: at('expires_at').notNull(),
    /** The order holding it (reserved or paid); null while it is free. */
    orderId: varchar('order_id', { length: 64 }),
    /** When the holding order was paid; null until then (and again after a cancellation gives it back). */
    usedAt: at('used_at'),
    issuedBy: varchar('issued_by', { length: 128 }).notNull(),
    issuedAt: at('issued_at').notNull(),
  },
  (t) => [index('coupons_customer_issued').on(t.customerId, t.issuedAt, t.id), index('coupons_campaign').on(t.campaignId)],
);

export const discountStates = ['RESERVED', 'CONSUMED', 'RELEASED'] as const;
export type DiscountState = (typeof discountStates)[number];

/**
 * The discounts held for one order, keyed by the order id (reserve is idempotent per order).
 * A release that finds no row writes a RELEASED one (a tombstone), so a reservation arriving
 * after its release holds nothing. `confirmed_at`: the order's first event was seen, so the
 * orphan sweep never asks orders about it.
 */
export const discountOrders = mysqlTable(
  'discount_orders',
  {
    orderId: varchar('order_id', { length: 64 }).primaryKey(),
    customerId: varchar('customer_id', { length: 128 }).notNull(),
    state: mysqlEnum('state', discountStates).notNull(),
    /** When the hold was made or last resumed by a repeated reserve (the orphan window starts here). */
    claimedAt: at('claimed_at').notNull(),
    confirmedAt: at('confirmed_at'),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [index('discount_orders_unconfirmed').on(t.state, t.confirmedAt, t.claimedAt)],
);

/** One discount of an order, as granted (the answer a repeated reserve gives again). */
export const discountLines = mysqlTable(
  'discount_lines',
  {
    orderId: varchar('order_id', { length: 64 }).notNull(),
    campaignId: char('campaign_id', { length: 36 }).notNull(),
    couponId: char('coupon_id', { length: 36 }),
    kind: mysqlEnum('kind', campaignKinds).notNull(),
    title: varchar('title', { length: 100 }).notNull(),
    fundedBy: mysqlEnum('funded_by', fundingSources).notNull(),
    amountCents: int('amount_cents').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.campaignId] }), index('discount_lines_campaign').on(t.campaignId)],
);

/** How many orders of a customer hold a campaign's discount (reserved or paid), for its per-customer limit. */
export const campaignCustomers = mysqlTable(
  'campaign_customers',
  {
    campaignId: char('campaign_id', { length: 36 }).notNull(),
    customerId: varchar('customer_id', { length: 128 }).notNull(),
    uses: int('uses').notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.customerId] })],
);

/** Customers who have paid an order (from orders.events): FIRST_ORDER campaigns are for the others. */
export const paidCustomers = mysqlTable('paid_customers', {
  customerId: varchar('customer_id', { length: 128 }).primaryKey(),
  firstOrderId: varchar('first_order_id', { length: 64 }).notNull(),
  paidAt: at('paid_at').notNull(),
});

/**
 * Sponsored placements (广告) bought for a shop: an area (centre + radius), a window, a daily
 * budget and a price per click. `version` grows by one per change and travels with each
 * AdPlacementChanged snapshot, so products keeps the newest. The day's spend lives in Redis
 * (platform ads.ts) and is settled into ad_daily_stats.
 */
export const adPlacements = mysqlTable(
  'ad_placements',
  {
    id: char('id', { length: 36 }).primaryKey(),
    merchantId: char('merchant_id', { length: 36 }).notNull(),
    /** The shop's owner when it was bought (products' answer): the merchant who may manage it and see its figures. */
    ownerId: varchar('owner_id', { length: 128 }).notNull(),
    lat: double('lat').notNull(),
    lng: double('lng').notNull(),
    radiusMeters: int('radius_m').notNull(),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at').notNull(),
    dailyBudgetCents: int('daily_budget_cents').notNull(),
    cpcCents: int('cpc_cents').notNull(),
    status: mysqlEnum('status', adPlacementStatuses).notNull(),
    version: int('version').notNull(),
    /** Who bought it: the owner, or the staff member on the shop's behalf. */
    createdBy: varchar('created_by', { length: 128 }).notNull(),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [
    // Newest first: staff over all, a merchant over its own, anyone over one shop's.
    index('ad_placements_created').on(t.createdAt, t.id),
    index('ad_placements_owner_created').on(t.ownerId, t.createdAt, t.id),
    index('ad_placements_merchant_created').on(t.merchantId, t.createdAt, t.id),
    // The settlement job: placements whose window reaches into the days it settles.
    index('ad_placements_ends').on(t.endsAt),
  ],
);

/**
 * A placement's counters of one UTC day, copied from Redis by the settlement job. Each copy
 * keeps the larger value of each counter (they only grow within a day), so settling again,
 * from any replica, in any order, changes nothing.
 */
export const adDailyStats = mysqlTable(
  'ad_daily_stats',
  {
    placementId: char('placement_id', { length: 36 }).notNull(),
    /** The UTC day, '2026-03-01' (the day in the Redis key). */
    day: char('day', { length: 10 }).notNull(),
    impressions: int('impressions').notNull(),
    clicks: int('clicks').notNull(),
    spentCents: int('spent_cents').notNull(),
    settledAt: at('settled_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.placementId, t.day] })],
);

/** Every charged click: who clicked which shop's ad, when (the attribution of orders reads it). */
export const adClicks = mysqlTable(
  'ad_clicks',
  {
    id: char('id', { length: 36 }).primaryKey(),
    placementId: char('placement_id', { length: 36 }).notNull(),
    merchantId: char('merchant_id', { length: 36 }).notNull(),
    customerId: varchar('customer_id', { length: 128 }).notNull(),
    clickedAt: at('clicked_at').notNull(),
  },
  // An order placed: this customer's latest click on this shop's ads before it.
  (t) => [index('ad_clicks_customer_merchant').on(t.customerId, t.merchantId, t.clickedAt)],
);

/** An order placed by a customer at a shop within 24 h after their click on its ad: one row per order, for the click's placement. */
export const adAttributions = mysqlTable(
  'ad_attributions',
  {
    orderId: varchar('order_id', { length: 64 }).primaryKey(),
    placementId: char('placement_id', { length: 36 }).notNull(),
    clickId: char('click_id', { length: 36 }).notNull(),
    placedAt: at('placed_at').notNull(),
  },
  (t) => [index('ad_attributions_placement').on(t.placementId)],
);

export const operationsSchema = { auditLog, orderFacts, refundFacts, campaigns, coupons, discountOrders, discountLines, campaignCustomers, paidCustomers, adPlacements, adDailyStats, adClicks, adAttributions, outbox, processedEvents };
export type OperationsSchema = typeof operationsSchema;

export type AuditEntryRow = typeof auditLog.$inferSelect;
export type OrderFactsRow = typeof orderFacts.$inferSelect;
export type RefundFactsRow = typeof refundFacts.$inferSelect;
export type CampaignRow = typeof campaigns.$inferSelect;
export type CouponRow = typeof coupons.$inferSelect;
export type DiscountLineRow = typeof discountLines.$inferSelect;
export type AdPlacementRow = typeof adPlacements.$inferSelect;
export type AdDailyStatsRow = typeof adDailyStats.$inferSelect;
