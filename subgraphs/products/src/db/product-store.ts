import { and, eq, inArray } from 'drizzle-orm';
import { affectedRows, newestFirst, type Database, type Keyset } from '@waimai/platform';
import { products, type ProductRow, type ProductStatus, type ProductsSchema } from './schema';

export interface NewProduct {
  id: string;
  merchantId: string;
  name: string;
  description: string | null;
  priceCents: number;
  stock: number;
}

export function createProductStore(db: Database<ProductsSchema>, primary: Database<ProductsSchema>) {
  async function byIdOnPrimary(id: string): Promise<ProductRow | undefined> {
    const [row] = await primary.select().from(products).where(eq(products.id, id));
    return row;
  }

  return {
    async insert(product: NewProduct): Promise<ProductRow> {
      const now = new Date();
      const row: ProductRow = { ...product, status: 'ON_SALE', createdAt: now, updatedAt: now };
      await primary.insert(products).values(row);
      return row;
    },

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

    /** Sets the stock; returns the product as written, or undefined when it does not exist. */
    async setStock(id: string, stock: number): Promise<ProductRow | undefined> {
      const result = await primary.update(products).set({ stock, updatedAt: new Date() }).where(eq(products.id, id));
      return affectedRows(result) === 0 ? undefined : byIdOnPrimary(id);
    },

    async setStatus(id: string, status: ProductStatus): Promise<ProductRow | undefined> {
      const result = await primary.update(products).set({ status, updatedAt: new Date() }).where(eq(products.id, id));
      return affectedRows(result) === 0 ? undefined : byIdOnPrimary(id);
    },

    byIdOnPrimary,
  };
}
export type ProductStore = ReturnType<typeof createProductStore>;
