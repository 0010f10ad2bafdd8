import { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import { RiderModel, OrderReference } from '../resolvers/mappers';
import { OrderOfferRow } from '../db/schema';
import { Context } from '../context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
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

/** Dispatch counts over one window of time, counted from the event stream. */
export type DispatchActivity = {
  __typename?: 'DispatchActivity';
  /** Orders grabbed by a rider in the window. */
  grabs: Scalars['Int']['output'];
  /** Dispatch rounds that ran out in the window with no rider grabbing (the order went back to CREATED). */
  offerExpiries: Scalars['Int']['output'];
  /** Offers sent to riders in the window (one per rider offered an order). */
  offersSent: Scalars['Int']['output'];
  /** End of the window (exclusive). */
  windowEnd: Scalars['DateTime']['output'];
  /** Start of the window (inclusive). */
  windowStart: Scalars['DateTime']['output'];
};

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

/** One point of a rider's recorded track. */
export type LocationPoint = {
  __typename?: 'LocationPoint';
  /** Latitude in [-90, 90]. */
  lat: Scalars['Float']['output'];
  /** Longitude in [-180, 180]. */
  lng: Scalars['Float']['output'];
  /** When the point was recorded: the phone's time for reportLocations, the server's for reportLocation. */
  recordedAt: Scalars['DateTime']['output'];
};

/** One GPS point of a rider's track, as the rider app recorded it. */
export type LocationPointInput = {
  /** Latitude in [-90, 90]. */
  lat: Scalars['Float']['input'];
  /** Longitude in [-180, 180]. */
  lng: Scalars['Float']['input'];
  /** When the phone took the fix: not more than 10 s ahead of the server's clock, not more than 1 hour old. */
  recordedAt: Scalars['DateTime']['input'];
};

/** What reportLocations did with a batch. */
export type LocationReport = {
  __typename?: 'LocationReport';
  /** Points recorded: those newer than the rider's newest point recorded before. A batch sent again (a retry) records nothing and answers 0. */
  accepted: Scalars['Int']['output'];
  /** The time of the rider's newest recorded point after this batch (this batch's, or an earlier one's when every point was older). Points at or before it are ignored if sent again. */
  latestRecordedAt: Scalars['DateTime']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Role RIDER: IDLE → OFFLINE. */
  goOffline: Rider;
  /** Role RIDER: OFFLINE → IDLE. */
  goOnline: Rider;
  /** Role RIDER: registers the caller as a rider (id = token sub); again returns the same rider. */
  registerRider: Rider;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN for other roles): lifts a suspension; the rider gets offers
   * again once IDLE and reporting. `reason` as for suspendRider, audited. Reinstating a rider who
   * is not suspended returns them unchanged and records nothing. NOT_FOUND when there is no such rider.
   */
  reinstateRider: Rider;
  /**
   * Role RIDER: the rider's current location, at the server's time; keeps the nearby-rider index
   * current and goes into the rider's track. True when recorded; false when the rider's newest
   * point (sent by reportLocations from a phone clock running ahead, at most 10 s) is later still.
   */
  reportLocation: Scalars['Boolean']['output'];
  /**
   * Role RIDER: the points the rider app buffered, oldest first (1..100 points, recordedAt strictly
   * increasing). The newest point becomes the rider's location exactly as reportLocation's does;
   * every point newer than the rider's newest recorded point goes into their track, older ones are
   * ignored (a late or repeated batch never moves the rider back). BAD_USER_INPUT, recording
   * nothing, for an empty or longer list, coordinates out of range, a recordedAt more than 10 s
   * ahead of the server's clock or more than 1 hour old, or points out of time order; NOT_FOUND
   * for a caller who is not a registered rider.
   */
  reportLocations: LocationReport;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN for other roles): suspends the rider. They get no more
   * offers, their live offers are withdrawn, their grabs are refused (RIDER_SUSPENDED) and their
   * offers subscription ends with RIDER_SUSPENDED; an order they are delivering stays theirs
   * until staff reassign it. `reason` is required (BAD_USER_INPUT when blank or over 500
   * characters) and audited. Suspending a suspended rider returns them unchanged and records
   * nothing. NOT_FOUND when there is no such rider.
   */
  suspendRider: Rider;
};


export type MutationRegisterRiderArgs = {
  input: RegisterRiderInput;
};


export type MutationReinstateRiderArgs = {
  reason: Scalars['String']['input'];
  riderId: Scalars['ID']['input'];
};


export type MutationReportLocationArgs = {
  location: GeoPointInput;
};


export type MutationReportLocationsArgs = {
  points: Array<LocationPointInput>;
};


export type MutationSuspendRiderArgs = {
  reason: Scalars['String']['input'];
  riderId: Scalars['ID']['input'];
};

/** What an offer frame stands for now. */
export type OfferStatus =
  /** The order is the rider's: they grabbed it, or staff assigned it to them (reassignOrder). */
  | 'ASSIGNED'
  /** The order is on offer to the rider (grabbable until it expires). */
  | 'OFFERED'
  /** The order was taken away from the rider: grabbed by another, cancelled, reassigned, or the rider was suspended. */
  | 'WITHDRAWN';

/** An order, owned by the orders subgraph; riders adds its rider. */
export type Order = {
  __typename?: 'Order';
  id: Scalars['ID']['output'];
  /** The rider delivering it, once one has grabbed it. */
  rider: Maybe<Rider>;
  riderId: Maybe<Scalars['ID']['output']>;
};

/** A grab-order offer (抢单): an order near the rider that the rider may grab until it expires. */
export type OrderOffer = {
  __typename?: 'OrderOffer';
  /** When it was offered. */
  createdAt: Scalars['DateTime']['output'];
  /** Distance from the rider to the merchant when offered, in meters. */
  distanceMeters: Scalars['Int']['output'];
  /** After this the offer can no longer be grabbed. */
  expiresAt: Scalars['DateTime']['output'];
  /** The offer's id. */
  id: Scalars['ID']['output'];
  /** The order on offer; null when the caller may no longer see it (another rider grabbed it, it was cancelled). */
  order: Maybe<Order>;
  /** The order's id, always: a WITHDRAWN frame names the order taken away even though the rider may no longer load it. */
  orderId: Scalars['ID']['output'];
  /** The rider it was offered to. */
  riderId: Scalars['ID']['output'];
  /** Dispatch round (1 = first radius; later rounds reach farther). */
  round: Scalars['Int']['output'];
  /** OFFERED, ASSIGNED or WITHDRAWN. A frame telling the rider an order was taken away from them is WITHDRAWN; one giving them an order (reassignOrder) is ASSIGNED. */
  status: OfferStatus;
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
  /** Role RIDER: one of the calling rider's offers while it is live (not expired, not withdrawn); OPERATOR/ADMIN: any. Null otherwise. */
  orderOffer: Maybe<OrderOffer>;
  /** Role RIDER: the calling rider's offers that have not expired, newest first. */
  pendingOrderOffers: Array<OrderOffer>;
  /** The rider (self), OPERATOR or ADMIN; null for anyone else or when there is none. */
  rider: Maybe<Rider>;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN for other roles, UNAUTHENTICATED without a token): the
   * rider's most recent recorded points, oldest first: up to `last` (1..500, BAD_USER_INPUT
   * otherwise). The track keeps a rider's last 500 points and is forgotten 1 hour after their
   * last point; empty for a rider with no track (or no such rider).
   */
  riderTrail: Array<LocationPoint>;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN for other roles, UNAUTHENTICATED without a token): every
   * rider matching the filter, newest registered first (registration time, then id), a page at a
   * time. BAD_USER_INPUT for an empty status list, lastSeenTo not after lastSeenFrom, near without
   * radiusMeters (or the reverse), a radius outside 1..50000, a bad page size or a cursor this API
   * did not give out.
   */
  searchRiders: RiderConnection;
};


export type QueryOrderOfferArgs = {
  id: Scalars['ID']['input'];
};


export type QueryRiderArgs = {
  id: Scalars['ID']['input'];
};


export type QueryRiderTrailArgs = {
  last?: InputMaybe<Scalars['Int']['input']>;
  riderId: Scalars['ID']['input'];
};


export type QuerySearchRidersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<RiderSearchFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A new rider. */
export type RegisterRiderInput = {
  /** 1..50 characters. */
  name: Scalars['String']['input'];
  /** A phone number, 5..20 digits, optional leading +. */
  phone: Scalars['String']['input'];
  /** Up to 30 characters. */
  vehicle?: InputMaybe<Scalars['String']['input']>;
};

/** A delivery rider (骑手). The rider's id is their token's sub. */
export type Rider = {
  __typename?: 'Rider';
  /** When the rider registered. */
  createdAt: Scalars['DateTime']['output'];
  /** The rider's id (their token's sub). */
  id: Scalars['ID']['output'];
  /** Last reported location. */
  location: Maybe<GeoPoint>;
  /** When the location was last reported. */
  locationUpdatedAt: Maybe<Scalars['DateTime']['output']>;
  /** Name shown to customers. */
  name: Scalars['String']['output'];
  /** The rider (self), OPERATOR or ADMIN only; null for anyone else. */
  phone: Maybe<Scalars['String']['output']>;
  /** OFFLINE, IDLE or DELIVERING. */
  status: RiderStatus;
  /** Whether operations suspended the rider: a suspended rider gets no offers and cannot grab (RIDER_SUSPENDED). */
  suspended: Scalars['Boolean']['output'];
  /** Why the rider is suspended: the rider (self), OPERATOR or ADMIN only; null for anyone else and when not suspended. */
  suspendedReason: Maybe<Scalars['String']['output']>;
  /** e.g. e-bike, scooter. */
  vehicle: Maybe<Scalars['String']['output']>;
};

/** A page of riders. */
export type RiderConnection = {
  __typename?: 'RiderConnection';
  /** The riders of this page, newest registered first. */
  edges: Array<RiderEdge>;
  /** Where this page ends. */
  pageInfo: PageInfo;
};

/** One rider in a page, with the cursor that points at it. */
export type RiderEdge = {
  __typename?: 'RiderEdge';
  /** Opaque position of this rider. */
  cursor: Scalars['String']['output'];
  /** The rider. */
  node: Rider;
};

/** Which riders searchRiders returns: every given filter must hold. */
export type RiderSearchFilter = {
  /** Only riders whose location was last saved at or after this (saved from the live location every LOCATION_PERSIST_SECONDS, 30 s). */
  lastSeenFrom?: InputMaybe<Scalars['DateTime']['input']>;
  /** Only riders whose location was last saved before this. */
  lastSeenTo?: InputMaybe<Scalars['DateTime']['input']>;
  /** Only riders last seen within radiusMeters of this point (both or neither). */
  near?: InputMaybe<GeoPointInput>;
  /** 1..50000 meters, with near. */
  radiusMeters?: InputMaybe<Scalars['Int']['input']>;
  /** Only riders in these statuses (not empty). */
  statuses?: InputMaybe<Array<RiderStatus>>;
  /** Only suspended riders (true) or only riders not suspended (false). */
  suspended?: InputMaybe<Scalars['Boolean']['input']>;
};

/** Whether a rider can take orders. */
export type RiderStatus =
  /** Delivering an order; receives no offers until delivered. */
  | 'DELIVERING'
  /** Online and free: receives offers near where they are. */
  | 'IDLE'
  /** Not working; receives no offers. */
  | 'OFFLINE';

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * OPERATOR or ADMIN (FORBIDDEN for other roles): city-wide dispatch counts, one frame per window
   * of a few seconds (the gateway's DISPATCH_ACTIVITY_WINDOW_MS, 5 s), sent also when nothing
   * happened. Counted by the gateway from the event stream; the riders subgraph does not serve it.
   */
  dispatchActivity: DispatchActivity;
  /**
   * Role RIDER: the calling rider's offers, as soon as they are dispatched, and a frame with status
   * WITHDRAWN when an order they held is taken away; `riderId`, if given, must be their own
   * (FORBIDDEN otherwise). A rider who is suspended has this subscription ended with an error
   * RIDER_SUSPENDED. OPERATOR or ADMIN: every rider's offers, or one rider's with `riderId`.
   * FORBIDDEN for other roles.
   */
  orderOffers: OrderOffer;
  /**
   * OPERATOR, ADMIN or the rider themself (FORBIDDEN for anyone else): the rider, each time their
   * status or suspension changes.
   */
  riderUpdated: Rider;
};


export type SubscriptionOrderOffersArgs = {
  riderId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionRiderUpdatedArgs = {
  riderId: Scalars['ID']['input'];
};



export type ResolverTypeWrapper<T> = T | Promise<T>;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

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

/** Mapping of federation types */
export type FederationTypes = {
  Order: Order;
  OrderOffer: OrderOffer;
  Rider: Rider;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Order:
    ( { __typename: 'Order' }
    & GraphQLRecursivePick<FederationTypes['Order'], {"id":true}>
    & ( Record<PropertyKey, never>
        | GraphQLRecursivePick<FederationTypes['Order'], {"riderId":true}> ) );
  OrderOffer:
    ( { __typename: 'OrderOffer' }
    & GraphQLRecursivePick<FederationTypes['OrderOffer'], {"id":true}> );
  Rider:
    ( { __typename: 'Rider' }
    & GraphQLRecursivePick<FederationTypes['Rider'], {"id":true}> );
};



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DispatchActivity: ResolverTypeWrapper<DispatchActivity>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  GeoPoint: ResolverTypeWrapper<GeoPoint>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  GeoPointInput: GeoPointInput;
  LocationPoint: ResolverTypeWrapper<LocationPoint>;
  LocationPointInput: LocationPointInput;
  LocationReport: ResolverTypeWrapper<LocationReport>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  OfferStatus: OfferStatus;
  Order: ResolverTypeWrapper<OrderReference>;
  OrderOffer: ResolverTypeWrapper<OrderOfferRow>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  RegisterRiderInput: RegisterRiderInput;
  Rider: ResolverTypeWrapper<RiderModel>;
  RiderConnection: ResolverTypeWrapper<Omit<RiderConnection, 'edges'> & { edges: Array<ResolversTypes['RiderEdge']> }>;
  RiderEdge: ResolverTypeWrapper<Omit<RiderEdge, 'node'> & { node: ResolversTypes['Rider'] }>;
  RiderSearchFilter: RiderSearchFilter;
  RiderStatus: RiderStatus;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  DateTime: Scalars['DateTime']['output'];
  DispatchActivity: DispatchActivity;
  Int: Scalars['Int']['output'];
  GeoPoint: GeoPoint;
  Float: Scalars['Float']['output'];
  GeoPointInput: GeoPointInput;
  LocationPoint: LocationPoint;
  LocationPointInput: LocationPointInput;
  LocationReport: LocationReport;
  Mutation: Record<PropertyKey, never>;
  String: Scalars['String']['output'];
  ID: Scalars['ID']['output'];
  Boolean: Scalars['Boolean']['output'];
  Order: OrderReference;
  OrderOffer: OrderOfferRow;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  RegisterRiderInput: RegisterRiderInput;
  Rider: RiderModel;
  RiderConnection: Omit<RiderConnection, 'edges'> & { edges: Array<ResolversParentTypes['RiderEdge']> };
  RiderEdge: Omit<RiderEdge, 'node'> & { node: ResolversParentTypes['Rider'] };
  RiderSearchFilter: RiderSearchFilter;
  Subscription: Record<PropertyKey, never>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DispatchActivityResolvers<ContextType = Context, ParentType extends ResolversParentTypes['DispatchActivity'] = ResolversParentTypes['DispatchActivity']> = {
  grabs?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  offerExpiries?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  offersSent?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  windowEnd?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  windowStart?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type GeoPointResolvers<ContextType = Context, ParentType extends ResolversParentTypes['GeoPoint'] = ResolversParentTypes['GeoPoint']> = {
  lat?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  lng?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type LocationPointResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LocationPoint'] = ResolversParentTypes['LocationPoint']> = {
  lat?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  lng?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  recordedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type LocationReportResolvers<ContextType = Context, ParentType extends ResolversParentTypes['LocationReport'] = ResolversParentTypes['LocationReport']> = {
  accepted?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  latestRecordedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  goOffline?: Resolver<ResolversTypes['Rider'], ParentType, ContextType>;
  goOnline?: Resolver<ResolversTypes['Rider'], ParentType, ContextType>;
  registerRider?: Resolver<ResolversTypes['Rider'], ParentType, ContextType, RequireFields<MutationRegisterRiderArgs, 'input'>>;
  reinstateRider?: Resolver<ResolversTypes['Rider'], ParentType, ContextType, RequireFields<MutationReinstateRiderArgs, 'reason' | 'riderId'>>;
  reportLocation?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationReportLocationArgs, 'location'>>;
  reportLocations?: Resolver<ResolversTypes['LocationReport'], ParentType, ContextType, RequireFields<MutationReportLocationsArgs, 'points'>>;
  suspendRider?: Resolver<ResolversTypes['Rider'], ParentType, ContextType, RequireFields<MutationSuspendRiderArgs, 'reason' | 'riderId'>>;
};

export type OrderResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Order'] = ResolversParentTypes['Order'], FederationReferenceType extends FederationReferenceTypes['Order'] = FederationReferenceTypes['Order']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Order']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  rider?: Resolver<Maybe<ResolversTypes['Rider']>, ParentType, ContextType>;
};

export type OrderOfferResolvers<ContextType = Context, ParentType extends ResolversParentTypes['OrderOffer'] = ResolversParentTypes['OrderOffer'], FederationReferenceType extends FederationReferenceTypes['OrderOffer'] = FederationReferenceTypes['OrderOffer']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['OrderOffer']> | FederationReferenceType, FederationReferenceType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  distanceMeters?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  order?: Resolver<Maybe<ResolversTypes['Order']>, ParentType, ContextType>;
  orderId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  riderId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  round?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['OfferStatus'], ParentType, ContextType>;
};

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  orderOffer?: Resolver<Maybe<ResolversTypes['OrderOffer']>, ParentType, ContextType, RequireFields<QueryOrderOfferArgs, 'id'>>;
  pendingOrderOffers?: Resolver<Array<ResolversTypes['OrderOffer']>, ParentType, ContextType>;
  rider?: Resolver<Maybe<ResolversTypes['Rider']>, ParentType, ContextType, RequireFields<QueryRiderArgs, 'id'>>;
  riderTrail?: Resolver<Array<ResolversTypes['LocationPoint']>, ParentType, ContextType, RequireFields<QueryRiderTrailArgs, 'last' | 'riderId'>>;
  searchRiders?: Resolver<ResolversTypes['RiderConnection'], ParentType, ContextType, Partial<QuerySearchRidersArgs>>;
};

export type RiderResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Rider'] = ResolversParentTypes['Rider'], FederationReferenceType extends FederationReferenceTypes['Rider'] = FederationReferenceTypes['Rider']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Rider']> | FederationReferenceType, FederationReferenceType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  location?: Resolver<Maybe<ResolversTypes['GeoPoint']>, ParentType, ContextType>;
  locationUpdatedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  phone?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['RiderStatus'], ParentType, ContextType>;
  suspended?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  suspendedReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  vehicle?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type RiderConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['RiderConnection'] = ResolversParentTypes['RiderConnection']> = {
  edges?: Resolver<Array<ResolversTypes['RiderEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type RiderEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['RiderEdge'] = ResolversParentTypes['RiderEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Rider'], ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  dispatchActivity?: SubscriptionResolver<ResolversTypes['DispatchActivity'], "dispatchActivity", ParentType, ContextType>;
  orderOffers?: SubscriptionResolver<ResolversTypes['OrderOffer'], "orderOffers", ParentType, ContextType, Partial<SubscriptionOrderOffersArgs>>;
  riderUpdated?: SubscriptionResolver<ResolversTypes['Rider'], "riderUpdated", ParentType, ContextType, RequireFields<SubscriptionRiderUpdatedArgs, 'riderId'>>;
};

export type Resolvers<ContextType = Context> = {
  DateTime?: GraphQLScalarType;
  DispatchActivity?: DispatchActivityResolvers<ContextType>;
  GeoPoint?: GeoPointResolvers<ContextType>;
  LocationPoint?: LocationPointResolvers<ContextType>;
  LocationReport?: LocationReportResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Order?: OrderResolvers<ContextType>;
  OrderOffer?: OrderOfferResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Rider?: RiderResolvers<ContextType>;
  RiderConnection?: RiderConnectionResolvers<ContextType>;
  RiderEdge?: RiderEdgeResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
};

