import { and, eq, gte, inArray, lt, ne, sql, type SQL } from 'drizzle-orm';
import { affectedRows, boundingBox, enqueueEvents, isDuplicateKey, newestFirst, type CatalogEvent, type Database, type GeoPoint, type Keyset, type Transaction } from '@waimai/platform';
import { riders, type RiderRow, type RidersSchema, type RiderStatus } from './schema';
import type { LiveLocation } from './location-index';

type Tx = Transaction<RidersSchema>;
type Db = Database<RidersSchema> | Tx;

export interface NewRider {
  id: string;
  name: string;
  phone: string;
  vehicle: string | null;
}

/** What searchRiders matches (validated by the domain): every given filter must hold. */
export interface RiderSearch {
  statuses?: RiderStatus[];
  suspended?: boolean;
  lastSeenFrom?: Date;
  lastSeenTo?: Date;
  near?: { center: GeoPoint; radiusMeters: number };
}

// Rows per persist statement: keeps the CASE expressions and the IN list small.
const PERSIST_CHUNK = 200;
const EARTH_RADIUS_METERS = 6_371_008.8;

/**
 * Riders in MySQL: the source of truth for who is registered, their status and suspension.
 * Reads go to the primary: a rider acts on what they just changed (register, go online, read
 * it back). Functions taking `db` run in the caller's transaction when given one.
 */
export function createRiderStore(primary: Database<RidersSchema>) {
  async function byId(id: string, db: Db = primary): Promise<RiderRow | undefined> {
    const [row] = await db.select().from(riders).where(eq(riders.id, id));
    return row;
  }

  /** Great-circle distance in meters from the rider's saved location to `center` (haversine, as platform's distanceMeters). */
  function distanceFrom(center: GeoPoint): SQL<number> {
    return sql<number>`2 * ${EARTH_RADIUS_METERS} * ASIN(LEAST(1, SQRT(
      POWER(SIN(RADIANS(${riders.lat} - ${center.lat}) / 2), 2)
      + COS(RADIANS(${center.lat})) * COS(RADIANS(${riders.lat})) * POWER(SIN(RADIANS(${riders.lng} - ${center.lng}) / 2), 2))))`;
  }

  return {
    byId,

    inTransaction: <T>(work: (tx: Tx) => Promise<T>): Promise<T> => primary.transaction(work),

    /** The rider's row, locked until the transaction ends: suspensions of one rider are decided one at a time. */
    async lockById(tx: Tx, id: string): Promise<RiderRow | undefined> {
      const [row] = await tx.select().from(riders).where(eq(riders.id, id)).for('update');
      return row;
    },

    async byIds(ids: readonly string[]): Promise<RiderRow[]> {
      if (ids.length === 0) return [];
      return primary.select().from(riders).where(inArray(riders.id, [...ids]));
    },

    /** Registers the rider, or returns the one already registered under that id unchanged. */
    async register(rider: NewRider): Promise<RiderRow> {
      const row: RiderRow = {
        ...rider,
        status: 'OFFLINE',
        statusVersion: 0,
        lat: null,
        lng: null,
        locationUpdatedAt: null,
        suspended: false,
        suspendedReason: null,
        createdAt: new Date(),
      };
      try {
        await primary.insert(riders).values(row);
        return row;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const existing = await byId(rider.id);
        if (!existing) throw err;
        return existing;
      }
    },

    /**
     * One conditional UPDATE: `to` only from one of `from`, bumping status_version. Returns the
     * row as it is afterwards (changed or not), or undefined when there is no such rider.
     */
    async changeStatus(db: Db, id: string, from: readonly RiderStatus[], to: RiderStatus): Promise<{ rider: RiderRow; changed: boolean } | undefined> {
      const result = await db
        .update(riders)
        .set({ status: to, statusVersion: sql`${riders.statusVersion} + 1` })
        .where(and(eq(riders.id, id), inArray(riders.status, [...from])));
      const rider = await byId(id, db);
      return rider ? { rider, changed: affectedRows(result) > 0 } : undefined;
    },

    /** The rider delivers now (any other status before): whether it changed. */
    async markDelivering(db: Db, id: string): Promise<boolean> {
      const changed = await db
        .update(riders)
        .set({ status: 'DELIVERING', statusVersion: sql`${riders.statusVersion} + 1` })
        .where(and(eq(riders.id, id), ne(riders.status, 'DELIVERING')));
      return affectedRows(changed) > 0;
    },

    /** Sets the suspension, bumping status_version so the Redis status cache follows (a suspended rider leaves the idle set). */
    async setSuspension(tx: Tx, id: string, suspended: boolean, reason: string | null): Promise<void> {
      await tx
        .update(riders)
        .set({ suspended, suspendedReason: reason, statusVersion: sql`${riders.statusVersion} + 1` })
        .where(eq(riders.id, id));
    },

    enqueue: (tx: Tx, events: readonly CatalogEvent[]) => enqueueEvents(tx, events),

    /** Which of `ids` may be offered an order right now: IDLE and not suspended (the dispatcher's check of what the Redis index says). */
    async idleAmong(ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await primary
        .select({ id: riders.id })
        .from(riders)
        .where(and(inArray(riders.id, [...ids]), eq(riders.status, 'IDLE'), eq(riders.suspended, false)));
      return new Set(rows.map((row) => row.id));
    },

    /**
     * One page of the staff search, newest registered first, `limit` rows after `after`. Each
     * filter has an index of its own (see the riders table); a radius is a box on (lat, lng)
     * narrowed to the exact circle.
     */
    async search(filter: RiderSearch, after: Keyset | null, limit: number): Promise<RiderRow[]> {
      const page = newestFirst({ createdAt: riders.createdAt, id: riders.id }, after);
      const box = filter.near ? boundingBox(filter.near.center, filter.near.radiusMeters) : null;
      return primary
        .select()
        .from(riders)
        .where(
          and(
            filter.statuses ? inArray(riders.status, filter.statuses) : undefined,
            filter.suspended === undefined ? undefined : eq(riders.suspended, filter.suspended),
            filter.lastSeenFrom ? gte(riders.locationUpdatedAt, filter.lastSeenFrom) : undefined,
            filter.lastSeenTo ? lt(riders.locationUpdatedAt, filter.lastSeenTo) : undefined,
            box && filter.near
              ? and(
                  sql`${riders.lat} BETWEEN ${box.minLat} AND ${box.maxLat}`,
                  sql`${riders.lng} BETWEEN ${box.minLng} AND ${box.maxLng}`,
                  sql`${distanceFrom(filter.near.center)} <= ${filter.near.radiusMeters}`,
                )
              : undefined,
            page.after,
          ),
        )
        .orderBy(...page.orderBy)
        .limit(limit);
    },

    /** Copies live locations to MySQL in a few statements (the persister, off the report path). */
    async saveLocations(batch: Array<{ riderId: string; location: LiveLocation }>): Promise<void> {
      for (let start = 0; start < batch.length; start += PERSIST_CHUNK) {
        const chunk = batch.slice(start, start + PERSIST_CHUNK);
        const cases = (value: (entry: (typeof chunk)[number]) => number | Date) =>
          sql`CASE ${riders.id} ${sql.join(
            chunk.map((entry) => sql`WHEN ${entry.riderId} THEN ${value(entry)}`),
            sql` `,
          )} END`;
        await primary
          .update(riders)
          .set({
            lat: cases((entry) => entry.location.lat),
            lng: cases((entry) => entry.location.lng),
            locationUpdatedAt: cases((entry) => entry.location.at),
          })
          .where(inArray(riders.id, chunk.map((entry) => entry.riderId)));
      }
    },
  };
}
export type RiderStore = ReturnType<typeof createRiderStore>;
