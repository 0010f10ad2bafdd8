import { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import { PaymentRow, RefundRow } from '../db/schema';
import { PaymentConnectionModel, PaymentEdgeModel, RefundConnectionModel, RefundEdgeModel, OrderReference } from '../resolvers/mappers';
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

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN otherwise, UNAUTHENTICATED without a token): a goodwill
   * refund (reason GOODWILL) of `amountCents` of the order's successful payment, audited
   * (ORDER_COMPENSATE, with `reason`) and announced with PaymentRefunded once paid out. The
   * total refunded never exceeds the amount paid. Idempotent by (orderId, idempotencyKey): the
   * same key returns the same refund and pays once. The refund comes back with paidOutAt null
   * when the provider has not paid it out yet; it is retried.
   * Errors: BAD_USER_INPUT when amountCents is not 1..(paid − refunded or being refunded), when
   * `reason` is blank or longer than 500 characters, when `idempotencyKey` is blank or longer
   * than 128, or was used for another amount; INVALID_STATE_TRANSITION (on the Order,
   * extensions.status UNPAID) when the order has no successful payment.
   */
  compensateOrder: Refund;
  /** Role CUSTOMER, the order's owner, while PENDING_PAYMENT (seed name kept): starts paying the order's own amount, or returns the payment still pending. */
  initiatePayment: Payment;
};


export type MutationCompensateOrderArgs = {
  amountCents: Scalars['Int']['input'];
  idempotencyKey: Scalars['String']['input'];
  orderId: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};


export type MutationInitiatePaymentArgs = {
  orderId: Scalars['ID']['input'];
  paymentMethod: PaymentMethod;
};

/** An order, owned by the orders subgraph; payments adds its payment. */
export type Order = {
  __typename?: 'Order';
  id: Scalars['ID']['output'];
  /** The order's latest payment: the successful one once paid. */
  payment: Maybe<Payment>;
};

/** Relay page information of a cursor connection. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** The cursor to pass as `after` for the next page; null on an empty page. */
  endCursor: Maybe<Scalars['String']['output']>;
  /** Whether another page follows this one. */
  hasNextPage: Scalars['Boolean']['output'];
};

/** A payment of an order through a provider. */
export type Payment = {
  __typename?: 'Payment';
  /** The order's own amount in CNY cents. */
  amountCents: Scalars['Int']['output'];
  /** When the payment was started. */
  createdAt: Scalars['DateTime']['output'];
  /** Until when the payment can be completed. */
  expiresAt: Maybe<Scalars['DateTime']['output']>;
  /** The payment's id. */
  id: Scalars['ID']['output'];
  /** The order it pays. */
  order: Order;
  /** When the provider reported success. */
  paidAt: Maybe<Scalars['DateTime']['output']>;
  /** Where the customer pays in a browser. */
  payUrl: Maybe<Scalars['String']['output']>;
  /** How the customer pays. */
  paymentMethod: PaymentMethod;
  /** The provider adapter that handles it, e.g. sandbox. */
  provider: Scalars['String']['output'];
  /** What a phone scans to pay (a URL or a provider's code). */
  qrCode: Maybe<Scalars['String']['output']>;
  /** How much has been refunded, in cents. */
  refundedCents: Scalars['Int']['output'];
  /** Every refund of this payment, paid out or claimed, oldest first. */
  refunds: Array<Refund>;
  /** Where the payment is. */
  status: PaymentStatus;
};

/** A page of payments. */
export type PaymentConnection = {
  __typename?: 'PaymentConnection';
  /** The payments of this page, newest first. */
  edges: Array<PaymentEdge>;
  /** Where this page ends. */
  pageInfo: PageInfo;
};

/** One payment in a page, with the cursor that points at it. */
export type PaymentEdge = {
  __typename?: 'PaymentEdge';
  /** Pass as `after` for the payments after this one. */
  cursor: Scalars['String']['output'];
  /** The payment. */
  node: Payment;
};

/** How the customer pays. */
export type PaymentMethod =
  /** Alipay (支付宝). */
  | 'ALIPAY'
  /** A bank card. */
  | 'CARD'
  /** WeChat Pay (微信支付). */
  | 'WECHAT_PAY';

/** Which payments searchPayments lists; every field is optional and they combine with AND. */
export type PaymentSearchFilter = {
  /** Started at or after this instant. */
  createdFrom?: InputMaybe<Scalars['DateTime']['input']>;
  /** Started before this instant (after createdFrom). */
  createdTo?: InputMaybe<Scalars['DateTime']['input']>;
  /** The payments of one order. */
  orderId?: InputMaybe<Scalars['ID']['input']>;
  /** Payments in any of these statuses (not empty). */
  statuses?: InputMaybe<Array<PaymentStatus>>;
};

/** Where a payment is. */
export type PaymentStatus =
  /** The provider reported a failure; the order can be paid again. */
  | 'FAILED'
  /** Part of it was refunded (e.g. compensation for a late delivery). */
  | 'PARTIALLY_REFUNDED'
  /** Waiting for the provider to report. */
  | 'PENDING'
  /** All of it was refunded. */
  | 'REFUNDED'
  /** The provider took the money. */
  | 'SUCCEEDED';

export type Query = {
  __typename?: 'Query';
  /** The paying customer, OPERATOR or ADMIN; null for anyone else or when there is none. */
  payment: Maybe<Payment>;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN otherwise, UNAUTHENTICATED without a token). Payments
   * matching the filter, newest first (createdAt, then id), `first` (1..100, default 20) after
   * the cursor `after`. BAD_USER_INPUT for an empty `statuses`, `createdTo` not after
   * `createdFrom`, a bad page size or cursor.
   */
  searchPayments: PaymentConnection;
  /**
   * Role OPERATOR or ADMIN (FORBIDDEN otherwise, UNAUTHENTICATED without a token). Refunds
   * matching the filter, newest first (createdAt, then id), paged like searchPayments.
   * BAD_USER_INPUT for an empty `reasons`, `createdTo` not after `createdFrom`, a bad page size or cursor.
   */
  searchRefunds: RefundConnection;
};


export type QueryPaymentArgs = {
  id: Scalars['ID']['input'];
};


export type QuerySearchPaymentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<PaymentSearchFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QuerySearchRefundsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<RefundSearchFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** Money given back from a payment. Claimed first, then paid out by the provider. */
export type Refund = {
  __typename?: 'Refund';
  /** How much, in CNY cents. */
  amountCents: Scalars['Int']['output'];
  /** When it was claimed (counted against the payment from then on). */
  createdAt: Scalars['DateTime']['output'];
  /** The refund's id. */
  id: Scalars['ID']['output'];
  /** The order whose payment it gives back. */
  orderId: Scalars['ID']['output'];
  /** When the provider paid it out; null while the payout is pending or being retried. */
  paidOutAt: Maybe<Scalars['DateTime']['output']>;
  /** The payment it gives back. */
  payment: Payment;
  /** Why. */
  reason: RefundReason;
};

/** A page of refunds. */
export type RefundConnection = {
  __typename?: 'RefundConnection';
  /** The refunds of this page, newest first. */
  edges: Array<RefundEdge>;
  /** Where this page ends. */
  pageInfo: PageInfo;
};

/** One refund in a page, with the cursor that points at it. */
export type RefundEdge = {
  __typename?: 'RefundEdge';
  /** Pass as `after` for the refunds after this one. */
  cursor: Scalars['String']['output'];
  /** The refund. */
  node: Refund;
};

/** Why money was given back (the values of platform's refundReasons). */
export type RefundReason =
  /** Staff compensated the customer (compensateOrder): the amount they chose. */
  | 'GOODWILL'
  /** The order was delivered late: a share of it is given back. */
  | 'LATE_DELIVERY'
  /** Staff cancelled the paid order: everything still left of the payment is given back. */
  | 'ORDER_CANCELLED'
  /** The order could no longer take the payment (e.g. cancelled meanwhile): all of it is given back. */
  | 'ORDER_NOT_PAYABLE';

/** Which refunds searchRefunds lists; every field is optional and they combine with AND. */
export type RefundSearchFilter = {
  /** Claimed at or after this instant. */
  createdFrom?: InputMaybe<Scalars['DateTime']['input']>;
  /** Claimed before this instant (after createdFrom). */
  createdTo?: InputMaybe<Scalars['DateTime']['input']>;
  /** The refunds of one order. */
  orderId?: InputMaybe<Scalars['ID']['input']>;
  /** Refunds for any of these reasons (not empty). */
  reasons?: InputMaybe<Array<RefundReason>>;
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
  Payment: Payment;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Order:
    ( { __typename: 'Order' }
    & GraphQLRecursivePick<FederationTypes['Order'], {"id":true}> );
  Payment:
    ( { __typename: 'Payment' }
    & GraphQLRecursivePick<FederationTypes['Payment'], {"id":true}> );
};



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Order: ResolverTypeWrapper<OrderReference>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Payment: ResolverTypeWrapper<PaymentRow>;
  PaymentConnection: ResolverTypeWrapper<PaymentConnectionModel>;
  PaymentEdge: ResolverTypeWrapper<PaymentEdgeModel>;
  PaymentMethod: PaymentMethod;
  PaymentSearchFilter: PaymentSearchFilter;
  PaymentStatus: PaymentStatus;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Refund: ResolverTypeWrapper<RefundRow>;
  RefundConnection: ResolverTypeWrapper<RefundConnectionModel>;
  RefundEdge: ResolverTypeWrapper<RefundEdgeModel>;
  RefundReason: RefundReason;
  RefundSearchFilter: RefundSearchFilter;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  DateTime: Scalars['DateTime']['output'];
  Mutation: Record<PropertyKey, never>;
  Int: Scalars['Int']['output'];
  String: Scalars['String']['output'];
  ID: Scalars['ID']['output'];
  Order: OrderReference;
  PageInfo: PageInfo;
  Boolean: Scalars['Boolean']['output'];
  Payment: PaymentRow;
  PaymentConnection: PaymentConnectionModel;
  PaymentEdge: PaymentEdgeModel;
  PaymentSearchFilter: PaymentSearchFilter;
  Query: Record<PropertyKey, never>;
  Refund: RefundRow;
  RefundConnection: RefundConnectionModel;
  RefundEdge: RefundEdgeModel;
  RefundSearchFilter: RefundSearchFilter;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  compensateOrder?: Resolver<ResolversTypes['Refund'], ParentType, ContextType, RequireFields<MutationCompensateOrderArgs, 'amountCents' | 'idempotencyKey' | 'orderId' | 'reason'>>;
  initiatePayment?: Resolver<ResolversTypes['Payment'], ParentType, ContextType, RequireFields<MutationInitiatePaymentArgs, 'orderId' | 'paymentMethod'>>;
};

export type OrderResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Order'] = ResolversParentTypes['Order'], FederationReferenceType extends FederationReferenceTypes['Order'] = FederationReferenceTypes['Order']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Order']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  payment?: Resolver<Maybe<ResolversTypes['Payment']>, ParentType, ContextType>;
};

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type PaymentResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Payment'] = ResolversParentTypes['Payment'], FederationReferenceType extends FederationReferenceTypes['Payment'] = FederationReferenceTypes['Payment']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Payment']> | FederationReferenceType, FederationReferenceType, ContextType>;
  amountCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  expiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  order?: Resolver<ResolversTypes['Order'], ParentType, ContextType>;
  paidAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  payUrl?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  paymentMethod?: Resolver<ResolversTypes['PaymentMethod'], ParentType, ContextType>;
  provider?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  qrCode?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  refundedCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  refunds?: Resolver<Array<ResolversTypes['Refund']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['PaymentStatus'], ParentType, ContextType>;
};

export type PaymentConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PaymentConnection'] = ResolversParentTypes['PaymentConnection']> = {
  edges?: Resolver<Array<ResolversTypes['PaymentEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type PaymentEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PaymentEdge'] = ResolversParentTypes['PaymentEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Payment'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  payment?: Resolver<Maybe<ResolversTypes['Payment']>, ParentType, ContextType, RequireFields<QueryPaymentArgs, 'id'>>;
  searchPayments?: Resolver<ResolversTypes['PaymentConnection'], ParentType, ContextType, Partial<QuerySearchPaymentsArgs>>;
  searchRefunds?: Resolver<ResolversTypes['RefundConnection'], ParentType, ContextType, Partial<QuerySearchRefundsArgs>>;
};

export type RefundResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Refund'] = ResolversParentTypes['Refund']> = {
  amountCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  orderId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  paidOutAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  payment?: Resolver<ResolversTypes['Payment'], ParentType, ContextType>;
  reason?: Resolver<ResolversTypes['RefundReason'], ParentType, ContextType>;
};

export type RefundConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['RefundConnection'] = ResolversParentTypes['RefundConnection']> = {
  edges?: Resolver<Array<ResolversTypes['RefundEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type RefundEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['RefundEdge'] = ResolversParentTypes['RefundEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Refund'], ParentType, ContextType>;
};

export type Resolvers<ContextType = Context> = {
  DateTime?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  Order?: OrderResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Payment?: PaymentResolvers<ContextType>;
  PaymentConnection?: PaymentConnectionResolvers<ContextType>;
  PaymentEdge?: PaymentEdgeResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Refund?: RefundResolvers<ContextType>;
  RefundConnection?: RefundConnectionResolvers<ContextType>;
  RefundEdge?: RefundEdgeResolvers<ContextType>;
};

