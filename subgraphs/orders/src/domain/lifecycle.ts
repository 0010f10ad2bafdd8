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

/** A step for `transitionEach`: `transition`'s request, with a check of the row as read instead of a guard in the transaction. */
export interface BatchTransition extends Omit<TransitionRequest, 'guard'> {
  /** Refuses the step on the row as read by throwing; the throw is the request's outcome. */
  check?: (order: OrderRow) => void;
}

/**
 * What `transitionEach` did with a request: applied (the row after), already in effect
 * (alreadyApplied: the row as it is), refused (a TransitionRefused, or what `check` threw),
 * its event processed before, or left for the caller to apply alone with `transition`.
 */
export type BatchOutcome = { applied: OrderRow } | { unchanged: OrderRow } | { refused: unknown } | { processed: true } | { left: true };

/**
 * `transition` for many orders in one transaction: one locking read of the rows, in id order
 * (and one read of the processed rows of requests with `once`, all of one consumer), each step
 * decided on its row as read, then one UPDATE for all of them (each row its own changes, under
 * the same compare-and-set on status and version) and one insert each of the processed rows,
 * timeline rows and events, where `transition` takes about eight statements per step. `written`
 * adds the applied steps' own rows in the same transaction. A second request for one order is
 * left to the caller, which applies it alone, after this one, in its order. A concurrent step
 * on one of the orders waits for this transaction, and is then decided on the row it left.
 */
export async function transitionEach<R extends BatchTransition>(
  store: OrderStore,
  requests: readonly R[],
  written?: (tx: OrdersTx, applied: Array<{ request: R; order: OrderRow }>) => Promise<void>,
): Promise<BatchOutcome[]> {
  if (requests.length === 0) return [];
  const consumers = new Set(requests.flatMap((request) => (request.once ? [request.once.consumer] : [])));
  if (consumers.size > 1) throw new Error('transitionEach takes the events of one consumer.');
  const [consumer] = consumers;
  return store.inTransaction(async (tx) => {
    const processed = consumer ? await store.processedAmong(tx, consumer, requests.flatMap((request) => (request.once ? [request.once.eventId] : []))) : new Set<string>();
    // Locked as read: the one UPDATE below then finds every row as it was decided on.
    const rows = new Map((await store.byIdsForUpdate(tx, [...new Set(requests.map((request) => request.orderId))])).map((row) => [row.id, row]));
    const now = new Date();
    const outcomes: BatchOutcome[] = [];
    const applied: Array<{ request: R; before: OrderRow; order: OrderRow; changes: Partial<OrderRow> }> = [];
    const seen = new Set<string>();
    for (const request of requests) {
      if (request.once && processed.has(request.once.eventId)) {
        outcomes.push({ processed: true });
        continue;
      }
      const current = rows.get(request.orderId);
      const repeated = seen.has(request.orderId);
      seen.add(request.orderId);
      if (repeated) {
        outcomes.push({ left: true });
        continue;
      }
      if (!current) {
        outcomes.push({ refused: new TransitionRefused('not-found', null) });
        continue;
      }
      if (request.alreadyApplied?.(current)) {
        outcomes.push({ unchanged: current });
        continue;
      }
      try {
        request.check?.(current);
      } catch (err) {
        outcomes.push({ refused: err });
        continue;
      }
      const to = nextStatus(current.status, request.step);
      if (!to) {
        outcomes.push({ refused: new TransitionRefused('not-allowed', current) });
        continue;
      }
      const changes: Partial<OrderRow> = { ...request.set?.(current, now), status: to, version: current.version + 1 };
      const order: OrderRow = { ...current, ...changes };
      outcomes.push({ applied: order });
      applied.push({ request, before: current, order, changes });
    }
    const changed = await store.updateEachIfUnchanged(tx, applied.map(({ before, changes }) => ({ current: before, changes })));
    if (changed !== applied.length) throw new Error(`transitionEach changed ${changed} of ${applied.length} locked orders.`);
    await store.markEachProcessed(tx, applied.flatMap(({ request }) => (request.once ? [request.once] : [])));
    await written?.(tx, applied);
    await store.appendTimeline(
      tx,
      ...applied.filter(({ before, order }) => order.status !== before.status).map(({ request, order }) => ({ orderId: order.id, status: order.status, step: request.step, actorId: request.actorId ?? null, at: now })),
    );
    await store.enqueue(tx, applied.flatMap(({ request, before, order }) => [statusChangedEvent(order, request.step, before.status, now), ...(request.events?.(order, now, before) ?? [])]));
    return outcomes;
  });
}
