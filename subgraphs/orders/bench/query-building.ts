/*
 * What drizzle spends building the SQL of orders' hot statements, outside pnpm bench and
 * without a database (drizzle.mock(): toSQL() builds, nothing is sent). Prints the time per
 * build of each statement, as a median of five rounds, after a warm-up. The orders table has 47
 * columns, which every full-row select and insert lists one by one.
 *
 *   node --import tsx subgraphs/orders/bench/query-building.ts [builds per round = 20000]
 *
 * Run it in a checkout of another commit (its own pnpm install) to compare drizzle patched and
 * not (patches/drizzle-orm@0.45.4.patch; docs/performance/query-building.md).
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/mysql2';
import { outbox, setEachById } from '@waimai/platform';
import { orders, orderTimeline } from '../src/db/schema';

const [builds = 20_000] = process.argv.slice(2).map(Number);
const db = drizzle.mock();
const at = new Date('2026-12-05T10:00:00Z');

const statements: Array<[string, () => unknown]> = [
  ['orders: full rows by id, FOR UPDATE (one id)', () => db.select().from(orders).where(inArray(orders.id, ['o-1'])).for('update').toSQL()],
  [
    'orders: one row moved (CASE per column, compare-and-set)',
    () =>
      db
        .update(orders)
        .set(setEachById(orders, orders.id, [{ id: 'o-1', changes: { status: 'NOTIFIED', version: 3 } }]))
        .where(and(eq(orders.id, 'o-1'), eq(orders.version, 2), isNull(orders.riderId)))
        .toSQL(),
  ],
  ['order_timeline: one row', () => db.insert(orderTimeline).values([{ orderId: 'o-1', status: 'NOTIFIED', step: 'notify', at }]).toSQL()],
  ['outbox: one event', () => db.insert(outbox).values([{ eventId: 'e-1', topic: 'orders.events', aggregateId: 'o-1', payload: '{"type":"OrderNotified"}', createdAt: at }]).toSQL()],
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

for (const [label, build] of statements) {
  for (let i = 0; i < 3000; i += 1) build();
  const rounds: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < builds; i += 1) build();
    rounds.push(Number(process.hrtime.bigint() - started) / builds / 1000);
  }
  process.stdout.write(`${label.padEnd(60)} ${median(rounds).toFixed(1)} µs\n`);
}
