import mysql from 'mysql2/promise';
import { connectDatabase, databaseName, newId, type ServiceDatabase } from '@waimai/platform';
import { ensureRunIsolation, queryPlanProbe, uniqueId } from '@waimai/testkit';
import { operationsService } from '../src/index';
import { createAuditStore } from '../src/db/audit-store';
import { createFiguresStore, type TimeRange } from '../src/db/figures-store';
import { auditLog, operationsSchema, orderFacts, refundFacts, type OperationsSchema } from '../src/db/schema';
import { loadOperationsConfig, type OperationsConfig } from '../src/env';
import { notCompensationReasons } from '../src/domain/figures';

/*
 * The console polls these queries: each must walk its index, never the table. The tables get
 * 3000 rows over 125 days, so that an hour's or a merchant's rows are a small part of them and
 * the optimizer's choice is the one production sees.
 */
let config: OperationsConfig;
let database: ServiceDatabase<OperationsSchema>;
let connection: mysql.Connection;
const plans = queryPlanProbe((sql, params) => connection.query(sql, params));
const start = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

beforeAll(async () => {
  ensureRunIsolation();
  config = loadOperationsConfig({ ...process.env, DB_PREFIX: `${process.env.DB_PREFIX}_${uniqueId('ix').replace(/-/g, '_')}` });
  await operationsService.migrate(config);
  database = connectDatabase(config, 'operations', operationsSchema, { logQuery: plans.logQuery });
  connection = await mysql.createConnection({ uri: config.MYSQL_URL, database: databaseName(config.DB_PREFIX, 'operations'), timezone: 'Z' });
  const rows = Array.from({ length: 3000 }, (_, index) => index);
  const time = (index: number, offsetMinutes = 0) => new Date(start + index * HOUR + offsetMinutes * 60_000);
  await database.primary.insert(auditLog).values(
    rows.map((index) => ({
      id: newId(),
      service: 'orders',
      actorId: `staff-${index % 50}`,
      actorRoles: '["OPERATOR"]',
      action: index % 2 ? ('ORDER_CANCEL' as const) : ('RIDER_SUSPEND' as const),
      targetType: index % 2 ? ('ORDER' as const) : ('RIDER' as const),
      targetId: `target-${index % 500}`,
      reason: 'reason',
      before: null,
      after: null,
      details: '{}',
      at: time(index),
      recordedAt: time(index),
    })),
  );
  await database.primary.insert(orderFacts).values(
    rows.map((index) => ({
      orderId: `order-${index}`,
      merchantId: `merchant-${index % 300}`,
      customerId: 'customer',
      riderId: `rider-${index % 300}`,
      totalCents: 1000,
      placedAt: time(index),
      paidAt: time(index, 1),
      grabbedAt: time(index, 5),
      deliveredAt: time(index, 35),
      cancelledAt: index % 10 ? null : time(index, 2),
    })),
  );
  await database.primary.insert(refundFacts).values(
    rows.map((index) => ({ eventId: newId(), paymentId: `payment-${index}`, orderId: `order-${index}`, reason: 'LATE_DELIVERY', refundCents: 100, refundedAt: time(index, 50) })),
  );
  await connection.query('ANALYZE TABLE audit_log, order_facts, refund_facts');
}, 60_000);

afterAll(async () => {
  await connection?.end();
  await database?.close();
});

const planOf = plans.planOf;

const audit = () => createAuditStore(database.db);
const figures = () => createFiguresStore(database.db);
const anHour: TimeRange = { from: new Date(start + 1000 * HOUR), to: new Date(start + 1001 * HOUR) };
const aDay: TimeRange = { from: new Date(start + 1000 * HOUR), to: new Date(start + 1024 * HOUR) };

test.each([
  ['no filter', {}, 'audit_log_at'],
  ['an actor', { actorId: 'staff-7' }, 'audit_log_actor_at'],
  ['a target', { targetId: 'target-7' }, 'audit_log_target_at'],
  ['a target type', { targetType: 'RIDER' as const }, 'audit_log_target_type_at'],
  ['an action', { actions: ['ORDER_CANCEL' as const] }, 'audit_log_action_at'],
])('the audit log filtered by %s walks %s', async (_name, filter, key) => {
  const plan = await planOf(() => audit().page(filter, null, 21));
  expect(plan.type).not.toBe('ALL');
  expect(plan.key).toBe(key);
});

test.each([
  ['orders placed', () => figures().countsBy('placed', anHour, 'HOUR'), 'order_facts_placed'],
  ['orders cancelled', () => figures().countsBy('cancelled', aDay, 'HOUR'), 'order_facts_cancelled'],
  ['orders paid', () => figures().paidBy(anHour, 'HOUR'), 'order_facts_paid'],
  ['grabs', () => figures().grabs(anHour, 'HOUR'), 'order_facts_grabbed'],
  ['deliveries', () => figures().deliveries(anHour, 'HOUR'), 'order_facts_delivered'],
  ['compensation', () => figures().compensationBy(anHour, 'HOUR', notCompensationReasons), 'refund_facts_refunded'],
  // An hour's or a day's deliveries are few: found by time, then grouped per rider.
  ['per rider', () => figures().riderTotals(anHour, null, 21), 'order_facts_delivered'],
])('the figures of %s walk %s', async (_name, run, key) => {
  const plan = await planOf(run);
  expect(plan.type).not.toBe('ALL');
  expect(plan.key).toBe(key);
});

test("a day's figures per merchant merge the three time indexes", async () => {
  const plan = await planOf(() => figures().merchantTotals(aDay, null, 21));
  expect(plan).toEqual({ type: 'index_merge', key: 'order_facts_placed,order_facts_paid,order_facts_cancelled' });
});

test('figures per merchant and per rider over the whole history read their covering indexes, not the table', async () => {
  const everything: TimeRange = { from: new Date(start), to: new Date(start + 3001 * HOUR) };
  for (const [run, key] of [
    [() => figures().merchantTotals(everything, null, 21), 'order_facts_merchant'],
    [() => figures().riderTotals(everything, null, 21), 'order_facts_rider'],
  ] as const) {
    const plan = await planOf(run);
    expect(plan.type).not.toBe('ALL');
    expect(plan.key).toBe(key);
  }
});
