import { decodeCursor, entityId, newestFirstPosition, pageSize, requireRole, toConnection, validateInput } from '@waimai/platform';
import type { QueryResolvers } from '../generated/graphql';
import { canSeeOffer, canSeeRiderProfile } from '../domain/access';
import { riderSearchFilter } from '../domain/rules';
import { trailLength } from '../domain/locations';

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

  searchRiders: async (_parent, { filter, first, after }, { caller, riders, loaders }) => {
    requireRole(caller, 'OPERATOR', 'ADMIN');
    const wanted = validateInput(riderSearchFilter, filter ?? {}, 'filter');
    const size = pageSize(first);
    const rows = await riders.search(wanted, decodeCursor(after), size + 1);
    for (const row of rows) loaders.rider.prime(row.id, row);
    return toConnection(rows, size, newestFirstPosition);
  },

  riderTrail: async (_parent, { riderId, last }, { caller, riders }) => {
    requireRole(caller, 'OPERATOR', 'ADMIN');
    const points = await riders.trail(validateInput(entityId, riderId, 'riderId'), trailLength(last));
    return points.map((point) => ({ lat: point.lat, lng: point.lng, recordedAt: point.at }));
  },
};
