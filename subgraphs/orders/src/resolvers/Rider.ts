import { ForbiddenError, isStaff, requireRole } from '@waimai/platform';
import type { RiderResolvers } from '../generated/graphql';

export const Rider: RiderResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),

  activeOrders: async (rider, _args, { caller, store }) => {
    const viewer = requireRole(caller, 'RIDER', 'OPERATOR', 'ADMIN');
    if (!isStaff(viewer) && viewer.sub !== rider.id) throw new ForbiddenError('Riders see only their own orders.');
    return store.activeOfRider(rider.id);
  },
};
