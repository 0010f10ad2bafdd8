import type { OrderOfferResolvers } from '../generated/graphql';
import { canSeeOffer } from '../domain/access';

export const OrderOffer: OrderOfferResolvers = {
  __resolveReference: async (reference, { caller, loaders }) => {
    const offer = await loaders.offer.load(reference.id);
    return offer && canSeeOffer(caller, offer) ? offer : null;
  },

  // Orders shows the order to a rider holding a live offer for it, and null once it is grabbed or the offer expired.
  order: (offer) => ({ id: offer.orderId }),
};
