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

/**
 * The same reads on two servers (docs/replica.md): `browse` may be a replica a little behind
 * (customers browsing, staff search); `own` is the primary, for what a caller reads back after
 * their own change (their shops, their menu) and what a change is decided on.
 */
export interface ProductsReads {
  browse: ProductsStores;
  own: ProductsStores;
}

interface Loaders {
  merchant: DataLoader<string, MerchantRow | null>;
  product: DataLoader<string, ProductRow | null>;
}

export interface Context {
  caller: Caller;
  catalog: CatalogService;
  /** Stale-ok reads: browsing and staff search. */
  stores: ProductsStores;
  /** On the primary: the caller's own shops and menus, and what a mutation checks. */
  ownStores: ProductsStores;
  /** merchantsNearby with its sponsored shops. */
  nearbyShops: NearbyShops;
  /** Stale-ok, like `stores`. */
  loaders: Loaders;
  /** On the primary; a mutation primes `loaders` with what it read here, so its answer agrees. */
  ownLoaders: Loaders;
}

const loadersOf = (stores: ProductsStores): Loaders => ({
  merchant: loaderById((ids) => stores.merchants.byIds(ids)),
  product: loaderById((ids) => stores.products.byIds(ids)),
});

/** Per request: the caller and fresh DataLoaders, so `_entities` batches make one query. */
export function createContext(caller: Caller, catalog: CatalogService, reads: ProductsReads, nearbyShops: NearbyShops): Context {
  return {
    caller,
    catalog,
    stores: reads.browse,
    ownStores: reads.own,
    nearbyShops,
    loaders: loadersOf(reads.browse),
    ownLoaders: loadersOf(reads.own),
  };
}
