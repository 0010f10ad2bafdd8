import mysql from 'mysql2/promise';
import { databaseName, newId } from '@waimai/platform';
import { aMenu, CREATE_ORDER, customer, eventually, ORDER, startOrdersWithProducts, type OrdersHarness } from './harness';

interface OrderInfo {
  order: { id: string; status: string; paidAt: string | null; timeline: Array<{ status: string }> } | null;
}

let h: OrdersHarness;
let db: mysql.Connection;
const statements: string[] = [];
beforeAll(async () => {
  h = await startOrdersWithProducts({}, { logQuery: (query) => statements.push(query) });
  db = await mysql.createConnection({ uri: h.config.MYSQL_URL, database: databaseName(h.config.DB_PREFIX, 'orders'), timezone: 'Z' });
});
afterAll(async () => {
  await db?.end();
  await h.stop();
});

/** The types of the events the order's transactions left in the outbox, oldest first, with their data. */
async function outboxOf(orderId: string) {
  const [rows] = (await db.query('SELECT payload FROM outbox WHERE aggregate_id = ? ORDER BY seq', [orderId])) as unknown as [Array<{ payload: string }>];
  return rows.map((row) => JSON.parse(row.payload) as { type: string; data: Record<string, unknown> });
}

test('payments arriving as one batch: each order CREATED once in one transaction for the batch; a second payment of an order is refunded, a redelivered one changes nothing', async () => {
  const menu = await aMenu(h, [{ name: '盖浇饭', priceCents: 1600, stock: 50 }]);
  const buyer = customer();
  const placed = await Promise.all(
    Array.from({ length: 12 }, () =>
      h.callOrders<{ createOrder: { id: string; totalCents: number } }>(
        CREATE_ORDER,
        { input: { items: [{ productId: menu.products[0], quantity: 1 }], deliveryAddress: '人民路8号', deliveryLocation: { lat: menu.location.lat + 0.005, lng: menu.location.lng } } },
        buyer,
      ),
    ),
  );
  const orders = placed.map((result) => result.data!.createOrder);
  const payments = orders.map((order) => ({ orderId: order.id, amountCents: order.totalCents, paymentId: newId(), eventId: newId() }));
  const [first] = payments as [(typeof payments)[number]];
  const secondPayment = { ...first, paymentId: newId(), eventId: newId() };
  const before = statements.length;

  // One send: the first order's three events share a partition, and more orders than partitions share the rest.
  await h.paymentsSucceeded([...payments, secondPayment, first]);

  for (const order of orders) {
    const paid = await eventually(async () => {
      const info = await h.callOrders<OrderInfo>(ORDER, { id: order.id }, buyer);
      return info.data!.order?.status === 'CREATED' ? info.data!.order : null;
    }, 20_000, `order ${order.id} CREATED`);
    expect(paid.timeline.map((entry) => entry.status)).toEqual(['PENDING_PAYMENT', 'CREATED']);
  }
  const refund = await eventually(async () => (await outboxOf(first.orderId)).find((event) => event.type === 'RefundRequested') ?? null, 20_000, 'the second payment refunded');
  expect(refund.data).toMatchObject({ orderId: first.orderId, paymentId: secondPayment.paymentId, amountCents: first.amountCents, reason: 'ORDER_NOT_PAYABLE' });
  const written = await outboxOf(first.orderId);
  expect(written.filter((event) => event.type === 'OrderStatusChanged' && event.data.to === 'CREATED')).toHaveLength(1);
  expect(written.filter((event) => event.type === 'RefundRequested')).toHaveLength(1);
  for (const { orderId } of payments.slice(1)) {
    expect((await outboxOf(orderId)).filter((event) => event.type === 'OrderStatusChanged' && event.data.to === 'CREATED')).toHaveLength(1);
  }
  // Batched: fewer processed-event inserts, and fewer order updates, than the 14 events delivered.
  const processedInserts = statements.slice(before).filter((statement) => /^insert into `processed_events`/.test(statement));
  expect(processedInserts.length).toBeLessThan(orders.length);
  expect(statements.slice(before).filter((statement) => /^update `orders`/.test(statement)).length).toBeLessThan(orders.length);
  // Each row got its own payment, whichever statement wrote it.
  const [rows] = (await db.query('SELECT id, status, version, payment_id AS paymentId, paid_at AS paidAt, payment_due_at AS dueAt FROM orders WHERE id IN (?)', [orders.map((order) => order.id)])) as unknown as [
    Array<{ id: string; status: string; version: number; paymentId: string; paidAt: Date | null; dueAt: Date | null }>,
  ];
  expect(rows.map(({ id, status, version, paymentId, dueAt }) => ({ id, status, version, paymentId, dueAt })).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
    payments.map(({ orderId, paymentId }) => ({ id: orderId, status: 'CREATED', version: 1, paymentId, dueAt: null })).sort((a, b) => a.id.localeCompare(b.id)),
  );
  expect(rows.every((row) => row.paidAt instanceof Date)).toBe(true);
});

test('payments applied in batches while their customers cancel the same orders: every order moves once per step, its timeline, version and events agreeing', async () => {
  const menu = await aMenu(h, [{ name: '牛肉面', priceCents: 1800, stock: 50 }]);
  const buyer = customer();
  const orders = await Promise.all(
    Array.from({ length: 16 }, async () => {
      const placed = await h.callOrders<{ createOrder: { id: string; totalCents: number } }>(
        CREATE_ORDER,
        { input: { items: [{ productId: menu.products[0], quantity: 1 }], deliveryAddress: '人民路9号', deliveryLocation: { lat: menu.location.lat + 0.004, lng: menu.location.lng } } },
        buyer,
      );
      return placed.data!.createOrder;
    }),
  );

  const cancels = orders.filter((_, i) => i % 2 === 0).map((order) => h.callOrders(`mutation($id: ID!) { cancelOrder(orderId: $id, reason: "changed my mind") { id status } }`, { id: order.id }, buyer));
  await h.paymentsSucceeded(orders.map((order) => ({ orderId: order.id, amountCents: order.totalCents, paymentId: newId(), eventId: newId() })));
  await Promise.all(cancels);

  for (const order of orders) {
    const settled = await eventually(async () => {
      const [rows] = (await db.query('SELECT status, version FROM orders WHERE id = ?', [order.id])) as unknown as [Array<{ status: string; version: number }>];
      const events = (await outboxOf(order.id)).filter((event) => event.type === 'OrderStatusChanged');
      const paidSeen = (await outboxOf(order.id)).some((event) => event.type === 'RefundRequested') || events.some((event) => event.data.to === 'CREATED');
      // Settled once the payment was applied (CREATED) or refunded because the order had been cancelled first.
      return paidSeen ? { row: rows[0]!, events } : null;
    }, 20_000, `order ${order.id} settled`);
    const [timeline] = (await db.query('SELECT status FROM order_timeline WHERE order_id = ? ORDER BY seq', [order.id])) as unknown as [Array<{ status: string }>];
    // Placed at version 0: one version, one timeline row and one event per step.
    expect(settled.events.map((event) => event.data.to)).toEqual(timeline.map((entry) => entry.status));
    expect(settled.row.version).toBe(timeline.length - 1);
    expect(['CREATED', 'CANCELLED']).toContain(settled.row.status);
    expect(timeline.at(-1)?.status).toBe(settled.row.status);
  }
});
