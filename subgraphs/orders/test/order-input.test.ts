import mysql from 'mysql2/promise';
import { aMenu, CREATE_ORDER, customer, startOrdersWithProducts, stockOf, type OrdersHarness } from './harness';

let h: OrdersHarness;
beforeAll(async () => {
  h = await startOrdersWithProducts();
});
afterAll(async () => {
  await h.stop();
});

const near = (point: { lat: number; lng: number }) => ({ lat: point.lat + 0.005, lng: point.lng });
const MY_ORDERS = 'query { myOrders(first: 10) { edges { node { id deliveryAddress } } } }';

async function ordersOf(buyer: ReturnType<typeof customer>) {
  const result = await h.callOrders<{ myOrders: { edges: Array<{ node: { id: string; deliveryAddress: string } }> } }>(MY_ORDERS, {}, buyer);
  return result.data!.myOrders.edges.map((edge) => edge.node);
}

describe('createOrder input hygiene', () => {
  /** Stock holds naming the product, tombstones of released holds included (other test files write these tables too). */
  async function holdsOf(productId: string): Promise<number> {
    const connection = await mysql.createConnection({ uri: h.config.MYSQL_URL });
    try {
      const [rows] = await connection.query(`SELECT COUNT(*) AS n FROM \`${h.config.DB_PREFIX}_products\`.stock_hold_items WHERE product_id = ?`, [productId]);
      return Number((rows as Array<{ n: number | string }>)[0]?.n);
    } finally {
      await connection.end();
    }
  }

  test('an address outside the shop\'s delivery radius is BAD_USER_INPUT on deliveryLocation; no stock is held, not even released', async () => {
    const menu = await aMenu(h, [{ name: '凉皮', priceCents: 900, stock: 50 }]);
    const [dish] = menu.products as [string];
    const buyer = customer();

    const result = await h.callOrders(
      CREATE_ORDER,
      { input: { items: [{ productId: dish, quantity: 1 }], deliveryAddress: '很远的地方', deliveryLocation: { lat: menu.location.lat, lng: menu.location.lng + 1 } } },
      buyer,
    );

    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [expect.objectContaining({ field: 'input.deliveryLocation' })] });
    expect(await holdsOf(dish)).toBe(0);
    expect(await stockOf(h, dish)).toBe(50);
    expect(await ordersOf(buyer)).toEqual([]);
  });

  test('two lines of one product (60 + 60, past the cap of 99) are BAD_USER_INPUT; nothing is reserved or written', async () => {
    const menu = await aMenu(h, [{ name: '麻辣烫', priceCents: 1500, stock: 500 }]);
    const [dish] = menu.products as [string];
    const buyer = customer();

    const result = await h.callOrders(
      CREATE_ORDER,
      { input: { items: [{ productId: dish, quantity: 60 }, { productId: dish, quantity: 60 }], deliveryAddress: '人民路9号', deliveryLocation: near(menu.location) } },
      buyer,
    );

    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.problems).toEqual([expect.objectContaining({ field: 'input.items.1.productId' })]);
    expect(await stockOf(h, dish)).toBe(500);
    expect(await ordersOf(buyer)).toEqual([]);
  });

  test('NUL, unpaired surrogates, bidi overrides and zero-width characters in the address or idempotency key are BAD_USER_INPUT; nothing is written', async () => {
    const menu = await aMenu(h, [{ name: '煎饼', priceCents: 800, stock: 50 }]);
    const [dish] = menu.products as [string];
    const buyer = customer();
    const base = { items: [{ productId: dish, quantity: 1 }], deliveryAddress: '人民路10号', deliveryLocation: near(menu.location) };
    const hostile = ['a\u0000b', 'a\ud800b', 'a\udc00', 'a\u202eb', 'a\u2067b', 'a\u200bb', 'a\ufeffb', 'a\u0085b', 'a\nb'];

    const codes: Array<string | undefined> = [];
    for (const value of hostile) {
      const asAddress = await h.callOrders(CREATE_ORDER, { input: { ...base, deliveryAddress: value } }, buyer);
      const asKey = await h.callOrders(CREATE_ORDER, { input: { ...base, idempotencyKey: value } }, buyer);
      codes.push(asAddress.errors?.[0]?.extensions?.code, asKey.errors?.[0]?.extensions?.code);
    }

    expect(codes).toEqual(hostile.flatMap(() => ['BAD_USER_INPUT', 'BAD_USER_INPUT']));
    expect(await stockOf(h, dish)).toBe(50);
    expect(await ordersOf(buyer)).toEqual([]);
  });

  test('the delivery address is stored NFC-normalised', async () => {
    const menu = await aMenu(h, [{ name: '可颂', priceCents: 900, stock: 50 }]);
    const [dish] = menu.products as [string];
    const buyer = customer();

    await h.callOrders(CREATE_ORDER, { input: { items: [{ productId: dish, quantity: 1 }], deliveryAddress: ' Cafe\u0301 Road 1 ', deliveryLocation: near(menu.location) } }, buyer);

    expect((await ordersOf(buyer)).map((order) => order.deliveryAddress)).toEqual(['Caf\u00e9 Road 1']);
  });

  test('a cancel reason with a control character is BAD_USER_INPUT and the order stays unpaid', async () => {
    const menu = await aMenu(h, [{ name: '包子', priceCents: 300, stock: 50 }]);
    const [dish] = menu.products as [string];
    const buyer = customer();
    const created = await h.callOrders<{ createOrder: { id: string } }>(
      CREATE_ORDER,
      { input: { items: [{ productId: dish, quantity: 1 }], deliveryAddress: '人民路11号', deliveryLocation: near(menu.location) } },
      buyer,
    );
    const orderId = created.data!.createOrder.id;

    const refused = await h.callOrders('mutation($id: ID!, $reason: String) { cancelOrder(orderId: $id, reason: $reason) { status } }', { id: orderId, reason: 'changed\u0000my mind' }, buyer);
    const order = await h.callOrders<{ order: { status: string } }>('query($id: ID!) { order(id: $id) { status } }', { id: orderId }, buyer);

    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(order.data!.order.status).toBe('PENDING_PAYMENT');
  });

  test('staff cancelling through cancelOrder must give a reason, which the audit log keeps: none is BAD_USER_INPUT and the order stays unpaid', async () => {
    const menu = await aMenu(h, [{ name: '馒头', priceCents: 200, stock: 50 }]);
    const [dish] = menu.products as [string];
    const created = await h.callOrders<{ createOrder: { id: string } }>(
      CREATE_ORDER,
      { input: { items: [{ productId: dish, quantity: 1 }], deliveryAddress: '人民路12号', deliveryLocation: near(menu.location) } },
      customer(),
    );
    const orderId = created.data!.createOrder.id;
    const operator = { sub: `operator-${Date.now()}`, roles: ['OPERATOR' as const] };
    const cancel = 'mutation($id: ID!, $reason: String) { cancelOrder(orderId: $id, reason: $reason) { status } }';

    const refused = await h.callOrders(cancel, { id: orderId, reason: null }, operator);
    const unchanged = await h.callOrders<{ order: { status: string } }>('query($id: ID!) { order(id: $id) { status } }', { id: orderId }, operator);
    const cancelled = await h.callOrders<{ cancelOrder: { status: string } }>(cancel, { id: orderId, reason: '顾客电话要求取消' }, operator);

    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(unchanged.data!.order.status).toBe('PENDING_PAYMENT');
    expect(cancelled.data!.cancelOrder.status).toBe('CANCELLED');
  });

  test('callers and idempotency keys compare exactly: ALICE is not alice, and "café" spelled two ways are two keys', async () => {
    const menu = await aMenu(h, [{ name: '咖啡', priceCents: 1800, stock: 50 }]);
    const [dish] = menu.products as [string];
    const lower = customer(`alice-${Date.now()}`);
    const upper = customer(lower.sub.toUpperCase());
    const order = (buyer: ReturnType<typeof customer>, idempotencyKey: string) =>
      h.callOrders<{ createOrder: { id: string } }>(
        CREATE_ORDER,
        { input: { items: [{ productId: dish, quantity: 1 }], deliveryAddress: '人民路9号', deliveryLocation: near(menu.location), idempotencyKey } },
        buyer,
      );

    const composed = await order(lower, 'caf\u00e9');
    const decomposed = await order(lower, 'cafe\u0301');
    const shouting = await order(lower, 'CAFE');
    const quiet = await order(lower, 'cafe');
    const ids = [composed, decomposed, shouting, quiet].map((result) => result.data?.createOrder.id);

    expect(new Set(ids).size).toBe(4);
    expect(await ordersOf(upper)).toEqual([]);
    expect((await ordersOf(lower)).map((mine) => mine.id).sort()).toEqual([...ids].sort());
  });
});
