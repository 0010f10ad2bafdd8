import { requireRole, validateInput } from '@waimai/platform';
import type { MutationResolvers } from '../generated/graphql';
import { initiatePaymentArgs } from '../domain/payment-rules';

export const Mutation: MutationResolvers = {
  initiatePayment: async (_parent, args, context) => {
    const customer = requireRole(context.caller, 'CUSTOMER');
    const { orderId } = validateInput(initiatePaymentArgs, args, 'arguments');
    return context.payments.initiatePayment(customer, orderId, args.paymentMethod);
  },
};
