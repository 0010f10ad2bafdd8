import { requireRole, validateInput } from '@waimai/platform';
import type { MutationResolvers } from '../generated/graphql';
import { compensateOrderArgs, initiatePaymentArgs } from '../domain/payment-rules';

export const Mutation: MutationResolvers = {
  initiatePayment: async (_parent, args, context) => {
    const customer = requireRole(context.caller, 'CUSTOMER');
    const { orderId } = validateInput(initiatePaymentArgs, args, 'arguments');
    return context.payments.initiatePayment(customer, orderId, args.paymentMethod);
  },

  compensateOrder: async (_parent, args, context) => {
    const staff = requireRole(context.caller, 'OPERATOR', 'ADMIN');
    return context.payments.compensate(staff, validateInput(compensateOrderArgs, args, 'arguments'));
  },
};
