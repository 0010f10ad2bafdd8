import { requireRole } from '@waimai/platform';
import type { QueryResolvers } from '../generated/graphql';
import { canSeeOffer, canSeeRiderProfile } from '../domain/access';

export const Query: QueryResolvers = {
  rider: (_parent, { id }, { caller, loaders }) => (canSeeRiderProfile(caller, id) ? loaders.rider.load(id) : null),

  pendingOrderOffers: async (_parent, _args, { caller, stores, loaders }) => {
    const rider = requireRole(caller, 'RIDER');
    const offers = await stores.dispatch.pendingFor(rider.sub, new Date());
    for (const offer of offers) loaders.offer.prime(offer.id, offer);
    return offers;
  },

  orderOffer: async (_parent, { id }, { caller, loaders }) => {
    const offer = await loaders.offer.load(id);
    return offer && canSeeOffer(caller, offer) ? offer : null;
  },
};
