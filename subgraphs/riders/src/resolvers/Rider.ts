import type { RiderResolvers } from '../generated/graphql';
import type { Context } from '../context';
import { canSeeRiderLocation, canSeeRiderProfile } from '../domain/access';
import type { RiderModel } from './mappers';

async function locationVisible(rider: RiderModel, { caller, loaders }: Context): Promise<boolean> {
  const delivering = rider.viaOrderId !== undefined && (await loaders.assignedRider.load(rider.viaOrderId)) === rider.id;
  return canSeeRiderLocation(caller, rider.id, delivering);
}

export const Rider: RiderResolvers = {
  // `_entities` can name any rider: only the rider themselves and staff get one back.
  __resolveReference: (reference, { caller, loaders }) => (canSeeRiderProfile(caller, reference.id) ? loaders.rider.load(reference.id) : null),

  phone: (rider, _args, { caller }) => (canSeeRiderProfile(caller, rider.id) ? rider.phone : null),

  suspendedReason: (rider, _args, { caller }) => (canSeeRiderProfile(caller, rider.id) ? rider.suspendedReason : null),

  location: async (rider, _args, context) => {
    if (!(await locationVisible(rider, context))) return null;
    const live = await context.loaders.liveLocation.load(rider.id);
    if (live) return { lat: live.lat, lng: live.lng };
    return rider.lat !== null && rider.lng !== null ? { lat: rider.lat, lng: rider.lng } : null;
  },

  locationUpdatedAt: async (rider, _args, context) => {
    if (!(await locationVisible(rider, context))) return null;
    return (await context.loaders.liveLocation.load(rider.id))?.at ?? rider.locationUpdatedAt;
  },
};
