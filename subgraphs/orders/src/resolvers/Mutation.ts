import { isStaff, requireRole, validateInput } from '@waimai/platform';
import type { MutationResolvers } from '../generated/graphql';
import { cancelReason, createOrderInput } from '../domain/rules';

export const Mutation: MutationResolvers = {
  createOrder: async (_parent, { input }, { caller, orders }) => {
    const customer = requireRole(caller, 'CUSTOMER');
    return orders.createOrder(customer, validateInput(createOrderInput, input));
  },

  cancelOrder: async (_parent, { orderId, reason }, { caller, orders }) => {
    const actor = requireRole(caller, 'CUSTOMER', 'OPERATOR', 'ADMIN');
    const why = validateInput(cancelReason, reason, 'reason');
    return orders.cancel(actor, orderId, why ?? null, isStaff(actor));
  },

  confirmReceipt: async (_parent, { orderId }, { caller, orders }) => orders.confirmReceipt(requireRole(caller, 'CUSTOMER'), orderId),

  grabOrder: async (_parent, { orderId }, { caller, orders }) => orders.grab(requireRole(caller, 'RIDER'), orderId),

  pickUpOrder: async (_parent, { orderId }, { caller, orders }) => orders.pickUp(requireRole(caller, 'RIDER'), orderId),

  deliverOrder: async (_parent, { orderId }, { caller, orders }) => orders.deliver(requireRole(caller, 'RIDER'), orderId),
};
