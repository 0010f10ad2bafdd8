import { createLogger, createKafkaEventBus, newEvent, PaymentSucceeded, RiderUpdated, Topics, newId, type Identity, type RiderUpdatedData } from '@waimai/platform';
import { aPlace, startStack, subgraphCaller } from '@waimai/testkit';
export { eventually } from '@waimai/testkit';
import { loadOrdersConfig } from '../src/env';
import { startOrdersSubgraph, type OrdersOptions, type RunningOrders } from '../src/app';
import { ordersService } from '../src/index';

export interface HarnessOptions {
  /**
   * Riders on the stack too, for what orders asks riders (reassignOrder checks the rider).
   * Its dispatcher cannot reach this orders (the stack starts riders before it): tests step
   * orders through dispatch themselves.
   */
  riders?: boolean;
  /** Where orders finds operations' campaigns API instead (a server that never answers, say). */
  operationsUrl?: string;
}

/**
 * Products (and riders when asked) on testkit's stack (its own databases, keys and topics
 * inside the run's), and orders in-process beside it from its own src (so tests can reach
 * its outbox and start replicas), with the timers shortened by `overrides` (e.g.
 * PAYMENT_WINDOW_SECONDS: '2').
 */
export async function startOrdersWithProducts(overrides: Record<string, string> = {}, options: OrdersOptions = {}, harness: HarnessOptions = {}) {
  const stack = await startStack({ subgraphs: harness.riders ? ['products', 'riders'] : ['products'], env: { SCHEDULER_INTERVAL_MS: '200', ...overrides } });
  const logger = createLogger('test', stack.env.LOG_LEVEL ?? 'warn');
  const productsUrl = stack.subgraphUrls.products!;
  const ridersUrl = stack.subgraphUrls.riders;
  let orders: RunningOrders | undefined;
  let paymentsBus: ReturnType<typeof createKafkaEventBus> | undefined;
  try {
    const ordersConfig = loadOrdersConfig({
      ...stack.env,
      ORDERS_PORT: '0',
      PRODUCTS_URL: productsUrl,
      ...(ridersUrl ? { RIDERS_URL: ridersUrl } : {}),
      ...(harness.operationsUrl ? { OPERATIONS_URL: harness.operationsUrl } : {}),
    });
    await ordersService.migrate(ordersConfig);
    orders = await startOrdersSubgraph(ordersConfig, logger, options);
    paymentsBus = createKafkaEventBus(ordersConfig, 'test-payments', logger);
    const running = orders;
    const bus = paymentsBus;
    return {
      orders: running,
      config: ordersConfig,
      callProducts: subgraphCaller(productsUrl, ordersConfig.INTERNAL_SECRET),
      callOrders: subgraphCaller(running.baseUrl, ordersConfig.INTERNAL_SECRET),
      /** Riders' GraphQL; only with `riders: true`. */
      callRiders: subgraphCaller(ridersUrl ?? stack.env.RIDERS_URL!, ordersConfig.INTERNAL_SECRET),
      stack,
      /**
       * Publishes RiderUpdated events on the run's riders.events, in this order, as riders does
       * when a rider changes. Each is keyed by its rider unless `key` says otherwise (events
       * under one key are read in the order they were sent).
       */
      async riderUpdated(...events: Array<RiderUpdatedData & { key?: string }>) {
        await bus.publish(
          Topics.riderEvents,
          events.map(({ key, ...data }) => newEvent(RiderUpdated, key ?? data.riderId, data)),
        );
      },
      /** Publishes what the payments service would after a successful webhook. */
      async paymentSucceeded(orderId: string, amountCents: number, paymentId = newId(), eventId?: string) {
        const event = newEvent(PaymentSucceeded, orderId, { paymentId, orderId, amountCents, paidAt: new Date().toISOString() });
        await bus.publish(Topics.paymentEvents, [eventId ? { ...event, id: eventId } : event]);
        return { paymentId, eventId: eventId ?? event.id };
      },
      /** Publishes several PaymentSucceeded in one send: those of one order share a partition and arrive in one fetch. */
      async paymentsSucceeded(payments: Array<{ orderId: string; amountCents: number; paymentId: string; eventId: string }>) {
        await bus.publish(
          Topics.paymentEvents,
          payments.map(({ orderId, amountCents, paymentId, eventId }) => ({ ...newEvent(PaymentSucceeded, orderId, { paymentId, orderId, amountCents, paidAt: new Date().toISOString() }), id: eventId })),
        );
      },
      async stop() {
        await bus.close();
        await running.stop();
        await stack.stop();
      },
    };
  } catch (err) {
    await paymentsBus?.close();
    await orders?.stop();
    await stack.stop();
    throw err;
  }
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
