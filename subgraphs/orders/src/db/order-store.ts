import { and, asc, eq, gt, inArray, lte, type SQL } from 'drizzle-orm';
import {
  affectedRows,
  applyOnce,
  enqueueEvents,
  markProcessed,
  newestFirst,
  newEvent,
  OrderStatusChanged,
  type CatalogEvent,
  type Database,
  type EventOf,
  type Keyset,
  type OrderStatus,
} from '@waimai/platform';
import { orderItems, orderOffers, orders, orderTimeline, type OrderItemRow, type OrderRow, type OrdersSchema, type OrderTimelineRow } from './schema';
import { nextStatus, type Step } from '../domain/state-machine';

type Tx = Parameters<Parameters<Database<OrdersSchema>['transaction']>[0]>[0];

export function statusChangedEvent(order: OrderRow, step: Step | 'create', from: OrderStatus | null, at: Date): EventOf<typeof OrderStatusChanged> {
  return newEvent(
    OrderStatusChanged,
    order.id,
    {
      orderId: order.id,
      step,
      from,
      to: order.status,
      at: at.toISOString(),
      customerId: order.customerId,
      merchantId: order.merchantId,
      merchantLocation: { lat: order.merchantLat, lng: order.merchantLng },
      deliveryLocation: { lat: order.deliveryLat, lng: order.deliveryLng },
      riderId: order.riderId,
      totalCents: order.totalCents,
      dispatchRound: order.dispatchRound,
      needsAttention: order.needsAttention,
      wasOvertime: order.wasOvertime,
    },
    at,
  );
}

/** Why a transition was not applied; the caller turns it into the contract's error. */
export class TransitionRefused extends Error {
  constructor(
    readonly reason: 'not-found' | 'not-allowed' | 'already-processed',
    readonly order: OrderRow | null,
  ) {
    super(reason);
  }
}

export interface TransitionRequest {
  orderId: string;
  step: Step;
  actorId?: string | null;
  /**
   * Whether the step already took effect on the current row for this caller (a retry whose
   * answer was lost): the row is returned as it is, nothing is written and no event is sent.
   */
  alreadyApplied?: (order: OrderRow) => boolean;
  /** Checks on the current row (ownership, offers); throws to refuse. */
  guard?: (order: OrderRow, tx: Tx) => Promise<void> | void;
  /** Columns to set besides status and version. */
  set?: (order: OrderRow, now: Date) => Partial<OrderRow>;
  /** Extra conditions of the conditional UPDATE. */
  where?: SQL;
  /** More events to enqueue with the transition (e.g. a refund request). */
  events?: (order: OrderRow, now: Date) => CatalogEvent[];
  /** Idempotent consumers: applied once per (consumer, eventId), in the same transaction. */
  once?: { consumer: string; eventId: string };
}

/** Compare-and-set attempts before giving up; a loser re-reads and usually gets a clear refusal. */
const MAX_ATTEMPTS = 5;

export function createOrderStore(db: Database<OrdersSchema>, primary: Database<OrdersSchema>) {
  async function byIdOn(database: Database<OrdersSchema> | Tx, id: string): Promise<OrderRow | undefined> {
    const [row] = await database.select().from(orders).where(eq(orders.id, id));
    return row;
  }

  return {
    async insert(order: OrderRow, items: OrderItemRow[], onCommitted: CatalogEvent[] = []): Promise<OrderRow> {
      await primary.transaction(async (tx) => {
        await tx.insert(orders).values(order);
        await tx.insert(orderItems).values(items);
        await tx.insert(orderTimeline).values({ orderId: order.id, status: order.status, step: 'create', actorId: order.customerId, at: order.createdAt });
        await enqueueEvents(tx, [statusChangedEvent(order, 'create', null, order.createdAt), ...onCommitted]);
      });
      return order;
    },

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
     * Applies one step of the lifecycle: one conditional UPDATE (`WHERE id = ? AND
     * status = ? AND version = ?`) plus a timeline row plus the outbox event, in one
     * transaction. A concurrent change makes the UPDATE match nothing; the step is then
     * re-evaluated against the new row, so exactly one of racing steps wins.
     */
    async transition(request: TransitionRequest): Promise<OrderRow> {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const outcome = await primary.transaction(async (tx) => {
          if (request.once && !(await markProcessed(tx, request.once.consumer, request.once.eventId))) {
            throw new TransitionRefused('already-processed', (await byIdOn(tx, request.orderId)) ?? null);
          }
          const current = await byIdOn(tx, request.orderId);
          if (!current) throw new TransitionRefused('not-found', null);
          if (request.alreadyApplied?.(current)) return current;
          await request.guard?.(current, tx);
          const to = nextStatus(current.status, request.step);
          if (!to) throw new TransitionRefused('not-allowed', current);
          const now = new Date();
          const changes: Partial<OrderRow> = { ...request.set?.(current, now), status: to, version: current.version + 1 };
          const result = await tx
            .update(orders)
            .set(changes)
            .where(and(eq(orders.id, current.id), eq(orders.status, current.status), eq(orders.version, current.version), request.where));
          if (affectedRows(result) === 0) return null;
          const updated: OrderRow = { ...current, ...changes };
          if (to !== current.status) {
            await tx.insert(orderTimeline).values({ orderId: current.id, status: to, step: request.step, actorId: request.actorId ?? null, at: now });
          }
          await enqueueEvents(tx, [statusChangedEvent(updated, request.step, current.status, now), ...(request.events?.(updated, now) ?? [])]);
          return updated;
        });
        if (outcome) return outcome;
      }
      const latest = (await byIdOn(primary, request.orderId)) ?? null;
      throw new TransitionRefused('not-allowed', latest);
    },

    /** Runs `work` once per (consumer, eventId) in one transaction; false when it already ran. */
    async once(consumer: string, eventId: string, work: (tx: Tx) => Promise<void>): Promise<boolean> {
      return (await applyOnce(primary, consumer, eventId, work)).done;
    },

    enqueue: (tx: Tx, events: CatalogEvent[]) => enqueueEvents(tx, events),
  };
}
export type OrderStore = ReturnType<typeof createOrderStore>;
export type OrdersTx = Tx;
