import { requireRole } from '@waimai/platform';
import type { MutationResolvers } from '../generated/graphql';

/** The ad mutations of Mutation (merged into it in ./index.ts). */
export const adMutations: MutationResolvers = {
  buyAdPlacement: (_parent, { input }, { caller, ads }) => ads.buy(requireRole(caller, 'MERCHANT', 'OPERATOR', 'ADMIN'), input),
  pauseAdPlacement: (_parent, { id, reason }, { caller, ads }) => ads.pause(requireRole(caller, 'MERCHANT', 'OPERATOR', 'ADMIN'), id, reason),
  resumeAdPlacement: (_parent, { id, reason }, { caller, ads }) => ads.resume(requireRole(caller, 'MERCHANT', 'OPERATOR', 'ADMIN'), id, reason),
  endAdPlacement: (_parent, { id, reason }, { caller, ads }) => ads.end(requireRole(caller, 'MERCHANT', 'OPERATOR', 'ADMIN'), id, reason),
  recordAdClick: (_parent, { placementId }, { caller, ads }) => ads.click(requireRole(caller, 'CUSTOMER'), placementId),
};
