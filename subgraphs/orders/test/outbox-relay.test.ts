import { sql } from 'drizzle-orm';
import {
  auditEvent,
  connectDatabase,
  createKafkaEventBus,
  createLogger,
  enqueueEvents,
  newId,
  OrderStatusChanged,
  outboxBatches,
  outboxFallbackBatches,
  Topics,
  type EventEnvelope,
  type Subscription,
} from '@waimai/platform';
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

/** waimai_outbox_fallback_batches_total for orders (orders runs in this process, so its counter is this registry's). */
async function fallbackBatches(): Promise<number> {
  return (await outboxFallbackBatches.get()).values.find((value) => value.labels.service === 'orders')?.value ?? 0;
}

test('an event committed without kicking the relay is published by its fallback poll (OUTBOX_POLL_MS), and counted', async () => {
  await h.orders.drainOutbox();
  const before = await fallbackBatches();
  // A commit path that forgot relay.kick(): the row is written and nobody is told. (An audit
  // record of an order that does not exist: nothing in this test reads the audit topic.)
  const database = connectDatabase(h.config, 'orders', {});
  const staff = { sub: `admin-${newId()}`, roles: ['ADMIN'] };
  const event = auditEvent('orders', staff, { action: 'ORDER_CANCEL', targetType: 'ORDER', targetId: newId(), reason: 'fallback poll test', before: null, after: null });
  try {
    await enqueueEvents(database.primary, [event]);
    const publishedAt = await eventually(
      async () => {
        const [rows] = (await database.primary.execute(sql`SELECT published_at FROM outbox WHERE event_id = ${event.id}`)) as unknown as [Array<{ published_at: Date | null }>];
        return rows[0]?.published_at ?? null;
      },
      10_000,
      'the unkicked row to be published',
    );
    expect(publishedAt).toBeTruthy();
    expect(await fallbackBatches()).toBeGreaterThan(before);
  } finally {
    await database.close();
  }
});

test('each batch the relay publishes and marks sent is counted once (waimai_outbox_batches_total)', async () => {
  await h.orders.drainOutbox();
  const batches = async () => (await outboxBatches.get()).values.find((value) => value.labels.service === 'orders')?.value ?? 0;
  const before = await batches();
  // Three events committed together are published as one batch, and drained with nothing left.
  const database = connectDatabase(h.config, 'orders', {});
  const staff = { sub: `admin-${newId()}`, roles: ['ADMIN'] };
  const events = [1, 2, 3].map((n) => auditEvent('orders', staff, { action: 'ORDER_CANCEL', targetType: 'ORDER', targetId: newId(), reason: `batch count ${n}`, before: null, after: null }));
  try {
    await enqueueEvents(database.primary, events);
    await h.orders.drainOutbox();
    const after = await batches();
    expect(after).toBe(before + 1);
    // Nothing pending: a drain publishes no batch and counts none.
    await h.orders.drainOutbox();
    expect(await batches()).toBe(after);
  } finally {
    await database.close();
  }
});
