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
  // Batched: fewer processed-event inserts than the 14 events delivered.
  const processedInserts = statements.slice(before).filter((statement) => /^insert into `processed_events`/.test(statement));
  expect(processedInserts.length).toBeLessThan(orders.length);
});
