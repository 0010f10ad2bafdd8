import type { QueryResolvers } from '../generated/graphql';
import { canSeePayment } from '../domain/payment-rules';

export const Query: QueryResolvers = {
  payment: async (_parent, { id }, { caller, loaders }) => {
    const payment = await loaders.payment.load(id);
    return payment && canSeePayment(caller, payment) ? payment : null;
  },
};
