import { NotFoundError } from '@waimai/platform';
import type { CouponResolvers } from '../generated/graphql';
import type { Context } from '../context';
import type { CouponRow } from '../db/schema';

/** The coupon's campaign, through the request's loader (one query for a page of coupons). */
async function campaignOf(coupon: CouponRow, { loaders }: Context) {
  const campaign = await loaders.campaign.load(coupon.campaignId);
  if (!campaign) throw new NotFoundError('Campaign', coupon.campaignId);
  return campaign;
}

export const Coupon: CouponResolvers = {
  title: async (coupon, _args, context) => (await campaignOf(coupon, context)).title,
  offCents: async (coupon, _args, context) => (await campaignOf(coupon, context)).offCents ?? 0,
  thresholdCents: async (coupon, _args, context) => (await campaignOf(coupon, context)).thresholdCents,
  state: (coupon) => {
    if (coupon.usedAt !== null) return 'USED';
    if (coupon.orderId !== null) return 'HELD';
    return coupon.expiresAt.getTime() <= Date.now() ? 'EXPIRED' : 'AVAILABLE';
  },
};
