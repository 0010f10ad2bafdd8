import type { OrderResolvers } from '../generated/graphql';
import { canSeePayment, paymentThatMatters } from '../domain/payment-rules';

export const Order: OrderResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),

  payment: async (order, _args, { caller, loaders }) => {
    const payment = paymentThatMatters(await loaders.paymentsOfOrder.load(order.id));
    return payment && canSeePayment(caller, payment) ? payment : null;
  },
};
