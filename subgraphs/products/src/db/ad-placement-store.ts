import { and, asc, between, desc, eq, gt, lte, sql } from 'drizzle-orm';
import { boundingBox, type AdPlacementChangedData, type Database, type GeoPoint } from '@waimai/platform';
import { MAX_AD_RADIUS_METERS } from '../domain/sponsored';
import { adPlacements, merchants, type MerchantRow, type ProductsSchema } from './schema';

/** Great-circle distance in meters between a point's columns and `near` (haversine, as platform's distanceMeters). */
const distance = (lat: typeof merchants.lat | typeof adPlacements.lat, lng: typeof merchants.lng | typeof adPlacements.lng, near: GeoPoint) => sql<number>`(6371008.8 * 2 * ASIN(LEAST(1, SQRT(
  POWER(SIN(RADIANS(${lat} - ${near.lat}) / 2), 2) +
  COS(RADIANS(${near.lat})) * COS(RADIANS(${lat})) *
  POWER(SIN(RADIANS(${lng} - ${near.lng}) / 2), 2)))))`;

export interface SponsoredCandidate {
  placementId: string;
  dailyBudgetCents: number;
  cpcCents: number;
  merchant: MerchantRow;
  distanceMeters: number;
}

/** The placements read model: SQL only, plain objects out. */
export function createAdPlacementStore(db: Database<ProductsSchema>) {
  return {
    /**
     * Keeps a snapshot when it is newer than the one kept (or the first): a redelivered or
     * older snapshot changes nothing. True when it was kept.
     */
    async keep(snapshot: AdPlacementChangedData): Promise<boolean> {
      const row = {
        id: snapshot.placementId,
        merchantId: snapshot.merchantId,
        lat: snapshot.center.lat,
        lng: snapshot.center.lng,
        radiusMeters: snapshot.radiusMeters,
        startsAt: new Date(snapshot.startsAt),
        endsAt: new Date(snapshot.endsAt),
        dailyBudgetCents: snapshot.dailyBudgetCents,
        cpcCents: snapshot.cpcCents,
        status: snapshot.status,
        version: snapshot.version,
      };
      const newer = (column: string) => sql.raw(`IF(VALUES(version) > version, VALUES(${column}), ${column})`);
      // `version` is assigned last: MySQL evaluates the SET list left to right, so each column
      // above still compares against the version kept before this statement.
      const [result] = await db
        .insert(adPlacements)
        .values(row)
        .onDuplicateKeyUpdate({
          set: {
            merchantId: newer('merchant_id'),
            lat: newer('lat'),
            lng: newer('lng'),
            radiusMeters: newer('radius_m'),
            startsAt: newer('starts_at'),
            endsAt: newer('ends_at'),
            dailyBudgetCents: newer('daily_budget_cents'),
            cpcCents: newer('cpc_cents'),
            status: newer('status'),
            version: newer('version'),
          },
        });
      // affectedRows: 1 inserted, 2 updated, 0 unchanged (an older or repeated snapshot).
      return (result as { affectedRows: number }).affectedRows > 0;
    },

    async byId(placementId: string) {
      const [row] = await db.select().from(adPlacements).where(eq(adPlacements.id, placementId));
      return row;
    },

    /**
     * Placements that may be shown to a customer at `near` at `at`: active, in their window,
     * `near` inside their area, and their shop not suspended and delivering to `near` (every
     * filter of an organic result). Highest price per click first, then the nearest shop.
     * Ranges over ad_placements_status_lat_lng in the box of the widest area.
     */
    async candidates(near: GeoPoint, at: Date, limit: number): Promise<SponsoredCandidate[]> {
      const box = boundingBox(near, MAX_AD_RADIUS_METERS);
      const shopDistance = distance(merchants.lat, merchants.lng, near);
      const rows = await db
        .select({
          placementId: adPlacements.id,
          dailyBudgetCents: adPlacements.dailyBudgetCents,
          cpcCents: adPlacements.cpcCents,
          merchant: merchants,
          distanceMeters: shopDistance.as('distance_m'),
        })
        .from(adPlacements)
        .innerJoin(merchants, eq(merchants.id, adPlacements.merchantId))
        .where(
          and(
            eq(adPlacements.status, 'ACTIVE'),
            between(adPlacements.lat, box.minLat, box.maxLat),
            between(adPlacements.lng, box.minLng, box.maxLng),
            lte(adPlacements.startsAt, at),
            gt(adPlacements.endsAt, at),
            sql`${distance(adPlacements.lat, adPlacements.lng, near)} <= ${adPlacements.radiusMeters}`,
            eq(merchants.suspended, false),
            sql`${shopDistance} <= ${merchants.deliveryRadiusMeters}`,
          ),
        )
        .orderBy(desc(adPlacements.cpcCents), asc(sql`distance_m`), asc(adPlacements.id))
        .limit(limit);
      return rows.map((row) => ({ ...row, distanceMeters: Math.round(Number(row.distanceMeters)) }));
    },
  };
}
export type AdPlacementStore = ReturnType<typeof createAdPlacementStore>;
