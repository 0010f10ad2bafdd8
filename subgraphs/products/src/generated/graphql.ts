import { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import { MerchantRow, ProductRow } from '../db/schema';
import { NearbyMerchantModel, ProductConnectionModel, ProductEdgeModel, MerchantConnectionModel, MerchantEdgeModel } from '../resolvers/mappers';
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

/** A new shop. */
export type CreateMerchantInput = {
  /** Street address, 1..300 characters. */
  address: Scalars['String']['input'];
  /** Delivery radius in meters, 100..50000 (default 5000). */
  deliveryRadiusMeters?: InputMaybe<Scalars['Int']['input']>;
  /** Where the shop is. */
  location: GeoPointInput;
  /** Shop name, 1..100 characters. */
  name: Scalars['String']['input'];
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

/**
 * A shop (商家) that sells dishes and delivers within a radius. A suspended shop (`suspended`,
 * set by OPERATOR or ADMIN with `suspendMerchant`) is left out of `merchantsNearby` and takes no
 * new orders (`createOrder` answers MERCHANT_SUSPENDED), but stays readable by id for everyone
 * (`merchant(id)`, its products, the orders that name it), showing `suspended: true`.
 */
export type Merchant = {
  __typename?: 'Merchant';
  /** Street address of the shop (where riders pick up). */
  address: Scalars['String']['output'];
  /** When the shop was opened. */
  createdAt: Scalars['DateTime']['output'];
  /** Customers farther than this from the shop are not served. */
  deliveryRadiusMeters: Scalars['Int']['output'];
  /** The merchant's id. */
  id: Scalars['ID']['output'];
  /** Where the shop is. */
  location: GeoPoint;
  /** Shop name shown to customers. */
  name: Scalars['String']['output'];
  /** The owner's user id (their token's sub): seen by the owner, OPERATOR and ADMIN; null for anyone else. */
  ownerId: Maybe<Scalars['ID']['output']>;
  /** The shop's products, newest first. Customers see only ON_SALE ones unless they own the shop. */
  products: ProductConnection;
  /** Whether operations suspended the shop: hidden from merchantsNearby, and new orders to it are refused with MERCHANT_SUSPENDED. */
  suspended: Scalars['Boolean']['output'];
  /** Why the shop is suspended: seen by the owner, OPERATOR and ADMIN while it is; null for anyone else and for an active shop. */
  suspendedReason: Maybe<Scalars['String']['output']>;
};


/**
 * A shop (商家) that sells dishes and delivers within a radius. A suspended shop (`suspended`,
 * set by OPERATOR or ADMIN with `suspendMerchant`) is left out of `merchantsNearby` and takes no
 * new orders (`createOrder` answers MERCHANT_SUSPENDED), but stays readable by id for everyone
 * (`merchant(id)`, its products, the orders that name it), showing `suspended: true`.
 */
export type MerchantProductsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<ProductStatus>;
};

/** A page of merchants. */
export type MerchantConnection = {
  __typename?: 'MerchantConnection';
  /** The merchants of this page. */
  edges: Array<MerchantEdge>;
  /** Where this page ends. */
  pageInfo: PageInfo;
};

/** One merchant in a page, with the cursor that points at it. */
export type MerchantEdge = {
  __typename?: 'MerchantEdge';
  /** Opaque position of this merchant. */
  cursor: Scalars['String']['output'];
  /** The merchant. */
  node: Merchant;
};

/** What `searchMerchants` looks for; every filter given must hold. */
export type MerchantSearchFilter = {
  /** A part of the shop's name, 1..100 characters, ignoring case. */
  nameContains?: InputMaybe<Scalars['String']['input']>;
  /** With `radiusMeters`: only shops within that distance of this point. */
  near?: InputMaybe<GeoPointInput>;
  /** With `near`: the circle's radius in meters, 1..50000. */
  radiusMeters?: InputMaybe<Scalars['Int']['input']>;
  /** Only suspended shops (true) or only active ones (false). */
  suspended?: InputMaybe<Scalars['Boolean']['input']>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Role MERCHANT: opens a shop owned by the caller. */
  createMerchant: Merchant;
  /** Role MERCHANT, owner of the shop: puts a dish on sale. */
  publishProduct: Product;
  /**
   * OPERATOR or ADMIN (UNAUTHENTICATED without a token, FORBIDDEN for other roles): lifts a
   * suspension; the shop is listed and takes orders again. `reason` as for suspendMerchant
   * (BAD_USER_INPUT), audited. NOT_FOUND for an unknown shop. Idempotent: on an active shop it
   * returns the shop and records nothing.
   */
  reinstateMerchant: Merchant;
  /** Role MERCHANT, owner: puts a dish on or off sale. */
  setProductStatus: Product;
  /**
   * OPERATOR or ADMIN (UNAUTHENTICATED without a token, FORBIDDEN for other roles): suspends the
   * shop. It leaves merchantsNearby and new orders to it answer MERCHANT_SUSPENDED; orders already
   * placed go on. `reason` is mandatory (BAD_USER_INPUT when blank or over 500 characters) and
   * recorded in the audit log with the caller. NOT_FOUND for an unknown shop. Idempotent: on a
   * shop already suspended it returns the shop and records nothing.
   */
  suspendMerchant: Merchant;
  /** Role MERCHANT, owner: sets the stock to `newStock` (seed name kept). */
  updateProductStock: Product;
};


export type MutationCreateMerchantArgs = {
  input: CreateMerchantInput;
};


export type MutationPublishProductArgs = {
  input: PublishProductInput;
};


export type MutationReinstateMerchantArgs = {
  merchantId: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};


export type MutationSetProductStatusArgs = {
  productId: Scalars['ID']['input'];
  status: ProductStatus;
};


export type MutationSuspendMerchantArgs = {
  merchantId: Scalars['ID']['input'];
  reason: Scalars['String']['input'];
};


export type MutationUpdateProductStockArgs = {
  newStock: Scalars['Int']['input'];
  productId: Scalars['ID']['input'];
};

/** A merchant found by `merchantsNearby`, with its distance to the customer. */
export type NearbyMerchant = {
  __typename?: 'NearbyMerchant';
  /** The placement a sponsored row was served for: pass it to `recordAdClick` when the customer opens the shop. Null for organic rows. */
  adPlacementId: Maybe<Scalars['ID']['output']>;
  /** Straight-line distance from the search point to the shop, in meters. */
  distanceMeters: Scalars['Int']['output'];
  /** The shop. */
  merchant: Merchant;
  /** Whether the shop is on the page because it paid for the placement (广告), not by distance alone. */
  sponsored: Scalars['Boolean']['output'];
};

/** Relay page information of a cursor connection. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** The cursor to pass as `after` for the next page; null on an empty page. */
  endCursor: Maybe<Scalars['String']['output']>;
  /** Whether another page follows this one. */
  hasNextPage: Scalars['Boolean']['output'];
};

/** A dish (商品) on a merchant's menu. */
export type Product = {
  __typename?: 'Product';
  /** When it was published. */
  createdAt: Scalars['DateTime']['output'];
  /** Optional description shown on the menu. */
  description: Maybe<Scalars['String']['output']>;
  /** The product's id. */
  id: Scalars['ID']['output'];
  /** The shop that sells it. */
  merchant: Merchant;
  /** Dish name. */
  name: Scalars['String']['output'];
  /** Price in CNY cents (分). */
  priceCents: Scalars['Int']['output'];
  /** ON_SALE or OFF_SALE. */
  status: ProductStatus;
  /** Units that can still be ordered. */
  stock: Scalars['Int']['output'];
  /** When its price, stock or status last changed. */
  updatedAt: Scalars['DateTime']['output'];
};

/** A page of products. */
export type ProductConnection = {
  __typename?: 'ProductConnection';
  /** The products of this page. */
  edges: Array<ProductEdge>;
  /** Where this page ends. */
  pageInfo: PageInfo;
};

/** One product in a page, with the cursor that points at it. */
export type ProductEdge = {
  __typename?: 'ProductEdge';
  /** Opaque position of this product. */
  cursor: Scalars['String']['output'];
  /** The product. */
  node: Product;
};

/** Whether a product can be ordered. */
export type ProductStatus =
  /** Hidden from ordering; the merchant keeps it for later. */
  | 'OFF_SALE'
  /** Customers can order it. */
  | 'ON_SALE';

/** A new dish on a merchant's menu; it goes on sale at once. */
export type PublishProductInput = {
  /** Up to 1000 characters. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** The owner's shop. */
  merchantId: Scalars['ID']['input'];
  /** Dish name, 1..100 characters. */
  name: Scalars['String']['input'];
  /** Price in CNY cents, 0..10000000. */
  priceCents: Scalars['Int']['input'];
  /** Initial stock, 0..1000000. */
  stock: Scalars['Int']['input'];
};

export type Query = {
  __typename?: 'Query';
  /** A shop by id; null when there is none. */
  merchant: Maybe<Merchant>;
  /**
   * Shops whose delivery radius covers `near`, nearest first (public), with up to ADS_MAX_SPONSORED
   * (2) sponsored shops mixed in at positions 1, 4, … (`sponsored: true`, counted as impressions).
   * A sponsored shop meets every filter of the others (not suspended, delivering to `near`), is
   * inside its placement's area and window, is never a shop already on the page, and stops being
   * shown once its day's budget cannot cover one more click or the signed-in caller saw it
   * ADS_FREQUENCY_CAP (20) times today. `first` counts the organic shops.
   */
  merchantsNearby: Array<NearbyMerchant>;
  /** The shops the calling merchant owns. */
  myMerchants: Array<Merchant>;
  /** A product by id (seed name: getProductInfo); null when there is none. */
  product: Maybe<Product>;
  /**
   * OPERATOR or ADMIN (UNAUTHENTICATED without a token, FORBIDDEN for other roles): every shop,
   * suspended ones included, newest first (by creation time, then id), filtered by `filter`.
   * BAD_USER_INPUT for a bad filter (`near` without `radiusMeters` or the reverse, a radius out
   * of range, an empty name), a bad `first` or a cursor this API did not give out.
   */
  searchMerchants: MerchantConnection;
};


export type QueryMerchantArgs = {
  id: Scalars['ID']['input'];
};


export type QueryMerchantsNearbyArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  near: GeoPointInput;
};


export type QueryProductArgs = {
  id: Scalars['ID']['input'];
};


export type QuerySearchMerchantsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<MerchantSearchFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
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
  Product: Product;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Merchant:
    ( { __typename: 'Merchant' }
    & GraphQLRecursivePick<FederationTypes['Merchant'], {"id":true}> );
  Product:
    ( { __typename: 'Product' }
    & GraphQLRecursivePick<FederationTypes['Product'], {"id":true}> );
};



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  CreateMerchantInput: CreateMerchantInput;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  GeoPoint: ResolverTypeWrapper<GeoPoint>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  GeoPointInput: GeoPointInput;
  Merchant: ResolverTypeWrapper<MerchantRow>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  MerchantConnection: ResolverTypeWrapper<MerchantConnectionModel>;
  MerchantEdge: ResolverTypeWrapper<MerchantEdgeModel>;
  MerchantSearchFilter: MerchantSearchFilter;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  NearbyMerchant: ResolverTypeWrapper<NearbyMerchantModel>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Product: ResolverTypeWrapper<ProductRow>;
  ProductConnection: ResolverTypeWrapper<ProductConnectionModel>;
  ProductEdge: ResolverTypeWrapper<ProductEdgeModel>;
  ProductStatus: ProductStatus;
  PublishProductInput: PublishProductInput;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  CreateMerchantInput: CreateMerchantInput;
  String: Scalars['String']['output'];
  Int: Scalars['Int']['output'];
  DateTime: Scalars['DateTime']['output'];
  GeoPoint: GeoPoint;
  Float: Scalars['Float']['output'];
  GeoPointInput: GeoPointInput;
  Merchant: MerchantRow;
  ID: Scalars['ID']['output'];
  Boolean: Scalars['Boolean']['output'];
  MerchantConnection: MerchantConnectionModel;
  MerchantEdge: MerchantEdgeModel;
  MerchantSearchFilter: MerchantSearchFilter;
  Mutation: Record<PropertyKey, never>;
  NearbyMerchant: NearbyMerchantModel;
  PageInfo: PageInfo;
  Product: ProductRow;
  ProductConnection: ProductConnectionModel;
  ProductEdge: ProductEdgeModel;
  PublishProductInput: PublishProductInput;
  Query: Record<PropertyKey, never>;
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
  address?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  deliveryRadiusMeters?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  location?: Resolver<ResolversTypes['GeoPoint'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  ownerId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  products?: Resolver<ResolversTypes['ProductConnection'], ParentType, ContextType, Partial<MerchantProductsArgs>>;
  suspended?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  suspendedReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type MerchantConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MerchantConnection'] = ResolversParentTypes['MerchantConnection']> = {
  edges?: Resolver<Array<ResolversTypes['MerchantEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type MerchantEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['MerchantEdge'] = ResolversParentTypes['MerchantEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Merchant'], ParentType, ContextType>;
};

export type MutationResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  createMerchant?: Resolver<ResolversTypes['Merchant'], ParentType, ContextType, RequireFields<MutationCreateMerchantArgs, 'input'>>;
  publishProduct?: Resolver<ResolversTypes['Product'], ParentType, ContextType, RequireFields<MutationPublishProductArgs, 'input'>>;
  reinstateMerchant?: Resolver<ResolversTypes['Merchant'], ParentType, ContextType, RequireFields<MutationReinstateMerchantArgs, 'merchantId' | 'reason'>>;
  setProductStatus?: Resolver<ResolversTypes['Product'], ParentType, ContextType, RequireFields<MutationSetProductStatusArgs, 'productId' | 'status'>>;
  suspendMerchant?: Resolver<ResolversTypes['Merchant'], ParentType, ContextType, RequireFields<MutationSuspendMerchantArgs, 'merchantId' | 'reason'>>;
  updateProductStock?: Resolver<ResolversTypes['Product'], ParentType, ContextType, RequireFields<MutationUpdateProductStockArgs, 'newStock' | 'productId'>>;
};

export type NearbyMerchantResolvers<ContextType = Context, ParentType extends ResolversParentTypes['NearbyMerchant'] = ResolversParentTypes['NearbyMerchant']> = {
  adPlacementId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  distanceMeters?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  merchant?: Resolver<ResolversTypes['Merchant'], ParentType, ContextType>;
  sponsored?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type PageInfoResolvers<ContextType = Context, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type ProductResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Product'] = ResolversParentTypes['Product'], FederationReferenceType extends FederationReferenceTypes['Product'] = FederationReferenceTypes['Product']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Product']> | FederationReferenceType, FederationReferenceType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  merchant?: Resolver<ResolversTypes['Merchant'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  priceCents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ProductStatus'], ParentType, ContextType>;
  stock?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type ProductConnectionResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ProductConnection'] = ResolversParentTypes['ProductConnection']> = {
  edges?: Resolver<Array<ResolversTypes['ProductEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
};

export type ProductEdgeResolvers<ContextType = Context, ParentType extends ResolversParentTypes['ProductEdge'] = ResolversParentTypes['ProductEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = Context, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  merchant?: Resolver<Maybe<ResolversTypes['Merchant']>, ParentType, ContextType, RequireFields<QueryMerchantArgs, 'id'>>;
  merchantsNearby?: Resolver<Array<ResolversTypes['NearbyMerchant']>, ParentType, ContextType, RequireFields<QueryMerchantsNearbyArgs, 'near'>>;
  myMerchants?: Resolver<Array<ResolversTypes['Merchant']>, ParentType, ContextType>;
  product?: Resolver<Maybe<ResolversTypes['Product']>, ParentType, ContextType, RequireFields<QueryProductArgs, 'id'>>;
  searchMerchants?: Resolver<ResolversTypes['MerchantConnection'], ParentType, ContextType, Partial<QuerySearchMerchantsArgs>>;
};

export type Resolvers<ContextType = Context> = {
  DateTime?: GraphQLScalarType;
  GeoPoint?: GeoPointResolvers<ContextType>;
  Merchant?: MerchantResolvers<ContextType>;
  MerchantConnection?: MerchantConnectionResolvers<ContextType>;
  MerchantEdge?: MerchantEdgeResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  NearbyMerchant?: NearbyMerchantResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Product?: ProductResolvers<ContextType>;
  ProductConnection?: ProductConnectionResolvers<ContextType>;
  ProductEdge?: ProductEdgeResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
};

