import { createLogger, createKafkaEventBus, newEvent, PaymentSucceeded, Topics, newId, type Identity } from '@waimai/platform';
import { aPlace, ensureRunIsolation, subgraphCaller } from '@waimai/testkit';
export { eventually } from '@waimai/testkit';
import { loadProductsConfig } from '../../products/src/env';
import { migrateProducts, startProductsSubgraph } from '../../products/src/app';
import { loadOrdersConfig } from '../src/env';
import { migrateOrders, startOrdersSubgraph, type OrdersOptions } from '../src/app';

/**
 * Products and orders in-process on free ports, on this run's own databases and topics,
 * with the timers shortened by `overrides` (e.g. PAYMENT_WINDOW_SECONDS: '2').
 */
export async function startOrdersWithProducts(overrides: Record<string, string> = {}, options: OrdersOptions = {}) {
  ensureRunIsolation();
  const logger = createLogger('test', process.env.LOG_LEVEL ?? 'warn');
  const productsConfig = loadProductsConfig({ ...process.env, PRODUCTS_PORT: '0' });
  await migrateProducts(productsConfig);
  const products = await startProductsSubgraph(productsConfig, logger);
  const ordersConfig = loadOrdersConfig({
    ...process.env,
    ORDERS_PORT: '0',
    PRODUCTS_URL: products.baseUrl,
    SCHEDULER_INTERVAL_MS: '200',
    ...overrides,
  });
  await migrateOrders(ordersConfig);
  const orders = await startOrdersSubgraph(ordersConfig, logger, options);
  const paymentsBus = createKafkaEventBus(ordersConfig, 'test-payments', logger);
  return {
    products,
    orders,
    config: ordersConfig,
    callProducts: subgraphCaller(products.baseUrl, productsConfig.INTERNAL_SECRET),
    callOrders: subgraphCaller(orders.baseUrl, ordersConfig.INTERNAL_SECRET),
    /** Publishes what the payments service would after a successful webhook. */
    async paymentSucceeded(orderId: string, amountCents: number, paymentId = newId(), eventId?: string) {
      const event = newEvent(PaymentSucceeded, orderId, { paymentId, orderId, amountCents, paidAt: new Date().toISOString() });
      await paymentsBus.publish(Topics.paymentEvents, [eventId ? { ...event, id: eventId } : event]);
      return { paymentId, eventId: eventId ?? event.id };
    },
    async stop() {
      await paymentsBus.close();
      await orders.stop();
      await products.stop();
    },
  };
}
export type OrdersHarness = Awaited<ReturnType<typeof startOrdersWithProducts>>;

/** A point in its own corner of the map, so tests of one run never see each other's shops. */
export const somewhere = aPlace;

export const customer = (sub = `customer-${newId()}`): Identity => ({ sub, roles: ['CUSTOMER'] });
export const merchantOwner = (sub = `merchant-${newId()}`): Identity => ({ sub, roles: ['MERCHANT'] });

export async function aMenu(h: OrdersHarness, dishes: Array<{ name: string; priceCents: number; stock: number }>) {
  const owner = merchantOwner();
  const location = somewhere();
  const merchant = await h.callProducts<{ createMerchant: { id: string } }>(
    'mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }',
    { input: { name: '测试餐厅', address: '测试路8号', location, deliveryRadiusMeters: 5000 } },
    owner,
  );
  const merchantId = merchant.data!.createMerchant.id;
  const products: string[] = [];
  for (const dish of dishes) {
    const published = await h.callProducts<{ publishProduct: { id: string } }>(
      'mutation($input: PublishProductInput!) { publishProduct(input: $input) { id } }',
      { input: { merchantId, ...dish } },
      owner,
    );
    products.push(published.data!.publishProduct.id);
  }
  return { merchantId, owner, location, products };
}

export const CREATE_ORDER = `mutation($input: CreateOrderInput!) {
  createOrder(input: $input) { id status totalCents deadlineAt items { productName unitPriceCents quantity subtotalCents } }
}`;

export const ORDER = `query($id: ID!) {
  order(id: $id) { id status wasOvertime totalCents paidAt cancelledAt riderId timeline { status at } }
}`;

export async function stockOf(h: OrdersHarness, productId: string): Promise<number> {
  const result = await h.callProducts<{ product: { stock: number } }>('query($id: ID!) { product(id: $id) { stock } }', { id: productId });
  return result.data!.product.stock;
}
