import mysql from 'mysql2/promise';
import { connectDatabase, databaseName, newId, type ServiceDatabase } from '@waimai/platform';
import { ensureRunIsolation, queryPlanProbe, uniqueId } from '@waimai/testkit';
import { paymentsService } from '../src/index';
import { createPaymentStore, type PaymentSearch, type RefundSearch } from '../src/db/payment-store';
import { payments, paymentsSchema, refunds, type PaymentsSchema, type PaymentStatus } from '../src/db/schema';
import { loadPaymentsConfig, type PaymentsConfig } from '../src/env';

/*
 * A console polls these searches, and every replica sweeps due payouts: each must walk its
 * index, never the table. The tables get 3000 rows over 125 days, so that an order's or an
 * hour's rows are a small part of them and the optimizer's choice is the one production sees.
 */
let config: PaymentsConfig;
let database: ServiceDatabase<PaymentsSchema>;
let connection: mysql.Connection;
const plans = queryPlanProbe((sql, params) => connection.query(sql, params));
const start = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const ROWS = 3000;

/** As in production: most payments succeeded, some were refunded, few are pending or failed (the ones staff look for). */
function statusOf(index: number): PaymentStatus {
  if (index % 50 === 0) return 'PENDING';
  if (index % 50 === 1) return 'FAILED';
  if (index % 10 === 2) return 'PARTIALLY_REFUNDED';
  if (index % 25 === 3) return 'REFUNDED';
  return 'SUCCEEDED';
}

beforeAll(async () => {
  ensureRunIsolation();
  config = loadPaymentsConfig({ ...process.env, DB_PREFIX: `${process.env.DB_PREFIX}_${uniqueId('ix').replace(/-/g, '_')}` });
  await paymentsService.migrate(config);
  database = connectDatabase(config, 'payments', paymentsSchema, { logQuery: plans.logQuery });
  connection = await mysql.createConnection({ uri: config.MYSQL_URL, database: databaseName(config.DB_PREFIX, 'payments'), timezone: 'Z' });
  const time = (index: number) => new Date(start + index * HOUR);
  const paymentRows = Array.from({ length: ROWS }, (_, index) => ({
    id: newId(),
    orderId: `order-${index}`,
    customerId: `customer-${index % 400}`,
    amountCents: 2000,
    paymentMethod: 'ALIPAY' as const,
    provider: 'sandbox',
    status: statusOf(index),
    payUrl: null,
    qrCode: null,
    expiresAt: null,
    paidAt: time(index),
    providerTxnId: null,
    refundedCents: 0,
    pendingOrderId: null,
    createdAt: time(index),
    updatedAt: time(index),
  }));
  await database.primary.insert(payments).values(paymentRows);
  await database.primary.insert(refunds).values(
    paymentRows.map((payment, index) => ({
      id: newId(),
      paymentId: payment.id,
      orderId: payment.orderId,
      amountCents: 100,
      reason: index % 4 === 0 ? ('GOODWILL' as const) : ('LATE_DELIVERY' as const),
      refundKey: `${payment.id}:LATE_DELIVERY`,
      providerRefundId: index % 100 === 0 ? null : `rf-${index}`,
      // One in a hundred still waits for its payout, the realistic share.
      paidOutAt: index % 100 === 0 ? null : time(index),
      payoutDueAt: index % 100 === 0 ? time(index) : null,
      failedPayouts: 0,
      attentionRaisedAt: null,
      createdAt: time(index),
    })),
  );
  await connection.query('ANALYZE TABLE payments, refunds');
}, 60_000);

afterAll(async () => {
  await connection?.end();
  await database?.close();
});

const planOf = plans.planOf;

const store = () => createPaymentStore(database.db, database.primary);
const aDay = { createdFrom: new Date(start + 1000 * HOUR), createdTo: new Date(start + 1024 * HOUR) };

test.each<[string, PaymentSearch, string]>([
  ['no filter', {}, 'payments_created'],
  ['a day', aDay, 'payments_created'],
  ['an order', { orderId: 'order-7' }, 'payments_order_created'],
  ['a status', { statuses: ['FAILED'] }, 'payments_status_created'],
  ['the stuck statuses', { statuses: ['FAILED', 'PENDING'] }, 'payments_status_created'],
  ['a common status', { statuses: ['SUCCEEDED'] }, 'payments_status_created'],
])('searchPayments filtered by %s walks %s', async (_name, filter, key) => {
  const plan = await planOf(() => store().searchPayments(filter, null, 21));
  expect(plan.type).not.toBe('ALL');
  expect(plan.key).toBe(key);
});

test.each<[string, RefundSearch, string]>([
  ['no filter', {}, 'refunds_created'],
  ['a day', aDay, 'refunds_created'],
  ['an order', { orderId: 'order-7' }, 'refunds_order_created'],
  ['a reason', { reasons: ['GOODWILL'] }, 'refunds_reason_created'],
])('searchRefunds filtered by %s walks %s', async (_name, filter, key) => {
  const plan = await planOf(() => store().searchRefunds(filter, null, 21));
  expect(plan.type).not.toBe('ALL');
  expect(plan.key).toBe(key);
});

test('the payout retries find due refunds through refunds_payout_due', async () => {
  const plan = await planOf(() => store().refundsDueForPayout(new Date(start + 2000 * HOUR), 20));
  expect(plan.type).not.toBe('ALL');
  expect(plan.key).toBe('refunds_payout_due');
});

test("a payment's refunds are read through refunds_payment", async () => {
  const [payment] = await database.primary.select({ id: payments.id }).from(payments).limit(1);
  const plan = await planOf(() => store().refundsOfPayments([payment!.id]));
  expect(plan.type).not.toBe('ALL');
  expect(plan.key).toBe('refunds_payment');
});
