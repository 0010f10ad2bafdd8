import { and, asc, eq, gt, gte, inArray, like, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import {
  affectedRows,
  setEachById,
  enqueueEvents,
  markProcessed,
  newestFirst,
  markEachProcessed,
  processedAmong,
  type CatalogEvent,
  type Database,
  type Keyset,
  type OrderStatus,
  type Transaction,
} from '@waimai/platform';
import {
  orderDiscounts,
  orderItems,
  orderOffers,
  orders,
  orderTimeline,
  riderSuspensions,
  type OrderDiscountRow,
  type OrderItemRow,
  type OrderRow,
  type OrdersSchema,
  type OrderTimelineRow,
} from './schema';

type Tx = Transaction<OrdersSchema>;

/** What staff search orders by (searchOrders); every given filter must hold. */
export interface OrderSearch {
  statuses?: readonly OrderStatus[];
  merchantId?: string;
  riderId?: string;
  customerId?: string;
  /** Inclusive lower and exclusive upper bound of created_at. */
  createdFrom?: Date;
  createdTo?: Date;
  needsAttention?: boolean;
  /** Delivered late or still late (was_overtime is set on entering OVERTIME). */
  overtime?: boolean;
  /** An order id prefix, or part of the delivery address (case-insensitive). */
  text?: string;
}

const timerIndexes = ['orders_status_payment_due', 'orders_status_offer_expires', 'orders_status_deadline', 'orders_status_close_due'];

/** Ids are lowercase UUIDs: text that could start one is also looked up as an id prefix. */
const idPrefix = /^[0-9a-f-]{1,36}$/i;
const escapeLike = (value: string) => value.replace(/[\\%_]/g, (char) => `\\${char}`);

/**
 * The orders tables, SQL only: rows in, plain objects out. Which change is allowed, and what
 * it means, is decided by the domain (domain/orders.ts), which opens the transactions.
 */
export function createOrderStore(db: Database<OrdersSchema>, primary: Database<OrdersSchema>) {
  async function byIdOn(database: Database<OrdersSchema> | Tx, id: string): Promise<OrderRow | undefined> {
    const [row] = await database.select().from(orders).where(eq(orders.id, id));
    return row;
  }

  // The hottest reads outside a transaction, built once: drizzle's query building (~0.4 ms of CPU
  // for the orders row's 37 columns, measured on the loaded 2-core VM) is paid at start, not on
  // every createOrder, grab or event.
  const byIdOnPrimary = primary.select().from(orders).where(eq(orders.id, sql.placeholder('id'))).prepare();
  const byKeyOnPrimary = primary
    .select()
    .from(orders)
    .where(and(eq(orders.customerId, sql.placeholder('customerId')), eq(orders.idempotencyKey, sql.placeholder('key'))))
    .prepare();

  return {
    /** Runs `work` in one transaction on the primary: the domain's use cases own it. */
    inTransaction: <T>(work: (tx: Tx) => Promise<T>): Promise<T> => primary.transaction(work),

    async insert(tx: Tx, order: OrderRow, items: OrderItemRow[], discounts: OrderDiscountRow[]): Promise<void> {
      await tx.insert(orders).values(order);
      await tx.insert(orderItems).values(items);
      if (discounts.length > 0) await tx.insert(orderDiscounts).values(discounts);
    },

    /** The row as this transaction sees it. */
    byIdIn: (tx: Tx, id: string) => byIdOn(tx, id),

    async byIdempotencyKey(customerId: string, key: string): Promise<OrderRow | undefined> {
      const [row] = await byKeyOnPrimary.execute({ customerId, key });
      return row;
    },

    async byId(id: string): Promise<OrderRow | undefined> {
      const [row] = await byIdOnPrimary.execute({ id });
      return row;
    },

    async byIds(ids: readonly string[]): Promise<OrderRow[]> {
      if (ids.length === 0) return [];
      return primary.select().from(orders).where(inArray(orders.id, [...ids]));
    },

    /**
     * Stale-ok first: items never change once written, and every order has at least one, so
     * an order without items on a replica is one it has not applied yet; those are read again
     * on the primary (createOrder's answer, an order read right after it was placed).
     */
    async itemsOf(orderIds: readonly string[]): Promise<OrderItemRow[]> {
      if (orderIds.length === 0) return [];
      const itemsOn = (database: Database<OrdersSchema>, ids: readonly string[]) =>
        database.select().from(orderItems).where(inArray(orderItems.orderId, [...ids])).orderBy(asc(orderItems.productId));
      const found = await itemsOn(db, orderIds);
      const have = new Set(found.map((item) => item.orderId));
      const missing = [...new Set(orderIds)].filter((id) => !have.has(id));
      return missing.length === 0 || db === primary ? found : [...found, ...(await itemsOn(primary, missing))];
    },

    async discountsOf(orderIds: readonly string[]): Promise<OrderDiscountRow[]> {
      if (orderIds.length === 0) return [];
      // The primary: createOrder's answer reads the discounts it has just written.
      return primary.select().from(orderDiscounts).where(inArray(orderDiscounts.orderId, [...orderIds])).orderBy(asc(orderDiscounts.campaignId));
    },

    async timelinesOf(orderIds: readonly string[]): Promise<OrderTimelineRow[]> {
      if (orderIds.length === 0) return [];
      return primary.select().from(orderTimeline).where(inArray(orderTimeline.orderId, [...orderIds])).orderBy(asc(orderTimeline.seq));
    },

    /**
     * Newest first, keyset-paginated over (created_at, id). On the primary: a customer's or a
     * shop's own orders, read right after their own order, payment or acceptance.
     */
    async page(filter: { customerId?: string; merchantId?: string; statuses?: OrderStatus[] }, after: Keyset | null, limit: number): Promise<OrderRow[]> {
      const keyset = newestFirst(orders, after);
      return primary
        .select()
        .from(orders)
        .where(
          and(
            filter.customerId ? eq(orders.customerId, filter.customerId) : undefined,
            filter.merchantId ? eq(orders.merchantId, filter.merchantId) : undefined,
            filter.statuses?.length ? inArray(orders.status, filter.statuses) : undefined,
            keyset.after,
          ),
        )
        .orderBy(...keyset.orderBy)
        .limit(limit);
    },

    /**
     * Staff search, newest first, keyset-paginated over (created_at, id). Each filter that leads
     * a console's poll has an index ending in (created_at, id): orders_status_created,
     * orders_merchant_created, orders_rider_created, orders_customer_created,
     * orders_attention_created, orders_overtime_created, and orders_created for none or a time
     * range (test/search-plans.test.ts explains this very statement on a few thousand rows).
     * Stale-ok: a replica a little behind may answer.
     */
    async search(filter: OrderSearch, after: Keyset | null, limit: number): Promise<OrderRow[]> {
      const keyset = newestFirst(orders, after);
      const text = filter.text;
      const conditions: Array<SQL | undefined> = [
        filter.statuses ? inArray(orders.status, [...filter.statuses]) : undefined,
        filter.merchantId === undefined ? undefined : eq(orders.merchantId, filter.merchantId),
        filter.riderId === undefined ? undefined : eq(orders.riderId, filter.riderId),
        filter.customerId === undefined ? undefined : eq(orders.customerId, filter.customerId),
        filter.createdFrom === undefined ? undefined : gte(orders.createdAt, filter.createdFrom),
        filter.createdTo === undefined ? undefined : lt(orders.createdAt, filter.createdTo),
        filter.needsAttention === undefined ? undefined : eq(orders.needsAttention, filter.needsAttention),
        filter.overtime === undefined ? undefined : eq(orders.wasOvertime, filter.overtime),
        text === undefined
          ? undefined
          : or(
              idPrefix.test(text) ? like(orders.id, `${escapeLike(text.toLowerCase())}%`) : undefined,
              // The table compares bytes (utf8mb4_bin); people searching an address expect "Road" to find "road".
              sql`${orders.deliveryAddress} COLLATE utf8mb4_unicode_ci LIKE ${`%${escapeLike(text)}%`}`,
            ),
        keyset.after,
      ];
      return (
        db
          .select()
          // The timers' indexes (status, due time) serve the scheduler's sweeps; for a search by
          // several statuses the optimizer rates them equal to orders_status_created, which alone
          // reads each status's orders in created_at order.
          .from(orders, { ignoreIndex: timerIndexes })
          .where(and(...conditions))
          .orderBy(...keyset.orderBy)
          .limit(limit)
      );
    },

    async activeOfRider(riderId: string): Promise<OrderRow[]> {
      return primary
        .select()
        .from(orders)
        .where(and(eq(orders.riderId, riderId), inArray(orders.status, ['DELIVERING', 'OVERTIME'])))
        .orderBy(asc(orders.grabbedAt));
    },

    async hasLiveOffer(database: Database<OrdersSchema> | Tx, orderId: string, riderId: string, now: Date): Promise<boolean> {
      const [offer] = await database
        .select()
        .from(orderOffers)
        .where(and(eq(orderOffers.orderId, orderId), eq(orderOffers.riderId, riderId), gt(orderOffers.expiresAt, now)));
      return offer !== undefined;
    },

    /** Which of `orderIds` `riderId` holds an offer for that has not expired at `now` (what canSeeOrder needs). */
    async liveOffersTo(riderId: string, orderIds: readonly string[], now: Date): Promise<Set<string>> {
      if (orderIds.length === 0) return new Set();
      const rows = await primary
        .select({ orderId: orderOffers.orderId })
        .from(orderOffers)
        .where(and(eq(orderOffers.riderId, riderId), inArray(orderOffers.orderId, [...orderIds]), gt(orderOffers.expiresAt, now)));
      return new Set(rows.map((row) => row.orderId));
    },

    /** The riders offered each order in its round (a rider offered the order before gets the new round and expiry); one insert for all. */
    async recordOffers(tx: Tx, rounds: ReadonlyArray<{ orderId: string; round: number; riderIds: readonly string[]; expiresAt: Date }>): Promise<void> {
      const rows = rounds.flatMap(({ orderId, round, riderIds, expiresAt }) => riderIds.map((riderId) => ({ orderId, riderId, round, expiresAt })));
      if (rows.length === 0) return;
      await tx
        .insert(orderOffers)
        .values(rows)
        .onDuplicateKeyUpdate({ set: { round: sql`VALUES(${sql.identifier('round')})`, expiresAt: sql`VALUES(${sql.identifier('expires_at')})` } });
    },

    /** Ids of orders in `status` whose timer `column` is due, oldest first. */
    async due(status: OrderStatus, column: 'paymentDueAt' | 'offerExpiresAt' | 'deadlineAt' | 'closeDueAt', now: Date, limit: number): Promise<string[]> {
      const rows = await primary
        .select({ id: orders.id })
        .from(orders)
        .where(and(eq(orders.status, status), lte(orders[column], now)))
        .orderBy(asc(orders[column]))
        .limit(limit);
      return rows.map((row) => row.id);
    },

    /**
     * The compare-and-set of every lifecycle step: sets `changes` only if the row still has the
     * status and version `current` was read with. False when someone changed it first.
     */
    async updateIfUnchanged(tx: Tx, current: Pick<OrderRow, 'id' | 'status' | 'version'>, changes: Partial<OrderRow>): Promise<boolean> {
      const result = await tx
        .update(orders)
        .set(changes)
        .where(and(eq(orders.id, current.id), eq(orders.status, current.status), eq(orders.version, current.version)));
      return affectedRows(result) > 0;
    },

    /**
     * updateIfUnchanged for several orders in one statement: each row gets its own changes
     * (a CASE on the id per column) only if it still has the status and version it was read
     * with. The number of rows changed; fewer than `updates` when someone changed one first.
     */
    async updateEachIfUnchanged(tx: Tx, updates: ReadonlyArray<{ current: Pick<OrderRow, 'id' | 'status' | 'version'>; changes: Partial<OrderRow> }>): Promise<number> {
      if (updates.length === 0) return 0;
      const result = await tx
        .update(orders)
        .set(setEachById(orders, orders.id, updates.map(({ current, changes }) => ({ id: current.id, changes }))))
        .where(or(...updates.map(({ current }) => and(eq(orders.id, current.id), eq(orders.status, current.status), eq(orders.version, current.version)))));
      return affectedRows(result);
    },

    async appendTimeline(tx: Tx, ...entries: Array<{ orderId: string; status: OrderStatus; step: string; actorId: string | null; at: Date }>): Promise<void> {
      if (entries.length) await tx.insert(orderTimeline).values(entries);
    },

    /**
     * Keeps what riders last said about the rider's suspension: written only when `changedAt`
     * is newer than what is kept, so a replayed or late event changes nothing.
     */
    async recordRiderSuspension(riderId: string, suspended: boolean, changedAt: Date): Promise<void> {
      const newer = sql`VALUES(${sql.identifier('changed_at')}) > ${riderSuspensions.changedAt}`;
      await primary
        .insert(riderSuspensions)
        .values({ riderId, suspended, changedAt })
        .onDuplicateKeyUpdate({
          set: {
            // MySQL applies these left to right, and drizzle writes them in the table's column order:
            // suspended is decided against changed_at before changed_at moves forward.
            suspended: sql`IF(${newer}, VALUES(${sql.identifier('suspended')}), ${riderSuspensions.suspended})`,
            changedAt: sql`IF(${newer}, VALUES(${sql.identifier('changed_at')}), ${riderSuspensions.changedAt})`,
          },
        });
    },

    async isRiderSuspended(database: Database<OrdersSchema> | Tx, riderId: string): Promise<boolean> {
      const [row] = await database.select({ suspended: riderSuspensions.suspended }).from(riderSuspensions).where(eq(riderSuspensions.riderId, riderId));
      return row?.suspended ?? false;
    },

    /** Records that `consumer` handled `eventId` in `tx`; false when it already had. */
    markProcessed: (tx: Tx, consumer: string, eventId: string) => markProcessed(tx, consumer, eventId),

    /** Which of these events `consumer` has handled, as `tx` sees it. */
    processedAmong: (tx: Tx, consumer: string, eventIds: readonly string[]) => processedAmong(tx, consumer, eventIds),

    /** Records that these events were handled (none of them recorded before: a duplicate fails the transaction). */
    markEachProcessed: (tx: Tx, keys: ReadonlyArray<{ consumer: string; eventId: string }>) => markEachProcessed(tx, keys),

    /** Orders by id, locked until the transaction ends, in id order (so that two batches never wait on each other crosswise). */
    async byIdsForUpdate(tx: Tx, ids: readonly string[]): Promise<OrderRow[]> {
      if (ids.length === 0) return [];
      return tx.select().from(orders).where(inArray(orders.id, [...ids])).orderBy(asc(orders.id)).for('update');
    },

    enqueue: (tx: Tx, events: CatalogEvent[]) => enqueueEvents(tx, events),
  };
}
export type OrderStore = ReturnType<typeof createOrderStore>;
export type OrdersTx = Tx;
