import mysql from 'mysql2/promise';
import { connectDatabase, databaseName, newId, type ServiceDatabase } from '@waimai/platform';
import { ensureRunIsolation, uniqueId } from '@waimai/testkit';
import { ordersService } from '../src/index';
import { createOrderStore, type OrderSearch } from '../src/db/order-store';
import { orders, ordersSchema, type OrderRow, type OrdersSchema } from '../src/db/schema';
import { loadOrdersConfig } from '../src/env';

/*
 * A staff console polls searchOrders: each main filter must walk its index, never the table.
 * The table gets 3000 orders over 125 days, shaped like a real one (most orders closed, a few
 * waiting or flagged, 300 shops, 300 riders), so that the optimizer's choice is the one
 * production sees.
 */
let database: ServiceDatabase<OrdersSchema>;
let connection: mysql.Connection;
const captured: Array<{ query: string; params: unknown[] }> = [];
const start = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

function anOrderRow(index: number): OrderRow {
  const createdAt = new Date(start + index * HOUR);
  // One in twenty orders is still waiting for a rider, one in fifty flagged, one in ten late.
  const status = index % 20 === 0 ? 'CREATED' : index % 20 === 1 ? 'DELIVERING' : index % 20 === 2 ? 'CANCELLED' : 'CLOSED';
  return {
    id: newId(),
    customerId: `customer-${index % 1000}`,
    merchantId: `merchant-${String(index % 300).padStart(27, '0')}`,
    merchantOwnerId: 'owner',
    merchantLat: 31.2,
    merchantLng: 121.4,
    status,
    version: 3,
    totalCents: 2500,
    itemsCents: 2500,
    discountCents: 0,
    deliveryFeeCents: 0,
    discountsAvailable: true,
    deliveryAddress: `人民路${index}号`,
    deliveryLat: 31.21,
    deliveryLng: 121.4,
    idempotencyKey: null,
    riderId: status === 'CREATED' || status === 'CANCELLED' ? null : `rider-${index % 300}`,
    paymentId: null,
    wasOvertime: index % 10 === 3,
    needsAttention: index % 50 === 0,
    dispatchRound: 1,
    refundCents: 0,
    cancelReason: null,
    reassignedAt: null,
    redispatchKey: null,
    createdAt,
    paymentDueAt: null,
    paidAt: createdAt,
    offerExpiresAt: null,
    grabbedAt: null,
    pickedUpAt: null,
    deadlineAt: new Date(createdAt.getTime() + HOUR),
    deliveredAt: null,
    closeDueAt: null,
    closedAt: null,
    cancelledAt: null,
  };
}

beforeAll(async () => {
  ensureRunIsolation();
  const config = loadOrdersConfig({ ...process.env, DB_PREFIX: `${process.env.DB_PREFIX}_${uniqueId('ix').replace(/-/g, '_')}` });
  await ordersService.migrate(config);
  database = connectDatabase(config, 'orders', ordersSchema, { logQuery: (query, params) => captured.push({ query, params }) });
  connection = await mysql.createConnection({ uri: config.MYSQL_URL, database: databaseName(config.DB_PREFIX, 'orders'), timezone: 'Z' });
  const rows = Array.from({ length: 3000 }, (_, index) => anOrderRow(index));
  for (let offset = 0; offset < rows.length; offset += 500) await database.primary.insert(orders).values(rows.slice(offset, offset + 500));
  await connection.query('ANALYZE TABLE orders');
}, 60_000);

afterAll(async () => {
  await connection?.end();
  await database?.close();
});

/** The plan of the one statement a search sends: the key of its table and the access type. */
async function planOf(filter: OrderSearch, after: { sortKey: string; id: string } | null = null): Promise<{ key: string | null; type: string }> {
  captured.length = 0;
  await createOrderStore(database.db, database.primary).search(filter, after, 21);
  expect(captured).toHaveLength(1);
  const [plan] = (await connection.query(`EXPLAIN ${captured[0]!.query}`, captured[0]!.params)) as unknown as [Array<{ key: string | null; type: string }>];
  expect(plan).toHaveLength(1);
  return { key: plan[0]!.key, type: plan[0]!.type };
}

const day = (n: number) => new Date(start + n * 24 * HOUR);

test.each<{ name: string; filter: OrderSearch; key: string }>([
  { name: 'no filter', filter: {}, key: 'orders_created' },
  { name: 'the statuses of orders waiting for a rider', filter: { statuses: ['CREATED', 'NOTIFIED'] }, key: 'orders_status_created' },
  { name: 'one status', filter: { statuses: ['DELIVERING'] }, key: 'orders_status_created' },
  { name: 'a merchant', filter: { merchantId: `merchant-${'7'.padStart(27, '0')}` }, key: 'orders_merchant_created' },
  { name: 'a rider', filter: { riderId: 'rider-7' }, key: 'orders_rider_created' },
  { name: 'a customer', filter: { customerId: 'customer-7' }, key: 'orders_customer_created' },
  { name: 'needing attention', filter: { needsAttention: true }, key: 'orders_attention_created' },
  { name: 'overtime', filter: { overtime: true }, key: 'orders_overtime_created' },
  { name: 'a day of orders', filter: { createdFrom: day(40), createdTo: day(41) }, key: 'orders_created' },
])('searching orders by $name walks $key, not the table', async ({ filter, key }) => {
  const plan = await planOf(filter);
  expect(plan.type).not.toBe('ALL');
  expect(plan.key).toBe(key);
});

test('the next page of a poll walks the same index from the cursor on', async () => {
  const cursor = { sortKey: new Date(start + 1500 * HOUR).toISOString(), id: 'ffffffff-ffff-7fff-bfff-ffffffffffff' };
  const polls: Array<[OrderSearch, string]> = [
    [{}, 'orders_created'],
    [{ statuses: ['CREATED', 'NOTIFIED'] }, 'orders_status_created'],
    [{ needsAttention: true }, 'orders_attention_created'],
  ];
  for (const [filter, key] of polls) {
    const plan = await planOf(filter, cursor);
    expect({ filter, scansTable: plan.type === 'ALL', key: plan.key }).toEqual({ filter, scansTable: false, key });
  }
});
