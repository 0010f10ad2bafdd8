import http from 'node:http';
import type { AddressInfo } from 'node:net';
import mysql from 'mysql2/promise';
import { createLogger, databaseName, newId, type Identity } from '@waimai/platform';
import { loadOrdersConfig } from '../src/env';
import { startOrdersSubgraph } from '../src/app';
import { subgraphCaller } from '@waimai/testkit';
import { aMenu, CREATE_ORDER, customer, eventually, startOrdersWithProducts, stockOf, type OrdersHarness } from './harness';

/*
 * What orders refuses because of riders and merchants operations suspended: a suspended
 * rider's grab (riders announces suspensions on riders.events, orders keeps them), staff
 * reassigning an order to an unknown or suspended rider (asked of riders' internal API before
 * the step), and a new order to a suspended shop (products' stock hold refuses it).
 */

let h: OrdersHarness;
let db: mysql.Connection;
let menu: Awaited<ReturnType<typeof aMenu>>;

const operator: Identity = { sub: `operator-${newId()}`, roles: ['OPERATOR'] };
const admin: Identity = { sub: `admin-${newId()}`, roles: ['ADMIN'] };
const aRider = (): Identity => ({ sub: `rider-${newId()}`, roles: ['RIDER'] });

beforeAll(async () => {
  h = await startOrdersWithProducts({}, {}, { riders: true });
  db = await mysql.createConnection({ uri: h.config.MYSQL_URL, database: databaseName(h.config.DB_PREFIX, 'orders'), timezone: 'Z' });
  menu = await aMenu(h, [{ name: '宫保鸡丁', priceCents: 2600, stock: 1000 }]);
}, 120_000);
afterAll(async () => {
  await db?.end();
  await h?.stop();
});

const GRAB = 'mutation($id: ID!) { grabOrder(orderId: $id) { id status riderId } }';
const REASSIGN = 'mutation($orderId: ID!, $riderId: ID!, $reason: String!) { reassignOrder(orderId: $orderId, riderId: $riderId, reason: $reason) { id status riderId } }';
const ORDER = 'query($id: ID!) { order(id: $id) { id status riderId } }';
const SUSPEND_RIDER = 'mutation($riderId: ID!, $reason: String!) { suspendRider(riderId: $riderId, reason: $reason) { id suspended } }';

type Answer = { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
const codesOf = (result: Answer) => result.errors?.map((error) => error.extensions?.code) ?? [];

async function orderOf(id: string) {
  return (await h.callOrders<{ order: { id: string; status: string; riderId: string | null } | null }>(ORDER, { id }, operator)).data?.order ?? null;
}

/** Every event the order's transactions left in the outbox, oldest first. */
async function eventTypesOf(orderId: string): Promise<string[]> {
  const [rows] = (await db.query('SELECT payload FROM outbox WHERE aggregate_id = ? ORDER BY seq', [orderId])) as unknown as [Array<{ payload: string }>];
  return rows.map((row) => (JSON.parse(row.payload) as { type: string }).type);
}

/** What orders keeps of the rider's suspension, as the consumer wrote it. */
async function keptSuspension(riderId: string): Promise<{ suspended: boolean; changedAt: Date } | undefined> {
  const [rows] = (await db.query('SELECT suspended, changed_at FROM rider_suspensions WHERE rider_id = ?', [riderId])) as unknown as [
    Array<{ suspended: number; changed_at: Date }>,
  ];
  return rows[0] && { suspended: rows[0].suspended === 1, changedAt: rows[0].changed_at };
}

async function aPaidOrder() {
  const created = await h.callOrders<{ createOrder: { id: string; totalCents: number } }>(
    CREATE_ORDER,
    { input: { items: [{ productId: menu.products[0], quantity: 1 }], deliveryAddress: '长安街1号', deliveryLocation: { lat: menu.location.lat + 0.003, lng: menu.location.lng } } },
    customer(),
  );
  if (!created.data) throw new Error(JSON.stringify(created.errors));
  const order = created.data.createOrder;
  await h.paymentSucceeded(order.id, order.totalCents);
  await eventually(async () => (await orderOf(order.id))?.status === 'CREATED', 20_000, `order ${order.id} paid`);
  return order;
}

/** A paid order offered to `riders` (dispatch round 1), as riders' dispatcher would tell orders. */
async function anOfferedOrder(...riders: Identity[]) {
  const order = await aPaidOrder();
  await h.orders.service.notify(order.id, 1, riders.map((rider) => rider.sub), new Date(Date.now() + 10 * 60_000));
  return order;
}

async function aGrabbedOrder() {
  const rider = await aRegisteredRider();
  const order = await anOfferedOrder(rider);
  const grabbed = await h.callOrders<{ grabOrder: { status: string } }>(GRAB, { id: order.id }, rider);
  expect(grabbed.data?.grabOrder.status).toBe('DELIVERING');
  return { ...order, rider };
}

/** A rider registered with riders (the roster reassignOrder asks). */
async function aRegisteredRider(): Promise<Identity> {
  const rider = aRider();
  const registered = await h.callRiders('mutation($input: RegisterRiderInput!) { registerRider(input: $input) { id } }', { input: { name: '王师傅', phone: '13800000000' } }, rider);
  expect(registered.errors).toBeUndefined();
  return rider;
}

async function suspendThroughRiders(rider: Identity): Promise<void> {
  const suspended = await h.callRiders<{ suspendRider: { suspended: boolean } }>(SUSPEND_RIDER, { riderId: rider.sub, reason: '多次投诉' }, operator);
  expect(suspended.data?.suspendRider.suspended).toBe(true);
}

const at = (ms: number) => new Date(ms).toISOString();

describe('grabOrder by a suspended rider', () => {
  test('a rider riders announce as suspended is refused RIDER_SUSPENDED and the order stays offered; once reinstated they grab it', async () => {
    const rider = aRider();
    const order = await anOfferedOrder(rider);
    const now = Date.now();

    await h.riderUpdated({ riderId: rider.sub, status: 'IDLE', suspended: true, cause: 'SUSPENDED', at: at(now) });
    await eventually(async () => (await keptSuspension(rider.sub))?.suspended, { what: 'the suspension kept by orders' });
    const refused = await h.callOrders(GRAB, { id: order.id }, rider);

    expect(codesOf(refused)).toEqual(['RIDER_SUSPENDED']);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ riderId: rider.sub });
    expect(await orderOf(order.id)).toMatchObject({ status: 'NOTIFIED', riderId: null });
    expect(await eventTypesOf(order.id)).toEqual(['OrderStatusChanged', 'OrderStatusChanged', 'OrderStatusChanged']);

    await h.riderUpdated({ riderId: rider.sub, status: 'IDLE', suspended: false, cause: 'REINSTATED', at: at(now + 1000) });
    await eventually(async () => (await keptSuspension(rider.sub))?.suspended === false, { what: 'the reinstatement kept by orders' });
    const grabbed = await h.callOrders<{ grabOrder: { status: string; riderId: string } }>(GRAB, { id: order.id }, rider);

    expect(grabbed.errors).toBeUndefined();
    expect(grabbed.data?.grabOrder).toMatchObject({ status: 'DELIVERING', riderId: rider.sub });
  });

  test('an older RiderUpdated read after a newer one does not undo it, and one read twice changes nothing', async () => {
    const rider = aRider();
    const witness = aRider();
    const order = await anOfferedOrder(rider);
    const now = Date.now();
    const suspension = { riderId: rider.sub, status: 'IDLE' as const, suspended: true, cause: 'SUSPENDED' as const, at: at(now + 2000) };

    await h.riderUpdated(
      suspension,
      // Sent before the suspension, read after it (a redelivery, a slow replica's relay).
      { riderId: rider.sub, status: 'IDLE', suspended: false, cause: 'STATUS', at: at(now) },
      suspension,
      // Same key, so read after those: once the witness is kept, the rider's events were handled.
      { key: rider.sub, riderId: witness.sub, status: 'OFFLINE', suspended: false, cause: 'STATUS', at: at(now) },
    );
    await eventually(() => keptSuspension(witness.sub), { what: 'the events before the witness to be handled' });

    expect(await keptSuspension(rider.sub)).toEqual({ suspended: true, changedAt: new Date(now + 2000) });
    expect(codesOf(await h.callOrders(GRAB, { id: order.id }, rider))).toEqual(['RIDER_SUSPENDED']);
  });

  test('a rider suspended with suspendRider in riders is refused by orders once riders has announced it', async () => {
    const rider = await aRegisteredRider();
    const order = await anOfferedOrder(rider);

    await suspendThroughRiders(rider);
    await eventually(async () => (await keptSuspension(rider.sub))?.suspended, 30_000, 'RiderUpdated from riders to reach orders');

    expect(codesOf(await h.callOrders(GRAB, { id: order.id }, rider))).toEqual(['RIDER_SUSPENDED']);
    expect(await orderOf(order.id)).toMatchObject({ status: 'NOTIFIED', riderId: null });
  });
});

describe('reassignOrder asks riders about the new rider', () => {
  test('a rider riders does not know is NOT_FOUND, and nothing is written', async () => {
    const order = await aGrabbedOrder();
    const written = await eventTypesOf(order.id);
    const nobody = `rider-${newId()}`;

    const refused = await h.callOrders(REASSIGN, { orderId: order.id, riderId: nobody, reason: '换人' }, operator);

    expect(codesOf(refused)).toEqual(['NOT_FOUND']);
    expect(refused.errors?.[0]?.message).toBe(`Rider ${nobody} does not exist.`);
    expect(await eventTypesOf(order.id)).toEqual(written);
    expect(await orderOf(order.id)).toMatchObject({ status: 'DELIVERING', riderId: order.rider.sub });
  });

  test('a suspended rider is RIDER_SUSPENDED at once, even before orders has read the suspension, and nothing is written', async () => {
    const order = await aGrabbedOrder();
    const suspended = await aRegisteredRider();
    await suspendThroughRiders(suspended);
    const written = await eventTypesOf(order.id);

    const refused = await h.callOrders(REASSIGN, { orderId: order.id, riderId: suspended.sub, reason: '换人' }, admin);

    expect(codesOf(refused)).toEqual(['RIDER_SUSPENDED']);
    expect(await eventTypesOf(order.id)).toEqual(written);
    expect(await orderOf(order.id)).toMatchObject({ riderId: order.rider.sub });
  });

  test('a registered rider in good standing gets the order', async () => {
    const order = await aGrabbedOrder();
    const next = await aRegisteredRider();

    const result = await h.callOrders<{ reassignOrder: { status: string; riderId: string } }>(REASSIGN, { orderId: order.id, riderId: next.sub, reason: '换人' }, operator);

    expect(result.errors).toBeUndefined();
    expect(result.data?.reassignOrder).toMatchObject({ status: 'DELIVERING', riderId: next.sub });
    expect((await eventTypesOf(order.id)).slice(-3)).toEqual(['OrderStatusChanged', 'OrderReassigned', 'AuditRecorded']);
  });

  test('when riders does not answer in time the reassignment is refused as unavailable, and nothing is written', async () => {
    // A riders that accepts the connection and never answers: the call runs out of its budget.
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const config = loadOrdersConfig({ ...h.stack.env, ORDERS_PORT: '0', PRODUCTS_URL: h.config.PRODUCTS_URL, RIDERS_URL: silentUrl, RIDERS_API_TIMEOUT_MS: '300' });
    const replica = await startOrdersSubgraph(config, createLogger('test', 'fatal'));
    try {
      const order = await aGrabbedOrder();
      const next = await aRegisteredRider();
      const written = await eventTypesOf(order.id);

      const refused = await subgraphCaller(replica.baseUrl, config.INTERNAL_SECRET)(REASSIGN, { orderId: order.id, riderId: next.sub, reason: '换人' }, operator);

      expect(codesOf(refused)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(refused.errors?.[0]?.message).toMatch(/riders service is unavailable/);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ retryAfterSeconds: 5, service: 'riders' });
      expect(await eventTypesOf(order.id)).toEqual(written);
      expect(await orderOf(order.id)).toMatchObject({ riderId: order.rider.sub });
    } finally {
      await replica.stop();
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('createOrder to a suspended shop', () => {
  test('is refused MERCHANT_SUSPENDED with nothing held, and taken again once the shop is reinstated', async () => {
    const shop = await aMenu(h, [{ name: '鱼香肉丝', priceCents: 2200, stock: 10 }]);
    const input = { items: [{ productId: shop.products[0], quantity: 2 }], deliveryAddress: '长安街2号', deliveryLocation: { lat: shop.location.lat + 0.002, lng: shop.location.lng } };
    const suspend = await h.callProducts<{ suspendMerchant: { suspended: boolean } }>(
      'mutation($id: ID!, $reason: String!) { suspendMerchant(merchantId: $id, reason: $reason) { suspended } }',
      { id: shop.merchantId, reason: '卫生检查未通过' },
      admin,
    );
    expect(suspend.data?.suspendMerchant.suspended).toBe(true);

    const refused = await h.callOrders(CREATE_ORDER, { input }, customer());

    expect(codesOf(refused)).toEqual(['MERCHANT_SUSPENDED']);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ merchantId: shop.merchantId });
    expect(await stockOf(h, shop.products[0]!)).toBe(10);

    await h.callProducts('mutation($id: ID!, $reason: String!) { reinstateMerchant(merchantId: $id, reason: $reason) { suspended } }', { id: shop.merchantId, reason: '整改完成' }, admin);
    const created = await h.callOrders<{ createOrder: { status: string } }>(CREATE_ORDER, { input }, customer());

    expect(created.data?.createOrder.status).toBe('PENDING_PAYMENT');
    expect(await stockOf(h, shop.products[0]!)).toBe(8);
  });
});

describe('when products does not answer', () => {
  test('createOrder and quoteOrder are refused as unavailable (to be retried), and no order is written', async () => {
    // A products that accepts the connection and never answers: each call runs out of its budget.
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const config = loadOrdersConfig({ ...h.stack.env, ORDERS_PORT: '0', PRODUCTS_URL: silentUrl, RIDERS_URL: h.config.RIDERS_URL, STOCK_API_TIMEOUT_MS: '300' });
    const replica = await startOrdersSubgraph(config, createLogger('test', 'fatal'));
    try {
      const buyer = customer();
      const input = { items: [{ productId: menu.products[0], quantity: 1 }], deliveryLocation: { lat: menu.location.lat + 0.002, lng: menu.location.lng } };
      const call = subgraphCaller(replica.baseUrl, config.INTERNAL_SECRET);

      const ordered = await call(CREATE_ORDER, { input: { ...input, deliveryAddress: '长安街3号' } }, buyer);
      const quoted = await call('query($input: QuoteOrderInput!) { quoteOrder(input: $input) { totalCents } }', { input }, buyer);
      const mine = await h.callOrders<{ myOrders: { edges: unknown[] } }>('{ myOrders(first: 5) { edges { cursor } } }', {}, buyer);

      expect(codesOf(ordered)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(ordered.errors?.[0]?.extensions).toMatchObject({ service: 'products', retryAfterSeconds: 5 });
      expect(codesOf(quoted)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(mine.data?.myOrders.edges).toEqual([]);
    } finally {
      await replica.stop();
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
