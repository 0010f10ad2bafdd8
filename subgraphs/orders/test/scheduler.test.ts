import { createLogger } from '@waimai/platform';
import { startOrdersSubgraph, type RunningOrders } from '../src/app';
import { aMenu, CREATE_ORDER, customer, eventually, ORDER, startOrdersWithProducts, type OrdersHarness } from './harness';

let h: OrdersHarness;
let replica: RunningOrders;
beforeAll(async () => {
  h = await startOrdersWithProducts({ PAYMENT_WINDOW_SECONDS: '1', SCHEDULER_INTERVAL_MS: '50' });
  // A second replica on the same database, sweeping the same timers at the same pace.
  replica = await startOrdersSubgraph({ ...h.config, ORDERS_PORT: 0 }, createLogger('replica', 'warn'));
});
afterAll(async () => {
  await replica.stop();
  await h.stop();
});

test('two scheduler replicas sweeping the same expired orders: each order is cancelled once', async () => {
  const menu = await aMenu(h, [{ name: '锅贴', priceCents: 1000, stock: 100 }]);
  const buyer = customer();
  const ids: string[] = [];
  for (let i = 0; i < 10; i += 1) {
    const created = await h.callOrders<{ createOrder: { id: string } }>(
      CREATE_ORDER,
      { input: { items: [{ productId: menu.products[0], quantity: 1 }], deliveryAddress: '路', deliveryLocation: { lat: menu.location.lat + 0.004, lng: menu.location.lng } } },
      buyer,
    );
    ids.push(created.data!.createOrder.id);
  }

  for (const id of ids) {
    const order = await eventually(async () => {
      const info = await h.callOrders<{ order: { status: string; timeline: Array<{ status: string }> } }>(ORDER, { id }, buyer);
      return info.data?.order?.status === 'CANCELLED' ? info.data.order : null;
    }, 20_000, `order ${id} expired`);
    expect(order.timeline.map((t) => t.status)).toEqual(['PENDING_PAYMENT', 'CANCELLED']);
  }
});
