import { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import { OrderRow, OrderTimelineRow } from '../db/schema';
import { PricedLine, BreakdownDiscount, PriceBreakdown as PriceBreakdownModel } from '../domain/pricing';
import { OrderConnectionModel, OrderEdgeModel, MerchantReference, RiderReference, ProductReference } from '../resolvers/mappers';
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

/** A new order: items from one merchant, delivered to one place. */
export type CreateOrderInput = {
  /**
   * One of the customer's coupons (myCoupons). Applied when its campaign can still cover it; a
   * coupon that cannot (used, expired, another customer's, budget spent) is left out, never refused.
   */
  couponId?: InputMaybe<Scalars['ID']['input']>;
  /** 1..300 characters. */
  deliveryAddress: Scalars['String']['input'];
  /** Inside the merchant's delivery radius. */
  deliveryLocation: GeoPointInput;
  /** The same key from the same customer returns the same order instead of a second one (1..64 characters). */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  /** 1..50 lines, all from the same merchant. */
  items: Array<OrderItemInput>;
};

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

/** A shop, owned by the products subgraph; orders adds its orders. */
export type Merchant = {
  __typename?: 'Merchant';
  id: Scalars['ID']['output'];
  /** Role MERCHANT (owner) or OPERATOR/ADMIN: the shop's orders, newest first. */
  orders: OrderConnection;
  ownerId: Maybe<Scalars['ID']['output']>;
};


/** A shop, owned by the products subgraph; orders adds its orders. */
export type MerchantOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<Array<OrderStatus>>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Role CUSTOMER (owner), only while PENDING_PAYMENT; OPERATOR/ADMIN also later, with a `reason` (1..500 characters, BAD_USER_INPUT otherwise) that goes to the audit log. Stock is released. */
  cancelOrder: Order;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN for other roles): cancels an order the customer does not
   * have yet (PENDING_PAYMENT, CREATED, NOTIFIED, DELIVERING, OVERTIME → CANCELLED). Its stock is
   * released, money taken is refunded in full, its rider (if any) is freed. Audited with the
   * reason. Idempotent: an order already CANCELLED is returned as it is. Errors: BAD_USER_INPUT
   * (reason blank or over 500 characters), NOT_FOUND, INVALID_STATE_TRANSITION (RECEIVED,
   * COMPENSATING, CLOSED).
   */
  cancelOrderAsStaff: Order;
  /** Role CUSTOMER (owner): the food arrived (DELIVERING or OVERTIME → RECEIVED). */
  confirmReceipt: Order;
  /**
   * Role CUSTOMER: places an order (seed name kept); stock and discounts are reserved and the order
   * waits for payment. Discounts are priced by the server (as quoteOrder) and kept in
   * priceBreakdown; when the promotions service does not answer in time, the order is placed
   * without discounts (priceBreakdown.discountsAvailable false), never refused over them.
   */
  createOrder: Order;
  /** Role RIDER, the order's rider: DELIVERING or OVERTIME → RECEIVED. */
  deliverOrder: Order;
  /**
   * Role RIDER holding a live offer: exactly one concurrent grabber wins; the others get
   * ORDER_ALREADY_TAKEN. Idempotent for the winner: repeating it (an answer lost) returns the
   * order as it is now, even once the live offer is gone or the order has moved on.
   */
  grabOrder: Order;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN for other roles): marks an order delivered on its rider's
   * behalf (DELIVERING or OVERTIME → RECEIVED), exactly as the rider's deliverOrder: a late
   * delivery is compensated when the order closes. Audited with the reason. Idempotent: an order
   * already delivered (RECEIVED, COMPENSATING, CLOSED) is returned as it is. Errors: BAD_USER_INPUT
   * (reason blank or over 500 characters), NOT_FOUND, INVALID_STATE_TRANSITION (any other status).
   */
  markOrderDelivered: Order;
  /** Role RIDER, the order's rider: the food left the shop. */
  pickUpOrder: Order;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN for other roles): gives a grabbed order (DELIVERING or
   * OVERTIME) to another rider; the old rider is told it was taken away, the new rider gets it
   * (both through the riders service; orders does not check the new rider's registration or
   * suspension, which riders owns).
   * Audited with the reason. Idempotent: repeating the reassignment returns the order as it is.
   * Errors: BAD_USER_INPUT (reason blank or over 500 characters, riderId blank or the rider who
   * grabbed it), NOT_FOUND, INVALID_STATE_TRANSITION (any other status).
   */
  reassignOrder: Order;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN for other roles): sends a waiting order (CREATED or
   * NOTIFIED, flagged or not) back to dispatch, within radiusMeters of the shop and/or to the
   * named riders only; needsAttention is cleared and offers still out are superseded (the order is
   * CREATED until dispatch offers it again). Audited with the reason. Idempotent: the same request
   * again before dispatch answered returns the order as it is. Errors: BAD_USER_INPUT (reason blank
   * or over 500 characters, radiusMeters outside 1..50000, riderIds empty, over 20 or with a blank
   * id), NOT_FOUND, INVALID_STATE_TRANSITION (any other status).
   */
  redispatchOrder: Order;
};


export type MutationCancelOrderArgs = {
  orderId: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
};


export type MutationCancelOrderAsStaffArgs = {
  orderId: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};


export type MutationConfirmReceiptArgs = {
  orderId: Scalars['ID']['input'];
};


export type MutationCreateOrderArgs = {
  input: CreateOrderInput;
};


export type MutationDeliverOrderArgs = {
  orderId: Scalars['ID']['input'];
};


export type MutationGrabOrderArgs = {
  orderId: Scalars['ID']['input'];
};


export type MutationMarkOrderDeliveredArgs = {
  orderId: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};


export type MutationPickUpOrderArgs = {
  orderId: Scalars['ID']['input'];
};


export type MutationReassignOrderArgs = {
  orderId: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
  riderId: Scalars['ID']['input'];
};


export type MutationRedispatchOrderArgs = {
  orderId: Scalars['ID']['input'];
  radiusMeters?: InputMaybe<Scalars['Int']['input']>;
  reason: Scalars['String']['input'];
  riderIds?: InputMaybe<Array<Scalars['ID']['input']>>;
};

/** A customer's order from one merchant. */
export type Order = {
  __typename?: 'Order';
  /** Why it was cancelled. */
  cancelReason: Maybe<Scalars['String']['output']>;
  /** When it was cancelled. */
  cancelledAt: Maybe<Scalars['DateTime']['output']>;
  /** When it closed. */
  closedAt: Maybe<Scalars['DateTime']['output']>;
  /** When it was placed. */
  createdAt: Scalars['DateTime']['output'];
  /** The customer's user id. */
  customerId: Scalars['ID']['output'];
  /** The promised delivery time. */
  deadlineAt: Scalars['DateTime']['output'];
  /** When it was delivered. */
  deliveredAt: Maybe<Scalars['DateTime']['output']>;
  /** Where to deliver. */
  deliveryAddress: Scalars['String']['output'];
  /** Where to deliver, as a point. */
  deliveryLocation: GeoPoint;
  /** When a rider grabbed it. */
  grabbedAt: Maybe<Scalars['DateTime']['output']>;
  /** The order's id. */
  id: Scalars['ID']['output'];
  /** What was ordered, with prices as they were when the order was placed. */
  items: Array<OrderItem>;
  /** The shop the order is from. */
  merchant: Merchant;
  /**
   * Set when dispatch gave up without a rider: every round offered and none grabbed
   * (DISPATCH_MAX_ROUNDS), or no rider reached at all within DISPATCH_GIVE_UP_SECONDS.
   * Operations should step in; the order stays CREATED.
   */
  needsAttention: Scalars['Boolean']['output'];
  /** When its payment succeeded. */
  paidAt: Maybe<Scalars['DateTime']['output']>;
  /** Unpaid orders are cancelled at this time. */
  paymentDueAt: Maybe<Scalars['DateTime']['output']>;
  /** When the rider picked the food up at the shop. */
  pickedUpAt: Maybe<Scalars['DateTime']['output']>;
  /** How the total was reached when the order was placed: lines, discounts with their campaigns, delivery fee. */
  priceBreakdown: PriceBreakdown;
  /** The rider who grabbed it, by id. */
  riderId: Maybe<Scalars['ID']['output']>;
  /** Where the order is in its life. */
  status: OrderStatus;
  /** Every status change, oldest first. */
  timeline: Array<OrderStatusChange>;
  /** Amount due in CNY cents: the items less their discounts plus the delivery fee (priceBreakdown.totalCents). */
  totalCents: Scalars['Int']['output'];
  /** Whether it was delivered after its deadline. */
  wasOvertime: Scalars['Boolean']['output'];
};

/** A page of orders. */
export type OrderConnection = {
  __typename?: 'OrderConnection';
  /** The orders of this page. */
  edges: Array<OrderEdge>;
  /** Where this page ends. */
  pageInfo: PageInfo;
};

/** One discount of a price breakdown, with the campaign that pays for it. */
export type OrderDiscount = {
  __typename?: 'OrderDiscount';
  /** How much it takes off, in CNY cents (positive). */
  amountCents: Scalars['Int']['output'];
  /** The campaign (operations subgraph). */
  campaignId: Scalars['ID']['output'];
  /** The coupon it used, for a COUPON campaign. */
  couponId: Maybe<Scalars['ID']['output']>;
  /** Who pays for it. */
  fundedBy: FundedBy;
  /** The campaign's kind. */
  kind: CampaignKind;
  /** The campaign's title, as the customer sees it. */
  title: Scalars['String']['output'];
};

/** One order in a page, with the cursor that points at it. */
export type OrderEdge = {
  __typename?: 'OrderEdge';
  /** Opaque position of this order. */
  cursor: Scalars['String']['output'];
  /** The order. */
  node: Order;
};

/** One line of an order. */
export type OrderItem = {
  __typename?: 'OrderItem';
  /** The product ordered. */
  product: Product;
  /** The product's name when the order was placed. */
  productName: Scalars['String']['output'];
  /** How many. */
  quantity: Scalars['Int']['output'];
  /** unitPriceCents × quantity. */
  subtotalCents: Scalars['Int']['output'];
  /** The product's price in cents when the order was placed. */
  unitPriceCents: Scalars['Int']['output'];
};

/** One line of a new order. */
export type OrderItemInput = {
  /** A product of the order's merchant, on sale. */
  productId: Scalars['ID']['input'];
  /** At least 1, at most 99. */
  quantity: Scalars['Int']['input'];
};

/**
 * Staff search of orders (searchOrders): every given filter must hold. Each leading filter is
 * backed by an index, so a console may poll it.
 */
export type OrderSearchFilter = {
  /** Placed at or after this time. */
  createdFrom?: InputMaybe<Scalars['DateTime']['input']>;
  /** Placed before this time (after createdFrom). */
  createdTo?: InputMaybe<Scalars['DateTime']['input']>;
  /** Only this customer's orders. */
  customerId?: InputMaybe<Scalars['ID']['input']>;
  /** Only this shop's orders. */
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  /** Only orders flagged for operations (true) or not flagged (false). */
  needsAttention?: InputMaybe<Scalars['Boolean']['input']>;
  /** Only orders that were or are late (true), or never were (false). */
  overtime?: InputMaybe<Scalars['Boolean']['input']>;
  /** Only orders this rider holds or held. */
  riderId?: InputMaybe<Scalars['ID']['input']>;
  /** Only orders in one of these statuses (at least one when given). */
  statuses?: InputMaybe<Array<OrderStatus>>;
  /** 1..100 characters: the start of an order id, or part of the delivery address (case-insensitive). */
  text?: InputMaybe<Scalars['String']['input']>;
};

/** Where an order is in its life (订单的状态流转). */
export type OrderStatus =
  /** Cancelled before payment, the payment window expired, or staff cancelled it before delivery; stock released, money taken refunded. */
  | 'CANCELLED'
  /** Finished. */
  | 'CLOSED'
  /** It was late; the compensation refund is under way (赔付). */
  | 'COMPENSATING'
  /** Paid; waiting to be offered to riders. */
  | 'CREATED'
  /** A rider grabbed it and is delivering it. */
  | 'DELIVERING'
  /** Offered to riders near the merchant; waiting for one to grab it. */
  | 'NOTIFIED'
  /** Still being delivered after the promised deadline. */
  | 'OVERTIME'
  /** Created, stock reserved, waiting for the customer to pay. */
  | 'PENDING_PAYMENT'
  /** The customer has the food. */
  | 'RECEIVED';

/** One status change of an order. */
export type OrderStatusChange = {
  __typename?: 'OrderStatusChange';
  /** When. */
  at: Scalars['DateTime']['output'];
  /** The status the order entered. */
  status: OrderStatus;
};

/** Relay page information of a cursor connection. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** The cursor to pass as `after` for the next page; null on an empty page. */
  endCursor: Maybe<Scalars['String']['output']>;
  /** Whether another page follows this one. */
  hasNextPage: Scalars['Boolean']['output'];
};

/**
 * What a checkout page shows, and what an order keeps from the moment it was placed: every
 * amount in CNY cents. totalCents = itemsCents - discountCents + deliveryFeeCents.
 */
export type PriceBreakdown = {
  __typename?: 'PriceBreakdown';
  /** The delivery fee. */
  deliveryFeeCents: Scalars['Int']['output'];
  /** The sum of the discounts (never more than itemsCents). */
  discountCents: Scalars['Int']['output'];
  /** Each discount applied, with its campaign; empty when none applies or discountsAvailable is false. */
  discounts: Array<OrderDiscount>;
  /**
   * False when the promotions service did not answer in time: the breakdown has no discounts
   * (checkout still works; the page can say discounts could not be applied).
   */
  discountsAvailable: Scalars['Boolean']['output'];
  /** The sum of the lines' subtotals. */
  itemsCents: Scalars['Int']['output'];
  /** The lines, at the prices products gives them (never the client's). */
  lines: Array<OrderItem>;
  /** What the customer pays. */
  totalCents: Scalars['Int']['output'];
};

/** A product, owned by the products subgraph. */
export type Product = {
  __typename?: 'Product';
  id: Scalars['ID']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** Role CUSTOMER: the caller's orders, newest first. */
  myOrders: OrderConnection;
  /** The order's customer, its rider, the merchant's owner, OPERATOR or ADMIN (seed name: getOrderInfo); null for anyone else or when there is none. */
  order: Maybe<Order>;
  /**
   * Role CUSTOMER (FORBIDDEN for other roles, UNAUTHENTICATED without a token): the price
   * breakdown createOrder would give this basket now (lines at products' prices, the discounts
   * of running campaigns, the delivery fee), reserving nothing: neither stock nor discounts. When
   * the promotions service does not answer in time the breakdown has no discounts and
   * discountsAvailable is false. Errors as createOrder's: BAD_USER_INPUT (no items, over 50, a
   * product twice, a quantity outside 1..99, products unknown, off sale or of several shops, a place
   * the shop does not deliver to), OUT_OF_STOCK (not enough left right now), MERCHANT_SUSPENDED.
   */
  quoteOrder: PriceBreakdown;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN for other roles, UNAUTHENTICATED without a token): every
   * order matching the filter, newest first (placed time, then id), a page at a time.
   * BAD_USER_INPUT for an empty status list, createdTo not after createdFrom, blank or too long
   * text, a bad page size or a cursor this API did not give out.
   */
  searchOrders: OrderConnection;
};


export type QueryMyOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryOrderArgs = {
  id: Scalars['ID']['input'];
};


export type QueryQuoteOrderArgs = {
  input: QuoteOrderInput;
};


export type QuerySearchOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<OrderSearchFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A checkout page's basket, checked exactly as createOrder checks its items and delivery location. */
export type QuoteOrderInput = {
  /** One of the customer's coupons, to see what it takes off. */
  couponId?: InputMaybe<Scalars['ID']['input']>;
  /** Inside the merchant's delivery radius. */
  deliveryLocation: GeoPointInput;
  /** 1..50 lines, all from the same merchant. */
  items: Array<OrderItemInput>;
};

/** A rider, owned by the riders subgraph; orders adds what it is delivering. */
export type Rider = {
  __typename?: 'Rider';
  /** The rider (self) or OPERATOR/ADMIN: orders the rider has grabbed and not yet delivered. */
  activeOrders: Array<Order>;
  id: Scalars['ID']['output'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /** The order's customer, OPERATOR or ADMIN: one event per status change of the order. */
  orderUpdated: Order;
  /**
   * OPERATOR or ADMIN (FORBIDDEN for other roles): every order that needs staff to step in, as it
   * happens: dispatch gave up on it (needsAttention), it went OVERTIME, or its payment is stuck (a
   * refund that failed, a provider that stays silent). One event per such change, the order as it
   * is then. Served by the gateway's subscription engine from the event stream.
   */
  ordersNeedingAttention: Order;
};


export type SubscriptionOrderUpdatedArgs = {
  orderId: Scalars['ID']['input'];
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
  Merchant: Merchant;
  Order: Order;
  Rider: Rider;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Merchant:
    ( { __typename: 'Merchant' }
    & GraphQLRecursivePick<FederationTypes['Merchant'], {"id":true}>
    & ( Record<PropertyKey, never>
        | GraphQLRecursivePick<FederationTypes['Merchant'], {"ownerId":true}> ) );
  Order:
    ( { __typename: 'Order' }
    & GraphQLRecursivePick<FederationTypes['Order'], {"id":true}> );
  Rider:
    ( { __typename: 'Rider' }
    & GraphQLRecursivePick<FederationTypes['Rider'], {"id":true}> );
};



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  CampaignKind: CampaignKind;
  CreateOrderInput: CreateOrderInput;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  FundedBy: FundedBy;
  GeoPoint: ResolverTypeWrapper<GeoPoint>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  GeoPointInput: GeoPointInput;
  Merchant: ResolverTypeWrapper<MerchantReference>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Order: ResolverTypeWrapper<OrderRow>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  OrderConnection: ResolverTypeWrapper<OrderConnectionModel>;
  OrderDiscount: ResolverTypeWrapper<BreakdownDiscount>;
  OrderEdge: ResolverTypeWrapper<OrderEdgeModel>;
  OrderItem: ResolverTypeWrapper<PricedLine>;
  OrderItemInput: OrderItemInput;
  OrderSearchFilter: OrderSearchFilter;
  OrderStatus: OrderStatus;
  OrderStatusChange: ResolverTypeWrapper<OrderTimelineRow>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  PriceBreakdown: ResolverTypeWrapper<PriceBreakdownModel>;
  Product: ResolverTypeWrapper<ProductReference>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  QuoteOrderInput: QuoteOrderInput;
  Rider: ResolverTypeWrapper<RiderReference>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  CreateOrderInput: CreateOrderInput;
  ID: Scalars['ID']['output'];
  String: Scalars['String']['output'];
  DateTime: Scalars['DateTime']['output'];
  GeoPoint: GeoPoint;
  Float: Scalars['Float']['output'];
  GeoPointInput: GeoPointInput;
  Merchant: MerchantReference;
  Int: Scalars['Int']['output'];
  Mutation: Record<PropertyKey, never>;
  Order: OrderRow;
  Boolean: Scalars['Boolean']['output'];
  OrderConnection: OrderConnectionModel;
  OrderDiscount: BreakdownDiscount;
  OrderEdge: OrderEdgeModel;
  OrderItem: PricedLine;
  OrderItemInput: OrderItemInput;
  OrderSearchFilter: OrderSearchFilter;
  OrderStatusChange: OrderTimelineRow;
  PageInfo: PageInfo;
  PriceBreakdown: PriceBreakdownModel;
  Product: ProductReference;
  Query: Record<PropertyKey, never>;
  QuoteOrderInput: QuoteOrderInput;
  Rider: RiderReference;
  Subscription: Record<PropertyKey, never>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type GeoPointResolvers<ContextType = Context, ParentType extends ResolversParentTypes['GeoPoint'] = ResolversParentTypes['GeoPoint']> = {
  lat?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  lng?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
};

export type MerchantResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Merchant'] = ResolversParentTypes['Merchant'], FederationReferenceType extends FederationReferenceTypes['Merchant'] = FederationReferenceTypes['Merchant']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Merchant']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  orders?: Resolver<ResolversTypes['OrderConnection'], ParentType, ContextType, Partial<MerchantOrdersArgs>>;
};

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  cancelOrder?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationCancelOrderArgs, 'orderId'>>;
  cancelOrderAsStaff?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationCancelOrderAsStaffArgs, 'orderId' | 'reason'>>;
  confirmReceipt?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationConfirmReceiptArgs, 'orderId'>>;
  createOrder?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationCreateOrderArgs, 'input'>>;
  deliverOrder?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationDeliverOrderArgs, 'orderId'>>;
  grabOrder?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationGrabOrderArgs, 'orderId'>>;
  markOrderDelivered?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationMarkOrderDeliveredArgs, 'orderId' | 'reason'>>;
  pickUpOrder?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationPickUpOrderArgs, 'orderId'>>;
  reassignOrder?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationReassignOrderArgs, 'orderId' | 'reason' | 'riderId'>>;
  redispatchOrder?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationRedispatchOrderArgs, 'orderId' | 'reason'>>;
};

export type OrderResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Order'] = ResolversParentTypes['Order'], FederationReferenceType extends FederationReferenceTypes['Order'] = FederationReferenceTypes['Order']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Order']> | FederationReferenceType, FederationReferenceType, ContextType>;
  cancelReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  cancelledAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  closedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  customerId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  deadlineAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  deliveredAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  deliveryAddress?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  deliveryLocation?: Resolver<ResolversTypes['GeoPoint'], ParentType, ContextType>;
  grabbedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  items?: Resolver<Array<ResolversTypes['OrderItem']>, ParentType, ContextType>;
  merchant?: Resolver<ResolversTypes['Merchant'], ParentType, ContextType>;
  needsAttention?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  paidAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  paymentDueAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  pickedUpAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  priceBreakdown?: Resolver<ResolversTypes['PriceBreakdown'], ParentType, ContextType>;
  riderId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['OrderStatus'], ParentType, ContextType>;
  timeline?: Resolver<Array<ResolversTypes['OrderStatusChange']>, ParentType, ContextType>;
  totalCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  wasOvertime?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type OrderConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['OrderConnection'] = ResolversParentTypes['OrderConnection']> = {
  edges?: Resolver<Array<ResolversTypes['OrderEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type OrderDiscountResolvers<ContextType = Context, ParentType extends ResolversParentTypes['OrderDiscount'] = ResolversParentTypes['OrderDiscount']> = {
  amountCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  campaignId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  couponId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  fundedBy?: Resolver<ResolversTypes['FundedBy'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['CampaignKind'], ParentType, ContextType>;
  title?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type OrderEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['OrderEdge'] = ResolversParentTypes['OrderEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Order'], ParentType, ContextType>;
};

export type OrderItemResolvers<ContextType = Context, ParentType extends ResolversParentTypes['OrderItem'] = ResolversParentTypes['OrderItem']> = {
  product?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
  productName?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  quantity?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  subtotalCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  unitPriceCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type OrderStatusChangeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['OrderStatusChange'] = ResolversParentTypes['OrderStatusChange']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['OrderStatus'], ParentType, ContextType>;
};

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type PriceBreakdownResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PriceBreakdown'] = ResolversParentTypes['PriceBreakdown']> = {
  deliveryFeeCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  discountCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  discounts?: Resolver<Array<ResolversTypes['OrderDiscount']>, ParentType, ContextType>;
  discountsAvailable?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  itemsCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  lines?: Resolver<Array<ResolversTypes['OrderItem']>, ParentType, ContextType>;
  totalCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ProductResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Product'] = ResolversParentTypes['Product']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  myOrders?: Resolver<ResolversTypes['OrderConnection'], ParentType, ContextType, Partial<QueryMyOrdersArgs>>;
  order?: Resolver<Maybe<ResolversTypes['Order']>, ParentType, ContextType, RequireFields<QueryOrderArgs, 'id'>>;
  quoteOrder?: Resolver<ResolversTypes['PriceBreakdown'], ParentType, ContextType, RequireFields<QueryQuoteOrderArgs, 'input'>>;
  searchOrders?: Resolver<ResolversTypes['OrderConnection'], ParentType, ContextType, Partial<QuerySearchOrdersArgs>>;
};

export type RiderResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Rider'] = ResolversParentTypes['Rider'], FederationReferenceType extends FederationReferenceTypes['Rider'] = FederationReferenceTypes['Rider']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Rider']> | FederationReferenceType, FederationReferenceType, ContextType>;
  activeOrders?: Resolver<Array<ResolversTypes['Order']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  orderUpdated?: SubscriptionResolver<ResolversTypes['Order'], "orderUpdated", ParentType, ContextType, RequireFields<SubscriptionOrderUpdatedArgs, 'orderId'>>;
  ordersNeedingAttention?: SubscriptionResolver<ResolversTypes['Order'], "ordersNeedingAttention", ParentType, ContextType>;
};

export type Resolvers<ContextType = Context> = {
  DateTime?: GraphQLScalarType;
  GeoPoint?: GeoPointResolvers<ContextType>;
  Merchant?: MerchantResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Order?: OrderResolvers<ContextType>;
  OrderConnection?: OrderConnectionResolvers<ContextType>;
  OrderDiscount?: OrderDiscountResolvers<ContextType>;
  OrderEdge?: OrderEdgeResolvers<ContextType>;
  OrderItem?: OrderItemResolvers<ContextType>;
  OrderStatusChange?: OrderStatusChangeResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  PriceBreakdown?: PriceBreakdownResolvers<ContextType>;
  Product?: ProductResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Rider?: RiderResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
};

