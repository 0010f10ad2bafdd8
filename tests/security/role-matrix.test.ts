import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, print, type OperationDefinitionNode } from 'graphql';
import { createKafkaEventBus, createLogger, newEvent, PaymentNeedsAttention, RiderUpdated, Topics, type AuditAction, type EventBus, type Role } from '@waimai/platform';
import {
  aGrabbedOrder,
  aMerchant,
  anActor,
  anOfferedOrder,
  anOrder,
  aRiderAt,
  eventually,
  gql,
  north,
  openGraphQLSocket,
  payOrder,
  startStack,
  subscribe,
  testInfraConfig,
  tokenFor,
  type Actor,
  type GrabbedOrder,
  type OfferedOrder,
  type SeededMerchant,
  type Stack,
} from '@waimai/testkit';

/*
 * Who may run which contract operation on what: every operation of
 * schema/contract/operations.graphql × every caller × {own object, someone else's object}.
 * The expectations below were read off the operations' comments in the contract and the
 * `"""` descriptions in subgraphs/*\/src/schema.graphql, not off the code's behaviour.
 *
 * "Own" means the caller's token has the sub of the party the object belongs to in the
 * caller's role: the customer of an order (CUSTOMER), the merchant's owner (MERCHANT), the
 * order's rider or the rider themselves (RIDER). For roles with no such relation (OPERATOR,
 * ADMIN, and e.g. a CUSTOMER touching a shop), "own" is the same person (same sub) holding
 * that other role: a role check must not be satisfied by a matching sub. "Other" is a
 * fresh user of that role. An anonymous caller has no relation: one cell per operation.
 */

const CONTRACT_PATH = path.resolve(__dirname, '..', '..', 'schema', 'contract', 'operations.graphql');
const contract = parse(readFileSync(CONTRACT_PATH, 'utf8'));
const contractOperations = new Map(
  contract.definitions
    .filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)
    .map((definition) => [definition.name!.value, { kind: definition.operation, source: print(definition) }]),
);

const ROLES: readonly Role[] = ['CUSTOMER', 'MERCHANT', 'RIDER', 'OPERATOR', 'ADMIN'];
type Caller = 'anonymous' | Role;
type Relation = 'own' | 'other';

/**
 * 'ok': data for the root field, no error (for a subscription: an event arrives);
 * 'null': the root field is null, no error; a code: every error carries exactly that code
 * (for a subscription: an `error` message; UNAUTHENTICATED is the socket closed with 4403).
 */
type Outcome = 'ok' | 'null' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'INVALID_STATE_TRANSITION' | 'ORDER_ALREADY_TAKEN';
type ObjectKind = 'merchant' | 'product' | 'order' | 'rider';

interface Row {
  /** What the operation touches; null for public or objectless operations (one cell per caller). */
  object: ObjectKind | null;
  cells: Record<string, Outcome>;
}

const cellKey = (caller: Caller, relation: Relation | null) => (relation ? `${caller}/${relation}` : caller);

/** A row of an operation that touches no object: one outcome per caller. */
function objectless(outcomes: Record<Caller, Outcome>): Row {
  return { object: null, cells: { ...outcomes } };
}

/** A row of an operation on an object: anonymous, then [own, other] per role. */
function touching(object: ObjectKind, anonymous: Outcome, outcomes: Record<Role, [own: Outcome, other: Outcome]>): Row {
  const cells: Record<string, Outcome> = { anonymous };
  for (const role of ROLES) {
    cells[cellKey(role, 'own')] = outcomes[role][0];
    cells[cellKey(role, 'other')] = outcomes[role][1];
  }
  return { object, cells };
}

const U = 'UNAUTHENTICATED';
const F = 'FORBIDDEN';
const FF: [Outcome, Outcome] = [F, F];
const OK: [Outcome, Outcome] = ['ok', 'ok'];

const EXPECTED: Record<string, Row> = {
  // Role MERCHANT; the caller becomes the owner.
  OpenMerchant: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: 'ok', RIDER: F, OPERATOR: F, ADMIN: F }),
  // Role MERCHANT, owner of the shop. ADMIN steps in anywhere (products' domain/ownership.ts,
  // README: "admins … step into everything"); OPERATOR does not manage menus.
  PublishProduct: touching('merchant', U, { CUSTOMER: FF, MERCHANT: ['ok', F], RIDER: FF, OPERATOR: FF, ADMIN: OK }),
  UpdateProductStock: touching('product', U, { CUSTOMER: FF, MERCHANT: ['ok', F], RIDER: FF, OPERATOR: FF, ADMIN: OK }),
  SetProductStatus: touching('product', U, { CUSTOMER: FF, MERCHANT: ['ok', F], RIDER: FF, OPERATOR: FF, ADMIN: OK }),
  // Role MERCHANT (owner) or OPERATOR/ADMIN.
  MerchantOrders: touching('merchant', U, { CUSTOMER: FF, MERCHANT: ['ok', F], RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  // Public.
  NearbyMerchants: objectless({ anonymous: 'ok', CUSTOMER: 'ok', MERCHANT: 'ok', RIDER: 'ok', OPERATOR: 'ok', ADMIN: 'ok' }),
  ProductInfo: objectless({ anonymous: 'ok', CUSTOMER: 'ok', MERCHANT: 'ok', RIDER: 'ok', OPERATOR: 'ok', ADMIN: 'ok' }),
  // Role CUSTOMER.
  CreateOrder: objectless({ anonymous: U, CUSTOMER: 'ok', MERCHANT: F, RIDER: F, OPERATOR: F, ADMIN: F }),
  // Role CUSTOMER, the order's owner.
  InitiatePayment: touching('order', U, { CUSTOMER: ['ok', F], MERCHANT: FF, RIDER: FF, OPERATOR: FF, ADMIN: FF }),
  // The customer, the order's rider, the merchant's owner, OPERATOR/ADMIN; null for anyone
  // else. RIDER/other is a rider who was offered the order and lost the grab: once grabbed,
  // only offered riders see null (issue 7, "visibility follows the order's state").
  OrderInfo: touching('order', 'null', { CUSTOMER: ['ok', 'null'], MERCHANT: ['ok', 'null'], RIDER: ['ok', 'null'], OPERATOR: OK, ADMIN: OK }),
  // Role CUSTOMER.
  MyOrders: objectless({ anonymous: U, CUSTOMER: 'ok', MERCHANT: F, RIDER: F, OPERATOR: F, ADMIN: F }),
  // Role CUSTOMER: a checkout's price breakdown, reserving nothing.
  QuoteOrder: objectless({ anonymous: U, CUSTOMER: 'ok', MERCHANT: F, RIDER: F, OPERATOR: F, ADMIN: F }),
  // Role CUSTOMER (owner) while PENDING_PAYMENT; OPERATOR/ADMIN also (orders' schema).
  CancelOrder: touching('order', U, { CUSTOMER: ['ok', F], MERCHANT: FF, RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  // Role CUSTOMER (owner).
  ConfirmReceipt: touching('order', U, { CUSTOMER: ['ok', F], MERCHANT: FF, RIDER: FF, OPERATOR: FF, ADMIN: FF }),
  // Role CUSTOMER (owner) or OPERATOR/ADMIN; the merchant and the rider may not follow it.
  TrackOrder: touching('order', U, { CUSTOMER: ['ok', F], MERCHANT: FF, RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  // Role RIDER (self).
  RegisterRider: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: 'ok', OPERATOR: F, ADMIN: F }),
  GoOnline: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: 'ok', OPERATOR: F, ADMIN: F }),
  GoOffline: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: 'ok', OPERATOR: F, ADMIN: F }),
  ReportLocation: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: 'ok', OPERATOR: F, ADMIN: F }),
  ReportLocations: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: 'ok', OPERATOR: F, ADMIN: F }),
  // Role OPERATOR or ADMIN; the rider may not read their own trail through it ("own": the rider's sub).
  RiderTrail: touching('rider', U, { CUSTOMER: FF, MERCHANT: FF, RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  // Role RIDER (their own offers); OPERATOR/ADMIN: every rider's (issue 8).
  OrderOffers: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: 'ok', OPERATOR: 'ok', ADMIN: 'ok' }),
  PendingOrderOffers: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: 'ok', OPERATOR: F, ADMIN: F }),
  // Role RIDER holding a live offer ("own": the rider it was offered to).
  GrabOrder: touching('order', U, { CUSTOMER: FF, MERCHANT: FF, RIDER: ['ok', F], OPERATOR: FF, ADMIN: FF }),
  // Role RIDER, the order's rider.
  PickUpOrder: touching('order', U, { CUSTOMER: FF, MERCHANT: FF, RIDER: ['ok', F], OPERATOR: FF, ADMIN: FF }),
  DeliverOrder: touching('order', U, { CUSTOMER: FF, MERCHANT: FF, RIDER: ['ok', F], OPERATOR: FF, ADMIN: FF }),
  // The rider (self), OPERATOR or ADMIN; null for anyone else.
  RiderProfile: touching('rider', 'null', { CUSTOMER: ['null', 'null'], MERCHANT: ['null', 'null'], RIDER: ['ok', 'null'], OPERATOR: OK, ADMIN: OK }),
  // Back office live views: OPERATOR/ADMIN only.
  OrdersNeedingAttention: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: F, OPERATOR: 'ok', ADMIN: 'ok' }),
  DispatchActivity: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: F, OPERATOR: 'ok', ADMIN: 'ok' }),
  // OPERATOR/ADMIN any rider; a rider only themself (another rider's id: FORBIDDEN).
  WatchOrderOffers: touching('rider', U, { CUSTOMER: FF, MERCHANT: FF, RIDER: ['ok', F], OPERATOR: OK, ADMIN: OK }),
  WatchRider: touching('rider', U, { CUSTOMER: FF, MERCHANT: FF, RIDER: ['ok', F], OPERATOR: OK, ADMIN: OK }),
  // Role OPERATOR or ADMIN (operations' schema): the back office's log and figures.
  AuditLog: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: F, OPERATOR: 'ok', ADMIN: 'ok' }),
  BusinessFigures: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: F, OPERATOR: 'ok', ADMIN: 'ok' }),
  MerchantFigures: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: F, OPERATOR: 'ok', ADMIN: 'ok' }),
  RiderFigures: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: F, OPERATOR: 'ok', ADMIN: 'ok' }),
  // Role OPERATOR or ADMIN (payments' schema): staff searches of payments and refunds.
  SearchPayments: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: F, OPERATOR: 'ok', ADMIN: 'ok' }),
  SearchRefunds: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: F, OPERATOR: 'ok', ADMIN: 'ok' }),
  // Role OPERATOR or ADMIN: a goodwill refund of a paid order; its customer, merchant and rider are refused.
  CompensateOrder: touching('order', U, { CUSTOMER: FF, MERCHANT: FF, RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  // Role OPERATOR or ADMIN (orders' schema): staff search and interventions; the order's own
  // customer, shop owner and rider are refused like anyone else.
  SearchOrders: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: F, OPERATOR: 'ok', ADMIN: 'ok' }),
  // The operations console's map: SearchOrders with places; the same callers as SearchOrders.
  OrdersOnMap: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: F, OPERATOR: 'ok', ADMIN: 'ok' }),
  CancelOrderAsStaff: touching('order', U, { CUSTOMER: FF, MERCHANT: FF, RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  RedispatchOrder: touching('order', U, { CUSTOMER: FF, MERCHANT: FF, RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  ReassignOrder: touching('order', U, { CUSTOMER: FF, MERCHANT: FF, RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  MarkOrderDelivered: touching('order', U, { CUSTOMER: FF, MERCHANT: FF, RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  // Role OPERATOR or ADMIN (products' schema); the shop's own merchant may not suspend or reinstate it.
  SearchMerchants: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: F, OPERATOR: 'ok', ADMIN: 'ok' }),
  SuspendMerchant: touching('merchant', U, { CUSTOMER: FF, MERCHANT: FF, RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  ReinstateMerchant: touching('merchant', U, { CUSTOMER: FF, MERCHANT: FF, RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  // Role OPERATOR or ADMIN (riders' schema): staff search and suspensions; a rider may not
  // suspend or reinstate themself ("own": the rider's own sub).
  SearchRiders: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: F, RIDER: F, OPERATOR: 'ok', ADMIN: 'ok' }),
  SuspendRider: touching('rider', U, { CUSTOMER: FF, MERCHANT: FF, RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  ReinstateRider: touching('rider', U, { CUSTOMER: FF, MERCHANT: FF, RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  // Ads (operations' schema): merchantsNearby with its sponsored shops is public; a click is the customer's.
  NearbyMerchantsWithAds: objectless({ anonymous: 'ok', CUSTOMER: 'ok', MERCHANT: 'ok', RIDER: 'ok', OPERATOR: 'ok', ADMIN: 'ok' }),
  RecordAdClick: objectless({ anonymous: U, CUSTOMER: 'ok', MERCHANT: F, RIDER: F, OPERATOR: F, ADMIN: F }),
  // The shop's owner, or OPERATOR/ADMIN on its behalf; another merchant is refused, or sees null.
  BuyAdPlacement: touching('merchant', U, { CUSTOMER: FF, MERCHANT: ['ok', F], RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  PauseAdPlacement: touching('merchant', U, { CUSTOMER: FF, MERCHANT: ['ok', F], RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  ResumeAdPlacement: touching('merchant', U, { CUSTOMER: FF, MERCHANT: ['ok', F], RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  EndAdPlacement: touching('merchant', U, { CUSTOMER: FF, MERCHANT: ['ok', F], RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  AdPlacement: touching('merchant', U, { CUSTOMER: FF, MERCHANT: ['ok', 'null'], RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  AdPlacements: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: 'ok', RIDER: F, OPERATOR: 'ok', ADMIN: 'ok' }),
  // Campaigns (operations' schema): staff manage every one; a merchant those its shop pays for
  // ("own": the shop's owner); another merchant is refused, or sees null.
  CreateCampaign: touching('merchant', U, { CUSTOMER: FF, MERCHANT: ['ok', F], RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  PauseCampaign: touching('merchant', U, { CUSTOMER: FF, MERCHANT: ['ok', F], RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  ResumeCampaign: touching('merchant', U, { CUSTOMER: FF, MERCHANT: ['ok', F], RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  EndCampaign: touching('merchant', U, { CUSTOMER: FF, MERCHANT: ['ok', F], RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  IssueCoupon: touching('merchant', U, { CUSTOMER: FF, MERCHANT: ['ok', F], RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  Campaign: touching('merchant', U, { CUSTOMER: FF, MERCHANT: ['ok', 'null'], RIDER: FF, OPERATOR: OK, ADMIN: OK }),
  Campaigns: objectless({ anonymous: U, CUSTOMER: F, MERCHANT: 'ok', RIDER: F, OPERATOR: 'ok', ADMIN: 'ok' }),
  // Role CUSTOMER: their own coupons.
  MyCoupons: objectless({ anonymous: U, CUSTOMER: 'ok', MERCHANT: F, RIDER: F, OPERATOR: F, ADMIN: F }),
};

/** The cells an operation must have: one per caller, or anonymous plus own/other per role. */
function expectedCellKeys(row: Row): string[] {
  if (!row.object) return ['anonymous', ...ROLES];
  return ['anonymous', ...ROLES.flatMap((role) => [cellKey(role, 'own'), cellKey(role, 'other')])];
}

/** One cell to run: who calls, with which variables; a subscription may need an event caused. */
interface Prepared {
  token: string | null;
  variables: Record<string, unknown>;
  /** For a subscription expected to deliver: causes one event once the subscription listens. */
  cause?: { field: string; key: string; event: () => Promise<void> };
}
type Scenario = (caller: Caller, relation: Relation | null) => Promise<Prepared>;

let stack: Stack;
/** Shop for orders placed per cell (its product has plenty of stock). */
let shop: SeededMerchant;
/** Paid, offered to two riders, grabbed by the nearer: read by the query cells. */
let delivering: GrabbedOrder;
/** Grabbed: the target of the refused ConfirmReceipt/PickUp/Deliver cells. */
let target: GrabbedOrder;
/** Offered, not grabbed: the target of the refused GrabOrder cells. */
let offered: OfferedOrder;
/** One fresh object for each cell expected to change state. */
let forConfirm: GrabbedOrder;
let forPickUp: GrabbedOrder;
let forDeliver: GrabbedOrder;
let forGrab: OfferedOrder;
/** Publishes events on the stack's topics, for the live views whose events no operation here causes. */
let bus: EventBus;

beforeAll(async () => {
  // 120 s offers: the offered orders must stay grabbable while the cells run.
  stack = await startStack({ env: { OFFER_SECONDS: '120', SCHEDULER_INTERVAL_MS: '200' } });
  [shop, delivering, target, offered, forConfirm, forPickUp, forDeliver, forGrab] = await Promise.all([
    aMerchant(stack, [{ name: '酸辣粉', priceCents: 1200, stock: 1_000_000 }]),
    aGrabbedOrder(stack, 2),
    aGrabbedOrder(stack),
    anOfferedOrder(stack),
    aGrabbedOrder(stack),
    aGrabbedOrder(stack),
    aGrabbedOrder(stack),
    anOfferedOrder(stack),
  ]);
  bus = createKafkaEventBus({ ...testInfraConfig(), KAFKA_TOPIC_PREFIX: stack.env.KAFKA_TOPIC_PREFIX ?? '' }, 'role-matrix', createLogger('role-matrix', 'warn'));
}, 120_000);

afterAll(async () => {
  await bus?.close();
  await stack?.stop();
});

/** A token for `caller`: with `ownerSub` when the relation is own, else for a fresh user. */
async function tokenOf(caller: Caller, relation: Relation | null, ownerSub?: string): Promise<string | null> {
  if (caller === 'anonymous') return null;
  if (relation === 'own') {
    if (!ownerSub) throw new Error('An own-object cell needs the owner.');
    return tokenFor(ownerSub, [caller]);
  }
  return (await anActor(caller)).token;
}

/** Who an order belongs to, in the caller's role (see the comment at the top). */
function orderParty(order: { order: { customer: Actor }; merchant: SeededMerchant }, rider: Actor | undefined, caller: Caller): string | undefined {
  if (caller === 'MERCHANT') return order.merchant.owner.sub;
  if (caller === 'RIDER') return rider?.sub;
  return order.order.customer.sub;
}

async function publishedProduct(merchant: SeededMerchant): Promise<string> {
  const result = await gql<{ publishProduct: { id: string } }>(
    stack.graphqlUrl,
    'mutation($input: PublishProductInput!) { publishProduct(input: $input) { id } }',
    { input: { merchantId: merchant.id, name: '凉皮', priceCents: 800, stock: 10 } },
    merchant.owner.token,
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.publishProduct.id;
}

async function registeredRider(online: boolean): Promise<Actor> {
  if (online) return aRiderAt(stack, north(shop.location, 200_000));
  const rider = await anActor('RIDER');
  const result = await gql(stack.graphqlUrl, 'mutation($input: RegisterRiderInput!) { registerRider(input: $input) { id } }', { input: { name: '骑手', phone: '13800138000' } }, rider.token);
  if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
  return rider;
}

/** The last hour and the next: the orders of this run's cells fall inside it. */
const figuresRange = () => ({ from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() });

/** A rider alone near a new shop, and the event that offers them the shop's next paid order. */
async function aRiderAboutToBeOffered() {
  const merchant = await aMerchant(stack, [{ name: '煎饼果子', priceCents: 700, stock: 100 }]);
  const spot = north(merchant.location, 400);
  const rider = await aRiderAt(stack, spot);
  const offerEvent = async () => {
    // Cells are prepared long before they run: a location older than RIDER_LOCATION_TTL_SECONDS
    // is no longer dispatched to, as a rider whose phone went quiet. Report it again, as the app does.
    const reported = await gql(stack.graphqlUrl, 'mutation($location: GeoPointInput!) { reportLocation(location: $location) }', { location: spot }, rider.token);
    if (reported.errors?.length) throw new Error(JSON.stringify(reported.errors));
    const order = await anOrder(stack, merchant);
    await payOrder(stack, order.id, order.customer.token);
  };
  return { rider, offerEvent };
}

const expectsOk = (operation: string, caller: Caller, relation: Relation | null) => EXPECTED[operation]?.cells[cellKey(caller, relation)] === 'ok';

/** A pending order of `shop` by a new customer, as seen in the caller's role. */
async function pendingOrderFor(caller: Caller, relation: Relation | null) {
  const order = await anOrder(stack, shop);
  const token = await tokenOf(caller, relation, orderParty({ order, merchant: shop }, undefined, caller) ?? order.customer.sub);
  return { order, token };
}

/** The shop of the ad cells (made once), and a placement of it bought by staff, one per cell that changes one. */
let adShop: Promise<SeededMerchant> | undefined;
const anAdShop = () => (adShop ??= aMerchant(stack, []));
async function aPlacement(paused = false): Promise<{ id: string; shop: SeededMerchant }> {
  const merchant = await anAdShop();
  const operator = await anActor('OPERATOR');
  const input = { merchantId: merchant.id, center: merchant.location, radiusMeters: 1000, startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(), dailyBudgetCents: 10_000, cpcCents: 10 };
  const bought = await gql<{ buyAdPlacement: { id: string } }>(stack.graphqlUrl, 'mutation($input: BuyAdPlacementInput!) { buyAdPlacement(input: $input) { id } }', { input }, operator.token);
  if (!bought.data) throw new Error(JSON.stringify(bought.errors));
  const id = bought.data.buyAdPlacement.id;
  if (paused) {
    const result = await gql(stack.graphqlUrl, 'mutation($id: ID!) { pauseAdPlacement(id: $id, reason: "暂停") { id } }', { id }, operator.token);
    if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
  }
  return { id, shop: merchant };
}

/** The shop of the campaign cells (made once), and a campaign it pays for made by staff, one per cell that changes one. */
let campaignShop: Promise<SeededMerchant> | undefined;
const aCampaignShop = () => (campaignShop ??= aMerchant(stack, []));
const campaignInput = (merchantId: string, kind: 'SPEND_AND_SAVE' | 'COUPON' = 'SPEND_AND_SAVE') => ({
  kind,
  title: kind === 'COUPON' ? '店铺5元券' : '店铺满30减5',
  fundedBy: 'MERCHANT',
  merchantId,
  startsAt: new Date().toISOString(),
  endsAt: new Date(Date.now() + 86_400_000).toISOString(),
  budgetCents: 10_000,
  offCents: 500,
  ...(kind === 'SPEND_AND_SAVE' ? { thresholdCents: 3000 } : {}),
});
async function aCampaign(kind: 'SPEND_AND_SAVE' | 'COUPON' = 'SPEND_AND_SAVE', paused = false): Promise<{ id: string; shop: SeededMerchant }> {
  const merchant = await aCampaignShop();
  const operator = await anActor('OPERATOR');
  const created = await gql<{ createCampaign: { id: string } }>(stack.graphqlUrl, 'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }', { input: campaignInput(merchant.id, kind) }, operator.token);
  if (!created.data) throw new Error(JSON.stringify(created.errors));
  const id = created.data.createCampaign.id;
  if (paused) {
    const result = await gql(stack.graphqlUrl, 'mutation($id: ID!) { pauseCampaign(id: $id, reason: "暂停") { id } }', { id }, operator.token);
    if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
  }
  return { id, shop: merchant };
}

const SCENARIOS: Record<string, Scenario> = {
  OpenMerchant: async (caller) => ({
    token: await tokenOf(caller, null),
    variables: { input: { name: '新店', address: '长安街1号', location: north(shop.location, 10), deliveryRadiusMeters: 3000 } },
  }),
  PublishProduct: async (caller, relation) => ({
    token: await tokenOf(caller, relation, shop.owner.sub),
    variables: { input: { merchantId: shop.id, name: '肉夹馍', priceCents: 900, stock: 5 } },
  }),
  UpdateProductStock: async (caller, relation) => ({
    token: await tokenOf(caller, relation, shop.owner.sub),
    variables: { productId: await publishedProduct(shop), newStock: 7 },
  }),
  SetProductStatus: async (caller, relation) => ({
    token: await tokenOf(caller, relation, shop.owner.sub),
    variables: { productId: await publishedProduct(shop), status: 'OFF_SALE' },
  }),
  MerchantOrders: async (caller, relation) => ({
    token: await tokenOf(caller, relation, delivering.merchant.owner.sub),
    variables: { merchantId: delivering.merchant.id, first: 5 },
  }),
  NearbyMerchants: async (caller) => ({ token: await tokenOf(caller, null), variables: { near: north(shop.location, 100), first: 5 } }),
  ProductInfo: async (caller) => ({ token: await tokenOf(caller, null), variables: { id: shop.products[0]!.id } }),
  CreateOrder: async (caller) => ({
    token: await tokenOf(caller, null),
    variables: { input: { items: [{ productId: shop.products[0]!.id, quantity: 1 }], deliveryAddress: '人民路1号', deliveryLocation: north(shop.location, 300) } },
  }),
  InitiatePayment: async (caller, relation) => {
    const { order, token } = await pendingOrderFor(caller, relation);
    return { token, variables: { orderId: order.id, paymentMethod: 'WECHAT_PAY' } };
  },
  OrderInfo: async (caller, relation) => {
    // RIDER/other: riders[1] was offered this order and lost the grab to riders[0].
    const token =
      caller === 'RIDER' && relation === 'other'
        ? delivering.riders[1]!.token
        : await tokenOf(caller, relation, orderParty(delivering, delivering.rider, caller));
    return { token, variables: { id: delivering.order.id } };
  },
  MyOrders: async (caller) => ({ token: await tokenOf(caller, null), variables: { first: 5 } }),
  QuoteOrder: async (caller) => ({
    token: await tokenOf(caller, null),
    variables: { input: { items: [{ productId: shop.products[0]!.id, quantity: 1 }], deliveryLocation: north(shop.location, 300) } },
  }),
  CancelOrder: async (caller, relation) => {
    const { order, token } = await pendingOrderFor(caller, relation);
    return { token, variables: { orderId: order.id, reason: '不想要了' } };
  },
  ConfirmReceipt: async (caller, relation) => {
    const order = expectsOk('ConfirmReceipt', caller, relation) ? forConfirm : target;
    return { token: await tokenOf(caller, relation, orderParty(order, order.rider, caller)), variables: { orderId: order.order.id } };
  },
  TrackOrder: async (caller, relation) => {
    if (!expectsOk('TrackOrder', caller, relation)) {
      return { token: await tokenOf(caller, relation, orderParty(delivering, delivering.rider, caller)), variables: { orderId: delivering.order.id } };
    }
    // A fresh pending order: its customer cancelling it is the event the subscription must see.
    const { order, token } = await pendingOrderFor(caller, relation);
    return {
      token,
      variables: { orderId: order.id },
      cause: {
        field: 'orderUpdated',
        key: order.id,
        event: async () => {
          const cancelled = await gql(stack.graphqlUrl, 'mutation($id: ID!) { cancelOrder(orderId: $id) { id } }', { id: order.id }, order.customer.token);
          if (cancelled.errors?.length) throw new Error(JSON.stringify(cancelled.errors));
        },
      },
    };
  },
  RegisterRider: async (caller) => ({ token: await tokenOf(caller, null), variables: { input: { name: '小李', phone: '+8613900139000', vehicle: 'e-bike' } } }),
  GoOnline: async (caller) => ({ token: caller === 'RIDER' ? (await registeredRider(false)).token : await tokenOf(caller, null), variables: {} }),
  GoOffline: async (caller) => ({ token: caller === 'RIDER' ? (await registeredRider(true)).token : await tokenOf(caller, null), variables: {} }),
  ReportLocation: async (caller) => ({
    token: caller === 'RIDER' ? (await registeredRider(false)).token : await tokenOf(caller, null),
    variables: { location: north(shop.location, 150_000) },
  }),
  ReportLocations: async (caller) => {
    const spot = north(shop.location, 150_000);
    // Cells are prepared long before they run: times a little ago, well inside the hour a point may be old.
    const points = [0, 1].map((i) => ({ ...north(spot, i * 10), recordedAt: new Date(Date.now() - 60_000 + i * 1000).toISOString() }));
    return { token: caller === 'RIDER' ? (await registeredRider(false)).token : await tokenOf(caller, null), variables: { points } };
  },
  RiderTrail: async (caller, relation) => ({ token: await tokenOf(caller, relation, delivering.rider.sub), variables: { riderId: delivering.rider.sub, last: 5 } }),
  OrderOffers: async (caller) => {
    if (!expectsOk('OrderOffers', caller, null)) return { token: await tokenOf(caller, null), variables: {} };
    const { rider, offerEvent } = await aRiderAboutToBeOffered();
    // Staff naming no rider watch every rider's offers (the engine's key '*').
    if (caller !== 'RIDER') return { token: await tokenOf(caller, null), variables: {}, cause: { field: 'orderOffers', key: '*', event: offerEvent } };
    return { token: rider.token, variables: {}, cause: { field: 'orderOffers', key: rider.sub, event: offerEvent } };
  },
  PendingOrderOffers: async (caller) => ({ token: caller === 'RIDER' ? offered.riders[0]!.token : await tokenOf(caller, null), variables: {} }),
  GrabOrder: async (caller, relation) => {
    const order = expectsOk('GrabOrder', caller, relation) ? forGrab : offered;
    return { token: await tokenOf(caller, relation, orderParty(order, order.riders[0], caller)), variables: { orderId: order.order.id } };
  },
  PickUpOrder: async (caller, relation) => {
    const order = expectsOk('PickUpOrder', caller, relation) ? forPickUp : target;
    return { token: await tokenOf(caller, relation, orderParty(order, order.rider, caller)), variables: { orderId: order.order.id } };
  },
  DeliverOrder: async (caller, relation) => {
    const order = expectsOk('DeliverOrder', caller, relation) ? forDeliver : target;
    return { token: await tokenOf(caller, relation, orderParty(order, order.rider, caller)), variables: { orderId: order.order.id } };
  },
  RiderProfile: async (caller, relation) => ({ token: await tokenOf(caller, relation, delivering.rider.sub), variables: { id: delivering.rider.sub } }),
  WatchOrderOffers: async (caller, relation) => {
    if (!expectsOk('WatchOrderOffers', caller, relation)) {
      const rider = await anActor('RIDER');
      return { token: await tokenOf(caller, relation, rider.sub), variables: { riderId: rider.sub } };
    }
    const { rider, offerEvent } = await aRiderAboutToBeOffered();
    const token = caller === 'RIDER' ? rider.token : await tokenOf(caller, relation, rider.sub);
    // Staff watching one rider listen on the engine's key `watch:<rider>`; the rider on their own id.
    const key = caller === 'RIDER' ? rider.sub : `watch:${rider.sub}`;
    return { token, variables: { riderId: rider.sub }, cause: { field: 'orderOffers', key, event: offerEvent } };
  },
  WatchRider: async (caller, relation) => {
    const rider = await registeredRider(false);
    const token = caller === 'RIDER' && relation === 'own' ? rider.token : await tokenOf(caller, relation, rider.sub);
    if (!expectsOk('WatchRider', caller, relation)) return { token, variables: { riderId: rider.sub } };
    // riders.events as riders writes it when a rider's status changes.
    const event = () => bus.publish(Topics.riderEvents, [newEvent(RiderUpdated, rider.sub, { riderId: rider.sub, status: 'OFFLINE', suspended: false, cause: 'STATUS', at: new Date().toISOString() })]);
    return { token, variables: { riderId: rider.sub }, cause: { field: 'riderUpdated', key: rider.sub, event } };
  },
  OrdersNeedingAttention: async (caller) => {
    const token = await tokenOf(caller, null);
    if (!expectsOk('OrdersNeedingAttention', caller, null)) return { token, variables: {} };
    // A stuck payment of a real order, as payments reports one.
    const order = await anOrder(stack, shop);
    const event = () =>
      bus.publish(Topics.paymentEvents, [newEvent(PaymentNeedsAttention, order.id, { paymentId: `payment-${order.id}`, orderId: order.id, problem: 'PROVIDER_SILENT', at: new Date().toISOString() })]);
    return { token, variables: {}, cause: { field: 'ordersNeedingAttention', key: '*', event } };
  },
  DispatchActivity: async (caller) => {
    const token = await tokenOf(caller, null);
    if (!expectsOk('DispatchActivity', caller, null)) return { token, variables: {} };
    // A frame comes every window (5 s) whatever happens: nothing to cause.
    return { token, variables: {}, cause: { field: 'dispatchActivity', key: '*', event: async () => undefined } };
  },
  AuditLog: async (caller) => ({ token: await tokenOf(caller, null), variables: { first: 5 } }),
  BusinessFigures: async (caller) => ({ token: await tokenOf(caller, null), variables: { ...figuresRange(), bucket: 'HOUR' } }),
  MerchantFigures: async (caller) => ({ token: await tokenOf(caller, null), variables: { ...figuresRange(), first: 5 } }),
  RiderFigures: async (caller) => ({ token: await tokenOf(caller, null), variables: { ...figuresRange(), first: 5 } }),
  SearchPayments: async (caller) => ({ token: await tokenOf(caller, null), variables: { filter: { statuses: ['SUCCEEDED'] }, first: 5 } }),
  SearchRefunds: async (caller) => ({ token: await tokenOf(caller, null), variables: { first: 5 } }),
  // 1 cent of the paid order under a fresh key per cell: every allowed cell finds money left.
  CompensateOrder: async (caller, relation) => ({
    token: await tokenOf(caller, relation, orderParty(delivering, delivering.rider, caller)),
    variables: { orderId: delivering.order.id, amountCents: 1, reason: '配送延误，补偿顾客', idempotencyKey: `role-matrix-${caller}-${relation}` },
  }),
  SearchOrders: async (caller) => ({ token: await tokenOf(caller, null), variables: { filter: { statuses: ['DELIVERING'] }, first: 5 } }),
  OrdersOnMap: async (caller) => ({ token: await tokenOf(caller, null), variables: { filter: { needsAttention: true }, first: 5 } }),
  // Each ok cell gets a fresh order in a state the intervention allows; refused cells use one
  // order seen in the caller's role (its customer, shop owner or rider for "own").
  CancelOrderAsStaff: async (caller, relation) => {
    const { order, token } = await pendingOrderFor(caller, relation);
    return { token, variables: { orderId: order.id, reason: '顾客电话要求取消' } };
  },
  RedispatchOrder: async (caller, relation) => {
    if (!expectsOk('RedispatchOrder', caller, relation)) {
      return { token: await tokenOf(caller, relation, orderParty(delivering, delivering.rider, caller)), variables: { orderId: delivering.order.id, reason: '无人接单', radiusMeters: 5000 } };
    }
    // Paid and not grabbed: CREATED, or NOTIFIED once dispatch reached someone.
    const { order, token } = await pendingOrderFor(caller, relation);
    await payOrder(stack, order.id, order.customer.token);
    await eventually(
      async () => {
        const paid = await gql<{ order: { status: string } | null }>(stack.graphqlUrl, 'query($id: ID!) { order(id: $id) { status } }', { id: order.id }, order.customer.token);
        return ['CREATED', 'NOTIFIED'].includes(paid.data?.order?.status ?? '');
      },
      { timeoutMs: 30_000, what: `order ${order.id} paid` },
    );
    return { token, variables: { orderId: order.id, reason: '无人接单', radiusMeters: 5000 } };
  },
  ReassignOrder: async (caller, relation) => {
    const order = expectsOk('ReassignOrder', caller, relation) ? await aGrabbedOrder(stack, 2) : delivering;
    return { token: await tokenOf(caller, relation, orderParty(order, order.rider, caller)), variables: { orderId: order.order.id, riderId: order.riders[1]!.sub, reason: '骑手车坏了' } };
  },
  MarkOrderDelivered: async (caller, relation) => {
    const order = expectsOk('MarkOrderDelivered', caller, relation) ? await aGrabbedOrder(stack) : delivering;
    return { token: await tokenOf(caller, relation, orderParty(order, order.rider, caller)), variables: { orderId: order.order.id, reason: '骑手手机没电' } };
  },
  SearchMerchants: async (caller) => ({ token: await tokenOf(caller, null), variables: { filter: { near: shop.location, radiusMeters: 1000 }, first: 5 } }),
  // A shop of its own per cell: a suspension must not touch the shops other cells order from.
  SuspendMerchant: async (caller, relation) => {
    const target = await aMerchant(stack, []);
    return { token: await tokenOf(caller, relation, target.owner.sub), variables: { merchantId: target.id, reason: '食品安全检查' } };
  },
  ReinstateMerchant: async (caller, relation) => {
    const target = await aMerchant(stack, []);
    const suspended = await gql(
      stack.graphqlUrl,
      'mutation($id: ID!) { suspendMerchant(merchantId: $id, reason: "检查") { id } }',
      { id: target.id },
      (await anActor('OPERATOR')).token,
    );
    if (suspended.errors?.length) throw new Error(JSON.stringify(suspended.errors));
    return { token: await tokenOf(caller, relation, target.owner.sub), variables: { merchantId: target.id, reason: '检查通过' } };
  },
  SearchRiders: async (caller) => ({ token: await tokenOf(caller, null), variables: { filter: { statuses: ['IDLE'], suspended: false }, first: 5 } }),
  // A fresh rider per cell: an ok cell suspends (or reinstates) a rider nobody else uses.
  SuspendRider: async (caller, relation) => {
    const rider = await registeredRider(false);
    return { token: await tokenOf(caller, relation, rider.sub), variables: { riderId: rider.sub, reason: '多次投诉' } };
  },
  ReinstateRider: async (caller, relation) => {
    const rider = await registeredRider(false);
    const suspended = await gql(stack.graphqlUrl, 'mutation($id: ID!) { suspendRider(riderId: $id, reason: "核查") { id } }', { id: rider.sub }, (await anActor('ADMIN')).token);
    if (suspended.errors?.length) throw new Error(JSON.stringify(suspended.errors));
    return { token: await tokenOf(caller, relation, rider.sub), variables: { riderId: rider.sub, reason: '核查完毕' } };
  },
  NearbyMerchantsWithAds: async (caller) => ({ token: await tokenOf(caller, null), variables: { near: north(shop.location, 100), first: 5 } }),
  RecordAdClick: async (caller) => ({ token: await tokenOf(caller, null), variables: { placementId: (await aPlacement()).id } }),
  BuyAdPlacement: async (caller, relation) => {
    const merchant = await anAdShop();
    const input = { merchantId: merchant.id, center: merchant.location, radiusMeters: 500, startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), dailyBudgetCents: 1000, cpcCents: 10 };
    return { token: await tokenOf(caller, relation, merchant.owner.sub), variables: { input } };
  },
  PauseAdPlacement: async (caller, relation) => {
    const placement = await aPlacement();
    return { token: await tokenOf(caller, relation, placement.shop.owner.sub), variables: { id: placement.id, reason: '预算调整' } };
  },
  ResumeAdPlacement: async (caller, relation) => {
    const placement = await aPlacement(true);
    return { token: await tokenOf(caller, relation, placement.shop.owner.sub), variables: { id: placement.id, reason: '恢复投放' } };
  },
  EndAdPlacement: async (caller, relation) => {
    const placement = await aPlacement();
    return { token: await tokenOf(caller, relation, placement.shop.owner.sub), variables: { id: placement.id, reason: '活动结束' } };
  },
  AdPlacement: async (caller, relation) => {
    const placement = await aPlacement();
    return { token: await tokenOf(caller, relation, placement.shop.owner.sub), variables: { id: placement.id } };
  },
  AdPlacements: async (caller) => ({ token: await tokenOf(caller, null), variables: { first: 5 } }),
  CreateCampaign: async (caller, relation) => {
    const merchant = await aCampaignShop();
    return { token: await tokenOf(caller, relation, merchant.owner.sub), variables: { input: campaignInput(merchant.id) } };
  },
  PauseCampaign: async (caller, relation) => {
    const campaign = await aCampaign();
    return { token: await tokenOf(caller, relation, campaign.shop.owner.sub), variables: { id: campaign.id, reason: '预算复核' } };
  },
  ResumeCampaign: async (caller, relation) => {
    const campaign = await aCampaign('SPEND_AND_SAVE', true);
    return { token: await tokenOf(caller, relation, campaign.shop.owner.sub), variables: { id: campaign.id, reason: '复核通过' } };
  },
  EndCampaign: async (caller, relation) => {
    const campaign = await aCampaign();
    return { token: await tokenOf(caller, relation, campaign.shop.owner.sub), variables: { id: campaign.id, reason: '活动结束' } };
  },
  IssueCoupon: async (caller, relation) => {
    const campaign = await aCampaign('COUPON');
    const customer = await anActor('CUSTOMER');
    return { token: await tokenOf(caller, relation, campaign.shop.owner.sub), variables: { campaignId: campaign.id, customerId: customer.sub, expiresAt: new Date(Date.now() + 86_400_000).toISOString() } };
  },
  Campaign: async (caller, relation) => {
    const campaign = await aCampaign();
    return { token: await tokenOf(caller, relation, campaign.shop.owner.sub), variables: { id: campaign.id } };
  },
  Campaigns: async (caller) => ({ token: await tokenOf(caller, null), variables: { first: 5 } }),
  MyCoupons: async (caller) => ({ token: await tokenOf(caller, null), variables: { first: 5 } }),
};

/** What a GraphQL response amounts to, in the table's terms. */
interface AnyResponse {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<{ extensions?: { code?: unknown } }>;
}
function outcomeOf(response: AnyResponse): string {
  if (response.errors?.length) {
    const codes = [...new Set(response.errors.map((error) => String(error.extensions?.code ?? 'NO_CODE')))];
    return codes.join('+');
  }
  const values = Object.values(response.data ?? {});
  if (values.length !== 1) return `unexpected data ${JSON.stringify(response.data)}`;
  return values[0] === null || values[0] === undefined ? 'null' : 'ok';
}

async function runSubscription(source: string, prepared: Prepared): Promise<string> {
  if (prepared.token === null) {
    // No token in connection_init: the contract closes the socket with 4403.
    const socket = await openGraphQLSocket(stack.wsUrl);
    socket.send({ type: 'connection_init', payload: {} });
    const closed = await Promise.race([socket.closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000).unref())]);
    socket.close();
    return closed?.code === 4403 ? 'UNAUTHENTICATED' : `socket ${closed ? `closed with ${closed.code}` : 'still open after 5 s'}`;
  }
  if (prepared.cause) {
    // The previous cell's subscription on the same key (the staff views share '*') may still be
    // leaving: closing a socket does not wait for the gateway to drop it. Counting it as this
    // cell's listener would cause the event before this subscription is there to receive it.
    const { field, key } = prepared.cause;
    await eventually(() => stack.gateway.events.listeners(field, key) === 0, { timeoutMs: 10_000, what: `${field} no longer listening for ${key}` });
  }
  const subscription = subscribe<Record<string, unknown>>(stack.wsUrl, prepared.token, source, prepared.variables);
  try {
    if (!prepared.cause) {
      const end = await Promise.race([subscription.ended, new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000).unref())]);
      if (end === null) return 'accepted (no refusal within 5 s)';
      if (end.kind === 'error') return outcomeOf({ errors: end.errors });
      return `ended: ${JSON.stringify(end)}`;
    }
    const { field, key, event } = prepared.cause;
    const listening = await Promise.race([
      eventually(() => stack.gateway.events.listeners(field, key) === 1, { timeoutMs: 10_000, what: `${field} listening for ${key}` }).then(() => null),
      subscription.ended,
    ]);
    if (listening !== null) return listening.kind === 'error' ? outcomeOf({ errors: listening.errors }) : `ended: ${JSON.stringify(listening)}`;
    await event();
    return outcomeOf(await subscription.next(30_000));
  } finally {
    await subscription.close();
  }
}

async function runCell(operation: string, prepared: Prepared): Promise<string> {
  const { kind, source } = contractOperations.get(operation)!;
  if (kind === 'subscription') return runSubscription(source, prepared);
  return outcomeOf(await gql(stack.graphqlUrl, source, prepared.variables, prepared.token));
}

const contractNames = [...contractOperations.keys()].sort();
const describeRelation = (relation: Relation | null) => (relation === 'own' ? ' on their own object' : relation === 'other' ? " on someone else's object" : '');

test('the table has a row for every contract operation and a cell for every caller and relation', () => {
  expect(contractNames.length).toBeGreaterThanOrEqual(20);
  expect(Object.keys(EXPECTED).sort()).toEqual(contractNames);
  expect(Object.keys(SCENARIOS).sort()).toEqual(contractNames);
  for (const [name, row] of Object.entries(EXPECTED)) {
    expect({ name, cells: Object.keys(row.cells).sort() }).toEqual({ name, cells: expectedCellKeys(row).sort() });
  }
});

const cells = contractNames.flatMap((operation) => {
  const row = EXPECTED[operation];
  // An operation without a row still gets a cell, which fails: the table must grow with the contract.
  if (!row) return [{ title: `${operation} (no row in the table)`, operation, caller: 'anonymous' as Caller, relation: null, expected: `a row in EXPECTED for ${operation}` }];
  return expectedCellKeys(row).map((key) => {
    const [caller, relation] = key.split('/') as [Caller, Relation | undefined];
    const title = `${operation} by ${caller}${describeRelation(relation ?? null)}: ${row.cells[key]}`;
    return { title, operation, caller, relation: relation ?? null, expected: row.cells[key]! as string };
  });
});

test(`the matrix has ${cells.length} cells`, () => {
  expect(cells.length).toBe(Object.values(EXPECTED).reduce((sum, row) => sum + expectedCellKeys(row).length, 0));
});

// Each cell's objects and token, made before the cells run, eight at a time.
const preparedCells = new Map<string, Prepared>();
beforeAll(async () => {
  const queue = cells.filter((cell) => SCENARIOS[cell.operation]);
  const worker = async () => {
    for (let cell = queue.shift(); cell; cell = queue.shift()) {
      preparedCells.set(cell.title, await SCENARIOS[cell.operation]!(cell.caller, cell.relation));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}, 120_000);

/** The successful mutations by staff, each with the actor who made it: each must be in the audit log. */
const staffMutations: Array<{ operation: string; actorId: string }> = [];
const isStaffCaller = (caller: Caller) => caller === 'OPERATOR' || caller === 'ADMIN';
const subOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub;

test.each(cells)('$title', async ({ title, operation, caller, expected }) => {
  const prepared = preparedCells.get(title);
  const outcome = prepared ? await runCell(operation, prepared) : 'no scenario';
  if (outcome === 'ok' && prepared?.token && isStaffCaller(caller) && contractOperations.get(operation)?.kind === 'mutation') {
    staffMutations.push({ operation, actorId: subOf(prepared.token) });
  }
  expect({ cell: title, outcome }).toEqual({ cell: title, outcome: expected });
});

/**
 * What each mutation that OPERATOR or ADMIN may make writes to the audit log (issue 8: every
 * intervention and every staff mutation is audited in the transaction of its effect). A new
 * mutation that staff may call fails the test below until it has its action here.
 */
const AUDITED_AS: Record<string, AuditAction> = {
  PublishProduct: 'PRODUCT_PUBLISH',
  UpdateProductStock: 'PRODUCT_STOCK_SET',
  SetProductStatus: 'PRODUCT_STATUS_SET',
  CancelOrder: 'ORDER_CANCEL',
  CompensateOrder: 'ORDER_COMPENSATE',
  CancelOrderAsStaff: 'ORDER_CANCEL',
  RedispatchOrder: 'ORDER_REDISPATCH',
  ReassignOrder: 'ORDER_REASSIGN',
  MarkOrderDelivered: 'ORDER_MARK_DELIVERED',
  SuspendMerchant: 'MERCHANT_SUSPEND',
  ReinstateMerchant: 'MERCHANT_REINSTATE',
  SuspendRider: 'RIDER_SUSPEND',
  ReinstateRider: 'RIDER_REINSTATE',
  BuyAdPlacement: 'AD_BUY',
  PauseAdPlacement: 'AD_PAUSE',
  ResumeAdPlacement: 'AD_RESUME',
  EndAdPlacement: 'AD_END',
  CreateCampaign: 'CAMPAIGN_CREATE',
  PauseCampaign: 'CAMPAIGN_PAUSE',
  ResumeCampaign: 'CAMPAIGN_RESUME',
  EndCampaign: 'CAMPAIGN_END',
  IssueCoupon: 'COUPON_ISSUE',
};

test('every mutation staff may make names its audit action, and each one staff made above is in the audit log under its actor', async () => {
  const staffMayMake = Object.entries(EXPECTED)
    .filter(([name, row]) => contractOperations.get(name)?.kind === 'mutation' && Object.entries(row.cells).some(([key, outcome]) => outcome === 'ok' && isStaffCaller(key.split('/')[0] as Caller)))
    .map(([name]) => name);
  expect(staffMayMake.filter((name) => !AUDITED_AS[name])).toEqual([]);
  expect(staffMutations.length).toBeGreaterThan(0);

  const admin = await anActor('ADMIN');
  const unaudited: string[] = [];
  for (const { operation, actorId } of staffMutations) {
    const found = await eventually(
      async () => {
        const answer = await gql<{ auditLog: { edges: unknown[] } }>(
          stack.graphqlUrl,
          'query($filter: AuditLogFilter) { auditLog(filter: $filter, first: 1) { edges { cursor } } }',
          { filter: { actorId, actions: [AUDITED_AS[operation]] } },
          admin.token,
        );
        return (answer.data?.auditLog.edges.length ?? 0) > 0 ? true : null;
      },
      { timeoutMs: 15_000, what: `${operation} by ${actorId} in the audit log` },
    ).catch(() => false);
    if (!found) unaudited.push(`${operation} by ${actorId}`);
  }
  expect(unaudited).toEqual([]);
}, 300_000);

