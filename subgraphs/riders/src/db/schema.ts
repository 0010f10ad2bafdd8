import { char, datetime, double, index, int, mysqlEnum, mysqlTable, primaryKey, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { outbox, processedEvents } from '@waimai/platform';

const at = (name: string) => datetime(name, { mode: 'date', fsp: 3 });

export const riderStatuses = ['OFFLINE', 'IDLE', 'DELIVERING'] as const;
export type RiderStatus = (typeof riderStatuses)[number];

export const riders = mysqlTable('riders', {
  // The rider's token sub: a rider registers themselves.
  id: varchar('id', { length: 128 }).primaryKey(),
  name: varchar('name', { length: 50 }).notNull(),
  phone: varchar('phone', { length: 21 }).notNull(),
  vehicle: varchar('vehicle', { length: 30 }),
  status: mysqlEnum('status', riderStatuses).notNull(),
  // Bumped by every status change: the Redis status cache only ever moves forward (see location-index.ts).
  statusVersion: int('status_version').notNull().default(0),
  // The last location persisted from Redis (at most every LOCATION_PERSIST_SECONDS); Redis holds the live one.
  lat: double('lat'),
  lng: double('lng'),
  locationUpdatedAt: at('location_updated_at'),
  createdAt: at('created_at').notNull(),
});

/** One row per rider offered an order in a dispatch round: what pendingOrderOffers and the offer events come from. */
export const orderOffers = mysqlTable(
  'order_offers',
  {
    id: char('id', { length: 36 }).primaryKey(),
    orderId: char('order_id', { length: 36 }).notNull(),
    riderId: varchar('rider_id', { length: 128 }).notNull(),
    round: int('round').notNull(),
    distanceMeters: int('distance_m').notNull(),
    expiresAt: at('expires_at').notNull(),
    // Set when the order stopped being offered before the offer expired (grabbed, cancelled, orders refused the round).
    withdrawnAt: at('withdrawn_at'),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    // Never twice to one rider in one round, whatever restarts and redeliveries happen.
    uniqueIndex('order_offers_order_rider_round').on(t.orderId, t.riderId, t.round),
    index('order_offers_rider_expires').on(t.riderId, t.expiresAt),
  ],
);

/**
 * One row per dispatch round of an order, written with its offers in one transaction: a
 * redelivered event, a restarted dispatcher or a rebalanced partition finds the round done
 * and reuses its offers instead of picking riders again.
 */
export const dispatchRounds = mysqlTable(
  'dispatch_rounds',
  {
    orderId: char('order_id', { length: 36 }).notNull(),
    round: int('round').notNull(),
    merchantLat: double('merchant_lat').notNull(),
    merchantLng: double('merchant_lng').notNull(),
    radiusMeters: int('radius_m').notNull(),
    riderCount: int('rider_count').notNull(),
    expiresAt: at('expires_at').notNull(),
    // Set once orders accepted the round and its offers went to the outbox: the round is never sent twice.
    notifiedAt: at('notified_at'),
    // Set while the round waits to be planned again because it reached nobody (or was filled by
    // a retry that has not been sent yet); the retry sweep claims it by moving it forward.
    retryAt: at('retry_at'),
    // Times the round was planned again after reaching nobody: each attempt searches wider.
    emptyAttempts: int('empty_attempts').notNull().default(0),
    createdAt: at('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.round] }), index('dispatch_rounds_retry_at').on(t.retryAt)],
);

/**
 * Orders a rider is delivering, as the order events tell it: a rider becomes IDLE again only
 * when the last of them is delivered or cancelled.
 */
export const riderAssignments = mysqlTable(
  'rider_assignments',
  {
    orderId: char('order_id', { length: 36 }).primaryKey(),
    riderId: varchar('rider_id', { length: 128 }).notNull(),
    assignedAt: at('assigned_at').notNull(),
  },
  (t) => [index('rider_assignments_rider').on(t.riderId)],
);

export const ridersSchema = { riders, orderOffers, dispatchRounds, riderAssignments, outbox, processedEvents };
export type RidersSchema = typeof ridersSchema;

export type RiderRow = typeof riders.$inferSelect;
export type OrderOfferRow = typeof orderOffers.$inferSelect;
export type DispatchRoundRow = typeof dispatchRounds.$inferSelect;
