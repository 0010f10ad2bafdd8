import { and, asc, between, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { boundingBox, newestFirst, type Database, type GeoPoint, type Keyset } from '@waimai/platform';
import { MAX_DELIVERY_RADIUS_METERS } from '../domain/rules';
import { merchants, type MerchantRow, type ProductsSchema } from './schema';

/** What staff search merchants by; every given filter must hold. */
export interface MerchantSearchFilter {
  suspended?: boolean;
  /** A case-insensitive substring of the name. */
  nameContains?: string;
  within?: { near: GeoPoint; radiusMeters: number };
}

/** Great-circle distance in meters from `near` to each merchant (haversine, as platform's distanceMeters). */
const distanceFrom = (near: GeoPoint) => sql<number>`(6371008.8 * 2 * ASIN(LEAST(1, SQRT(
  POWER(SIN(RADIANS(${merchants.lat} - ${near.lat}) / 2), 2) +
  COS(RADIANS(${near.lat})) * COS(RADIANS(${merchants.lat})) *
  POWER(SIN(RADIANS(${merchants.lng} - ${near.lng}) / 2), 2)))))`;

/** Merchants inside the lat/lng box around `near`: a range on the merchants_lat_lng index. */
function inBox(near: GeoPoint, radiusMeters: number): SQL | undefined {
  const box = boundingBox(near, radiusMeters);
  return and(between(merchants.lat, box.minLat, box.maxLat), between(merchants.lng, box.minLng, box.maxLng));
}

/** `value` as a LIKE pattern matching it literally anywhere (its %, _ and \ escaped). */
const containing = (value: string) => `%${value.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

export function createMerchantStore(db: Database<ProductsSchema>) {
  return {
    async byIds(ids: readonly string[]): Promise<MerchantRow[]> {
      if (ids.length === 0) return [];
      return db.select().from(merchants).where(inArray(merchants.id, [...ids]));
    },

    async ownedBy(ownerId: string): Promise<MerchantRow[]> {
      return db.select().from(merchants).where(eq(merchants.ownerId, ownerId)).orderBy(desc(merchants.createdAt));
    },

    /**
     * Merchants whose delivery radius covers `near`, nearest first; suspended shops are left
     * out. The index range on (suspended, lat, lng) bounds the scan to the active shops in a box
     * of the largest radius; the exact great-circle distance then filters and sorts.
     */
    async deliveringTo(near: GeoPoint, limit: number): Promise<Array<{ merchant: MerchantRow; distanceMeters: number }>> {
      const rows = await db
        .select({ merchant: merchants, distanceMeters: distanceFrom(near).as('distance_m') })
        .from(merchants)
        .where(and(inBox(near, MAX_DELIVERY_RADIUS_METERS), eq(merchants.suspended, false)))
        .having(sql`distance_m <= ${merchants.deliveryRadiusMeters}`)
        .orderBy(asc(sql`distance_m`), asc(merchants.id))
        .limit(limit);
      return rows.map((row) => ({ merchant: row.merchant, distanceMeters: Math.round(Number(row.distanceMeters)) }));
    },

    /**
     * Staff search, newest first (created_at, id), keyset-paginated; `limit` rows at most.
     * Paths (test/indexes.test.ts shows each plan): no filter or only a name walks
     * merchants_created; `suspended` walks merchants_suspended_created; a circle ranges over
     * the box on merchants_lat_lng (merchants_suspended_lat_lng with a status) and checks the
     * exact distance. A name can use no B-tree: it is checked on the rows walked, in their
     * index order, until a page is found.
     */
    async search(filter: MerchantSearchFilter, after: Keyset | null, limit: number): Promise<MerchantRow[]> {
      const keyset = newestFirst(merchants, after);
      const { within } = filter;
      // A circle always ranges over its box. Counting on the LIMIT, the optimizer may otherwise
      // walk the newest-first index through every shop outside the circle to fill a page.
      const box = filter.suspended === undefined ? 'merchants_lat_lng' : 'merchants_suspended_lat_lng';
      return db
        .select()
        .from(merchants, within ? { forceIndex: box } : {})
        .where(
          and(
            filter.suspended === undefined ? undefined : eq(merchants.suspended, filter.suspended),
            // Names are stored utf8mb4_bin (exact keys); a search ignores case and accents.
            filter.nameContains === undefined ? undefined : sql`${merchants.name} COLLATE utf8mb4_unicode_ci LIKE ${containing(filter.nameContains)}`,
            within ? inBox(within.near, within.radiusMeters) : undefined,
            within ? sql`${distanceFrom(within.near)} <= ${within.radiusMeters}` : undefined,
            keyset.after,
          ),
        )
        .orderBy(...keyset.orderBy)
        .limit(limit);
    },
  };
}
export type MerchantStore = ReturnType<typeof createMerchantStore>;
