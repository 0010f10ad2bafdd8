/**
 * The value lists of campaigns (活动), written once: operations' database enums, the GraphQL
 * enums `CampaignKind` and `FundedBy` of operations and orders (a breakdown names the kind of
 * each discount), and the internal campaigns API.
 */
export const campaignKinds = [
  /** 满减: at least `offCents` off an order whose items reach `thresholdCents`. */
  'SPEND_AND_SAVE',
  /** A percentage off a merchant's items or some dishes, capped at `capCents` per order. */
  'PERCENT_OFF',
  /** A fixed amount off a customer's first paid order on the platform. */
  'FIRST_ORDER',
  /** Coupons issued to customers: each single use, with its own expiry. */
  'COUPON',
] as const;
export type CampaignKind = (typeof campaignKinds)[number];

/** Who pays for a discount: the platform's marketing budget, or the merchant's. */
export const fundingSources = ['PLATFORM', 'MERCHANT'] as const;
export type FundingSource = (typeof fundingSources)[number];
