import type { OrderOfferResolvers } from '../generated/graphql';
import { canSeeOffer } from '../domain/access';

export const OrderOffer: OrderOfferResolvers = {
  __resolveReference: async (reference, { caller, loaders }) => {
    const offer = await loaders.offer.load(reference.id);
    return offer && canSeeOffer(caller, offer) ? offer : null;
  },

  // Orders lets a rider who was offered the order see it.
  order: (offer) => ({ id: offer.orderId }),
};
