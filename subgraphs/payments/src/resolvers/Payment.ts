import type { PaymentResolvers } from '../generated/graphql';
import { canSeePayment } from '../domain/payment-rules';

export const Payment: PaymentResolvers = {
  // `_entities` can name any id: only someone who may see the payment gets it.
  __resolveReference: async (reference, { caller, loaders }) => {
    const payment = await loaders.payment.load(reference.id);
    return payment && canSeePayment(caller, payment) ? payment : null;
  },

  order: (payment) => ({ id: payment.orderId }),

  refunds: (payment, _args, { loaders }) => loaders.refundsOfPayment.load(payment.id),
};
