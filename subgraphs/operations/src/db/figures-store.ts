import { and, asc, eq, getTableColumns, gt, gte, inArray, isNotNull, lt, sql, type SQL } from 'drizzle-orm';
import type { AnyMySqlColumn } from 'drizzle-orm/mysql-core';
import { applyOnce, applyOnceEach, type Database } from '@waimai/platform';
import { orderFacts, refundFacts, type OperationsSchema, type OrderFactsRow, type RefundFactsRow } from './schema';

/** A half-open time range [from, to). */
export interface TimeRange {
  from: Date;
  to: Date;
}

export type BucketSize = 'HOUR' | 'DAY';

// Constants, never input: the bucket of a UTC DATETIME as text ('2026-03-01 10:00:00').
const BUCKET_FORMAT: Record<BucketSize, string> = { HOUR: '%Y-%m-%d %H:00:00', DAY: '%Y-%m-%d 00:00:00' };
const bucketOf = (column: AnyMySqlColumn, size: BucketSize) => sql<string>`DATE_FORMAT(${column}, ${sql.raw(`'${BUCKET_FORMAT[size]}'`)})`;
/** The bucket's start: DATETIMEs are UTC (the pools' timezone is 'Z'). */
const bucketStart = (text: string) => new Date(`${text.replace(' ', 'T')}.000Z`);
const within = (column: AnyMySqlColumn, range: TimeRange) => and(gte(column, range.from), lt(column, range.to));
/** 1 when the column is inside the range, 0 otherwise (NULL included), for SUM(). */
const inRange = (column: AnyMySqlColumn, range: TimeRange): SQL => sql`CASE WHEN ${column} >= ${range.from} AND ${column} < ${range.to} THEN 1 ELSE 0 END`;

export interface BucketCount {
  bucket: Date;
  count: number;
}
export interface PaidInBucket extends BucketCount {
  gmvCents: number;
  neededAttention: number;
}
export interface Duration {
  bucket: Date;
  /** Null when the earlier fact is missing (its event not seen). */
  seconds: number | null;
}
export interface Delivery extends Duration {
  overtime: boolean;
}
export interface MerchantTotals {
  merchantId: string;
  orders: number;
  gmvCents: number;
  cancellations: number;
}
export interface RiderTotals {
  riderId: string;
  deliveries: number;
  overtimeDeliveries: number;
}

/** An upsert's `SET` that takes every column but the key from the row the upsert inserted (`VALUES(col)`). */
const everyFactFromTheInsert = Object.fromEntries(
  Object.entries(getTableColumns(orderFacts))
    .filter(([, column]) => column.name !== orderFacts.orderId.name)
    .map(([key, column]) => [key, sql.raw(`VALUES(\`${column.name}\`)`)]),
);

/** The read models behind the figures: SQL only, plain objects out. */
export function createFiguresStore(db: Database<OperationsSchema>) {
  const timesOf = {
    placed: orderFacts.placedAt,
    cancelled: orderFacts.cancelledAt,
  } as const;

  return {
    /**
     * Folds one event into its order's facts, once per (consumer, event): the row is
     * created bare when missing, locked, folded and written back in one transaction.
     */
    async foldOrder(consumer: string, eventId: string, orderId: string, fold: (facts: OrderFactsRow) => OrderFactsRow): Promise<boolean> {
      const result = await applyOnce(db, consumer, eventId, async (tx) => {
        // Locks the order's row so that two consumers folding events of one order take turns.
        await tx.insert(orderFacts).values({ orderId }).onDuplicateKeyUpdate({ set: { orderId: sql`order_id` } });
        const [current] = await tx.select().from(orderFacts).where(eq(orderFacts.orderId, orderId)).for('update');
        if (!current) throw new Error(`The facts of order ${orderId} vanished inside their own transaction.`);
        const { orderId: _key, ...facts } = fold(current);
        await tx.update(orderFacts).set(facts).where(eq(orderFacts.orderId, orderId));
      });
      return result.done;
    },

    /**
     * foldOrder for a batch of events, each once per (consumer, event), in a few statements for
     * the whole batch: the missing rows created bare, every row the batch touches locked (in key
     * order, as every folder locks them) and read, each fresh event folded into its order's row
     * in the order given, and the rows written back in one upsert. Returns how many events
     * were folded now (the others were folded before).
     */
    async foldOrders(consumer: string, events: ReadonlyArray<{ id: string; orderId: string; fold: (facts: OrderFactsRow) => OrderFactsRow }>): Promise<number> {
      const folded = await applyOnceEach(db, consumer, events, async (tx, fresh) => {
        const orderIds = [...new Set(fresh.map((event) => event.orderId))].sort();
        await tx
          .insert(orderFacts)
          .values(orderIds.map((orderId) => ({ orderId })))
          .onDuplicateKeyUpdate({ set: { orderId: sql`order_id` } });
        const rows = await tx.select().from(orderFacts).where(inArray(orderFacts.orderId, orderIds)).orderBy(asc(orderFacts.orderId)).for('update');
        const facts = new Map(rows.map((row) => [row.orderId, row]));
        for (const event of fresh) {
          const current = facts.get(event.orderId);
          if (!current) throw new Error(`The facts of order ${event.orderId} vanished inside their own transaction.`);
          facts.set(event.orderId, event.fold(current));
        }
        await tx
          .insert(orderFacts)
          .values([...facts.values()])
          .onDuplicateKeyUpdate({ set: everyFactFromTheInsert });
      });
      return folded.length;
    },

    /** Keeps one refund, once per event. */
    async recordRefund(consumer: string, refund: RefundFactsRow): Promise<boolean> {
      const result = await applyOnce(db, consumer, refund.eventId, async (tx) => {
        await tx.insert(refundFacts).values(refund).onDuplicateKeyUpdate({ set: { eventId: sql`event_id` } });
      });
      return result.done;
    },

    async factsOf(orderId: string): Promise<OrderFactsRow | undefined> {
      const [row] = await db.select().from(orderFacts).where(eq(orderFacts.orderId, orderId));
      return row;
    },

    /** Orders whose `which` time falls in the range, per bucket. */
    async countsBy(which: keyof typeof timesOf, range: TimeRange, size: BucketSize): Promise<BucketCount[]> {
      const column = timesOf[which];
      const bucket = bucketOf(column, size);
      const rows = await db
        .select({ bucket: bucket.as('bucket'), count: sql<number>`COUNT(*)` })
        .from(orderFacts)
        .where(within(column, range))
        .groupBy(sql`bucket`);
      return rows.map((row) => ({ bucket: bucketStart(row.bucket), count: Number(row.count) }));
    },

    /** Orders paid in the range per bucket (of their paid time): how many, their totals, how many needed attention. */
    async paidBy(range: TimeRange, size: BucketSize): Promise<PaidInBucket[]> {
      const bucket = bucketOf(orderFacts.paidAt, size);
      const rows = await db
        .select({
          bucket: bucket.as('bucket'),
          count: sql<number>`COUNT(*)`,
          gmvCents: sql<string | null>`SUM(${orderFacts.totalCents})`,
          neededAttention: sql<string | null>`SUM(${orderFacts.neededAttention})`,
        })
        .from(orderFacts)
        .where(within(orderFacts.paidAt, range))
        .groupBy(sql`bucket`);
      return rows.map((row) => ({
        bucket: bucketStart(row.bucket),
        count: Number(row.count),
        gmvCents: Number(row.gmvCents ?? 0),
        neededAttention: Number(row.neededAttention ?? 0),
      }));
    },

    /** Orders grabbed in the range: the bucket of the grab and the seconds from payment to grab. */
    async grabs(range: TimeRange, size: BucketSize): Promise<Duration[]> {
      const rows = await db
        .select({
          bucket: bucketOf(orderFacts.grabbedAt, size),
          micros: sql<string | null>`TIMESTAMPDIFF(MICROSECOND, ${orderFacts.paidAt}, ${orderFacts.grabbedAt})`,
        })
        .from(orderFacts)
        .where(within(orderFacts.grabbedAt, range));
      return rows.map((row) => ({ bucket: bucketStart(row.bucket), seconds: row.micros === null ? null : Number(row.micros) / 1e6 }));
    },

    /** Orders delivered in the range: the bucket of the delivery, the seconds from grab to delivery, and whether it was late. */
    async deliveries(range: TimeRange, size: BucketSize): Promise<Delivery[]> {
      const rows = await db
        .select({
          bucket: bucketOf(orderFacts.deliveredAt, size),
          micros: sql<string | null>`TIMESTAMPDIFF(MICROSECOND, ${orderFacts.grabbedAt}, ${orderFacts.deliveredAt})`,
          overtime: orderFacts.wasOvertime,
        })
        .from(orderFacts)
        .where(within(orderFacts.deliveredAt, range));
      return rows.map((row) => ({ bucket: bucketStart(row.bucket), seconds: row.micros === null ? null : Number(row.micros) / 1e6, overtime: Boolean(row.overtime) }));
    },

    /**
     * Refunds in the range per bucket (of the refund's time) that are compensation: not of a
     * reason in `notCompensation`, and not for an order that was cancelled (that money is the
     * price of food never sent, given back).
     */
    async compensationBy(range: TimeRange, size: BucketSize, notCompensation: readonly string[]): Promise<Array<{ bucket: Date; cents: number }>> {
      const bucket = bucketOf(refundFacts.refundedAt, size);
      const rows = await db
        .select({ bucket: bucket.as('bucket'), cents: sql<string | null>`SUM(${refundFacts.refundCents})` })
        .from(refundFacts)
        .leftJoin(orderFacts, eq(orderFacts.orderId, refundFacts.orderId))
        .where(
          and(
            within(refundFacts.refundedAt, range),
            notCompensation.length ? sql`${refundFacts.reason} NOT IN (${sql.join(notCompensation.map((reason) => sql`${reason}`), sql`, `)})` : undefined,
            sql`${orderFacts.cancelledAt} IS NULL`,
          ),
        )
        .groupBy(sql`bucket`);
      return rows.map((row) => ({ bucket: bucketStart(row.bucket), cents: Number(row.cents ?? 0) }));
    },

    /**
     * Per merchant, by merchant id after `afterMerchantId`: orders placed, the totals of
     * orders paid and the orders cancelled in the range; merchants with none of these are left out.
     */
    async merchantTotals(range: TimeRange, afterMerchantId: string | null, limit: number): Promise<MerchantTotals[]> {
      const rows = await db
        .select({
          merchantId: sql<string>`${orderFacts.merchantId}`,
          orders: sql<string>`SUM(${inRange(orderFacts.placedAt, range)})`,
          gmvCents: sql<string>`SUM(${inRange(orderFacts.paidAt, range)} * ${orderFacts.totalCents})`,
          cancellations: sql<string>`SUM(${inRange(orderFacts.cancelledAt, range)})`,
        })
        .from(orderFacts)
        .where(
          and(
            isNotNull(orderFacts.merchantId),
            afterMerchantId === null ? undefined : gt(orderFacts.merchantId, afterMerchantId),
            sql`(${within(orderFacts.placedAt, range)} OR ${within(orderFacts.paidAt, range)} OR ${within(orderFacts.cancelledAt, range)})`,
          ),
        )
        .groupBy(orderFacts.merchantId)
        .orderBy(asc(orderFacts.merchantId))
        .limit(limit);
      return rows.map((row) => ({ merchantId: row.merchantId, orders: Number(row.orders), gmvCents: Number(row.gmvCents), cancellations: Number(row.cancellations) }));
    },

    /** Per rider, by rider id after `afterRiderId`: deliveries in the range and how many of them were late. */
    async riderTotals(range: TimeRange, afterRiderId: string | null, limit: number): Promise<RiderTotals[]> {
      const rows = await db
        .select({
          riderId: sql<string>`${orderFacts.riderId}`,
          deliveries: sql<number>`COUNT(*)`,
          overtimeDeliveries: sql<string>`SUM(${orderFacts.wasOvertime})`,
        })
        .from(orderFacts)
        .where(and(isNotNull(orderFacts.riderId), afterRiderId === null ? undefined : gt(orderFacts.riderId, afterRiderId), within(orderFacts.deliveredAt, range)))
        .groupBy(orderFacts.riderId)
        .orderBy(asc(orderFacts.riderId))
        .limit(limit);
      return rows.map((row) => ({ riderId: row.riderId, deliveries: Number(row.deliveries), overtimeDeliveries: Number(row.overtimeDeliveries) }));
    },
  };
}
export type FiguresStore = ReturnType<typeof createFiguresStore>;
