import DataLoader from 'dataloader';
import { hasRole, loaderOfGroups, type Caller } from '@waimai/platform';
import type { OrderStore } from './db/order-store';
import type { OrderDiscountRow, OrderItemRow, OrderRow, OrderTimelineRow } from './db/schema';
import type { OrderService } from './domain/orders';
import { canSeeOrder } from './domain/access';

export interface Context {
  caller: Caller;
  store: OrderStore;
  orders: OrderService;
  loaders: {
    /** Orders the caller may see; null for missing and hidden alike. */
    visibleOrder: DataLoader<string, OrderRow | null>;
    items: DataLoader<string, OrderItemRow[]>;
    discounts: DataLoader<string, OrderDiscountRow[]>;
    timeline: DataLoader<string, OrderTimelineRow[]>;
  };
}

/** Per request: the caller and DataLoaders, so `_entities` and lists make one query per kind. */
export function createContext(caller: Caller, store: OrderStore, orders: OrderService): Context {
  return {
    caller,
    store,
    orders,
    loaders: {
      visibleOrder: new DataLoader(async (ids) => {
        const rows = await store.byIds(ids);
        const live = caller && hasRole(caller, 'RIDER') ? await store.liveOffersTo(caller.sub, ids, new Date()) : new Set<string>();
        const visible = new Map(rows.filter((row) => canSeeOrder(caller, row, live.has(row.id))).map((row) => [row.id, row]));
        return ids.map((id) => visible.get(id) ?? null);
      }),
      items: loaderOfGroups((ids) => store.itemsOf(ids), (row) => row.orderId),
      discounts: loaderOfGroups((ids) => store.discountsOf(ids), (row) => row.orderId),
      timeline: loaderOfGroups((ids) => store.timelinesOf(ids), (row) => row.orderId),
    },
  };
}
