import DataLoader from 'dataloader';
import type { Caller } from '@waimai/platform';
import type { PaymentStore } from './db/payment-store';
import type { PaymentRow } from './db/schema';
import type { OrdersClient } from './internal/orders-client';
import type { Providers } from './providers';

/** What every request shares: stores, the orders client, the provider adapters. */
export interface PaymentsServices {
  stores: { payments: PaymentStore };
  orders: OrdersClient;
  providers: Providers;
  paymentWindowSeconds: number;
  /** Called after a commit that enqueued events, so the relay publishes them at once. */
  eventsEnqueued(): void;
}

export interface Context extends PaymentsServices {
  caller: Caller;
  loaders: {
    payment: DataLoader<string, PaymentRow | null>;
    /** Every payment of an order, oldest first. */
    paymentsOfOrder: DataLoader<string, PaymentRow[]>;
  };
}

/** Per request: the caller and fresh DataLoaders, so `_entities` batches make one query. */
export function createContext(caller: Caller, services: PaymentsServices): Context {
  const { payments } = services.stores;
  return {
    ...services,
    caller,
    loaders: {
      payment: new DataLoader(async (ids) => {
        const rows = new Map((await payments.byIds(ids)).map((row) => [row.id, row]));
        return ids.map((id) => rows.get(id) ?? null);
      }),
      paymentsOfOrder: new DataLoader(async (orderIds) => {
        const byOrder = new Map<string, PaymentRow[]>();
        for (const row of await payments.ofOrders(orderIds)) byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), row]);
        return orderIds.map((orderId) => byOrder.get(orderId) ?? []);
      }),
    },
  };
}
