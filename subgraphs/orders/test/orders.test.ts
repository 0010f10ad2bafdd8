import { newId } from '@waimai/platform';
import { aMenu, CREATE_ORDER, customer, eventually, ORDER, startOrdersWithProducts, stockOf, type OrdersHarness } from './harness';

interface CreatedOrder {
  createOrder: { id: string; status: string; totalCents: number; deadlineAt: string; items: Array<{ productName: string; unitPriceCents: number; quantity: number; subtotalCents: number }> };
}
interface OrderInfo {
  order: { id: string; status: string; wasOvertime: boolean; totalCents: number; paidAt: string | null; cancelledAt: string | null; riderId: string | null; timeline: Array<{ status: string; at: string }> } | null;
}

let h: OrdersHarness;
beforeAll(async () => {
  h = await startOrdersWithProducts({ PAYMENT_WINDOW_SECONDS: '3' });
});
afterAll(async () => {
  await h.stop();
});

const near = (point: { lat: number; lng: number }) => ({ lat: point.lat + 0.005, lng: point.lng });

describe('createOrder', () => {
  test('thirty customers racing for eight portions: eight orders, the rest OUT_OF_STOCK, stock ends at zero', async () => {
    const menu = await aMenu(h, [{ name: '限量烤鸭', priceCents: 8800, stock: 8 }]);
    const [duck] = menu.products as [string];

    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        h.callOrders<CreatedOrder>(CREATE_ORDER, { input: { items: [{ productId: duck, quantity: 1 }], deliveryAddress: '人民路1号', deliveryLocation: near(menu.location) } }, customer()),
      ),
    );

    const created = results.filter((r) => r.data?.createOrder);
    const refused = results.filter((r) => r.errors);
    expect(created).toHaveLength(8);
    expect(refused).toHaveLength(22);
    expect(refused.every((r) => r.errors?.[0]?.extensions?.code === 'OUT_OF_STOCK')).toBe(true);
    expect(await stockOf(h, duck)).toBe(0);
    expect(created.reduce((sum, r) => sum + (r.data?.createOrder.items[0]?.quantity ?? 0), 0)).toBe(8);
  });

  test('prices come from the server; the order waits for payment with a promised deadline', async () => {
    const menu = await aMenu(h, [{ name: '牛肉面', priceCents: 1800, stock: 10 }, { name: '凉菜', priceCents: 600, stock: 10 }]);
    const [noodles, salad] = menu.products as [string, string];
    const before = Date.now();

    const result = await h.callOrders<CreatedOrder>(
      CREATE_ORDER,
      { input: { items: [{ productId: noodles, quantity: 2 }, { productId: salad, quantity: 1 }], deliveryAddress: '人民路2号', deliveryLocation: near(menu.location) } },
      customer(),
    );

    const order = result.data!.createOrder;
    expect(order.status).toBe('PENDING_PAYMENT');
    expect(order.totalCents).toBe(4200);
    expect(order.items).toEqual(
      expect.arrayContaining([
        { productName: '牛肉面', unitPriceCents: 1800, quantity: 2, subtotalCents: 3600 },
        { productName: '凉菜', unitPriceCents: 600, quantity: 1, subtotalCents: 600 },
      ]),
    );
    expect(new Date(order.deadlineAt).getTime()).toBeGreaterThan(before + 30 * 60_000);
  });

  test('the same idempotency key from the same customer returns the same order and reserves once', async () => {
    const menu = await aMenu(h, [{ name: '饺子', priceCents: 2000, stock: 5 }]);
    const [dumplings] = menu.products as [string];
    const buyer = customer();
    const input = { items: [{ productId: dumplings, quantity: 2 }], deliveryAddress: '人民路3号', deliveryLocation: near(menu.location), idempotencyKey: 'checkout-42' };

    const [first, second] = await Promise.all([h.callOrders<CreatedOrder>(CREATE_ORDER, { input }, buyer), h.callOrders<CreatedOrder>(CREATE_ORDER, { input }, buyer)]);
    const third = await h.callOrders<CreatedOrder>(CREATE_ORDER, { input }, buyer);

    expect(second.data!.createOrder.id).toBe(first.data!.createOrder.id);
    expect(third.data!.createOrder.id).toBe(first.data!.createOrder.id);
    expect(await stockOf(h, dumplings)).toBe(3);
  });

  test('bad input answers BAD_USER_INPUT and reserves nothing', async () => {
    const menu = await aMenu(h, [{ name: '炒饭', priceCents: 1500, stock: 5 }]);
    const [rice] = menu.products as [string];
    const buyer = customer();
    const attempts = [
      { items: [], deliveryAddress: '路', deliveryLocation: near(menu.location) },
      { items: [{ productId: rice, quantity: 0 }], deliveryAddress: '路', deliveryLocation: near(menu.location) },
      { items: [{ productId: rice, quantity: 1 }], deliveryAddress: '', deliveryLocation: near(menu.location) },
      { items: [{ productId: rice, quantity: 1 }], deliveryAddress: '路', deliveryLocation: { lat: 95, lng: 0 } },
      { items: [{ productId: rice, quantity: 1 }], deliveryAddress: '路', deliveryLocation: { lat: menu.location.lat + 1, lng: menu.location.lng } },
      { items: [{ productId: newId(), quantity: 1 }], deliveryAddress: '路', deliveryLocation: near(menu.location) },
    ];

    const results = await Promise.all(attempts.map((input) => h.callOrders(CREATE_ORDER, { input }, buyer)));

    expect(results.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(Array(attempts.length).fill('BAD_USER_INPUT'));
    expect(await stockOf(h, rice)).toBe(5);
    const mine = await h.callOrders<{ myOrders: { edges: unknown[] } }>('{ myOrders { edges { cursor } } }', {}, buyer);
    expect(mine.data!.myOrders.edges).toHaveLength(0);
  });

  test('only customers may order', async () => {
    const menu = await aMenu(h, [{ name: '馄饨', priceCents: 1200, stock: 5 }]);
    const input = { items: [{ productId: menu.products[0], quantity: 1 }], deliveryAddress: '路', deliveryLocation: near(menu.location) };
    const anonymous = await h.callOrders(CREATE_ORDER, { input });
    const merchant = await h.callOrders(CREATE_ORDER, { input }, menu.owner);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(merchant.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('an order through its life', () => {
  async function anOrder(quantity = 1) {
    const menu = await aMenu(h, [{ name: '麻辣烫', priceCents: 2500, stock: 10 }]);
    const buyer = customer();
    const created = await h.callOrders<CreatedOrder>(
      CREATE_ORDER,
      { input: { items: [{ productId: menu.products[0], quantity }], deliveryAddress: '人民路9号', deliveryLocation: near(menu.location) } },
      buyer,
    );
    return { menu, buyer, order: created.data!.createOrder };
  }

  test('the customer, the merchant owner and staff see the order; other people get null', async () => {
    const { menu, buyer, order } = await anOrder();
    const view = async (caller: Parameters<OrdersHarness['callOrders']>[2]) => (await h.callOrders<OrderInfo>(ORDER, { id: order.id }, caller)).data!.order?.id ?? null;

    expect(await view(buyer)).toBe(order.id);
    expect(await view(menu.owner)).toBe(order.id);
    expect(await view({ sub: 'ops', roles: ['OPERATOR'] })).toBe(order.id);
    expect(await view(customer())).toBeNull();
    expect(await view({ sub: 'some-rider', roles: ['RIDER'] })).toBeNull();
    expect(await view(null)).toBeNull();
  });

  test('cancelling an unpaid order gives its stock back; cancelling it again is INVALID_STATE_TRANSITION', async () => {
    const { menu, buyer, order } = await anOrder(3);
    expect(await stockOf(h, menu.products[0]!)).toBe(7);

    const stranger = await h.callOrders('mutation($id: ID!) { cancelOrder(orderId: $id) { id } }', { id: order.id }, customer());
    const cancelled = await h.callOrders<{ cancelOrder: { status: string } }>('mutation($id: ID!) { cancelOrder(orderId: $id, reason: "changed my mind") { status } }', { id: order.id }, buyer);
    const again = await h.callOrders('mutation($id: ID!) { cancelOrder(orderId: $id) { id } }', { id: order.id }, buyer);

    expect(stranger.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(cancelled.data!.cancelOrder.status).toBe('CANCELLED');
    expect(again.errors?.[0]?.extensions?.code).toBe('INVALID_STATE_TRANSITION');
    await eventually(async () => (await stockOf(h, menu.products[0]!)) === 10, 20_000, 'stock released');
  });

  test('an unpaid order expires to CANCELLED when its payment window closes, and its stock comes back', async () => {
    const { menu, buyer, order } = await anOrder(2);

    const expired = await eventually(async () => {
      const info = await h.callOrders<OrderInfo>(ORDER, { id: order.id }, buyer);
      return info.data!.order?.status === 'CANCELLED' ? info.data!.order : null;
    }, 20_000, 'payment window expiry');

    expect(expired.cancelledAt).not.toBeNull();
    expect(expired.timeline.map((t) => t.status)).toEqual(['PENDING_PAYMENT', 'CANCELLED']);
    await eventually(async () => (await stockOf(h, menu.products[0]!)) === 10, 20_000, 'stock released');
  });

  test('a payment event moves the order to CREATED once, however often it arrives', async () => {
    const { buyer, order } = await anOrder();
    const { paymentId, eventId } = await h.paymentSucceeded(order.id, order.totalCents);
    await h.paymentSucceeded(order.id, order.totalCents, paymentId, eventId);

    const paid = await eventually(async () => {
      const info = await h.callOrders<OrderInfo>(ORDER, { id: order.id }, buyer);
      return info.data!.order?.status === 'CREATED' ? info.data!.order : null;
    }, 20_000, 'order paid');
    await h.paymentSucceeded(order.id, order.totalCents, paymentId);
    await h.orders.drainOutbox();

    expect(paid.paidAt).not.toBeNull();
    const cancel = await h.callOrders('mutation($id: ID!) { cancelOrder(orderId: $id) { id } }', { id: order.id }, buyer);
    expect(cancel.errors?.[0]?.extensions?.code).toBe('INVALID_STATE_TRANSITION');
    const final = await h.callOrders<OrderInfo>(ORDER, { id: order.id }, buyer);
    expect(final.data!.order!.timeline.map((t) => t.status)).toEqual(['PENDING_PAYMENT', 'CREATED']);
  });

  test('myOrders pages the customer\'s orders newest first', async () => {
    const menu = await aMenu(h, [{ name: '包子', priceCents: 300, stock: 50 }]);
    const buyer = customer();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const created = await h.callOrders<CreatedOrder>(CREATE_ORDER, { input: { items: [{ productId: menu.products[0], quantity: 1 }], deliveryAddress: '路', deliveryLocation: near(menu.location) } }, buyer);
      ids.push(created.data!.createOrder.id);
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const result: { data?: { myOrders: { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } } | null } = await h.callOrders(
        'query($after: String) { myOrders(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }',
        { after },
        buyer,
      );
      seen.push(...result.data!.myOrders.edges.map((e) => e.node.id));
      if (!result.data!.myOrders.pageInfo.hasNextPage) break;
      after = result.data!.myOrders.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());
  });
});
