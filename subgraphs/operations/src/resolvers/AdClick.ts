import type { AdClickResolvers } from '../generated/graphql';

export const AdClick: AdClickResolvers = {
  placementId: (click) => click.placement.id,
  merchant: (click) => ({ id: click.placement.merchantId }),
  charged: (click) => click.outcome === 'CHARGED',
};
