import { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import { AuditEntryRow, CampaignRow, CouponRow, AdPlacementRow } from '../db/schema';
import { AuditEntryConnectionModel, AuditEntryEdgeModel, MerchantFiguresConnectionModel, MerchantFiguresEdgeModel, RiderFiguresConnectionModel, RiderFiguresEdgeModel, MerchantReference, RiderReference, CampaignConnectionModel, CampaignEdgeModel, CouponConnectionModel, CouponEdgeModel, AdPlacementConnectionModel, AdPlacementEdgeModel } from '../resolvers/mappers';
import { MerchantTotals } from '../db/figures-store';
import { RiderPerformance } from '../domain/figures';
import { CampaignFiguresModel } from '../domain/campaigns';
import { AdFigures as AdFiguresModel, AdClickResult } from '../domain/ads';
import { Context } from '../context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 instant in UTC, e.g. 2026-11-23T08:30:00.000Z. */
  DateTime: { input: Date; output: Date | string; }
  _FieldSet: { input: unknown; output: unknown; }
};

/** A click on a sponsored shop, as recorded. */
export type AdClick = {
  __typename?: 'AdClick';
  /** Whether it was charged to the placement. */
  charged: Scalars['Boolean']['output'];
  /** The sponsored shop (open it). */
  merchant: Merchant;
  /** What became of it. */
  outcome: AdClickOutcome;
  /** The placement clicked. */
  placementId: Scalars['ID']['output'];
};

/** What became of a click on a sponsored shop. */
export type AdClickOutcome =
  /** Not charged: the day's budget cannot cover one more click (the ad is no longer shown today). */
  | 'BUDGET_SPENT'
  /** Charged to the placement's budget (and kept for the attribution of the customer's orders). */
  | 'CHARGED'
  /** Not charged: the placement is paused, ended, or outside its window. */
  | 'NOT_SERVING'
  /** Not charged: this customer's click on this placement was already charged today. */
  | 'REPEATED';

/** What a placement did, from its counters (live for today and yesterday, settled before). */
export type AdFigures = {
  __typename?: 'AdFigures';
  /** What today's budget still covers, in CNY cents (never below 0). */
  budgetLeftTodayCents: Scalars['Int']['output'];
  /** Charged clicks (one per customer and day at most). */
  clicks: Scalars['Int']['output'];
  /** clicks / impressions; null before the first impression. */
  ctr: Maybe<Scalars['Float']['output']>;
  /** Pages of merchantsNearby that showed it. */
  impressions: Scalars['Int']['output'];
  /** Orders placed by a clicking customer at the shop within 24 h after their click. */
  ordersAttributed: Scalars['Int']['output'];
  /** Spent in all, in CNY cents (a Float because a sum may pass 2^31; always whole). */
  spentCents: Scalars['Float']['output'];
  /** Spent today (UTC), in CNY cents. */
  spentTodayCents: Scalars['Int']['output'];
};

/**
 * Sponsored placement (广告) of a shop in `merchantsNearby`: customers within `radiusMeters` of
 * `center` see the shop marked sponsored during [startsAt, endsAt), paying `cpcCents` per click up
 * to `dailyBudgetCents` per UTC day. Seen by OPERATOR, ADMIN and the shop's owner.
 */
export type AdPlacement = {
  __typename?: 'AdPlacement';
  /** The centre of the area where the shop is sponsored. */
  center: GeoPoint;
  /** The price of one click, in CNY cents. */
  cpcCents: Scalars['Int']['output'];
  /** When it was bought. */
  createdAt: Scalars['DateTime']['output'];
  /** Who bought it: the owner, or the staff member on the shop's behalf. */
  createdBy: Scalars['ID']['output'];
  /** What it may spend per UTC day, in CNY cents: it is not shown once the day's spend cannot cover one more click. */
  dailyBudgetCents: Scalars['Int']['output'];
  /** When it stops being shown (exclusive). */
  endsAt: Scalars['DateTime']['output'];
  /** Its figures since it was bought. */
  figures: AdFigures;
  /** The placement's id (what `recordAdClick` takes). */
  id: Scalars['ID']['output'];
  /** The sponsored shop. */
  merchant: Merchant;
  /** The area's radius in meters. */
  radiusMeters: Scalars['Int']['output'];
  /** When it starts being shown. */
  startsAt: Scalars['DateTime']['output'];
  /** ACTIVE, PAUSED or ENDED. */
  status: AdPlacementStatus;
};

/** A page of ad placements. */
export type AdPlacementConnection = {
  __typename?: 'AdPlacementConnection';
  /** The placements of this page, newest first. */
  edges: Array<AdPlacementEdge>;
  /** Where this page ends. */
  pageInfo: PageInfo;
};

/** One placement in a page, with the cursor that points at it. */
export type AdPlacementEdge = {
  __typename?: 'AdPlacementEdge';
  /** Opaque position of this placement. */
  cursor: Scalars['String']['output'];
  /** The placement. */
  node: AdPlacement;
};

/** Which placements to list; every given field must match. */
export type AdPlacementFilter = {
  /** Only this shop's. */
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  /** Only placements in this status. */
  status?: InputMaybe<AdPlacementStatus>;
};

/** Where a sponsored placement is in its life: bought ACTIVE, PAUSED and resumed at will, ENDED for good. */
export type AdPlacementStatus =
  /** Shown in merchantsNearby inside its area and window while the day's budget covers a click. */
  | 'ACTIVE'
  /** Not shown, for good. */
  | 'ENDED'
  /** Not shown until resumed. */
  | 'PAUSED';

/** An action staff took, as the audit log names it (the values of platform's auditActions). */
export type AuditAction =
  /** A sponsored placement bought (by its merchant, or by staff on its behalf). */
  | 'AD_BUY'
  /** A sponsored placement ended for good. */
  | 'AD_END'
  /** A sponsored placement paused. */
  | 'AD_PAUSE'
  /** A paused sponsored placement resumed. */
  | 'AD_RESUME'
  /** A campaign created (by staff, or by the merchant paying for it). */
  | 'CAMPAIGN_CREATE'
  /** A campaign ended for good. */
  | 'CAMPAIGN_END'
  /** A campaign paused. */
  | 'CAMPAIGN_PAUSE'
  /** A paused campaign resumed. */
  | 'CAMPAIGN_RESUME'
  /** A coupon issued to a customer. */
  | 'COUPON_ISSUE'
  /** A shop opened by staff. */
  | 'MERCHANT_CREATE'
  /** A suspended shop reinstated. */
  | 'MERCHANT_REINSTATE'
  /** A shop suspended. */
  | 'MERCHANT_SUSPEND'
  /** An order cancelled by staff. */
  | 'ORDER_CANCEL'
  /** A goodwill compensation paid for an order. */
  | 'ORDER_COMPENSATE'
  /** An order marked delivered on its rider's behalf. */
  | 'ORDER_MARK_DELIVERED'
  /** A grabbed order moved to another rider. */
  | 'ORDER_REASSIGN'
  /** A flagged order offered to riders again. */
  | 'ORDER_REDISPATCH'
  /** A product published by staff. */
  | 'PRODUCT_PUBLISH'
  /** A product put on or off sale by staff. */
  | 'PRODUCT_STATUS_SET'
  /** A product's stock set by staff. */
  | 'PRODUCT_STOCK_SET'
  /** A suspended rider reinstated. */
  | 'RIDER_REINSTATE'
  /** A rider suspended. */
  | 'RIDER_SUSPEND';

/** One action a staff member took: who, what, on what, why, and when. */
export type AuditEntry = {
  __typename?: 'AuditEntry';
  /** What they did. */
  action: AuditAction;
  /** The acting user's id (their token's sub). */
  actorId: Scalars['ID']['output'];
  /** The roles the actor held when acting. */
  actorRoles: Array<Scalars['String']['output']>;
  /** The target's status after the action; null where the action has none. */
  after: Maybe<Scalars['String']['output']>;
  /** When the action took effect. */
  at: Scalars['DateTime']['output'];
  /** The target's status before the action; null where the action has none. */
  before: Maybe<Scalars['String']['output']>;
  /** Action-specific facts (amounts, rider ids, radius) as a JSON object. */
  details: Scalars['String']['output'];
  /** The entry's id. */
  id: Scalars['ID']['output'];
  /** Why, as they wrote it; null for staff edits that take no reason. */
  reason: Maybe<Scalars['String']['output']>;
  /** The service that recorded it (the owner of the data that changed). */
  service: Scalars['String']['output'];
  /** The id of what they did it to. */
  targetId: Scalars['ID']['output'];
  /** What kind of thing they did it to. */
  targetType: AuditTargetType;
};

/** A page of audit entries. */
export type AuditEntryConnection = {
  __typename?: 'AuditEntryConnection';
  /** The entries of this page, newest first. */
  edges: Array<AuditEntryEdge>;
  /** Where this page ends. */
  pageInfo: PageInfo;
};

/** One audit entry in a page, with the cursor that points at it. */
export type AuditEntryEdge = {
  __typename?: 'AuditEntryEdge';
  /** Opaque position of this entry. */
  cursor: Scalars['String']['output'];
  /** The entry. */
  node: AuditEntry;
};

/** Which audit entries to list; every given field must match. */
export type AuditLogFilter = {
  /** Only these actions (at least one when given). */
  actions?: InputMaybe<Array<AuditAction>>;
  /** Only this actor's entries (1..128 characters). */
  actorId?: InputMaybe<Scalars['ID']['input']>;
  /** Only entries at or after this time. */
  from?: InputMaybe<Scalars['DateTime']['input']>;
  /** Only entries about this thing (1..128 characters). */
  targetId?: InputMaybe<Scalars['ID']['input']>;
  /** Only entries about this kind of thing. */
  targetType?: InputMaybe<AuditTargetType>;
  /** Only entries before this time; after `from` when both are given. */
  to?: InputMaybe<Scalars['DateTime']['input']>;
};

/** What an audited action touched (the values of platform's auditTargetTypes). */
export type AuditTargetType =
  | 'AD_PLACEMENT'
  | 'CAMPAIGN'
  | 'COUPON'
  | 'MERCHANT'
  | 'ORDER'
  | 'PAYMENT'
  | 'PRODUCT'
  | 'RIDER';

/**
 * The business in one time bucket, from the event stream. Each figure counts an order in the
 * bucket of its own event's time: placed, paid (with GMV and attention), grabbed (paid → grab),
 * delivered (grab → delivery, overtime), cancelled; compensation by the refund's time.
 */
export type BusinessFigures = {
  __typename?: 'BusinessFigures';
  /** ordersNeedingAttention / ordersPaid; null when nothing was paid. */
  attentionShare: Maybe<Scalars['Float']['output']>;
  /**
   * Compensation paid, in CNY cents: refunds other than for an order that could not be paid
   * (ORDER_NOT_PAYABLE) or was cancelled (ORDER_CANCELLED, or any refund of a cancelled order),
   * i.e. late-delivery and goodwill money.
   */
  compensationCents: Scalars['Float']['output'];
  /** Start of the bucket (the range's start for a first bucket that begins inside it). */
  from: Scalars['DateTime']['output'];
  /** GMV: the totals of the orders paid, in CNY cents (a Float because a sum may pass 2^31; always whole). */
  gmvCents: Scalars['Float']['output'];
  /** Average seconds from grab to delivery, over the orders delivered; null when none. */
  grabToDeliverySecondsAvg: Maybe<Scalars['Float']['output']>;
  /** 90th percentile (nearest rank) of the seconds from grab to delivery, over the orders delivered; null when none. */
  grabToDeliverySecondsP90: Maybe<Scalars['Float']['output']>;
  /** Orders cancelled. */
  ordersCancelled: Scalars['Int']['output'];
  /** Orders delivered (received by the customer). */
  ordersDelivered: Scalars['Int']['output'];
  /** Orders paid in the bucket that ever needed operations' attention (flagged by dispatch, or their payment stuck). */
  ordersNeedingAttention: Scalars['Int']['output'];
  /** Orders paid. */
  ordersPaid: Scalars['Int']['output'];
  /** Orders placed. */
  ordersPlaced: Scalars['Int']['output'];
  /** Deliveries after the promised deadline. */
  overtimeDeliveries: Scalars['Int']['output'];
  /** overtimeDeliveries / ordersDelivered; null when nothing was delivered. */
  overtimeRate: Maybe<Scalars['Float']['output']>;
  /** Average seconds from payment to grab, over the orders grabbed; null when none. */
  paidToGrabSecondsAvg: Maybe<Scalars['Float']['output']>;
  /** 90th percentile (nearest rank) of the seconds from payment to grab, over the orders grabbed; null when none. */
  paidToGrabSecondsP90: Maybe<Scalars['Float']['output']>;
  /** End of the bucket, exclusive (the range's end for a last bucket cut by it). */
  to: Scalars['DateTime']['output'];
};

/** A placement to buy. */
export type BuyAdPlacementInput = {
  /** The centre of the area. */
  center: GeoPointInput;
  /** Price per click in CNY cents, 1..100000. */
  cpcCents: Scalars['Int']['input'];
  /** Budget per UTC day in CNY cents, 1..100000000, at least cpcCents. */
  dailyBudgetCents: Scalars['Int']['input'];
  /** When it stops (exclusive): after startsAt, in the future, within 366 days of startsAt. */
  endsAt: Scalars['DateTime']['input'];
  /** The shop to sponsor. */
  merchantId: Scalars['ID']['input'];
  /** The area's radius in meters, 100..50000. */
  radiusMeters: Scalars['Int']['input'];
  /** When it starts being shown. */
  startsAt: Scalars['DateTime']['input'];
};

/** A promotion (活动) priced at checkout, funded by the platform or a merchant, with a budget that is never overspent. */
export type Campaign = {
  __typename?: 'Campaign';
  /** The area it applies to (the delivery address inside it); null for anywhere. */
  area: Maybe<CampaignArea>;
  /** The most it gives in all, in CNY cents. */
  budgetCents: Scalars['Int']['output'];
  /** PERCENT_OFF: the most it takes off one order; null for no cap. */
  capCents: Maybe<Scalars['Int']['output']>;
  /** When it was created. */
  createdAt: Scalars['DateTime']['output'];
  /** When it stops (exclusive). */
  endsAt: Scalars['DateTime']['output'];
  /** What it gave and what is left of its budget. */
  figures: CampaignFigures;
  /** Who pays for it. */
  fundedBy: FundedBy;
  /** The campaign's id. */
  id: Scalars['ID']['output'];
  /** What it gives. */
  kind: CampaignKind;
  /** The merchant paying for it (MERCHANT-funded); null for the platform's. */
  merchant: Maybe<Merchant>;
  /** The shops it applies to; empty for any shop in its area. */
  merchantIds: Array<Scalars['ID']['output']>;
  /** SPEND_AND_SAVE, FIRST_ORDER, COUPON: the amount off, in CNY cents. */
  offCents: Maybe<Scalars['Int']['output']>;
  /** Orders per customer that may get it; null for no limit. */
  perCustomerLimit: Maybe<Scalars['Int']['output']>;
  /** PERCENT_OFF: the percentage off (1..100). */
  percent: Maybe<Scalars['Int']['output']>;
  /** PERCENT_OFF: the dishes it covers; null for every item. */
  productIds: Maybe<Array<Scalars['ID']['output']>>;
  /** Whether it gives discounts now: ACTIVE and inside its window. */
  running: Scalars['Boolean']['output'];
  /** The kinds it combines with on one order (both campaigns must list each other's kind). */
  stacksWith: Array<CampaignKind>;
  /** When it starts giving discounts. */
  startsAt: Scalars['DateTime']['output'];
  /** Its own status. */
  status: CampaignStatus;
  /** SPEND_AND_SAVE: the items' total that earns it; the others: a minimum spend (null: none). */
  thresholdCents: Maybe<Scalars['Int']['output']>;
  /** What customers see at checkout. */
  title: Scalars['String']['output'];
};

/** A circle a campaign covers: orders delivered inside it. */
export type CampaignArea = {
  __typename?: 'CampaignArea';
  /** The centre. */
  center: GeoPoint;
  /** The radius in meters. */
  radiusMeters: Scalars['Int']['output'];
};

/** A circle a campaign covers. */
export type CampaignAreaInput = {
  /** The centre. */
  center: GeoPointInput;
  /** The radius in meters, 100..100000. */
  radiusMeters: Scalars['Int']['input'];
};

/** A page of campaigns. */
export type CampaignConnection = {
  __typename?: 'CampaignConnection';
  /** The campaigns of this page, newest first. */
  edges: Array<CampaignEdge>;
  /** Where this page ends. */
  pageInfo: PageInfo;
};

/** One campaign in a page, with the cursor that points at it. */
export type CampaignEdge = {
  __typename?: 'CampaignEdge';
  /** Opaque position of this campaign. */
  cursor: Scalars['String']['output'];
  /** The campaign. */
  node: Campaign;
};

/** What a campaign gave and what is left of its budget, in CNY cents. */
export type CampaignFigures = {
  __typename?: 'CampaignFigures';
  /** The total budget. */
  budgetCents: Scalars['Int']['output'];
  /** Coupons issued (COUPON campaigns). */
  couponsIssued: Scalars['Int']['output'];
  /** Of those, used by a paid order. */
  couponsUsed: Scalars['Int']['output'];
  /** The discounts those orders got, in all. */
  discountCents: Scalars['Int']['output'];
  /** What is left to give: budget - spent - reserved. */
  leftCents: Scalars['Int']['output'];
  /** Paid orders that got its discount. */
  orders: Scalars['Int']['output'];
  /** The discounts those orders hold. */
  pendingCents: Scalars['Int']['output'];
  /** Orders holding its discount while they wait for payment. */
  pendingOrders: Scalars['Int']['output'];
  /** Held by orders waiting for payment. */
  reservedCents: Scalars['Int']['output'];
  /** Spent: the discounts of paid orders. */
  spentCents: Scalars['Int']['output'];
};

/** Which campaigns to list; every given field must match. */
export type CampaignFilter = {
  /** Only those funded so. */
  fundedBy?: InputMaybe<FundedBy>;
  /** Only these kinds (at least one when given). */
  kinds?: InputMaybe<Array<CampaignKind>>;
  /** Only those this merchant pays for. */
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  /** Only these statuses (at least one when given). */
  statuses?: InputMaybe<Array<CampaignStatus>>;
};

/** What a campaign gives (the values of platform's campaignKinds). */
export type CampaignKind =
  /** Coupons issued to customers: each `offCents` off one order, single use, with its own expiry. */
  | 'COUPON'
  /** `offCents` off a customer's first paid order on the platform. */
  | 'FIRST_ORDER'
  /** `percent` off a shop's items or some dishes, capped at `capCents` per order. */
  | 'PERCENT_OFF'
  /** 满减: `offCents` off an order whose items reach `thresholdCents`. */
  | 'SPEND_AND_SAVE';

/** A campaign's own status; whether it runs now also depends on its window (`running`). */
export type CampaignStatus =
  /** Gives discounts while inside its window. */
  | 'ACTIVE'
  /** Gives none, for good. */
  | 'ENDED'
  /** Gives none until resumed. */
  | 'PAUSED';

/** A coupon issued to one customer: single use, with its own expiry. */
export type Coupon = {
  __typename?: 'Coupon';
  /** The COUPON campaign it belongs to. */
  campaignId: Scalars['ID']['output'];
  /** The customer it was issued to. */
  customerId: Scalars['ID']['output'];
  /** When it stops being usable. */
  expiresAt: Scalars['DateTime']['output'];
  /** The coupon's id (what checkout sends as couponId). */
  id: Scalars['ID']['output'];
  /** When it was issued. */
  issuedAt: Scalars['DateTime']['output'];
  /** The amount off, in CNY cents. */
  offCents: Scalars['Int']['output'];
  /** Where it stands now. */
  state: CouponState;
  /** The minimum spend of the items, in CNY cents; null for none. */
  thresholdCents: Maybe<Scalars['Int']['output']>;
  /** The campaign's title. */
  title: Scalars['String']['output'];
};

/** A page of coupons. */
export type CouponConnection = {
  __typename?: 'CouponConnection';
  /** The coupons of this page, newest first. */
  edges: Array<CouponEdge>;
  /** Where this page ends. */
  pageInfo: PageInfo;
};

/** One coupon in a page, with the cursor that points at it. */
export type CouponEdge = {
  __typename?: 'CouponEdge';
  /** Opaque position of this coupon. */
  cursor: Scalars['String']['output'];
  /** The coupon. */
  node: Coupon;
};

/** Where a customer's coupon stands. */
export type CouponState =
  /** Usable at checkout until it expires. */
  | 'AVAILABLE'
  /** Expired unused. */
  | 'EXPIRED'
  /** Held by an order waiting for payment (comes back if that order is cancelled). */
  | 'HELD'
  /** Used by a paid order. */
  | 'USED';

/**
 * A new campaign. Kind parameters: SPEND_AND_SAVE needs thresholdCents and offCents (not above
 * the threshold); PERCENT_OFF needs percent (1..100), with capCents, productIds and a minimum
 * spend (thresholdCents) optional; FIRST_ORDER and COUPON need offCents, with a minimum spend
 * optional. A PLATFORM campaign needs an area or merchantIds (or both); a MERCHANT one names
 * its merchantId and applies to that shop only.
 */
export type CreateCampaignInput = {
  /** The area it applies to. */
  area?: InputMaybe<CampaignAreaInput>;
  /** The most it gives in all, 1..1000000000 CNY cents. */
  budgetCents: Scalars['Int']['input'];
  /** See the input's description. */
  capCents?: InputMaybe<Scalars['Int']['input']>;
  /** When it stops; after startsAt. */
  endsAt: Scalars['DateTime']['input'];
  /** Who pays for it. */
  fundedBy: FundedBy;
  /** What it gives. */
  kind: CampaignKind;
  /** The merchant paying (MERCHANT-funded only). */
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  /** The shops it applies to (1..100; PLATFORM-funded). */
  merchantIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** See the input's description. */
  offCents?: InputMaybe<Scalars['Int']['input']>;
  /** Orders per customer that may get it, 1..1000; none for no limit (FIRST_ORDER: always 1). */
  perCustomerLimit?: InputMaybe<Scalars['Int']['input']>;
  /** See the input's description. */
  percent?: InputMaybe<Scalars['Int']['input']>;
  /** See the input's description (1..100 ids). */
  productIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** The kinds it combines with (never its own). */
  stacksWith?: InputMaybe<Array<CampaignKind>>;
  /** When it starts. */
  startsAt: Scalars['DateTime']['input'];
  /** See the input's description. */
  thresholdCents?: InputMaybe<Scalars['Int']['input']>;
  /** What customers see at checkout, 1..100 characters. */
  title: Scalars['String']['input'];
};

/** How long one bucket of business figures is, aligned to UTC. */
export type FigureBucket =
  /** One UTC day. */
  | 'DAY'
  /** One UTC hour. */
  | 'HOUR';

/** Who pays for a campaign's discounts (the values of platform's fundingSources). */
export type FundedBy =
  /** The merchant whose shop the campaign is for. */
  | 'MERCHANT'
  /** The platform's marketing budget. */
  | 'PLATFORM';

/** A point on Earth in WGS-84 degrees. */
export type GeoPoint = {
  __typename?: 'GeoPoint';
  /** Latitude in [-90, 90]. */
  lat: Scalars['Float']['output'];
  /** Longitude in [-180, 180]. */
  lng: Scalars['Float']['output'];
};

/** A point on Earth in WGS-84 degrees. */
export type GeoPointInput = {
  /** Latitude in [-90, 90]. */
  lat: Scalars['Float']['input'];
  /** Longitude in [-180, 180]. */
  lng: Scalars['Float']['input'];
};

/** A shop, owned by the products subgraph. */
export type Merchant = {
  __typename?: 'Merchant';
  id: Scalars['ID']['output'];
};

/** One shop's business in a time range. */
export type MerchantFigures = {
  __typename?: 'MerchantFigures';
  /** Its orders cancelled in the range. */
  cancellations: Scalars['Int']['output'];
  /** The totals of its orders paid in the range, in CNY cents (a Float because a sum may pass 2^31; always whole). */
  gmvCents: Scalars['Float']['output'];
  /** The shop. */
  merchant: Merchant;
  /** Orders placed in the range. */
  orders: Scalars['Int']['output'];
};

/** A page of merchant figures, by merchant id. */
export type MerchantFiguresConnection = {
  __typename?: 'MerchantFiguresConnection';
  /** The shops of this page. */
  edges: Array<MerchantFiguresEdge>;
  /** Where this page ends. */
  pageInfo: PageInfo;
};

/** One shop's figures in a page, with the cursor that points at it. */
export type MerchantFiguresEdge = {
  __typename?: 'MerchantFiguresEdge';
  /** Opaque position of this shop. */
  cursor: Scalars['String']['output'];
  /** Its figures. */
  node: MerchantFigures;
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * MERCHANT owning the shop, or OPERATOR/ADMIN on its behalf (FORBIDDEN for other roles and for
   * another merchant's shop, UNAUTHENTICATED without a token): buys a placement, ACTIVE at once,
   * audited (AD_BUY). BAD_USER_INPUT for input breaking the rules of BuyAdPlacementInput;
   * NOT_FOUND for an unknown shop; MERCHANT_SUSPENDED for a suspended one; SERVICE_UNAVAILABLE
   * when products cannot say who owns the shop (nothing bought).
   */
  buyAdPlacement: AdPlacement;
  /**
   * Role OPERATOR or ADMIN for any campaign; MERCHANT for a MERCHANT-funded one of a shop it owns
   * (FORBIDDEN otherwise, UNAUTHENTICATED without a token). Creates it ACTIVE, audited
   * (CAMPAIGN_CREATE). BAD_USER_INPUT for input breaking the rules of CreateCampaignInput;
   * NOT_FOUND for an unknown merchantId; MERCHANT_SUSPENDED for a suspended shop;
   * SERVICE_UNAVAILABLE when products cannot be asked who owns the shop.
   */
  createCampaign: Campaign;
  /**
   * As pauseAdPlacement: ends an ACTIVE or PAUSED placement for good (AD_END); an ENDED one is
   * returned as it is.
   */
  endAdPlacement: AdPlacement;
  /**
   * Same roles and errors as pauseCampaign: ends the campaign for good (CAMPAIGN_END); orders
   * holding its discount keep it. Already ENDED: returned as it is.
   */
  endCampaign: Campaign;
  /**
   * Role OPERATOR or ADMIN, or MERCHANT for its own campaign (FORBIDDEN otherwise,
   * UNAUTHENTICATED without a token): a single-use coupon of a COUPON campaign for a customer,
   * audited (COUPON_ISSUE). NOT_FOUND for an unknown campaign; BAD_USER_INPUT for a campaign of
   * another kind, an expiry not in the future or a customerId over 128 characters;
   * INVALID_STATE_TRANSITION for an ENDED campaign.
   */
  issueCoupon: Coupon;
  /**
   * OPERATOR, ADMIN or the shop's owner (FORBIDDEN otherwise, UNAUTHENTICATED without a token):
   * stops showing an ACTIVE placement, audited (AD_PAUSE) with `reason` (mandatory, 1..500
   * characters, else BAD_USER_INPUT). NOT_FOUND for an unknown placement; INVALID_STATE_TRANSITION
   * for an ENDED one. Idempotent: a PAUSED one is returned as it is, nothing recorded.
   */
  pauseAdPlacement: AdPlacement;
  /**
   * Role OPERATOR or ADMIN, or MERCHANT for its own campaign (FORBIDDEN otherwise,
   * UNAUTHENTICATED without a token): stops giving discounts (orders holding one keep it),
   * audited with the reason (CAMPAIGN_PAUSE). Already PAUSED: returned as it is. NOT_FOUND for an
   * unknown id; INVALID_STATE_TRANSITION when ENDED; BAD_USER_INPUT for a blank reason or one over 500 characters.
   */
  pauseCampaign: Campaign;
  /**
   * CUSTOMER (FORBIDDEN for other roles, UNAUTHENTICATED without a token): the customer opened a
   * sponsored shop from `merchantsNearby` (its `adPlacementId`). Charged `cpcCents` when the
   * placement is serving, the customer's click on it was not charged today, and the day's spend
   * plus this click stays within the budget (atomic: the spend never passes it); otherwise
   * recorded as not charged, never refused. NOT_FOUND for an unknown placement.
   */
  recordAdClick: AdClick;
  /**
   * As pauseAdPlacement: shows a PAUSED placement again (AD_RESUME). INVALID_STATE_TRANSITION for
   * an ENDED one; an ACTIVE one is returned as it is.
   */
  resumeAdPlacement: AdPlacement;
  /**
   * Same roles and errors as pauseCampaign: a PAUSED campaign gives discounts again (CAMPAIGN_RESUME).
   * Already ACTIVE: returned as it is; INVALID_STATE_TRANSITION when ENDED.
   */
  resumeCampaign: Campaign;
};


export type MutationBuyAdPlacementArgs = {
  input: BuyAdPlacementInput;
};


export type MutationCreateCampaignArgs = {
  input: CreateCampaignInput;
};


export type MutationEndAdPlacementArgs = {
  id: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};


export type MutationEndCampaignArgs = {
  id: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};


export type MutationIssueCouponArgs = {
  campaignId: Scalars['ID']['input'];
  customerId: Scalars['ID']['input'];
  expiresAt: Scalars['DateTime']['input'];
};


export type MutationPauseAdPlacementArgs = {
  id: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};


export type MutationPauseCampaignArgs = {
  id: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};


export type MutationRecordAdClickArgs = {
  placementId: Scalars['ID']['input'];
};


export type MutationResumeAdPlacementArgs = {
  id: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};


export type MutationResumeCampaignArgs = {
  id: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};

/** Relay page information of a cursor connection. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** The cursor to pass as `after` for the next page; null on an empty page. */
  endCursor: Maybe<Scalars['String']['output']>;
  /** Whether another page follows this one. */
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  /**
   * OPERATOR, ADMIN or MERCHANT (FORBIDDEN for other roles, UNAUTHENTICATED without a token): one
   * placement; null when there is none or it is not the calling merchant's. BAD_USER_INPUT for an
   * id over 64 characters.
   */
  adPlacement: Maybe<AdPlacement>;
  /**
   * OPERATOR, ADMIN or MERCHANT (FORBIDDEN for other roles, UNAUTHENTICATED without a token):
   * placements newest first; staff see every shop's, a merchant only its own. BAD_USER_INPUT for
   * a bad filter, a `first` outside 1..100 or a cursor this API did not give out.
   */
  adPlacements: AdPlacementConnection;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN for other roles, UNAUTHENTICATED without a token): what
   * staff did, newest first. BAD_USER_INPUT for an empty `actions`, an id over 128 characters,
   * `to` not after `from`, a `first` outside 1..100 or a cursor this API did not give out.
   */
  auditLog: AuditEntryConnection;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN for other roles, UNAUTHENTICATED without a token): the
   * business per UTC hour or day over [from, to), one entry per bucket, empty buckets included.
   * BAD_USER_INPUT when `to` is not after `from` or the range holds more than 1000 buckets.
   */
  businessFigures: Array<BusinessFigures>;
  /**
   * Role OPERATOR, ADMIN or MERCHANT (FORBIDDEN for other roles, UNAUTHENTICATED without a
   * token): one campaign with its figures; null when it does not exist or is another merchant's.
   */
  campaign: Maybe<Campaign>;
  /**
   * Role OPERATOR, ADMIN or MERCHANT (FORBIDDEN for other roles, UNAUTHENTICATED without a
   * token): campaigns newest first, every one for staff, a merchant's own (those it pays for).
   * BAD_USER_INPUT for an empty `statuses` or `kinds`, a `first` outside 1..100 or a cursor this
   * API did not give out.
   */
  campaigns: CampaignConnection;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN for other roles, UNAUTHENTICATED without a token): per shop
   * with any order placed, paid or cancelled in [from, to), by merchant id. BAD_USER_INPUT when
   * `to` is not after `from`, for a `first` outside 1..100 or a cursor this API did not give out.
   */
  merchantFigures: MerchantFiguresConnection;
  /**
   * Role CUSTOMER (FORBIDDEN for other roles, UNAUTHENTICATED without a token): the caller's
   * coupons, newest first. BAD_USER_INPUT for a `first` outside 1..100 or a foreign cursor.
   */
  myCoupons: CouponConnection;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN for other roles, UNAUTHENTICATED without a token): per rider
   * with a delivery in [from, to), by rider id. BAD_USER_INPUT when `to` is not after `from`, for
   * a `first` outside 1..100 or a cursor this API did not give out.
   */
  riderFigures: RiderFiguresConnection;
};


export type QueryAdPlacementArgs = {
  id: Scalars['ID']['input'];
};


export type QueryAdPlacementsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AdPlacementFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryAuditLogArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AuditLogFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryBusinessFiguresArgs = {
  bucket: FigureBucket;
  from: Scalars['DateTime']['input'];
  to: Scalars['DateTime']['input'];
};


export type QueryCampaignArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCampaignsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<CampaignFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryMerchantFiguresArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  from: Scalars['DateTime']['input'];
  to: Scalars['DateTime']['input'];
};


export type QueryMyCouponsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryRiderFiguresArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  from: Scalars['DateTime']['input'];
  to: Scalars['DateTime']['input'];
};

/** A rider, owned by the riders subgraph. */
export type Rider = {
  __typename?: 'Rider';
  id: Scalars['ID']['output'];
};

/** One rider's deliveries in a time range. */
export type RiderFigures = {
  __typename?: 'RiderFigures';
  /** Orders they delivered in the range. */
  deliveries: Scalars['Int']['output'];
  /** Of those, delivered after the promised deadline. */
  overtimeDeliveries: Scalars['Int']['output'];
  /** overtimeDeliveries / deliveries. */
  overtimeRate: Scalars['Float']['output'];
  /** The rider (who delivered the order). */
  rider: Rider;
};

/** A page of rider figures, by rider id. */
export type RiderFiguresConnection = {
  __typename?: 'RiderFiguresConnection';
  /** The riders of this page. */
  edges: Array<RiderFiguresEdge>;
  /** Where this page ends. */
  pageInfo: PageInfo;
};

/** One rider's figures in a page, with the cursor that points at it. */
export type RiderFiguresEdge = {
  __typename?: 'RiderFiguresEdge';
  /** Opaque position of this rider. */
  cursor: Scalars['String']['output'];
  /** Their figures. */
  node: RiderFigures;
};



export type ResolverTypeWrapper<T> = T | Promise<T>;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  AdClick: ResolverTypeWrapper<AdClickResult>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  AdClickOutcome: AdClickOutcome;
  AdFigures: ResolverTypeWrapper<AdFiguresModel>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  AdPlacement: ResolverTypeWrapper<AdPlacementRow>;
  AdPlacementConnection: ResolverTypeWrapper<AdPlacementConnectionModel>;
  AdPlacementEdge: ResolverTypeWrapper<AdPlacementEdgeModel>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  AdPlacementFilter: AdPlacementFilter;
  AdPlacementStatus: AdPlacementStatus;
  AuditAction: AuditAction;
  AuditEntry: ResolverTypeWrapper<AuditEntryRow>;
  AuditEntryConnection: ResolverTypeWrapper<AuditEntryConnectionModel>;
  AuditEntryEdge: ResolverTypeWrapper<AuditEntryEdgeModel>;
  AuditLogFilter: AuditLogFilter;
  AuditTargetType: AuditTargetType;
  BusinessFigures: ResolverTypeWrapper<BusinessFigures>;
  BuyAdPlacementInput: BuyAdPlacementInput;
  Campaign: ResolverTypeWrapper<CampaignRow>;
  CampaignArea: ResolverTypeWrapper<CampaignArea>;
  CampaignAreaInput: CampaignAreaInput;
  CampaignConnection: ResolverTypeWrapper<CampaignConnectionModel>;
  CampaignEdge: ResolverTypeWrapper<CampaignEdgeModel>;
  CampaignFigures: ResolverTypeWrapper<CampaignFiguresModel>;
  CampaignFilter: CampaignFilter;
  CampaignKind: CampaignKind;
  CampaignStatus: CampaignStatus;
  Coupon: ResolverTypeWrapper<CouponRow>;
  CouponConnection: ResolverTypeWrapper<CouponConnectionModel>;
  CouponEdge: ResolverTypeWrapper<CouponEdgeModel>;
  CouponState: CouponState;
  CreateCampaignInput: CreateCampaignInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  FigureBucket: FigureBucket;
  FundedBy: FundedBy;
  GeoPoint: ResolverTypeWrapper<GeoPoint>;
  GeoPointInput: GeoPointInput;
  Merchant: ResolverTypeWrapper<MerchantReference>;
  MerchantFigures: ResolverTypeWrapper<MerchantTotals>;
  MerchantFiguresConnection: ResolverTypeWrapper<MerchantFiguresConnectionModel>;
  MerchantFiguresEdge: ResolverTypeWrapper<MerchantFiguresEdgeModel>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Rider: ResolverTypeWrapper<RiderReference>;
  RiderFigures: ResolverTypeWrapper<RiderPerformance>;
  RiderFiguresConnection: ResolverTypeWrapper<RiderFiguresConnectionModel>;
  RiderFiguresEdge: ResolverTypeWrapper<RiderFiguresEdgeModel>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  AdClick: AdClickResult;
  Boolean: Scalars['Boolean']['output'];
  ID: Scalars['ID']['output'];
  AdFigures: AdFiguresModel;
  Int: Scalars['Int']['output'];
  Float: Scalars['Float']['output'];
  AdPlacement: AdPlacementRow;
  AdPlacementConnection: AdPlacementConnectionModel;
  AdPlacementEdge: AdPlacementEdgeModel;
  String: Scalars['String']['output'];
  AdPlacementFilter: AdPlacementFilter;
  AuditEntry: AuditEntryRow;
  AuditEntryConnection: AuditEntryConnectionModel;
  AuditEntryEdge: AuditEntryEdgeModel;
  AuditLogFilter: AuditLogFilter;
  BusinessFigures: BusinessFigures;
  BuyAdPlacementInput: BuyAdPlacementInput;
  Campaign: CampaignRow;
  CampaignArea: CampaignArea;
  CampaignAreaInput: CampaignAreaInput;
  CampaignConnection: CampaignConnectionModel;
  CampaignEdge: CampaignEdgeModel;
  CampaignFigures: CampaignFiguresModel;
  CampaignFilter: CampaignFilter;
  Coupon: CouponRow;
  CouponConnection: CouponConnectionModel;
  CouponEdge: CouponEdgeModel;
  CreateCampaignInput: CreateCampaignInput;
  DateTime: Scalars['DateTime']['output'];
  GeoPoint: GeoPoint;
  GeoPointInput: GeoPointInput;
  Merchant: MerchantReference;
  MerchantFigures: MerchantTotals;
  MerchantFiguresConnection: MerchantFiguresConnectionModel;
  MerchantFiguresEdge: MerchantFiguresEdgeModel;
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  Rider: RiderReference;
  RiderFigures: RiderPerformance;
  RiderFiguresConnection: RiderFiguresConnectionModel;
  RiderFiguresEdge: RiderFiguresEdgeModel;
};

export type AdClickResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AdClick'] = ResolversParentTypes['AdClick']> = {
  charged?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  merchant?: Resolver<ResolversTypes['Merchant'], ParentType, ContextType>;
  outcome?: Resolver<ResolversTypes['AdClickOutcome'], ParentType, ContextType>;
  placementId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type AdFiguresResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AdFigures'] = ResolversParentTypes['AdFigures']> = {
  budgetLeftTodayCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  clicks?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  ctr?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  impressions?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  ordersAttributed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  spentCents?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  spentTodayCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type AdPlacementResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AdPlacement'] = ResolversParentTypes['AdPlacement']> = {
  center?: Resolver<ResolversTypes['GeoPoint'], ParentType, ContextType>;
  cpcCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  createdBy?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  dailyBudgetCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  endsAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  figures?: Resolver<ResolversTypes['AdFigures'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  merchant?: Resolver<ResolversTypes['Merchant'], ParentType, ContextType>;
  radiusMeters?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  startsAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['AdPlacementStatus'], ParentType, ContextType>;
};

export type AdPlacementConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AdPlacementConnection'] = ResolversParentTypes['AdPlacementConnection']> = {
  edges?: Resolver<Array<ResolversTypes['AdPlacementEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type AdPlacementEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AdPlacementEdge'] = ResolversParentTypes['AdPlacementEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['AdPlacement'], ParentType, ContextType>;
};

export type AuditEntryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AuditEntry'] = ResolversParentTypes['AuditEntry']> = {
  action?: Resolver<ResolversTypes['AuditAction'], ParentType, ContextType>;
  actorId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  actorRoles?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  after?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  before?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  details?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  reason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  service?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  targetId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  targetType?: Resolver<ResolversTypes['AuditTargetType'], ParentType, ContextType>;
};

export type AuditEntryConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AuditEntryConnection'] = ResolversParentTypes['AuditEntryConnection']> = {
  edges?: Resolver<Array<ResolversTypes['AuditEntryEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type AuditEntryEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['AuditEntryEdge'] = ResolversParentTypes['AuditEntryEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['AuditEntry'], ParentType, ContextType>;
};

export type BusinessFiguresResolvers<ContextType = Context, ParentType extends ResolversParentTypes['BusinessFigures'] = ResolversParentTypes['BusinessFigures']> = {
  attentionShare?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  compensationCents?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  from?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  gmvCents?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  grabToDeliverySecondsAvg?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  grabToDeliverySecondsP90?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  ordersCancelled?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  ordersDelivered?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  ordersNeedingAttention?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  ordersPaid?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  ordersPlaced?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  overtimeDeliveries?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  overtimeRate?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  paidToGrabSecondsAvg?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  paidToGrabSecondsP90?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  to?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type CampaignResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Campaign'] = ResolversParentTypes['Campaign']> = {
  area?: Resolver<Maybe<ResolversTypes['CampaignArea']>, ParentType, ContextType>;
  budgetCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  capCents?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  endsAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  figures?: Resolver<ResolversTypes['CampaignFigures'], ParentType, ContextType>;
  fundedBy?: Resolver<ResolversTypes['FundedBy'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['CampaignKind'], ParentType, ContextType>;
  merchant?: Resolver<Maybe<ResolversTypes['Merchant']>, ParentType, ContextType>;
  merchantIds?: Resolver<Array<ResolversTypes['ID']>, ParentType, ContextType>;
  offCents?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  perCustomerLimit?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  percent?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  productIds?: Resolver<Maybe<Array<ResolversTypes['ID']>>, ParentType, ContextType>;
  running?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  stacksWith?: Resolver<Array<ResolversTypes['CampaignKind']>, ParentType, ContextType>;
  startsAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['CampaignStatus'], ParentType, ContextType>;
  thresholdCents?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  title?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type CampaignAreaResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CampaignArea'] = ResolversParentTypes['CampaignArea']> = {
  center?: Resolver<ResolversTypes['GeoPoint'], ParentType, ContextType>;
  radiusMeters?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type CampaignConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CampaignConnection'] = ResolversParentTypes['CampaignConnection']> = {
  edges?: Resolver<Array<ResolversTypes['CampaignEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type CampaignEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CampaignEdge'] = ResolversParentTypes['CampaignEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Campaign'], ParentType, ContextType>;
};

export type CampaignFiguresResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CampaignFigures'] = ResolversParentTypes['CampaignFigures']> = {
  budgetCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  couponsIssued?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  couponsUsed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  discountCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  leftCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  orders?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  pendingCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  pendingOrders?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  reservedCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  spentCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type CouponResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Coupon'] = ResolversParentTypes['Coupon']> = {
  campaignId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  customerId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  issuedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  offCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  state?: Resolver<ResolversTypes['CouponState'], ParentType, ContextType>;
  thresholdCents?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  title?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type CouponConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CouponConnection'] = ResolversParentTypes['CouponConnection']> = {
  edges?: Resolver<Array<ResolversTypes['CouponEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type CouponEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['CouponEdge'] = ResolversParentTypes['CouponEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Coupon'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type GeoPointResolvers<ContextType = Context, ParentType extends ResolversParentTypes['GeoPoint'] = ResolversParentTypes['GeoPoint']> = {
  lat?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  lng?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type MerchantResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Merchant'] = ResolversParentTypes['Merchant']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type MerchantFiguresResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MerchantFigures'] = ResolversParentTypes['MerchantFigures']> = {
  cancellations?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  gmvCents?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  merchant?: Resolver<ResolversTypes['Merchant'], ParentType, ContextType>;
  orders?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type MerchantFiguresConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MerchantFiguresConnection'] = ResolversParentTypes['MerchantFiguresConnection']> = {
  edges?: Resolver<Array<ResolversTypes['MerchantFiguresEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type MerchantFiguresEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MerchantFiguresEdge'] = ResolversParentTypes['MerchantFiguresEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['MerchantFigures'], ParentType, ContextType>;
};

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  buyAdPlacement?: Resolver<ResolversTypes['AdPlacement'], ParentType, ContextType, RequireFields<MutationBuyAdPlacementArgs, 'input'>>;
  createCampaign?: Resolver<ResolversTypes['Campaign'], ParentType, ContextType, RequireFields<MutationCreateCampaignArgs, 'input'>>;
  endAdPlacement?: Resolver<ResolversTypes['AdPlacement'], ParentType, ContextType, RequireFields<MutationEndAdPlacementArgs, 'id' | 'reason'>>;
  endCampaign?: Resolver<ResolversTypes['Campaign'], ParentType, ContextType, RequireFields<MutationEndCampaignArgs, 'id' | 'reason'>>;
  issueCoupon?: Resolver<ResolversTypes['Coupon'], ParentType, ContextType, RequireFields<MutationIssueCouponArgs, 'campaignId' | 'customerId' | 'expiresAt'>>;
  pauseAdPlacement?: Resolver<ResolversTypes['AdPlacement'], ParentType, ContextType, RequireFields<MutationPauseAdPlacementArgs, 'id' | 'reason'>>;
  pauseCampaign?: Resolver<ResolversTypes['Campaign'], ParentType, ContextType, RequireFields<MutationPauseCampaignArgs, 'id' | 'reason'>>;
  recordAdClick?: Resolver<ResolversTypes['AdClick'], ParentType, ContextType, RequireFields<MutationRecordAdClickArgs, 'placementId'>>;
  resumeAdPlacement?: Resolver<ResolversTypes['AdPlacement'], ParentType, ContextType, RequireFields<MutationResumeAdPlacementArgs, 'id' | 'reason'>>;
  resumeCampaign?: Resolver<ResolversTypes['Campaign'], ParentType, ContextType, RequireFields<MutationResumeCampaignArgs, 'id' | 'reason'>>;
};

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  adPlacement?: Resolver<Maybe<ResolversTypes['AdPlacement']>, ParentType, ContextType, RequireFields<QueryAdPlacementArgs, 'id'>>;
  adPlacements?: Resolver<ResolversTypes['AdPlacementConnection'], ParentType, ContextType, Partial<QueryAdPlacementsArgs>>;
  auditLog?: Resolver<ResolversTypes['AuditEntryConnection'], ParentType, ContextType, Partial<QueryAuditLogArgs>>;
  businessFigures?: Resolver<Array<ResolversTypes['BusinessFigures']>, ParentType, ContextType, RequireFields<QueryBusinessFiguresArgs, 'bucket' | 'from' | 'to'>>;
  campaign?: Resolver<Maybe<ResolversTypes['Campaign']>, ParentType, ContextType, RequireFields<QueryCampaignArgs, 'id'>>;
  campaigns?: Resolver<ResolversTypes['CampaignConnection'], ParentType, ContextType, Partial<QueryCampaignsArgs>>;
  merchantFigures?: Resolver<ResolversTypes['MerchantFiguresConnection'], ParentType, ContextType, RequireFields<QueryMerchantFiguresArgs, 'from' | 'to'>>;
  myCoupons?: Resolver<ResolversTypes['CouponConnection'], ParentType, ContextType, Partial<QueryMyCouponsArgs>>;
  riderFigures?: Resolver<ResolversTypes['RiderFiguresConnection'], ParentType, ContextType, RequireFields<QueryRiderFiguresArgs, 'from' | 'to'>>;
};

export type RiderResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Rider'] = ResolversParentTypes['Rider']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type RiderFiguresResolvers<ContextType = Context, ParentType extends ResolversParentTypes['RiderFigures'] = ResolversParentTypes['RiderFigures']> = {
  deliveries?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  overtimeDeliveries?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  overtimeRate?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  rider?: Resolver<ResolversTypes['Rider'], ParentType, ContextType>;
};

export type RiderFiguresConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['RiderFiguresConnection'] = ResolversParentTypes['RiderFiguresConnection']> = {
  edges?: Resolver<Array<ResolversTypes['RiderFiguresEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type RiderFiguresEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['RiderFiguresEdge'] = ResolversParentTypes['RiderFiguresEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['RiderFigures'], ParentType, ContextType>;
};

export type Resolvers<ContextType = Context> = {
  AdClick?: AdClickResolvers<ContextType>;
  AdFigures?: AdFiguresResolvers<ContextType>;
  AdPlacement?: AdPlacementResolvers<ContextType>;
  AdPlacementConnection?: AdPlacementConnectionResolvers<ContextType>;
  AdPlacementEdge?: AdPlacementEdgeResolvers<ContextType>;
  AuditEntry?: AuditEntryResolvers<ContextType>;
  AuditEntryConnection?: AuditEntryConnectionResolvers<ContextType>;
  AuditEntryEdge?: AuditEntryEdgeResolvers<ContextType>;
  BusinessFigures?: BusinessFiguresResolvers<ContextType>;
  Campaign?: CampaignResolvers<ContextType>;
  CampaignArea?: CampaignAreaResolvers<ContextType>;
  CampaignConnection?: CampaignConnectionResolvers<ContextType>;
  CampaignEdge?: CampaignEdgeResolvers<ContextType>;
  CampaignFigures?: CampaignFiguresResolvers<ContextType>;
  Coupon?: CouponResolvers<ContextType>;
  CouponConnection?: CouponConnectionResolvers<ContextType>;
  CouponEdge?: CouponEdgeResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  GeoPoint?: GeoPointResolvers<ContextType>;
  Merchant?: MerchantResolvers<ContextType>;
  MerchantFigures?: MerchantFiguresResolvers<ContextType>;
  MerchantFiguresConnection?: MerchantFiguresConnectionResolvers<ContextType>;
  MerchantFiguresEdge?: MerchantFiguresEdgeResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Rider?: RiderResolvers<ContextType>;
  RiderFigures?: RiderFiguresResolvers<ContextType>;
  RiderFiguresConnection?: RiderFiguresConnectionResolvers<ContextType>;
  RiderFiguresEdge?: RiderFiguresEdgeResolvers<ContextType>;
};

