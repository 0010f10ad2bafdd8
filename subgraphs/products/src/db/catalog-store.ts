import { eq } from 'drizzle-orm';
import { enqueueEvents, type Database, type GeoPoint } from '@waimai/platform';
import type { CatalogStore, CatalogWrites } from '../domain/catalog';
import { merchants, products, type MerchantRow, type ProductRow, type ProductsSchema } from './schema';

export interface NewMerchant {
  id: string;
  ownerId: string;
  name: string;
  address: string;
  location: GeoPoint;
  deliveryRadiusMeters: number;
}

export interface NewProduct {
  id: string;
  merchantId: string;
  name: string;
  description: string | null;
  priceCents: number;
  stock: number;
}

type Tx = Parameters<Parameters<Database<ProductsSchema>['transaction']>[0]>[0];

/** The statements of one catalog transaction. */
function writesIn(tx: Tx): CatalogWrites {
  return {
    async insertMerchant(merchant) {
      const row: MerchantRow = {
        id: merchant.id,
        ownerId: merchant.ownerId,
        name: merchant.name,
        address: merchant.address,
        lat: merchant.location.lat,
        lng: merchant.location.lng,
        deliveryRadiusMeters: merchant.deliveryRadiusMeters,
        createdAt: new Date(),
        suspended: false,
        suspendedReason: null,
      };
      await tx.insert(merchants).values(row);
      return row;
    },

    async insertProduct(product) {
      const now = new Date();
      const row: ProductRow = { ...product, status: 'ON_SALE', createdAt: now, updatedAt: now };
      await tx.insert(products).values(row);
      return row;
    },

    async lockMerchant(id) {
      const [row] = await tx.select().from(merchants).where(eq(merchants.id, id)).for('update');
      return row;
    },

    async setSuspension(merchant, suspendedReason) {
      const suspended = suspendedReason !== null;
      await tx.update(merchants).set({ suspended, suspendedReason }).where(eq(merchants.id, merchant.id));
      return { ...merchant, suspended, suspendedReason };
    },

    async lockProduct(id) {
      const [row] = await tx.select().from(products).where(eq(products.id, id)).for('update');
      return row;
    },

    async updateProduct(product, change) {
      const updatedAt = new Date();
      await tx.update(products).set({ ...change, updatedAt }).where(eq(products.id, product.id));
      return { ...product, ...change, updatedAt };
    },

    enqueue: (events) => enqueueEvents(tx, events),
  };
}

/** Catalog writes in MySQL, on the primary, each use case in one transaction with its outbox rows. */
export function createCatalogStore(primary: Database<ProductsSchema>): CatalogStore {
  return {
    transaction: (work) => primary.transaction((tx) => work(writesIn(tx))),
  };
}
