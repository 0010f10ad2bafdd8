import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { connectDatabase, createInternalClient, createInternalSigner, createLogger, ordersApi, type Identity, type RunningService } from '@waimai/platform';
import { aPlace, ensureRunIsolation, eventually, freePorts, spawnService, subgraphCaller, unreachableUrl, waitUntilReady, type ServiceProcess } from '@waimai/testkit';
import { loadProductsConfig } from '../../products/src/env';
import { migrateProducts, startProductsSubgraph } from '../../products/src/app';
import { productsSchema, stockHolds } from '../../products/src/db/schema';
import { createStockStore } from '../../products/src/db/stock-store';
import { createOrphanHoldSweep } from '../../products/src/jobs/orphan-hold-sweep';
import { loadOrdersConfig } from '../src/env';
import { migrateOrders } from '../src/app';
import { orderIdFor } from '../src/domain/orders';

/**
 * Orders killed with SIGKILL between the stock hold (committed in products) and the order row:
 * orders runs as its own OS process with FAULT_CRASH_AFTER_STOCK_HOLD=1, which kills it right
 * after products answered the reservation. Products runs in-process with its orphan-hold sweep.
 */

// 30 s: longer than restarting orders (a tsx start on a busy 2-core machine), so the keyed
// retry finds its hold still there; the sweep checks every 250 ms.
const ORPHAN_SECONDS = 30;

const CREATE_ORDER = `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id status totalCents } }`;
const ORDER = `query($id: ID!) { order(id: $id) { id status } }`;

interface Setup {
  products: RunningService;
  env: Record<string, string>;
  internalSecret: string;
  ordersPort: number;
  ordersAdminPort: number;
  logDir: string;
  database: ReturnType<typeof connectDatabase<typeof productsSchema>>;
}

let setup: Setup;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  ensureRunIsolation();
  const tag = `c${randomBytes(3).toString('hex')}`;
  const [ordersPort, ordersAdminPort] = (await freePorts(2)) as [number, number];
  const env = Object.fromEntries(
    Object.entries({
      ...process.env,
      DB_PREFIX: `${process.env.DB_PREFIX}_${tag}`,
      KAFKA_TOPIC_PREFIX: `${process.env.KAFKA_TOPIC_PREFIX}${tag}-`,
      ORDERS_URL: `http://127.0.0.1:${ordersPort}`,
    }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const logger = createLogger('test', env.LOG_LEVEL ?? 'warn');
  const productsConfig = loadProductsConfig({ ...env, PRODUCTS_PORT: '0', STOCK_HOLD_ORPHAN_SECONDS: String(ORPHAN_SECONDS), STOCK_HOLD_SWEEP_INTERVAL_MS: '250' });
  await migrateProducts(productsConfig);
  const products = await startProductsSubgraph(productsConfig, logger);
  const ordersEnv = { ...env, PRODUCTS_URL: products.baseUrl, ORDERS_PORT: String(ordersPort), ORDERS_ADMIN_PORT: String(ordersAdminPort) };
  await migrateOrders(loadOrdersConfig(ordersEnv));
  setup = {
    products,
    env: ordersEnv,
    internalSecret: productsConfig.INTERNAL_SECRET,
    ordersPort,
    ordersAdminPort,
    logDir: mkdtempSync(path.join(os.tmpdir(), 'waimai-crash-')),
    database: connectDatabase(productsConfig, 'products', productsSchema),
  };
}, 180_000);

afterAll(async () => {
  for (const orders of started) await orders.stop();
  await setup?.database.close();
  await setup?.products.stop();
});

/** Starts orders as its own process; `crashAfterHold` arms the fault point. */
async function startOrders(crashAfterHold: boolean): Promise<ServiceProcess> {
  const orders = spawnService({
    name: `orders-${started.length + 1}`,
    dir: 'subgraphs/orders',
    port: setup.ordersPort,
    adminPort: setup.ordersAdminPort,
    env: { ...setup.env, FAULT_CRASH_AFTER_STOCK_HOLD: crashAfterHold ? 'true' : 'false' },
    logDir: setup.logDir,
  });
  started.push(orders);
  await waitUntilReady(orders);
  return orders;
}

const callProducts = () => subgraphCaller(setup.products.baseUrl, setup.internalSecret);
const callOrders = () => subgraphCaller(`http://127.0.0.1:${setup.ordersPort}`, setup.internalSecret);

async function aDish(stock: number) {
  const owner: Identity = { sub: `merchant-${randomBytes(4).toString('hex')}`, roles: ['MERCHANT'] };
  const location = aPlace();
  const merchant = await callProducts()<{ createMerchant: { id: string } }>(
    'mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }',
    { input: { name: '深夜食堂', address: '测试路9号', location, deliveryRadiusMeters: 5000 } },
    owner,
  );
  const dish = await callProducts()<{ publishProduct: { id: string } }>(
    'mutation($input: PublishProductInput!) { publishProduct(input: $input) { id } }',
    { input: { merchantId: merchant.data!.createMerchant.id, name: '拉面', priceCents: 3200, stock } },
    owner,
  );
  return { productId: dish.data!.publishProduct.id, near: { lat: location.lat + 0.005, lng: location.lng } };
}

async function stockOf(productId: string): Promise<number> {
  const result = await callProducts()<{ product: { stock: number } }>('query($id: ID!) { product(id: $id) { stock } }', { id: productId });
  return result.data!.product.stock;
}

async function holdsOf(productId: string) {
  const { stockHoldItems } = productsSchema;
  return setup.database.primary
    .select({ orderId: stockHolds.orderId, status: stockHolds.status, confirmedAt: stockHolds.confirmedAt, quantity: stockHoldItems.quantity })
    .from(stockHolds)
    .innerJoin(stockHoldItems, eq(stockHoldItems.orderId, stockHolds.orderId))
    .where(eq(stockHoldItems.productId, productId));
}

/** A createOrder that kills orders after the hold: the request fails with the connection. */
async function createOrderThatDies(orders: ServiceProcess, input: Record<string, unknown>, customer: Identity) {
  await expect(callOrders()(CREATE_ORDER, { input }, customer)).rejects.toThrow();
  await eventually(() => orders.exitReason(), { timeoutMs: 10_000, what: 'orders to die at the fault point' });
  expect(orders.exitReason()).toBe('signal SIGKILL');
}

test(
  'orders killed between the stock hold and the order row: the keyed retry gets the same hold and order, the unkeyed hold is released once orders says it has no order, a hold with an order stays',
  async () => {
    const initial = 10;
    const { productId, near } = await aDish(initial);
    const customer: Identity = { sub: `customer-${randomBytes(4).toString('hex')}`, roles: ['CUSTOMER'] };
    const unkeyed = { items: [{ productId, quantity: 3 }], deliveryAddress: '人民路5号', deliveryLocation: near };
    const keyed = { items: [{ productId, quantity: 2 }], deliveryAddress: '人民路5号', deliveryLocation: near, idempotencyKey: 'checkout-crash-1' };

    // Two crashes, each right after products committed a hold: one without a key, then one with.
    await createOrderThatDies(await startOrders(true), unkeyed, customer);
    await createOrderThatDies(await startOrders(true), keyed, customer);
    const expectedId = orderIdFor(customer.sub, keyed.idempotencyKey);
    const orphaned = await holdsOf(productId);
    expect(orphaned.map((hold) => hold.status)).toEqual(['RESERVED', 'RESERVED']);
    expect(orphaned.some((hold) => hold.orderId === expectedId && hold.quantity === 2)).toBe(true);
    expect(await stockOf(productId)).toBe(initial - 5);

    // Orders is down: the sweep cannot ask, so it releases nothing, however old the holds are.
    const stock = createStockStore(setup.database.primary);
    const blind = createOrphanHoldSweep({
      stock,
      orders: createInternalClient(ordersApi, { baseUrl: await unreachableUrl(), caller: 'products', signer: createInternalSigner(setup.internalSecret), timeoutMs: 2000 }),
      orphanSeconds: 0,
      logger: createLogger('test', 'silent'),
    });
    const unanswered = await blind.sweep(new Date(Date.now() + 1000));
    expect(unanswered.released).toBe(0);
    expect(unanswered.unanswered).toBeGreaterThanOrEqual(2);
    expect((await holdsOf(productId)).map((hold) => hold.status)).toEqual(['RESERVED', 'RESERVED']);

    // Restarted without the fault: the retry with the same key resumes the hold and creates that order.
    await startOrders(false);
    const retried = await callOrders()<{ createOrder: { id: string; status: string; totalCents: number } }>(CREATE_ORDER, { input: keyed }, customer);
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.createOrder).toEqual({ id: expectedId, status: 'PENDING_PAYMENT', totalCents: 6400 });
    const again = await callOrders()<{ createOrder: { id: string } }>(CREATE_ORDER, { input: keyed }, customer);
    expect(again.data!.createOrder.id).toBe(expectedId);
    expect(await stockOf(productId)).toBe(initial - 5);

    // The unkeyed hold: released by products' own sweep once its window passed and orders said no such order.
    const unkeyedHold = orphaned.find((hold) => hold.orderId !== expectedId)!;
    await eventually(
      async () => (await holdsOf(productId)).find((hold) => hold.orderId === unkeyedHold.orderId)?.status === 'RELEASED',
      { timeoutMs: (ORPHAN_SECONDS + 30) * 1000, intervalMs: 500, what: 'the orphaned hold to be released' },
    );
    const unknown = await callOrders()<{ order: null }>(ORDER, { id: unkeyedHold.orderId }, customer);
    expect(unknown.data?.order ?? null).toBeNull();
    expect(await stockOf(productId)).toBe(initial - 2);

    // The keyed hold has its order: confirmed (by the order's first event), and still RESERVED.
    await eventually(async () => (await holdsOf(productId)).find((hold) => hold.orderId === expectedId)?.confirmedAt, {
      timeoutMs: 30_000,
      what: 'the hold of the created order to be confirmed',
    });
    // Even unconfirmed and far past its window, a hold whose order exists is not released:
    // orders is asked and says it exists (the event was late, say).
    await setup.database.primary.update(stockHolds).set({ confirmedAt: null }).where(eq(stockHolds.orderId, expectedId));
    const checked = await createOrphanHoldSweep({
      stock,
      orders: createInternalClient(ordersApi, { baseUrl: `http://127.0.0.1:${setup.ordersPort}`, caller: 'products', signer: createInternalSigner(setup.internalSecret), timeoutMs: 2000 }),
      orphanSeconds: 0,
      logger: createLogger('test', 'silent'),
    }).sweep(new Date(Date.now() + 1000));
    expect(checked.released).toBe(0);
    expect(checked.confirmed).toBeGreaterThanOrEqual(1);
    const kept = (await holdsOf(productId)).find((hold) => hold.orderId === expectedId)!;
    expect(kept.status).toBe('RESERVED');
    expect(kept.confirmedAt).not.toBeNull();

    // Stock conserved: what is left plus what live orders hold is what there was.
    const live = (await holdsOf(productId)).filter((hold) => hold.status === 'RESERVED').reduce((sum, hold) => sum + hold.quantity, 0);
    expect((await stockOf(productId)) + live).toBe(initial);
  },
  300_000,
);
