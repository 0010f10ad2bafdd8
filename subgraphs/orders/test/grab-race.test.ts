import mysql from 'mysql2/promise';
import {
  campaignsApi,
  connectDatabase,
  createInternalClient,
  createInternalSigner,
  createLogger,
  databaseName,
  newId,
  OrderAlreadyTakenError,
  ridersApi,
  stockApi,
  type Identity,
} from '@waimai/platform';
import { subgraphCaller } from '@waimai/testkit';
import { startOrdersSubgraph, type RunningOrders } from '../src/app';
import { createOrderStore } from '../src/db/order-store';
import { ordersSchema } from '../src/db/schema';
import { createOrderService } from '../src/domain/orders';
import { aMenu, CREATE_ORDER, customer, eventually, startOrdersWithProducts, type OrdersHarness } from './harness';

/*
 * Exactly one winner when many riders grab one order at once: through two replicas of orders
 * (each lets one grab per order at a time reach MySQL and answers its other racers from it),
 * and through many separate order services on one database (no gate shared at all: the
 * conditional UPDATE alone decides).
 */

let h: OrdersHarness;
let replica: RunningOrders;
let db: mysql.Connection;
let menu: Awaited<ReturnType<typeof aMenu>>;

beforeAll(async () => {
  h = await startOrdersWithProducts();
  replica = await startOrdersSubgraph(h.config, createLogger('test', 'fatal'));
  db = await mysql.createConnection({ uri: h.config.MYSQL_URL, database: databaseName(h.config.DB_PREFIX, 'orders'), timezone: 'Z' });
  menu = await aMenu(h, [{ name: '酸辣粉', priceCents: 1500, stock: 1000 }]);
}, 120_000);
afterAll(async () => {
  await db?.end();
  await replica?.stop();
  await h?.stop();
});

const GRAB = 'mutation($id: ID!) { grabOrder(orderId: $id) { id status riderId } }';
const ORDER = 'query($id: ID!) { order(id: $id) { id status riderId } }';
const operator: Identity = { sub: `operator-${newId()}`, roles: ['OPERATOR'] };
const aRider = (): Identity => ({ sub: `rider-${newId()}`, roles: ['RIDER'] });

/** A paid order offered to `riders` (dispatch round 1), as riders' dispatcher would tell orders. */
async function anOfferedOrder(riders: Identity[]) {
  const created = await h.callOrders<{ createOrder: { id: string; totalCents: number } }>(
    CREATE_ORDER,
    { input: { items: [{ productId: menu.products[0], quantity: 1 }], deliveryAddress: '长安街1号', deliveryLocation: { lat: menu.location.lat + 0.003, lng: menu.location.lng } } },
    customer(),
  );
  if (!created.data) throw new Error(JSON.stringify(created.errors));
  const order = created.data.createOrder;
  await h.paymentSucceeded(order.id, order.totalCents);
  await eventually(
    async () => (await h.callOrders<{ order: { status: string } }>(ORDER, { id: order.id }, operator)).data?.order.status === 'CREATED',
    20_000,
    `order ${order.id} paid`,
  );
  await h.orders.service.notify(order.id, 1, riders.map((rider) => rider.sub), new Date(Date.now() + 10 * 60_000));
  return order;
}

/** What the order's transactions wrote about grabs: DELIVERING timeline rows and grab events. */
async function grabsWritten(orderId: string): Promise<{ timeline: number; events: number }> {
  const [timeline] = (await db.query("SELECT COUNT(*) AS n FROM order_timeline WHERE order_id = ? AND status = 'DELIVERING'", [orderId])) as unknown as [Array<{ n: number }>];
  const [events] = (await db.query('SELECT payload FROM outbox WHERE aggregate_id = ?', [orderId])) as unknown as [Array<{ payload: string }>];
  const grabs = events.filter((row) => (JSON.parse(row.payload) as { data?: { step?: string } }).data?.step === 'grab');
  return { timeline: Number(timeline[0]?.n ?? 0), events: grabs.length };
}

test('forty riders grabbing one order at once through two replicas: exactly one wins, the other 39 get ORDER_ALREADY_TAKEN, one grab is written', async () => {
  const riders = Array.from({ length: 40 }, aRider);
  const order = await anOfferedOrder(riders);
  const callers = [h.callOrders, subgraphCaller(replica.baseUrl, h.config.INTERNAL_SECRET)];

  const answers = await Promise.all(riders.map((rider, n) => callers[n % 2]!<{ grabOrder: { id: string; status: string; riderId: string } }>(GRAB, { id: order.id }, rider)));

  const winners = answers.filter((answer) => answer.data?.grabOrder);
  expect(winners).toHaveLength(1);
  const winner = winners[0]!.data!.grabOrder;
  expect(winner).toMatchObject({ id: order.id, status: 'DELIVERING' });
  expect(answers.filter((answer) => answer.errors?.[0]?.extensions?.code === 'ORDER_ALREADY_TAKEN')).toHaveLength(39);
  expect((await h.callOrders<{ order: { riderId: string } }>(ORDER, { id: order.id }, operator)).data?.order.riderId).toBe(winner.riderId);
  expect(await grabsWritten(order.id)).toEqual({ timeline: 1, events: 1 });
});

test('twenty separate order services on one database (no grab gate shared) racing for one order: the conditional UPDATE picks exactly one winner', async () => {
  const riders = Array.from({ length: 20 }, aRider);
  const order = await anOfferedOrder(riders);
  const database = connectDatabase(h.config, 'orders', ordersSchema);
  try {
    const signer = createInternalSigner(h.config.INTERNAL_SECRET);
    const client = <A extends Parameters<typeof createInternalClient>[0]>(api: A, baseUrl: string) => createInternalClient(api, { baseUrl, caller: 'orders', signer, timeoutMs: 1000 });
    const services = riders.map(() =>
      createOrderService({
        store: createOrderStore(database.db, database.primary),
        stock: client(stockApi, h.config.PRODUCTS_URL),
        riders: client(ridersApi, h.config.RIDERS_URL),
        campaigns: client(campaignsApi, h.config.OPERATIONS_URL),
        relay: { kick: () => undefined },
        policy: h.config,
        logger: createLogger('test', 'fatal'),
      }),
    );

    const outcomes = await Promise.allSettled(services.map((service, n) => service.grab(riders[n]!, order.id)));

    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((outcome) => outcome.reason instanceof OrderAlreadyTakenError)).toEqual(Array.from({ length: 19 }, () => true));
    expect(await grabsWritten(order.id)).toEqual({ timeline: 1, events: 1 });
  } finally {
    await database.close();
  }
});

test('a grab refused for its own rider (no live offer) does not stand in the way of a rider racing it in the same process who holds one', async () => {
  const holder = aRider();
  const stranger = aRider();
  const order = await anOfferedOrder([holder]);

  // Started first, so the holder's grab waits for the stranger's to be decided.
  const strangers = h.orders.service.grab(stranger, order.id);
  const holders = h.orders.service.grab(holder, order.id);

  await expect(strangers).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  await expect(holders).resolves.toMatchObject({ id: order.id, status: 'DELIVERING', riderId: holder.sub });
  // The holder asking again (a lost answer) gets the order; the stranger now hears it is taken.
  await expect(h.orders.service.grab(holder, order.id)).resolves.toMatchObject({ riderId: holder.sub });
  await expect(h.orders.service.grab(stranger, order.id)).rejects.toBeInstanceOf(OrderAlreadyTakenError);
});
