import DataLoader from 'dataloader';
import type { Caller } from '@waimai/platform';
import type { MerchantStore } from './db/merchant-store';
import type { ProductStore } from './db/product-store';
import type { MerchantRow, ProductRow } from './db/schema';

export interface ProductsStores {
  merchants: MerchantStore;
  products: ProductStore;
}

export interface Context {
  caller: Caller;
  stores: ProductsStores;
  loaders: {
    merchant: DataLoader<string, MerchantRow | null>;
    product: DataLoader<string, ProductRow | null>;
  };
}

function byId<T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>) {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = new Map((await load(ids)).map((row) => [row.id, row]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

/** Per request: the caller and fresh DataLoaders, so `_entities` batches make one query. */
export function createContext(caller: Caller, stores: ProductsStores): Context {
  return {
    caller,
    stores,
    loaders: { merchant: byId((ids) => stores.merchants.byIds(ids)), product: byId((ids) => stores.products.byIds(ids)) },
  };
}
