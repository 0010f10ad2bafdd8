import { entityId, geoPointInput, requireRole, validateInput, z } from '@waimai/platform';
import type { MutationResolvers } from '../generated/graphql';
import { interventionReason, registerRiderInput } from '../domain/rules';
import { locationBatch } from '../domain/locations';

/** What staff send to suspend or reinstate a rider. */
const intervention = z.object({ riderId: entityId, reason: interventionReason });

export const Mutation: MutationResolvers = {
  registerRider: async (_parent, { input }, { caller, riders }) => {
    const rider = requireRole(caller, 'RIDER');
    return riders.register(rider.sub, validateInput(registerRiderInput, input));
  },

  goOnline: async (_parent, _args, { caller, riders }) => riders.goOnline(requireRole(caller, 'RIDER').sub),

  goOffline: async (_parent, _args, { caller, riders }) => riders.goOffline(requireRole(caller, 'RIDER').sub),

  reportLocation: async (_parent, { location }, { caller, riders }) => {
    const rider = requireRole(caller, 'RIDER');
    return riders.reportLocation(rider.sub, validateInput(geoPointInput, location, 'location'));
  },

  reportLocations: async (_parent, { points }, { caller, riders }) => {
    const rider = requireRole(caller, 'RIDER');
    const now = new Date();
    return riders.reportLocations(rider.sub, locationBatch(points, now), now);
  },

  suspendRider: async (_parent, args, { caller, riders }) => {
    const staff = requireRole(caller, 'OPERATOR', 'ADMIN');
    const { riderId, reason } = validateInput(intervention, args, 'arguments');
    return riders.suspend(staff, riderId, reason);
  },

  reinstateRider: async (_parent, args, { caller, riders }) => {
    const staff = requireRole(caller, 'OPERATOR', 'ADMIN');
    const { riderId, reason } = validateInput(intervention, args, 'arguments');
    return riders.reinstate(staff, riderId, reason);
  },
};
