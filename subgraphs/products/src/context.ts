import DataLoader from 'dataloader';
import { loaderById, type Caller } from '@waimai/platform';
import type { MerchantStore } from './db/merchant-store';
import type { ProductStore } from './db/product-store';
import type { MerchantRow, ProductRow } from './db/schema';
import type { CatalogService } from './domain/catalog';
import type { NearbyShops } from './domain/sponsored';

export interface ProductsStores {
  merchants: MerchantStore;
  products: ProductStore;
}

export interface Context {
  caller: Caller;
  catalog: CatalogService;
  stores: ProductsStores;
  /** merchantsNearby with its sponsored shops. */
  nearbyShops: NearbyShops;
  loaders: {
    merchant: DataLoader<string, MerchantRow | null>;
    product: DataLoader<string, ProductRow | null>;
  };
}

/** Per request: the caller and fresh DataLoaders, so `_entities` batches make one query. */
export function createContext(caller: Caller, catalog: CatalogService, stores: ProductsStores, nearbyShops: NearbyShops): Context {
  return {
    caller,
    catalog,
    stores,
    nearbyShops,
    loaders: { merchant: loaderById((ids) => stores.merchants.byIds(ids)), product: loaderById((ids) => stores.products.byIds(ids)) },
  };
}
