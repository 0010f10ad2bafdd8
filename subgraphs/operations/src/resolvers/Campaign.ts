import type { CampaignKind } from '@waimai/platform';
import type { CampaignResolvers } from '../generated/graphql';
import { runsAt } from '../domain/discounts';

export const Campaign: CampaignResolvers = {
  merchant: (campaign) => (campaign.merchantId === null ? null : { id: campaign.merchantId }),
  // Stored as JSON text: lists of ids and kinds.
  merchantIds: (campaign) => JSON.parse(campaign.merchantIds) as string[],
  productIds: (campaign) => (campaign.productIds === null ? null : (JSON.parse(campaign.productIds) as string[])),
  stacksWith: (campaign) => JSON.parse(campaign.stacksWith) as CampaignKind[],
  area: (campaign) =>
    campaign.areaLat === null || campaign.areaLng === null || campaign.areaRadiusMeters === null
      ? null
      : { center: { lat: campaign.areaLat, lng: campaign.areaLng }, radiusMeters: campaign.areaRadiusMeters },
  running: (campaign) => runsAt(campaign, new Date()),
  figures: (campaign, _args, { campaigns }) => campaigns.figures(campaign),
};
