import { isStaff, requireRole, validateInput } from '@waimai/platform';
import type { MutationResolvers } from '../generated/graphql';
import { cancelReason, createOrderInput, reassignInput, redispatchInput, staffReason } from '../domain/rules';

export const Mutation: MutationResolvers = {
  createOrder: async (_parent, { input }, { caller, orders, loaders }) => {
    const customer = requireRole(caller, 'CUSTOMER');
    const placed = await orders.createOrder(customer, validateInput(createOrderInput, input));
    // The answer's items and discounts are the rows just written: no SELECT after the INSERT,
    // in the order the loaders read them in (product id, campaign id; binary collation).
    if (placed.items) loaders.items.prime(placed.order.id, sortedBy(placed.items, (row) => row.productId));
    if (placed.discounts) loaders.discounts.prime(placed.order.id, sortedBy(placed.discounts, (row) => row.campaignId));
    return placed.order;
  },

  cancelOrder: async (_parent, { orderId, reason }, { caller, orders }) => {
    const actor = requireRole(caller, 'CUSTOMER', 'OPERATOR', 'ADMIN');
    // Staff step in with a reason, here as through cancelOrderAsStaff: it goes to the audit log.
    if (isStaff(actor)) return orders.cancel(actor, orderId, validateInput(staffReason, reason, 'reason'), true);
    const why = validateInput(cancelReason, reason, 'reason');
    return orders.cancel(actor, orderId, why ?? null, false);
  },

  confirmReceipt: async (_parent, { orderId }, { caller, orders }) => orders.confirmReceipt(requireRole(caller, 'CUSTOMER'), orderId),

  grabOrder: async (_parent, { orderId }, { caller, orders }) => orders.grab(requireRole(caller, 'RIDER'), orderId),

  pickUpOrder: async (_parent, { orderId }, { caller, orders }) => orders.pickUp(requireRole(caller, 'RIDER'), orderId),

  deliverOrder: async (_parent, { orderId }, { caller, orders }) => orders.deliver(requireRole(caller, 'RIDER'), orderId),

  cancelOrderAsStaff: async (_parent, { orderId, reason }, { caller, orders }) => {
    const staff = requireRole(caller, 'OPERATOR', 'ADMIN');
    return orders.staff.cancel(staff, orderId, validateInput(staffReason, reason, 'reason'));
  },

  redispatchOrder: async (_parent, { orderId, reason, radiusMeters, riderIds }, { caller, orders }) => {
    const staff = requireRole(caller, 'OPERATOR', 'ADMIN');
    // Validated as one input so that every problem is reported at once, under its argument's name.
    return orders.staff.redispatch(staff, orderId, validateInput(redispatchInput, { reason, radiusMeters, riderIds }, 'args'));
  },

  reassignOrder: async (_parent, { orderId, riderId, reason }, { caller, orders }) => {
    const staff = requireRole(caller, 'OPERATOR', 'ADMIN');
    const input = validateInput(reassignInput, { riderId, reason }, 'args');
    return orders.staff.reassign(staff, orderId, input.riderId, input.reason);
  },

  markOrderDelivered: async (_parent, { orderId, reason }, { caller, orders }) => {
    const staff = requireRole(caller, 'OPERATOR', 'ADMIN');
    return orders.staff.markDelivered(staff, orderId, validateInput(staffReason, reason, 'reason'));
  },
};

/** `rows` ordered by `key` as MySQL's binary collation orders them (code units). */
function sortedBy<T>(rows: readonly T[], key: (row: T) => string): T[] {
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
