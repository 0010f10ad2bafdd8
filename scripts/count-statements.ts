/**
 * Counts the MySQL statements each service runs per createOrder, per paid order and per grab
 * (docs/performance/storage.md). Starts the platform as `pnpm bench` does, switches MariaDB's
 * general query log on (log_output=TABLE) for the measured phases only, attributes each
 * statement to the service whose database its connection uses, and subtracts an idle window's
 * rate. Needs a MySQL user that may SET GLOBAL; it restores general_log=OFF and log_output=FILE.
 *
 *   flock .cache/bench.lock pnpm exec tsx scripts/count-statements.ts
 *   PROBE_N=3 PROBE_DUMP=1 pnpm exec tsx scripts/count-statements.ts   # and print every statement
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { CITY_CENTER, cluster, moved, randomSource } from '../bench/lib/city';
import { aMerchant, anActor, onlineRiders, sendPaymentSucceeded, type PayableOrder } from '../bench/lib/fixtures';
import { dataOf, HttpClient } from '../bench/lib/http';
import { startPlatform } from '../bench/lib/platform';

const N = Number(process.env.PROBE_N ?? 20);
const RIDERS = 10;

interface Phase {
  name: string;
  from: Date;
  to: Date;
  count: number;
}

interface LogRow extends RowDataPacket {
  event_time: Date;
  thread_id: number;
  command_type: string;
  arg: string;
}

async function now(admin: mysql.Connection): Promise<Date> {
  const [rows] = await admin.query<RowDataPacket[]>('SELECT NOW(6) AS t');
  return rows[0]?.t as Date;
}

async function main() {
  const platform = await startPlatform((message) => console.log(message), 'warn');
  const admin = await mysql.createConnection({ uri: platform.config.MYSQL_URL });
  const client = new HttpClient(platform.gatewayUrl, 64);
  try {
    const secret = platform.config.JWT_SECRET;
    const shop = moved(CITY_CENTER, 80_000, 0);
    const merchant = await aMerchant(client, secret, shop, 1_000_000);
    const riders = await onlineRiders(client, secret, cluster(shop, 300, RIDERS, randomSource(5)), RIDERS);
    const customer = await anActor(secret, 'CUSTOMER');
    const create = async () =>
      dataOf(
        await client.graphql<{ createOrder: { id: string } }>(
          'mutation CreateOrder($input: CreateOrderInput!) { createOrder(input: $input) { id status totalCents } }',
          { input: { items: [{ productId: merchant.productId, quantity: 1 }], deliveryAddress: '人民路100号', deliveryLocation: moved(merchant.location, 500, 0), idempotencyKey: randomUUID() } },
          customer.token,
        ),
        'createOrder',
      ).createOrder;
    const initiate = async (orderId: string) =>
      dataOf(
        await client.graphql<{ initiatePayment: { id: string; amountCents: number } }>(
          'mutation InitiatePayment($orderId: ID!, $paymentMethod: PaymentMethod!) { initiatePayment(orderId: $orderId, paymentMethod: $paymentMethod) { id amountCents status } }',
          { orderId, paymentMethod: 'ALIPAY' },
          customer.token,
        ),
        'initiatePayment',
      ).initiatePayment;
    const status = async (orderId: string) =>
      dataOf(await client.graphql<{ order: { status: string } }>('query O($id: ID!) { order(id: $id) { status } }', { id: orderId }, customer.token), 'order').order.status;
    for (let i = 0; i < 5; i += 1) await create();
    await sleep(1500);

    // Connections opened before the log was on: their database comes from the process list.
    const threadDb = new Map<number, string>();
    const snapshot = async () => {
      const [rows] = await admin.query<RowDataPacket[]>('SELECT ID, DB FROM information_schema.PROCESSLIST');
      for (const row of rows) if (row.DB) threadDb.set(Number(row.ID), String(row.DB));
    };
    await admin.query("SET GLOBAL log_output='TABLE'");
    await admin.query('TRUNCATE mysql.general_log');
    await admin.query('SET GLOBAL general_log=ON');
    const phases: Phase[] = [];
    const phase = async (name: string, count: number, work: () => Promise<void>, settleMs = 1500) => {
      const from = await now(admin);
      await work();
      await sleep(settleMs);
      phases.push({ name, from, to: await now(admin), count });
    };
    await snapshot();
    await phase('idle', 1, () => sleep(3000), 0);
    const ids: string[] = [];
    await phase('createOrder', N, async () => {
      for (let i = 0; i < N; i += 1) ids.push((await create()).id);
    });
    const payables: PayableOrder[] = [];
    await phase('initiatePayment', N, async () => {
      for (const orderId of ids) {
        const payment = await initiate(orderId);
        payables.push({ orderId, paymentId: payment.id, amountCents: payment.amountCents, merchant });
      }
    });
    await phase(
      'paid order (webhook → CREATED → offers)',
      N,
      async () => {
        for (const payable of payables) await sendPaymentSucceeded(client, platform.config.PAYMENT_WEBHOOK_SECRET, payable).result;
        for (const payable of payables) {
          for (let tries = 0; tries < 100 && (await status(payable.orderId)) === 'PENDING_PAYMENT'; tries += 1) await sleep(100);
        }
      },
      3000,
    );
    await snapshot();
    const target = payables[0]?.orderId as string;
    const outcomes: string[] = [];
    await phase(`grab (${RIDERS} riders at once)`, RIDERS, async () => {
      await Promise.all(
        riders.map(async (rider) => {
          const answer = await client.graphql('mutation G($orderId: ID!) { grabOrder(orderId: $orderId) { id status } }', { orderId: target }, rider.token);
          outcomes.push(answer.errors?.[0]?.extensions?.code ?? 'WON');
        }),
      );
    });
    await admin.query('SET GLOBAL general_log=OFF');
    console.log('grab outcomes:', outcomes.sort().join(', '));

    const [log] = await admin.query<LogRow[]>('SELECT event_time, thread_id, command_type, CONVERT(argument USING utf8mb4) AS arg FROM mysql.general_log ORDER BY event_time');
    for (const row of log) {
      const connected = row.command_type === 'Connect' ? /on (\S+)/.exec(row.arg)?.[1] : row.command_type === 'Init DB' ? row.arg : undefined;
      if (connected) threadDb.set(Number(row.thread_id), connected);
    }
    const prefix = `${platform.config.DB_PREFIX}_`;
    const serviceOf = (row: LogRow) => {
      const database = threadDb.get(Number(row.thread_id));
      return database?.startsWith(prefix) && (row.command_type === 'Query' || row.command_type === 'Execute') ? database.slice(prefix.length) : undefined;
    };
    const idlePerSecond = new Map<string, number>();
    for (const { name, from, to, count } of phases) {
      const seconds = (to.getTime() - from.getTime()) / 1000;
      const perService = new Map<string, number>();
      const perVerb = new Map<string, number>();
      for (const row of log) {
        const service = serviceOf(row);
        if (!service || row.event_time < from || row.event_time > to) continue;
        perService.set(service, (perService.get(service) ?? 0) + 1);
        const verb = `${service} ${row.arg.trim().split(/\s+/)[0]?.toLowerCase()}`;
        perVerb.set(verb, (perVerb.get(verb) ?? 0) + 1);
      }
      if (name === 'idle') {
        for (const [service, statements] of perService) idlePerSecond.set(service, statements / seconds);
        continue;
      }
      const net = [...perService].map(([service, statements]) => [service, Math.round(((statements - (idlePerSecond.get(service) ?? 0) * seconds) / count) * 10) / 10] as const);
      const total = net.reduce((sum, [, statements]) => sum + statements, 0);
      console.log(`${name}: statements per unit, idle subtracted (${seconds.toFixed(1)} s): ${net.map(([service, statements]) => `${service} ${statements}`).join(', ')}; total ${total.toFixed(1)}`);
      console.log(`  by verb, raw per unit: ${[...perVerb].sort().map(([verb, statements]) => `${verb} ${(statements / count).toFixed(1)}`).join(', ')}`);
    }
    if (process.env.PROBE_DUMP) {
      for (const row of log) {
        const service = serviceOf(row);
        if (service) console.log(row.event_time.toISOString(), service, row.thread_id, row.arg.slice(0, 200));
      }
    }
  } finally {
    await admin.query('SET GLOBAL general_log=OFF').catch(() => undefined);
    await admin.query("SET GLOBAL log_output='FILE'").catch(() => undefined);
    await admin.end();
    client.close();
    await platform.shutdown();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
