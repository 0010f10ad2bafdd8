import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { mintToken, newId, SIGNATURE_HEADER, signCallback, type GeoPoint, type Role } from '@waimai/platform';
import { contractOperation } from '@waimai/testkit/contract';
import { dataOf, mapLimit, type GraphQLResult, type HttpClient, type HttpResult } from './http';
import { moved } from './city';

/** A user of the platform: its id (token sub) and a token for it. */
export interface Actor {
  sub: string;
  token: string;
}

// 4 h: longer than any bench run, so no socket is closed for an expired token mid-run.
const TOKEN_TTL = '4h';

export async function anActor(secret: string, role: Role, prefix = role.toLowerCase()): Promise<Actor> {
  const sub = `${prefix}-${newId()}`;
  return { sub, token: await mintToken(secret, { sub, roles: [role] }, TOKEN_TTL) };
}

export interface Merchant {
  id: string;
  productId: string;
  priceCents: number;
  location: GeoPoint;
}

/** Opens a shop with one dish (plenty of stock) at `location`, as a merchant would, through the gateway. */
export async function aMerchant(client: HttpClient, secret: string, location: GeoPoint, stock: number): Promise<Merchant> {
  const owner = await anActor(secret, 'MERCHANT');
  const { createMerchant } = dataOf(
    await client.graphql<{ createMerchant: { id: string } }>(
      'mutation OpenMerchant($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }',
      { input: { name: `压测小馆-${owner.sub.slice(-6)}`, address: '压测路1号', location, deliveryRadiusMeters: 3000 } },
      owner.token,
    ),
    'createMerchant',
  );
  const priceCents = 2500;
  const { publishProduct } = dataOf(
    await client.graphql<{ publishProduct: { id: string } }>(
      'mutation PublishProduct($input: PublishProductInput!) { publishProduct(input: $input) { id } }',
      { input: { merchantId: createMerchant.id, name: '黄焖鸡米饭', priceCents, stock } },
      owner.token,
    ),
    'publishProduct',
  );
  return { id: createMerchant.id, productId: publishProduct.id, priceCents, location };
}

export interface Shop {
  id: string;
  owner: Actor;
  productIds: string[];
  location: GeoPoint;
}

/** A shop with `products` dishes of `stock` each, opened and published by its owner through the gateway (the contract's OpenMerchant and PublishProduct). */
export async function aShop(client: HttpClient, secret: string, location: GeoPoint, products: number, stock: number): Promise<Shop> {
  const owner = await anActor(secret, 'MERCHANT');
  const { createMerchant } = dataOf(
    await client.graphql<{ createMerchant: { id: string } }>(
      contractOperation('OpenMerchant'),
      { input: { name: `压测小馆-${owner.sub.slice(-6)}`, address: '压测路1号', location, deliveryRadiusMeters: 3000 } },
      owner.token,
    ),
    'createMerchant',
  );
  const productIds = await mapLimit(Array.from({ length: products }, (_, n) => n), 4, async (n) => {
    const { publishProduct } = dataOf(
      await client.graphql<{ publishProduct: { id: string } }>(
        contractOperation('PublishProduct'),
        { input: { merchantId: createMerchant.id, name: `招牌菜${n + 1}号`, description: '压测用', priceCents: 1500 + n * 10, stock } },
        owner.token,
      ),
      'publishProduct',
    );
    return publishProduct.id;
  });
  return { id: createMerchant.id, owner, productIds, location };
}

export interface Rider extends Actor {
  home: GeoPoint;
}

/** Registers riders, brings them online and reports where they are: registerRider, goOnline, reportLocation. */
export async function onlineRiders(client: HttpClient, secret: string, places: readonly GeoPoint[], concurrency: number): Promise<Rider[]> {
  return mapLimit(places, concurrency, async (home, index) => {
    const actor = await anActor(secret, 'RIDER');
    dataOf(
      await client.graphql(
        'mutation RegisterRider($input: RegisterRiderInput!) { registerRider(input: $input) { id } }',
        { input: { name: `骑手${index}`, phone: `1380000${String(index).padStart(4, '0')}` } },
        actor.token,
      ),
      'registerRider',
    );
    dataOf(await client.graphql(contractOperation('GoOnline'), {}, actor.token), 'goOnline');
    await reportLocation(client, actor.token, home);
    return { ...actor, home };
  });
}

export const REPORT_LOCATION = contractOperation('ReportLocation');

export async function reportLocation(client: HttpClient, token: string, location: GeoPoint): Promise<void> {
  const { reportLocation: indexed } = dataOf(await client.graphql<{ reportLocation: boolean }>(REPORT_LOCATION, { location }, token), 'reportLocation');
  if (indexed !== true) throw new Error('reportLocation answered false');
}

/** An order ready to be paid: created, its payment initiated; the provider's callback is the only step left. */
export interface PayableOrder {
  orderId: string;
  paymentId: string;
  amountCents: number;
  merchant: Merchant;
}

/**
 * A set-up call repeated while it answers SERVICE_UNAVAILABLE (a neighbour slow on a busy
 * machine), after the retryAfterSeconds it names, 4 tries at most. Only for calls that are
 * safe to repeat: createOrder with its idempotency key, initiatePayment of a pending payment.
 */
async function retriedWhileUnavailable<T>(call: () => Promise<GraphQLResult<T>>): Promise<GraphQLResult<T>> {
  for (let attempt = 1; ; attempt += 1) {
    const result = await call();
    const unavailable = result.errors?.find((error) => error.extensions?.code === 'SERVICE_UNAVAILABLE');
    if (!unavailable || attempt >= 4) return result;
    const after = Number((unavailable.extensions as { retryAfterSeconds?: unknown }).retryAfterSeconds);
    await sleep((Number.isFinite(after) && after > 0 ? Math.min(after, 10) : 2) * 1000);
  }
}

/** createOrder (one dish, delivered 500 m north of the shop) and initiatePayment, as the customer's app does. */
export async function aPayableOrder(client: HttpClient, customer: Actor, merchant: Merchant): Promise<PayableOrder> {
  // The key makes a retried createOrder return the same order instead of placing a second one.
  const input = { items: [{ productId: merchant.productId, quantity: 1 }], deliveryAddress: '人民路100号', deliveryLocation: moved(merchant.location, 500, 0), idempotencyKey: randomUUID() };
  const { createOrder } = dataOf(
    await retriedWhileUnavailable(() =>
      client.graphql<{ createOrder: { id: string } }>('mutation CreateOrder($input: CreateOrderInput!) { createOrder(input: $input) { id status totalCents } }', { input }, customer.token),
    ),
    'createOrder',
  );
  const { initiatePayment } = dataOf(
    await retriedWhileUnavailable(() =>
      client.graphql<{ initiatePayment: { id: string; amountCents: number } }>(
        'mutation InitiatePayment($orderId: ID!, $paymentMethod: PaymentMethod!) { initiatePayment(orderId: $orderId, paymentMethod: $paymentMethod) { id amountCents status } }',
        { orderId: createOrder.id, paymentMethod: 'ALIPAY' },
        customer.token,
      ),
    ),
    'initiatePayment',
  );
  return { orderId: createOrder.id, paymentId: initiatePayment.id, amountCents: initiatePayment.amountCents, merchant };
}

export interface WebhookSent {
  /** performance.now() just before the request was written. */
  sentAt: number;
  /** Date.now() at the same moment, to line up with timestamps the services write. */
  sentAtWall: number;
  result: Promise<HttpResult>;
}

/**
 * The payment provider's success callback for `order`, signed as the contract says and POSTed
 * to the gateway's webhook URL. The body is built and signed before the clock is read.
 */
export function sendPaymentSucceeded(client: HttpClient, webhookSecret: string, order: PayableOrder): WebhookSent {
  const raw = JSON.stringify({
    eventId: `evt_${randomUUID()}`,
    paymentId: order.paymentId,
    orderId: order.orderId,
    paymentStatus: 'SUCCESS',
    amountCents: order.amountCents,
    providerTxnId: `txn_${randomUUID()}`,
  });
  const headers = { 'content-type': 'application/json', [SIGNATURE_HEADER]: signCallback(webhookSecret, raw) };
  const sentAtWall = Date.now();
  const sentAt = performance.now();
  // Sent again over a fresh connection if the one it went out on had just been closed: payments applies a callback once per event id.
  return { sentAt, sentAtWall, result: client.idempotentRequest('POST', '/webhooks/payments/sandbox', headers, raw) };
}
