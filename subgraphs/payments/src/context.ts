import DataLoader from 'dataloader';
import { loaderById, loaderOfGroups, type Caller } from '@waimai/platform';
import type { PaymentStore } from './db/payment-store';
import type { PaymentRow, RefundRow } from './db/schema';
import type { PaymentService } from './domain/payments';

/** What every request shares: the store for reads, the payment use cases for writes. */
export interface PaymentsServices {
  stores: { payments: PaymentStore };
  payments: PaymentService;
}

export interface Context extends PaymentsServices {
  caller: Caller;
  loaders: {
    payment: DataLoader<string, PaymentRow | null>;
    /** Every payment of an order, oldest first. */
    paymentsOfOrder: DataLoader<string, PaymentRow[]>;
    /** Every refund of a payment, oldest first. */
    refundsOfPayment: DataLoader<string, RefundRow[]>;
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
      refundsOfPayment: loaderOfGroups((paymentIds) => payments.refundsOfPayments(paymentIds), (row) => row.paymentId),
    },
  };
}
