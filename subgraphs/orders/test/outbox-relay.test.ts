import { createKafkaEventBus, createLogger, OrderStatusChanged, Topics, type EventEnvelope, type Subscription } from '@waimai/platform';
import { aMenu, CREATE_ORDER, customer, eventually, startOrdersWithProducts, stockOf, type OrdersHarness } from './harness';

let h: OrdersHarness;
let crashes = 0;
const seen = new Map<string, number>();
let watcher: Subscription;

beforeAll(async () => {
  // The relay "dies" after publishing its first three batches and before marking them sent.
  h = await startOrdersWithProducts({}, {
    afterOutboxPublish: async () => {
      if (crashes < 3) {
        crashes += 1;
        throw new Error('relay killed between publishing and marking sent');
      }
    },
  });
  const bus = createKafkaEventBus(h.config, 'outbox-watcher', createLogger('watcher', 'warn'));
  watcher = await bus.subscribe({
    groupId: `outbox-watcher-${Date.now()}`,
    topics: [Topics.orderEvents],
    fromBeginning: true,
    handle: async (event: EventEnvelope) => {
      seen.set(event.id, (seen.get(event.id) ?? 0) + 1);
    },
  });
});
afterAll(async () => {
  await watcher.stop();
  await h.stop();
});

test('a relay killed between publishing and marking: every event arrives, and cancelled stock comes back exactly once', async () => {
  const menu = await aMenu(h, [{ name: '煎饼', priceCents: 900, stock: 20 }]);
  const [pancake] = menu.products as [string];
  const buyer = customer();
  const orderIds: string[] = [];
  for (let i = 0; i < 5; i += 1) {
    const created = await h.callOrders<{ createOrder: { id: string } }>(
      CREATE_ORDER,
      { input: { items: [{ productId: pancake, quantity: 2 }], deliveryAddress: '路', deliveryLocation: { lat: menu.location.lat + 0.003, lng: menu.location.lng } } },
      buyer,
    );
    orderIds.push(created.data!.createOrder.id);
    await h.callOrders('mutation($id: ID!) { cancelOrder(orderId: $id) { id } }', { id: created.data!.createOrder.id }, buyer);
  }
  await h.orders.drainOutbox();

  expect(crashes).toBe(3);
  await eventually(async () => (await stockOf(h, pancake)) === 20, 20_000, 'all stock released');
  const ours = await eventually(async () => {
    const events = [...seen.keys()];
    return events.length >= 10 ? events : null;
  }, 20_000, 'every event delivered');
  expect(ours.length).toBeGreaterThanOrEqual(10);
  expect([...seen.values()].some((copies) => copies > 1)).toBe(true);
  // The effect of the duplicated CANCELLED events happened once: stock is back to 20, not more.
  expect(await stockOf(h, pancake)).toBe(20);
  expect(OrderStatusChanged.type).toBe('OrderStatusChanged');
});
