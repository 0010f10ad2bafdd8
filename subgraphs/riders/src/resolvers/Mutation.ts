import { geoPointInput, requireRole, validateInput } from '@waimai/platform';
import type { MutationResolvers } from '../generated/graphql';
import { registerRiderInput } from '../domain/rules';

export const Mutation: MutationResolvers = {
  registerRider: async (_parent, { input }, { caller, riders }) => {
    const rider = requireRole(caller, 'RIDER');
    return riders.register(rider.sub, validateInput(registerRiderInput, input));
  },

  goOnline: async (_parent, _args, { caller, riders }) => riders.goOnline(requireRole(caller, 'RIDER').sub),

  goOffline: async (_parent, _args, { caller, riders }) => riders.goOffline(requireRole(caller, 'RIDER').sub),

  reportLocation: async (_parent, { location }, { caller, riders }) => {
    const rider = requireRole(caller, 'RIDER');
    await riders.reportLocation(rider.sub, validateInput(geoPointInput, location, 'location'));
    return true;
  },
};
