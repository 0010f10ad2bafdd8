import { and, eq, inArray } from 'drizzle-orm';
import { newestFirst, type Database, type Keyset } from '@waimai/platform';
import { products, type ProductRow, type ProductStatus, type ProductsSchema } from './schema';

/** Product reads; writes go through the catalog's transactions (db/catalog-store.ts). */
export function createProductStore(db: Database<ProductsSchema>) {
  return {
    async byIds(ids: readonly string[]): Promise<ProductRow[]> {
      if (ids.length === 0) return [];
      return db.select().from(products).where(inArray(products.id, [...ids]));
    },

    /** Newest first, keyset-paginated; `limit` rows at most. */
    async ofMerchant(merchantId: string, options: { status?: ProductStatus; after: Keyset | null; limit: number }): Promise<ProductRow[]> {
      const { after, status, limit } = options;
      const keyset = newestFirst(products, after);
      return db
        .select()
        .from(products)
        .where(and(eq(products.merchantId, merchantId), status ? eq(products.status, status) : undefined, keyset.after))
        .orderBy(...keyset.orderBy)
        .limit(limit);
    },
  };
}
export type ProductStore = ReturnType<typeof createProductStore>;
