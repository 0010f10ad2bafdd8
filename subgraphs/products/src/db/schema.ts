import { sql } from 'drizzle-orm';
import { boolean, char, check, datetime, double, index, int, mysqlEnum, mysqlTable, primaryKey, varchar } from 'drizzle-orm/mysql-core';
import { adPlacementStatuses, outbox } from '@waimai/platform';

// Re-exported so drizzle-kit's migration creates the platform's outbox table here too. Products
// keeps no processed_events: its one consumer's effects (release, confirm) are idempotent by nature.
export { outbox };

const createdAt = () => datetime('created_at', { mode: 'date', fsp: 3 }).notNull();

export const merchants = mysqlTable(
  'merchants',
  {
    id: char('id', { length: 36 }).primaryKey(),
    ownerId: varchar('owner_id', { length: 128 }).notNull(),
    name: varchar('name', { length: 100 }).notNull(),
    address: varchar('address', { length: 300 }).notNull(),
    lat: double('lat').notNull(),
    lng: double('lng').notNull(),
    deliveryRadiusMeters: int('delivery_radius_m').notNull(),
    createdAt: createdAt(),
    // Set by operations (suspendMerchant): hidden from merchantsNearby, stock holds refused.
    suspended: boolean('suspended').notNull().default(false),
    // Why, while suspended; null when active.
    suspendedReason: varchar('suspended_reason', { length: 500 }),
  },
  (t) => [
    // A circle of staff search (any status), then the box of merchantsNearby, which looks at
    // active shops only: with the status first, suspended shops are never read.
    index('merchants_lat_lng').on(t.lat, t.lng),
    index('merchants_suspended_lat_lng').on(t.suspended, t.lat, t.lng),
    index('merchants_owner').on(t.ownerId, t.createdAt),
    // searchMerchants, newest first: without a status filter (also with nameContains, which no
    // B-tree can serve: the walk stops after a page of matches), and with one.
    index('merchants_created').on(t.createdAt, t.id),
    index('merchants_suspended_created').on(t.suspended, t.createdAt, t.id),
  ],
);

export const productStatuses = ['ON_SALE', 'OFF_SALE'] as const;

export const products = mysqlTable(
  'products',
  {
    id: char('id', { length: 36 }).primaryKey(),
    merchantId: char('merchant_id', { length: 36 }).notNull(),
    name: varchar('name', { length: 100 }).notNull(),
    description: varchar('description', { length: 1000 }),
    priceCents: int('price_cents').notNull(),
    // Units still available to order: reservations are taken out of it atomically.
    stock: int('stock').notNull(),
    status: mysqlEnum('status', productStatuses).notNull(),
    createdAt: createdAt(),
    updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [
    index('products_merchant_created').on(t.merchantId, t.createdAt, t.id),
    // Defence in depth: the conditional UPDATE already never takes stock below zero.
    check('products_stock_not_negative', sql`${t.stock} >= 0`),
  ],
);

export const holdStatuses = ['RESERVED', 'RELEASED'] as const;

/**
 * One stock hold per order. A release that arrives before its reservation leaves a RELEASED
 * tombstone, so a late reservation for that order is refused instead of leaking stock.
 */
export const stockHolds = mysqlTable(
  'stock_holds',
  {
    orderId: char('order_id', { length: 36 }).primaryKey(),
    merchantId: char('merchant_id', { length: 36 }),
    status: mysqlEnum('status', holdStatuses).notNull(),
    createdAt: createdAt(),
    releasedAt: datetime('released_at', { mode: 'date', fsp: 3 }),
    // The last reserve call for this hold (a createOrder retry resumes it): the orphan-hold
    // sweep counts its window from here. Null on tombstones, which were never claimed.
    claimedAt: datetime('claimed_at', { mode: 'date', fsp: 3 }),
    // When products learnt that the hold's order exists (its first event, or orders said so):
    // the sweep never looks at the hold again.
    confirmedAt: datetime('confirmed_at', { mode: 'date', fsp: 3 }),
  },
  (t) => [index('stock_holds_unconfirmed').on(t.status, t.confirmedAt, t.claimedAt)],
);

export const stockHoldItems = mysqlTable(
  'stock_hold_items',
  {
    orderId: char('order_id', { length: 36 }).notNull(),
    productId: char('product_id', { length: 36 }).notNull(),
    quantity: int('quantity').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.productId] })],
);

/**
 * Sponsored placements as operations last published them (AdPlacementChanged on ads.events):
 * the read model merchantsNearby picks sponsored shops from without asking operations. A
 * snapshot replaces the row only when its version is newer, so replays change nothing.
 */
export const adPlacements = mysqlTable(
  'ad_placements',
  {
    id: char('id', { length: 36 }).primaryKey(),
    merchantId: char('merchant_id', { length: 36 }).notNull(),
    /** The centre of the area where the shop is sponsored. */
    lat: double('lat').notNull(),
    lng: double('lng').notNull(),
    radiusMeters: int('radius_m').notNull(),
    startsAt: datetime('starts_at', { mode: 'date', fsp: 3 }).notNull(),
    endsAt: datetime('ends_at', { mode: 'date', fsp: 3 }).notNull(),
    dailyBudgetCents: int('daily_budget_cents').notNull(),
    cpcCents: int('cpc_cents').notNull(),
    status: mysqlEnum('status', adPlacementStatuses).notNull(),
    version: int('version').notNull(),
  },
  // merchantsNearby ranges over the box of the widest area around the customer, active ones only.
  (t) => [index('ad_placements_status_lat_lng').on(t.status, t.lat, t.lng)],
);

export const productsSchema = { merchants, products, stockHolds, stockHoldItems, adPlacements, outbox };
export type ProductsSchema = typeof productsSchema;

export type MerchantRow = typeof merchants.$inferSelect;
export type ProductRow = typeof products.$inferSelect;
export type AdPlacementRow = typeof adPlacements.$inferSelect;
export type ProductStatus = (typeof productStatuses)[number];
