import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { databaseName, type Identity } from '@waimai/platform';
import { aPlace, eventually, freePorts, spawnService, startStack, subgraphCaller, waitUntilReady, type ServiceProcess, type Stack } from '@waimai/testkit';
import { loadOrdersConfig } from '../src/env';
import { ordersService } from '../src/index';
import { orderIdFor } from '../src/domain/orders';

/**
 * Orders killed with SIGKILL between the stock hold (committed in products) and the order row:
 * orders runs as its own OS process with FAULT_CRASH_AFTER_STOCK_HOLD=1, which kills it right
 * after products answered the reservation. Products runs on testkit's stack with its
 * orphan-hold sweep; the stack names one free, closed port for the subgraphs it does not run,
 * and orders is started on that port, so products' ORDERS_URL reaches it.
 */

// 30 s: longer than restarting orders (a tsx start on a busy 2-core machine), so the keyed
// retry finds its hold still there; the sweep checks every 250 ms.
const ORPHAN_SECONDS = 30;

const CREATE_ORDER = `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id status totalCents } }`;
const ORDER = `query($id: ID!) { order(id: $id) { id status } }`;

interface Setup {
  stack: Stack;
  env: Record<string, string>;
  internalSecret: string;
  ordersPort: number;
  ordersAdminPort: number;
  logDir: string;
  mysql: mysql.Pool;
  productsDatabase: string;
  /** Where the blind sweeper's questions to orders go unanswered. */
  silentOrders: Awaited<ReturnType<typeof ordersThatNeverAnswers>>;
}

let setup: Setup;
let blindSweeper: ServiceProcess;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  const stack = await startStack({
    subgraphs: ['products'],
    env: { STOCK_HOLD_ORPHAN_SECONDS: String(ORPHAN_SECONDS), STOCK_HOLD_SWEEP_INTERVAL_MS: '250' },
  });
  const env = Object.fromEntries(Object.entries(stack.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const ordersPort = Number(new URL(env.ORDERS_URL!).port);
  const [ordersAdminPort] = (await freePorts(1)) as [number];
  const ordersEnv = { ...env, ORDERS_PORT: String(ordersPort), ORDERS_ADMIN_PORT: String(ordersAdminPort) };
  const ordersConfig = loadOrdersConfig(ordersEnv);
  await ordersService.migrate(ordersConfig);
  setup = {
    stack,
    env: ordersEnv,
    internalSecret: ordersConfig.INTERNAL_SECRET,
    ordersPort,
    ordersAdminPort,
    logDir: mkdtempSync(path.join(os.tmpdir(), 'waimai-crash-')),
    mysql: mysql.createPool({ uri: ordersConfig.MYSQL_URL, connectionLimit: 2 }),
    productsDatabase: databaseName(ordersConfig.DB_PREFIX, 'products'),
    silentOrders: await ordersThatNeverAnswers(),
  };
  // Started now, not once the holds exist: its start (a tsx process) must not eat into the
  // window the keyed retry has to resume its hold. Until it is stopped it releases nothing.
  blindSweeper = await startEagerProducts(setup.silentOrders.url);
}, 180_000);

afterAll(async () => {
  for (const service of started) await service.stop();
  await setup?.mysql.end();
  await setup?.silentOrders.close();
  await setup?.stack.stop();
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

/**
 * A second products process on the same databases and topics whose sweep treats every hold
 * as old and asks `ordersUrl` about it.
 */
async function startEagerProducts(ordersUrl: string): Promise<ServiceProcess> {
  const [port, adminPort] = (await freePorts(2)) as [number, number];
  const products = spawnService({
    name: `products-eager-${started.length + 1}`,
    dir: 'subgraphs/products',
    port,
    adminPort,
    // 1 ms: every hold not claimed in the last millisecond is a candidate.
    env: { ...setup.env, ORDERS_URL: ordersUrl, PRODUCTS_PORT: String(port), PRODUCTS_ADMIN_PORT: String(adminPort), STOCK_HOLD_ORPHAN_SECONDS: '0.001', STOCK_HOLD_SWEEP_INTERVAL_MS: '250' },
    logDir: setup.logDir,
  });
  started.push(products);
  await waitUntilReady(products);
  return products;
}

const callProducts = () => subgraphCaller(setup.stack.subgraphUrls.products!, setup.internalSecret);
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

interface Hold {
  orderId: string;
  status: string;
  confirmedAt: Date | null;
  quantity: number;
}

/** The holds naming `productId`, read in products' database as products' sweep sees them. */
async function holdsOf(productId: string): Promise<Hold[]> {
  const [rows] = await setup.mysql.query(
    `SELECT h.order_id AS orderId, h.status, h.confirmed_at AS confirmedAt, i.quantity
       FROM \`${setup.productsDatabase}\`.stock_holds h JOIN \`${setup.productsDatabase}\`.stock_hold_items i ON i.order_id = h.order_id
      WHERE i.product_id = ?`,
    [productId],
  );
  return rows as Hold[];
}

/**
 * Orders as products meets it while it dies mid-call: every request (method, path and body)
 * is recorded and its connection dropped without an answer.
 */
async function ordersThatNeverAnswers() {
  const asked: string[] = [];
  const server = http.createServer((request) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      asked.push(`${request.method} ${request.url} ${body}`);
      request.socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
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
    const askedAbout = (orderId: string) => setup.silentOrders.asked.some((call) => call.startsWith('POST /internal/orders/exists') && call.includes(orderId));
    await eventually(() => orphaned.every((hold) => askedAbout(hold.orderId)), { timeoutMs: 30_000, what: 'the blind sweep to ask orders about both holds' });
    await blindSweeper.stop();
    expect((await holdsOf(productId)).map((hold) => hold.status)).toEqual(['RESERVED', 'RESERVED']);
    expect(await stockOf(productId)).toBe(initial - 5);

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
    await setup.mysql.query(`UPDATE \`${setup.productsDatabase}\`.stock_holds SET confirmed_at = NULL WHERE order_id = ?`, [expectedId]);
    const checking = await startEagerProducts(`http://127.0.0.1:${setup.ordersPort}`);
    await eventually(async () => (await holdsOf(productId)).find((hold) => hold.orderId === expectedId)?.confirmedAt, {
      timeoutMs: 30_000,
      what: 'the eager sweep to confirm the hold of the created order with orders',
    });
    await checking.stop();
    const kept = (await holdsOf(productId)).find((hold) => hold.orderId === expectedId)!;
    expect(kept.status).toBe('RESERVED');
    expect(kept.confirmedAt).not.toBeNull();

    // Stock conserved: what is left plus what live orders hold is what there was.
    const live = (await holdsOf(productId)).filter((hold) => hold.status === 'RESERVED').reduce((sum, hold) => sum + hold.quantity, 0);
    expect((await stockOf(productId)) + live).toBe(initial);
  },
  300_000,
);
