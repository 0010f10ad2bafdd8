import { and, asc, eq, gt, inArray, lte } from 'drizzle-orm';
import {
  affectedRows,
  enqueueEvents,
  markProcessed,
  newestFirst,
  type CatalogEvent,
  type Database,
  type Keyset,
  type OrderStatus,
  type Transaction,
} from '@waimai/platform';
import { orderItems, orderOffers, orders, orderTimeline, type OrderItemRow, type OrderRow, type OrdersSchema, type OrderTimelineRow } from './schema';

type Tx = Transaction<OrdersSchema>;

/**
 * The orders tables, SQL only: rows in, plain objects out. Which change is allowed, and what
 * it means, is decided by the domain (domain/orders.ts), which opens the transactions.
 */
export function createOrderStore(db: Database<OrdersSchema>, primary: Database<OrdersSchema>) {
  async function byIdOn(database: Database<OrdersSchema> | Tx, id: string): Promise<OrderRow | undefined> {
    const [row] = await database.select().from(orders).where(eq(orders.id, id));
    return row;
  }

  return {
    /** Runs `work` in one transaction on the primary: the domain's use cases own it. */
    inTransaction: <T>(work: (tx: Tx) => Promise<T>): Promise<T> => primary.transaction(work),

    async insert(tx: Tx, order: OrderRow, items: OrderItemRow[]): Promise<void> {
      await tx.insert(orders).values(order);
      await tx.insert(orderItems).values(items);
    },

    /** The row as this transaction sees it. */
    byIdIn: (tx: Tx, id: string) => byIdOn(tx, id),

    async byIdempotencyKey(customerId: string, key: string): Promise<OrderRow | undefined> {
      const [row] = await primary
        .select()
        .from(orders)
        .where(and(eq(orders.customerId, customerId), eq(orders.idempotencyKey, key)));
      return row;
    },

    byId: (id: string) => byIdOn(primary, id),

    async byIds(ids: readonly string[]): Promise<OrderRow[]> {
      if (ids.length === 0) return [];
      return primary.select().from(orders).where(inArray(orders.id, [...ids]));
    },

    async itemsOf(orderIds: readonly string[]): Promise<OrderItemRow[]> {
      if (orderIds.length === 0) return [];
      return db.select().from(orderItems).where(inArray(orderItems.orderId, [...orderIds])).orderBy(asc(orderItems.productId));
    },

    async timelinesOf(orderIds: readonly string[]): Promise<OrderTimelineRow[]> {
      if (orderIds.length === 0) return [];
      return primary.select().from(orderTimeline).where(inArray(orderTimeline.orderId, [...orderIds])).orderBy(asc(orderTimeline.seq));
    },

    /** Newest first, keyset-paginated over (created_at, id). */
    async page(filter: { customerId?: string; merchantId?: string; statuses?: OrderStatus[] }, after: Keyset | null, limit: number): Promise<OrderRow[]> {
      const keyset = newestFirst(orders, after);
      return db
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

    async recordOffers(tx: Tx, orderId: string, round: number, riderIds: string[], expiresAt: Date): Promise<void> {
      if (riderIds.length === 0) return;
      await tx
        .insert(orderOffers)
        .values(riderIds.map((riderId) => ({ orderId, riderId, round, expiresAt })))
        .onDuplicateKeyUpdate({ set: { round, expiresAt } });
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

    async appendTimeline(tx: Tx, entry: { orderId: string; status: OrderStatus; step: string; actorId: string | null; at: Date }): Promise<void> {
      await tx.insert(orderTimeline).values(entry);
    },

    /** Records that `consumer` handled `eventId` in `tx`; false when it already had. */
    markProcessed: (tx: Tx, consumer: string, eventId: string) => markProcessed(tx, consumer, eventId),

    enqueue: (tx: Tx, events: CatalogEvent[]) => enqueueEvents(tx, events),
  };
}
export type OrderStore = ReturnType<typeof createOrderStore>;
export type OrdersTx = Tx;
