import type { OrderResolvers } from '../generated/graphql';

export const Order: OrderResolvers = {
  // The gateway sends the order's riderId along (@requires): orders decided who may see the order.
  __resolveReference: (reference) => ({ id: reference.id, riderId: 'riderId' in reference ? reference.riderId : null }),

  // The rider's public face: name, and location while delivering this order (Rider.location);
  // Rider.phone stays null unless self or staff.
  rider: async (order, _args, { loaders }) => {
    if (!order.riderId) return null;
    const rider = await loaders.rider.load(order.riderId);
    return rider ? { ...rider, viaOrderId: order.id } : null;
  },
};
