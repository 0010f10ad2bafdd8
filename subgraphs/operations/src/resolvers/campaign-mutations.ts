import { entityId, requireRole, validateInput, z } from '@waimai/platform';
import type { MutationResolvers } from '../generated/graphql';
import { changeReason, createCampaignInput, issueCouponArguments, type CampaignChange } from '../domain/campaigns';
import type { Context } from '../context';

/** The arguments of a pause, resume or end, parsed: BAD_USER_INPUT names each problem. */
const changeArguments = z.object({ id: entityId, reason: changeReason });

function change(kind: CampaignChange) {
  return (_parent: unknown, args: { id: string; reason: string }, { caller, campaigns }: Context) => {
    const actor = requireRole(caller, 'OPERATOR', 'ADMIN', 'MERCHANT');
    const { id, reason } = validateInput(changeArguments, args, 'arguments');
    return campaigns.change(actor, id, kind, reason);
  };
}

/** The campaign mutations of Mutation (merged into it in ./index.ts). */
export const campaignMutations: MutationResolvers = {
  createCampaign: (_parent, { input }, { caller, campaigns }) => {
    const actor = requireRole(caller, 'OPERATOR', 'ADMIN', 'MERCHANT');
    return campaigns.create(actor, validateInput(createCampaignInput, input));
  },
  pauseCampaign: change('pause'),
  resumeCampaign: change('resume'),
  endCampaign: change('end'),
  issueCoupon: (_parent, args, { caller, campaigns }) => {
    const actor = requireRole(caller, 'OPERATOR', 'ADMIN', 'MERCHANT');
    return campaigns.issueCoupon(actor, validateInput(issueCouponArguments, args, 'arguments'));
  },
};
