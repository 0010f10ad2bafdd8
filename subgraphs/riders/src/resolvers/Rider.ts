import type { RiderResolvers } from '../generated/graphql';
import { canSeeRiderProfile } from '../domain/access';

export const Rider: RiderResolvers = {
  // `_entities` can name any rider: only the rider themselves and staff get one back.
  __resolveReference: (reference, { caller, loaders }) => (canSeeRiderProfile(caller, reference.id) ? loaders.rider.load(reference.id) : null),

  phone: (rider, _args, { caller }) => (canSeeRiderProfile(caller, rider.id) ? rider.phone : null),

  location: async (rider, _args, { loaders }) => {
    const live = await loaders.liveLocation.load(rider.id);
    if (live) return { lat: live.lat, lng: live.lng };
    return rider.lat !== null && rider.lng !== null ? { lat: rider.lat, lng: rider.lng } : null;
  },

  locationUpdatedAt: async (rider, _args, { loaders }) => (await loaders.liveLocation.load(rider.id))?.at ?? rider.locationUpdatedAt,
};
