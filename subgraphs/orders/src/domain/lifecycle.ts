import { newEvent, OrderStatusChanged, type CatalogEvent, type EventOf, type OrderStatus } from '@waimai/platform';
import type { OrderStore, OrdersTx } from '../db/order-store';
import type { OrderRow } from '../db/schema';
import { nextStatus, type Step } from './state-machine';

/** The event every status change (and the creation) of an order publishes. */
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
      discountCents: order.discountCents,
    },
    at,
  );
}

/** Why a transition was not applied; the use case turns it into the contract's error. */
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
  guard?: (order: OrderRow, tx: OrdersTx) => Promise<void> | void;
  /** Columns to set besides status and version. */
  set?: (order: OrderRow, now: Date) => Partial<OrderRow>;
  /** More events to enqueue with the transition (a refund request, the audit of a staff intervention), given the row after and before it. */
  events?: (order: OrderRow, now: Date, before: OrderRow) => CatalogEvent[];
  /** Idempotent consumers: applied once per (consumer, eventId), in the same transaction. */
  once?: { consumer: string; eventId: string };
}

/** Compare-and-set attempts before giving up; a loser re-reads and usually gets a clear refusal. */
const MAX_ATTEMPTS = 5;

/**
 * Applies one step of the lifecycle (the table in packages/platform, order-lifecycle.ts):
 * in one transaction, read the row, check the step and its guard, one conditional UPDATE
 * (`WHERE id = ? AND status = ? AND version = ?`), a timeline row and the outbox events.
 * A concurrent change makes the UPDATE match nothing; the step is then decided again on the
 * new row, so exactly one of racing steps wins.
 */
export async function transition(store: OrderStore, request: TransitionRequest): Promise<OrderRow> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const outcome = await store.inTransaction(async (tx) => {
      if (request.once && !(await store.markProcessed(tx, request.once.consumer, request.once.eventId))) {
        throw new TransitionRefused('already-processed', (await store.byIdIn(tx, request.orderId)) ?? null);
      }
      const current = await store.byIdIn(tx, request.orderId);
      if (!current) throw new TransitionRefused('not-found', null);
      if (request.alreadyApplied?.(current)) return current;
      await request.guard?.(current, tx);
      const to = nextStatus(current.status, request.step);
      if (!to) throw new TransitionRefused('not-allowed', current);
      const now = new Date();
      const changes: Partial<OrderRow> = { ...request.set?.(current, now), status: to, version: current.version + 1 };
      if (!(await store.updateIfUnchanged(tx, current, changes))) return null;
      const updated: OrderRow = { ...current, ...changes };
      if (to !== current.status) {
        await store.appendTimeline(tx, { orderId: current.id, status: to, step: request.step, actorId: request.actorId ?? null, at: now });
      }
      await store.enqueue(tx, [statusChangedEvent(updated, request.step, current.status, now), ...(request.events?.(updated, now, current) ?? [])]);
      return updated;
    });
    if (outcome) return outcome;
  }
  const latest = (await store.byId(request.orderId)) ?? null;
  throw new TransitionRefused('not-allowed', latest);
}

/** A step for `transitionEach`: a plain step, applied once per event of one consumer. */
export type EventTransition = Omit<TransitionRequest, 'guard' | 'alreadyApplied' | 'once'> & { once: { consumer: string; eventId: string } };

/**
 * `transition` for the events of one fetched batch (of one consumer), in one transaction: one
 * read of their processed rows and one of their orders, one conditional UPDATE per order, and
 * one insert each of the processed rows, timeline rows and events, where `transition` takes
 * about eight statements per step. It applies the steps the state machine plainly allows on
 * the row as read, the first per order. Returns the others that are not processed yet, in
 * their order: an unknown order, a step not allowed, a second step for one order, or a row a
 * concurrent change got to first. The caller applies those alone with `transition`, which
 * decides them on the current row (refusals, refunds) exactly as before.
 */
export async function transitionEach(store: OrderStore, requests: readonly EventTransition[]): Promise<{ applied: OrderRow[]; left: EventTransition[] }> {
  if (requests.length === 0) return { applied: [], left: [] };
  const consumer = requests[0]!.once.consumer;
  if (requests.some((request) => request.once.consumer !== consumer)) throw new Error('transitionEach takes the events of one consumer.');
  return store.inTransaction(async (tx) => {
    const processed = await store.processedAmong(tx, consumer, requests.map((request) => request.once.eventId));
    const pending = requests.filter((request) => !processed.has(request.once.eventId));
    const rows = new Map((await store.byIdsIn(tx, [...new Set(pending.map((request) => request.orderId))])).map((row) => [row.id, row]));
    const now = new Date();
    const applied: Array<{ request: EventTransition; before: OrderRow; after: OrderRow }> = [];
    const left: EventTransition[] = [];
    const taken = new Set<string>();
    for (const request of pending) {
      const current = rows.get(request.orderId);
      const to = current && !taken.has(request.orderId) ? nextStatus(current.status, request.step) : undefined;
      taken.add(request.orderId);
      if (!current || !to) {
        left.push(request);
        continue;
      }
      const changes: Partial<OrderRow> = { ...request.set?.(current, now), status: to, version: current.version + 1 };
      if (!(await store.updateIfUnchanged(tx, current, changes))) {
        left.push(request);
        continue;
      }
      applied.push({ request, before: current, after: { ...current, ...changes } });
    }
    await store.markEachProcessed(tx, consumer, applied.map(({ request }) => request.once.eventId));
    await store.appendTimeline(
      tx,
      ...applied.filter(({ before, after }) => after.status !== before.status).map(({ request, after }) => ({ orderId: after.id, status: after.status, step: request.step, actorId: request.actorId ?? null, at: now })),
    );
    await store.enqueue(
      tx,
      applied.flatMap(({ request, before, after }) => [statusChangedEvent(after, request.step, before.status, now), ...(request.events?.(after, now, before) ?? [])]),
    );
    return { applied: applied.map(({ after }) => after), left };
  });
}
