import type { CityApi } from './api';
import { distanceMeters, somewhereAround, type GeoPoint } from './geo';
import type { CityCounters } from './stats';

export interface Dish {
  id: string;
  name: string;
  priceCents: number;
  stock: number;
  status: string;
}

export interface Shop {
  id: string;
  name: string;
  location: GeoPoint;
  dishes: Dish[];
}

interface NearbyMerchants {
  merchantsNearby: Array<{
    distanceMeters: number;
    merchant: { id: string; name: string; location: GeoPoint; products: { edges: Array<{ node: Dish }> } };
  }>;
}

/** What a customer's journey needs of the city around it. */
export interface CustomerWorld {
  api: CityApi;
  counters: CityCounters;
  random: () => number;
  /** Resolves after `ms` of real time, or false at once when the city stops. */
  pause(ms: number): Promise<boolean>;
  timeScale: number;
  paymentFailureShare: number;
  abandonShare: number;
  maxDeliveryMeters: number;
  /** Tells the city whose order this is (its compensation is read back with the customer's token). */
  placedOrder(orderId: string, customerToken: string): void;
}

/**
 * The demo shops as the customer app sees them (NearbyMerchants from the city centre, public),
 * read again every so often; their owner tops up dishes running low, as a shop would.
 */
export class Market {
  shops: Shop[] = [];
  private restockRefused = false;

  constructor(
    private readonly api: CityApi,
    private readonly center: GeoPoint,
    private readonly radiusMeters: number,
    /** A customer's token: the public query counts against a user's budget instead of the IP's. */
    private readonly browserToken: string,
    /** The shops' owner's token (MERCHANT), for UpdateProductStock. */
    private readonly ownerToken: string,
  ) {}

  /** Reads the shops and their menus; tops up dishes below `restockBelow`. False when the query failed. */
  async refresh(restockBelow = 20, restockTo = 200): Promise<boolean> {
    const data = await this.api.expect<NearbyMerchants>('NearbyMerchants', { near: this.center, first: 20 }, this.browserToken);
    if (!data) return false;
    this.shops = data.merchantsNearby
      .filter(({ merchant }) => distanceMeters(merchant.location, this.center) <= this.radiusMeters)
      .map(({ merchant }) => ({
        id: merchant.id,
        name: merchant.name,
        location: merchant.location,
        dishes: merchant.products.edges.map(({ node }) => node).filter((dish) => dish.status === 'ON_SALE'),
      }))
      .filter((shop) => shop.dishes.length > 0);
    if (this.restockRefused) return true;
    for (const dish of this.shops.flatMap((shop) => shop.dishes).filter((dish) => dish.stock < restockBelow)) {
      const outcome = await this.api.call('UpdateProductStock', { productId: dish.id, newStock: restockTo }, this.ownerToken);
      if (outcome.ok) {
        dish.stock = restockTo;
        continue;
      }
      this.api.unexpected('UpdateProductStock', outcome);
      // Not the shops' owner (another city than the demo's): stop trying, the error says why once.
      if (outcome.code === 'FORBIDDEN') this.restockRefused = true;
      break;
    }
    return true;
  }
}

interface CreatedOrder {
  createOrder: { id: string; status: string; totalCents: number; deadlineAt: string | null };
}
interface InitiatedPayment {
  initiatePayment: { id: string; amountCents: number; status: string };
}

const PAYMENT_METHODS = ['ALIPAY', 'WECHAT_PAY', 'CARD'] as const;

/**
 * One customer ordering as the app does: picks a shop and one or two dishes, orders to a spot
 * a short ride away, then pays (the provider's callback reports success), fails to pay (and
 * cancels, or pays again), or walks away without paying (the payment window cancels it).
 */
export async function orderSomething(world: CustomerWorld, market: Market, customer: { sub: string; token: string }, serial: number): Promise<void> {
  const { api, counters, random } = world;
  const shop = market.shops[Math.floor(random() * market.shops.length)];
  if (!shop) return;
  const inStock = shop.dishes.filter((dish) => dish.stock > 0);
  const first = inStock[Math.floor(random() * inStock.length)];
  if (!first) return;
  const second = random() < 0.4 ? inStock[Math.floor(random() * inStock.length)] : undefined;
  const items = second && second.id !== first.id ? [{ productId: first.id, quantity: 1 }, { productId: second.id, quantity: 1 }] : [{ productId: first.id, quantity: 1 + Math.floor(random() * 2) }];
  const deliveryLocation = somewhereAround(shop.location, 200, world.maxDeliveryMeters, random);

  const created = await api.call<CreatedOrder>(
    'CreateOrder',
    {
      input: {
        items,
        deliveryAddress: `模拟顾客 ${customer.sub}, ${deliveryLocation.lat.toFixed(5)}, ${deliveryLocation.lng.toFixed(5)}`,
        deliveryLocation,
        idempotencyKey: `${customer.sub}-${serial}-${Date.now().toString(36)}`,
      },
    },
    customer.token,
  );
  if (!created.ok) {
    if (created.code === 'OUT_OF_STOCK') counters.order('outOfStock');
    else api.unexpected('CreateOrder', created);
    return;
  }
  for (const item of items) {
    const dish = shop.dishes.find((candidate) => candidate.id === item.productId);
    if (dish) dish.stock -= item.quantity;
  }
  const order = created.data.createOrder;
  counters.order('placed');
  world.placedOrder(order.id, customer.token);

  const fate = random();
  // A customer looks at the basket for a moment before paying.
  if (!(await world.pause(thinkMs(random, world.timeScale)))) return;
  if (fate < world.abandonShare) {
    counters.order('abandoned');
    return;
  }
  const failsFirst = fate < world.abandonShare + world.paymentFailureShare;
  const paidFirstTime = await pay(world, order.id, customer.token, failsFirst ? 'FAILURE' : 'SUCCESS');
  if (paidFirstTime === null) return;
  if (!failsFirst) return;
  if (!(await world.pause(thinkMs(random, world.timeScale)))) return;
  if (random() < 0.5) {
    const cancelled = await api.expect('CancelOrder', { orderId: order.id, reason: '支付失败，不要了 (simulated)' }, customer.token);
    if (cancelled) counters.order('cancelled');
    return;
  }
  await pay(world, order.id, customer.token, 'SUCCESS');
}

/** initiatePayment, a moment on the provider's page, then its callback. Null when a call failed. */
async function pay(world: CustomerWorld, orderId: string, token: string, outcome: 'SUCCESS' | 'FAILURE'): Promise<boolean | null> {
  const { api, counters, random } = world;
  const method = PAYMENT_METHODS[Math.floor(random() * PAYMENT_METHODS.length)]!;
  const initiated = await api.expect<InitiatedPayment>('InitiatePayment', { orderId, paymentMethod: method }, token);
  if (!initiated) return null;
  if (!(await world.pause(thinkMs(random, world.timeScale) / 2))) return null;
  if (!(await api.providerCallback(initiated.initiatePayment, orderId, outcome))) return null;
  counters.order(outcome === 'SUCCESS' ? 'paid' : 'paymentFailed');
  return outcome === 'SUCCESS';
}

/** 1–4 s of a person deciding, shortened by the time scale (never under 50 ms). */
function thinkMs(random: () => number, timeScale: number): number {
  return Math.max(50, (1000 + random() * 3000) / timeScale);
}
