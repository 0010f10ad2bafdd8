import DataLoader from 'dataloader';
import { loaderById, loaderOfGroups, type Caller, type OrdersApiClient } from '@waimai/platform';
import type { PaymentStore } from './db/payment-store';
import type { PaymentRow } from './db/schema';
import type { Providers } from './providers';

/** What every request shares: stores, the orders client, the provider adapters. */
export interface PaymentsServices {
  stores: { payments: PaymentStore };
  orders: OrdersApiClient;
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
      payment: loaderById((ids) => payments.byIds(ids)),
      paymentsOfOrder: loaderOfGroups((orderIds) => payments.ofOrders(orderIds), (row) => row.orderId),
    },
  };
}
