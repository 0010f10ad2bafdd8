import { boolean, char, datetime, double, index, int, mysqlEnum, mysqlTable, primaryKey, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
import { outbox, processedEvents, riderStatuses as catalogRiderStatuses } from '@waimai/platform';

const at = (name: string) => datetime(name, { mode: 'date', fsp: 3 });

/** Written once in the event catalog (RiderUpdated): the table's enum and the GraphQL enum RiderStatus. */
export const riderStatuses = catalogRiderStatuses;
export type RiderStatus = (typeof riderStatuses)[number];

export const riders = mysqlTable(
  'riders',
  {
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
    // Set by operations (suspendRider): a suspended rider gets no offers; cleared by reinstateRider.
    suspended: boolean('suspended').notNull().default(false),
    suspendedReason: varchar('suspended_reason', { length: 500 }),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    // Staff search (searchRiders), newest registered first: one index per filter a console polls.
    index('riders_created').on(t.createdAt, t.id),
    index('riders_status_created').on(t.status, t.createdAt, t.id),
    index('riders_suspended_created').on(t.suspended, t.createdAt, t.id),
    index('riders_location_updated').on(t.locationUpdatedAt),
    index('riders_lat_lng').on(t.lat, t.lng),
  ],
);

/** What an offer row stands for now: OrderOffer.status. */
export const offerStatuses = ['OFFERED', 'ASSIGNED', 'WITHDRAWN'] as const;
export type OfferStatus = (typeof offerStatuses)[number];

/**
 * One row per rider offered an order in a dispatch round: what pendingOrderOffers and the offer
 * events come from. Also one row per notice a rider's offers socket gets about an order they
 * did not grab from an offer: ASSIGNED (staff gave it to them) or WITHDRAWN (taken away from
 * them: reassigned, cancelled). The gateway loads every frame by its id, so each is a row.
 */
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
    // OFFERED while grabbable; ASSIGNED for the grabber's offer and staff's assignment notices; WITHDRAWN otherwise.
    status: mysqlEnum('status', offerStatuses).notNull().default('OFFERED'),
    // '' for an offer; for a notice, the id of the event that caused it (a notice is never grabbable).
    noticeOf: varchar('notice_of', { length: 36 }).notNull().default(''),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    // Never twice to one rider in one round, whatever restarts and redeliveries happen; notices
    // are told apart by their event, so one rider may get several about one order.
    uniqueIndex('order_offers_order_rider_round').on(t.orderId, t.riderId, t.round, t.noticeOf),
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
    // The OrderRedispatchRequested event that asked for this round (null for the usual rounds):
    // a redelivered request finds its round here instead of planning another.
    redispatchOf: varchar('redispatch_of', { length: 36 }),
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
