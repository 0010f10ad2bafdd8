import { and, asc, between, desc, eq, inArray, sql } from 'drizzle-orm';
import { boundingBox, type Database, type GeoPoint } from '@waimai/platform';
import { MAX_DELIVERY_RADIUS_METERS } from '../domain/rules';
import { merchants, type MerchantRow, type ProductsSchema } from './schema';

export interface NewMerchant {
  id: string;
  ownerId: string;
  name: string;
  address: string;
  location: GeoPoint;
  deliveryRadiusMeters: number;
}

export function createMerchantStore(db: Database<ProductsSchema>) {
  return {
    async insert(merchant: NewMerchant): Promise<MerchantRow> {
      const row: MerchantRow = {
        id: merchant.id,
        ownerId: merchant.ownerId,
        name: merchant.name,
        address: merchant.address,
        lat: merchant.location.lat,
        lng: merchant.location.lng,
        deliveryRadiusMeters: merchant.deliveryRadiusMeters,
        createdAt: new Date(),
      };
      await db.insert(merchants).values(row);
      return row;
    },

    async byIds(ids: readonly string[]): Promise<MerchantRow[]> {
      if (ids.length === 0) return [];
      return db.select().from(merchants).where(inArray(merchants.id, [...ids]));
    },

    async ownedBy(ownerId: string): Promise<MerchantRow[]> {
      return db.select().from(merchants).where(eq(merchants.ownerId, ownerId)).orderBy(desc(merchants.createdAt));
    },

    /**
     * Merchants whose delivery radius covers `near`, nearest first. The index range on
     * (lat, lng) bounds the scan to a box of the largest radius; the exact great-circle
     * distance then filters and sorts.
     */
    async deliveringTo(near: GeoPoint, limit: number): Promise<Array<{ merchant: MerchantRow; distanceMeters: number }>> {
      const box = boundingBox(near, MAX_DELIVERY_RADIUS_METERS);
      const distance = sql<number>`(6371008.8 * 2 * ASIN(LEAST(1, SQRT(
        POWER(SIN(RADIANS(${merchants.lat} - ${near.lat}) / 2), 2) +
        COS(RADIANS(${near.lat})) * COS(RADIANS(${merchants.lat})) *
        POWER(SIN(RADIANS(${merchants.lng} - ${near.lng}) / 2), 2)))))`;
      const rows = await db
        .select({ merchant: merchants, distanceMeters: distance.as('distance_m') })
        .from(merchants)
        .where(and(between(merchants.lat, box.minLat, box.maxLat), between(merchants.lng, box.minLng, box.maxLng)))
        .having(sql`distance_m <= ${merchants.deliveryRadiusMeters}`)
        .orderBy(asc(sql`distance_m`), asc(merchants.id))
        .limit(limit);
      return rows.map((row) => ({ merchant: row.merchant, distanceMeters: Math.round(Number(row.distanceMeters)) }));
    },
  };
}
export type MerchantStore = ReturnType<typeof createMerchantStore>;
