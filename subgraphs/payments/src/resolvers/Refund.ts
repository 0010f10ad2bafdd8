import type { RefundResolvers } from '../generated/graphql';

export const Refund: RefundResolvers = {
  // Whoever reached the refund may see its payment: its paying customer (through Payment.refunds) or staff.
  payment: async (refund, _args, { loaders }) => {
    const payment = await loaders.payment.load(refund.paymentId);
    if (!payment) throw new Error(`Refund ${refund.id} names payment ${refund.paymentId}, which does not exist.`);
    return payment;
  },
};
