import { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import { AuditEntryRow } from '../db/schema';
import { AuditEntryConnectionModel, AuditEntryEdgeModel, MerchantFiguresConnectionModel, MerchantFiguresEdgeModel, RiderFiguresConnectionModel, RiderFiguresEdgeModel, MerchantReference, RiderReference } from '../resolvers/mappers';
import { MerchantTotals } from '../db/figures-store';
import { RiderPerformance } from '../domain/figures';
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

/** How long one bucket of business figures is, aligned to UTC. */
export type FigureBucket =
  /** One UTC day. */
  | 'DAY'
  /** One UTC hour. */
  | 'HOUR';

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
   * Role OPERATOR or ADMIN (FORBIDDEN for other roles, UNAUTHENTICATED without a token): per shop
   * with any order placed, paid or cancelled in [from, to), by merchant id. BAD_USER_INPUT when
   * `to` is not after `from`, for a `first` outside 1..100 or a cursor this API did not give out.
   */
  merchantFigures: MerchantFiguresConnection;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN for other roles, UNAUTHENTICATED without a token): per rider
   * with a delivery in [from, to), by rider id. BAD_USER_INPUT when `to` is not after `from`, for
   * a `first` outside 1..100 or a cursor this API did not give out.
   */
  riderFigures: RiderFiguresConnection;
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


export type QueryMerchantFiguresArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  from: Scalars['DateTime']['input'];
  to: Scalars['DateTime']['input'];
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
  AuditAction: AuditAction;
  AuditEntry: ResolverTypeWrapper<AuditEntryRow>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  AuditEntryConnection: ResolverTypeWrapper<AuditEntryConnectionModel>;
  AuditEntryEdge: ResolverTypeWrapper<AuditEntryEdgeModel>;
  AuditLogFilter: AuditLogFilter;
  AuditTargetType: AuditTargetType;
  BusinessFigures: ResolverTypeWrapper<BusinessFigures>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  FigureBucket: FigureBucket;
  Merchant: ResolverTypeWrapper<MerchantReference>;
  MerchantFigures: ResolverTypeWrapper<MerchantTotals>;
  MerchantFiguresConnection: ResolverTypeWrapper<MerchantFiguresConnectionModel>;
  MerchantFiguresEdge: ResolverTypeWrapper<MerchantFiguresEdgeModel>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Rider: ResolverTypeWrapper<RiderReference>;
  RiderFigures: ResolverTypeWrapper<RiderPerformance>;
  RiderFiguresConnection: ResolverTypeWrapper<RiderFiguresConnectionModel>;
  RiderFiguresEdge: ResolverTypeWrapper<RiderFiguresEdgeModel>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  AuditEntry: AuditEntryRow;
  ID: Scalars['ID']['output'];
  String: Scalars['String']['output'];
  AuditEntryConnection: AuditEntryConnectionModel;
  AuditEntryEdge: AuditEntryEdgeModel;
  AuditLogFilter: AuditLogFilter;
  BusinessFigures: BusinessFigures;
  Float: Scalars['Float']['output'];
  Int: Scalars['Int']['output'];
  DateTime: Scalars['DateTime']['output'];
  Merchant: MerchantReference;
  MerchantFigures: MerchantTotals;
  MerchantFiguresConnection: MerchantFiguresConnectionModel;
  MerchantFiguresEdge: MerchantFiguresEdgeModel;
  PageInfo: PageInfo;
  Boolean: Scalars['Boolean']['output'];
  Query: Record<PropertyKey, never>;
  Rider: RiderReference;
  RiderFigures: RiderPerformance;
  RiderFiguresConnection: RiderFiguresConnectionModel;
  RiderFiguresEdge: RiderFiguresEdgeModel;
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

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

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

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  auditLog?: Resolver<ResolversTypes['AuditEntryConnection'], ParentType, ContextType, Partial<QueryAuditLogArgs>>;
  businessFigures?: Resolver<Array<ResolversTypes['BusinessFigures']>, ParentType, ContextType, RequireFields<QueryBusinessFiguresArgs, 'bucket' | 'from' | 'to'>>;
  merchantFigures?: Resolver<ResolversTypes['MerchantFiguresConnection'], ParentType, ContextType, RequireFields<QueryMerchantFiguresArgs, 'from' | 'to'>>;
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
  AuditEntry?: AuditEntryResolvers<ContextType>;
  AuditEntryConnection?: AuditEntryConnectionResolvers<ContextType>;
  AuditEntryEdge?: AuditEntryEdgeResolvers<ContextType>;
  BusinessFigures?: BusinessFiguresResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Merchant?: MerchantResolvers<ContextType>;
  MerchantFigures?: MerchantFiguresResolvers<ContextType>;
  MerchantFiguresConnection?: MerchantFiguresConnectionResolvers<ContextType>;
  MerchantFiguresEdge?: MerchantFiguresEdgeResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Rider?: RiderResolvers<ContextType>;
  RiderFigures?: RiderFiguresResolvers<ContextType>;
  RiderFiguresConnection?: RiderFiguresConnectionResolvers<ContextType>;
  RiderFiguresEdge?: RiderFiguresEdgeResolvers<ContextType>;
};

