import type { OrderResolvers } from '../generated/graphql';

export const Order: OrderResolvers = {
  // The gateway sends the order's riderId along (@requires): orders decided who may see the order.
  __resolveReference: (reference) => ({ id: reference.id, riderId: 'riderId' in reference ? reference.riderId : null }),

  // The rider's public face: name and location; Rider.phone stays null unless self or staff.
  rider: (order, _args, { loaders }) => (order.riderId ? loaders.rider.load(order.riderId) : null),
};
