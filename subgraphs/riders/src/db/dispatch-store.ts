import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, lte, or } from 'drizzle-orm';
import { affectedRows, applyOnce, applyOnceEach, enqueueEvents, isDuplicateKey, markEachProcessed, newId, processedAmong, type CatalogEvent, type Database, type Transaction } from '@waimai/platform';
import { dispatchRounds, orderOffers, riderAssignments, type DispatchRoundRow, type OfferStatus, type OrderOfferRow, type RidersSchema } from './schema';

type Tx = Transaction<RidersSchema>;

export interface RoundPlan {
  round: DispatchRoundRow;
  /** The round's offers, nearest rider first. */
  offers: OrderOfferRow[];
}

export interface NewRound {
  orderId: string;
  round: number;
  merchantLat: number;
  merchantLng: number;
  radiusMeters: number;
  expiresAt: Date;
  riders: Array<{ riderId: string; distanceMeters: number }>;
  /** When a round that reached nobody is planned again (null when it reached someone, or it is not retried). */
  retryAt: Date | null;
  /** The OrderRedispatchRequested event that asked for the round (null for the usual rounds). */
  redispatchOf?: string | null;
}

/** A redispatch planned into a round that was never sent (it reached nobody): the riders it reaches now. */
export interface RoundReplan {
  orderId: string;
  round: number;
  /** The round as the planner read it: the replan applies only if nobody changed it since. */
  seen: { riderCount: number; emptyAttempts: number };
  radiusMeters: number;
  expiresAt: Date;
  riders: Array<{ riderId: string; distanceMeters: number }>;
  redispatchOf: string;
}

/** A notice to one rider about an order they did not get from an offer of theirs: given to them, or taken away. */
export interface NewNotice {
  orderId: string;
  riderId: string;
  status: Exclude<OfferStatus, 'OFFERED'>;
  round: number;
  distanceMeters: number;
  /** The event that caused it: a redelivered event cannot write a second one. */
  noticeOf: string;
}

/** A retry of a round that reached nobody: what the sweep planned this time. */
export interface RoundRefill {
  orderId: string;
  round: number;
  /** The round's empty attempts when the retry read it: the refill applies only if nobody else retried since. */
  emptyAttempts: number;
  radiusMeters: number;
  expiresAt: Date;
  riders: Array<{ riderId: string; distanceMeters: number }>;
}

/** The processed-event row a step is recorded with, or null for the retry sweep's steps (guarded by the round's own columns). */
export type ProcessedKey = { consumer: string; eventId: string } | null;

/** One round of one order. */
export interface RoundKey {
  orderId: string;
  round: number;
}

/** A round orders accepted, to publish: the step's processed row, and the events of its live offers. */
export interface AcceptedRound extends RoundKey {
  key: ProcessedKey;
  events: (live: OrderOfferRow[]) => CatalogEvent[];
}

const roundKey = (key: RoundKey) => `${key.orderId}/${key.round}`;

/** The rows of `table` that belong to one of `keys`: an OR of (order, round) equalities, each an index lookup. */
function ofRounds(table: typeof dispatchRounds | typeof orderOffers, keys: readonly RoundKey[]) {
  return or(...keys.map((key) => and(eq(table.orderId, key.orderId), eq(table.round, key.round))));
}

/** An offer that can still be grabbed at `now`: offered (not a notice, not taken away) and not expired. */
function liveAt(now: Date) {
  return [eq(orderOffers.status, 'OFFERED'), isNull(orderOffers.withdrawnAt), gt(orderOffers.expiresAt, now)] as const;
}

function offerRows(orderId: string, round: number, expiresAt: Date, chosen: Array<{ riderId: string; distanceMeters: number }>, now: Date): OrderOfferRow[] {
  return chosen.map((rider) => ({
    id: newId(),
    orderId,
    riderId: rider.riderId,
    round,
    distanceMeters: rider.distanceMeters,
    expiresAt,
    withdrawnAt: null,
    status: 'OFFERED',
    noticeOf: '',
    createdAt: now,
  }));
}

/** A new round's row and its offers, as recordRound writes them. */
function newRoundPlan(planned: NewRound, now: Date): RoundPlan {
  return {
    round: {
      orderId: planned.orderId,
      round: planned.round,
      merchantLat: planned.merchantLat,
      merchantLng: planned.merchantLng,
      radiusMeters: planned.radiusMeters,
      riderCount: planned.riders.length,
      expiresAt: planned.expiresAt,
      notifiedAt: null,
      retryAt: planned.retryAt,
      emptyAttempts: 0,
      redispatchOf: planned.redispatchOf ?? null,
      createdAt: now,
    },
    offers: offerRows(planned.orderId, planned.round, planned.expiresAt, planned.riders, now),
  };
}

/** Offers a pendingOrderOffers call returns at most: a rider sees a screenful, newest first. */
export const MAX_PENDING_OFFERS = 50;

/**
 * Dispatch rounds, offers and the riders' deliveries in the riders database. Every write that
 * follows an event is one transaction with the event's processed row (at least once in,
 * exactly once in effect). All reads go to the primary: the dispatcher reads what it just wrote.
 */
export function createDispatchStore(primary: Database<RidersSchema>) {
  /** The planned rounds among `keys`, by `${orderId}/${round}`: two queries for all of them. */
  async function roundsOf(keys: readonly RoundKey[]): Promise<Map<string, RoundPlan>> {
    const plans = new Map<string, RoundPlan>();
    if (keys.length === 0) return plans;
    const rounds = await primary.select().from(dispatchRounds).where(ofRounds(dispatchRounds, keys));
    if (rounds.length === 0) return plans;
    for (const round of rounds) plans.set(roundKey(round), { round, offers: [] });
    const offers = await primary
      .select()
      .from(orderOffers)
      .where(ofRounds(orderOffers, rounds))
      .orderBy(asc(orderOffers.distanceMeters), asc(orderOffers.riderId));
    for (const offer of offers) plans.get(roundKey(offer))?.offers.push(offer);
    return plans;
  }

  /** One round of an order, with its offers nearest first. */
  async function roundOf(orderId: string, round: number): Promise<RoundPlan | undefined> {
    return (await roundsOf([{ orderId, round }])).get(roundKey({ orderId, round }));
  }

  /** The live offers (status OFFERED, not expired) of the order, of one round when given, become WITHDRAWN. */
  function withdrawOffersOf(database: Database<RidersSchema> | Tx, orderId: string, now: Date, round?: number) {
    return database
      .update(orderOffers)
      .set({ withdrawnAt: now, status: 'WITHDRAWN' })
      .where(and(eq(orderOffers.orderId, orderId), round === undefined ? undefined : eq(orderOffers.round, round), ...liveAt(now)));
  }

  /** Runs `work` once per (consumer, eventId), in one transaction with the processed row; false when it ran before. */
  function once<T>(consumer: string, eventId: string, work: (tx: Tx) => Promise<T>): Promise<{ done: true; value: T } | { done: false }> {
    return applyOnce(primary, consumer, eventId, work);
  }

  /** `work` in one transaction, once per event when `key` names one. */
  async function step<T>(key: ProcessedKey, work: (tx: Tx) => Promise<T>): Promise<{ done: true; value: T } | { done: false }> {
    if (key) return once(key.consumer, key.eventId, work);
    return { done: true, value: await primary.transaction(work) };
  }

  /**
   * Writes a round and its offers in one transaction. When the round exists already (a
   * redelivered event, a restart, a rebalance), returns that one: a round is planned once.
   */
  async function recordRound(planned: NewRound): Promise<RoundPlan> {
    const plan = newRoundPlan(planned, new Date());
    try {
      await primary.transaction(async (tx) => {
        await tx.insert(dispatchRounds).values(plan.round);
        if (plan.offers.length) await tx.insert(orderOffers).values(plan.offers);
      });
      return plan;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const existing = await roundOf(planned.orderId, planned.round);
      if (!existing) throw err;
      return existing;
    }
  }

  return {
    once,

    roundOf,

    /** Which of these events `consumer` has applied. */
    processedAmong: (consumer: string, eventIds: readonly string[]) => processedAmong(primary, consumer, eventIds),

    /** Marks events applied that needed no work of their own (their round was sent, or reached nobody); one transaction. */
    async markApplied(consumer: string, eventIds: readonly string[]): Promise<void> {
      await applyOnceEach(primary, consumer, eventIds.map((id) => ({ id })), async () => undefined);
    },

    roundsOf,

    recordRound,

    /**
     * recordRound for several rounds (of distinct orders) in one transaction. When one of them
     * exists already (another dispatcher planned it meanwhile), each is recorded on its own
     * instead, and the existing one is returned for it.
     */
    async recordRounds(planned: readonly NewRound[]): Promise<RoundPlan[]> {
      if (planned.length <= 1) return Promise.all(planned.map(recordRound));
      const now = new Date();
      const plans = planned.map((round) => newRoundPlan(round, now));
      const offers = plans.flatMap((plan) => plan.offers);
      try {
        await primary.transaction(async (tx) => {
          await tx.insert(dispatchRounds).values(plans.map((plan) => plan.round));
          if (offers.length) await tx.insert(orderOffers).values(offers);
        });
        return plans;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const recorded: RoundPlan[] = [];
        for (const round of planned) recorded.push(await recordRound(round));
        return recorded;
      }
    },

    /** Rounds that reached nobody and are due to be planned again at `now`, oldest first. */
    async dueRetries(now: Date, limit: number): Promise<DispatchRoundRow[]> {
      return primary
        .select()
        .from(dispatchRounds)
        .where(and(lte(dispatchRounds.retryAt, now), isNull(dispatchRounds.notifiedAt)))
        .orderBy(asc(dispatchRounds.retryAt))
        .limit(limit);
    },

    /**
     * Takes a due retry for this replica: moves its retry time from `seen` to `next` (when
     * this attempt dies, the round is due again then). False when another replica took it first.
     */
    async claimRetry(orderId: string, round: number, seen: Date, next: Date): Promise<boolean> {
      const claimed = await primary
        .update(dispatchRounds)
        .set({ retryAt: next })
        .where(and(eq(dispatchRounds.orderId, orderId), eq(dispatchRounds.round, round), eq(dispatchRounds.retryAt, seen), isNull(dispatchRounds.notifiedAt)));
      return affectedRows(claimed) > 0;
    },

    /**
     * A retry planned the round again: with riders, writes their offers and the round's new
     * radius and expiry in one transaction; without, counts the empty attempt. Applies only
     * while the round is still empty at the attempt the retry read; returns the round as it is.
     */
    async refillRound(refill: RoundRefill): Promise<RoundPlan | undefined> {
      const now = new Date();
      await primary.transaction(async (tx) => {
        const updated = await tx
          .update(dispatchRounds)
          .set({
            radiusMeters: refill.radiusMeters,
            riderCount: refill.riders.length,
            expiresAt: refill.expiresAt,
            emptyAttempts: refill.emptyAttempts + 1,
          })
          .where(
            and(
              eq(dispatchRounds.orderId, refill.orderId),
              eq(dispatchRounds.round, refill.round),
              eq(dispatchRounds.riderCount, 0),
              eq(dispatchRounds.emptyAttempts, refill.emptyAttempts),
              isNull(dispatchRounds.notifiedAt),
            ),
          );
        if (affectedRows(updated) === 0 || refill.riders.length === 0) return;
        await tx.insert(orderOffers).values(offerRows(refill.orderId, refill.round, refill.expiresAt, refill.riders, now));
      });
      return roundOf(refill.orderId, refill.round);
    },

    /** The round reached nobody for too long and orders flagged the order: it is not retried again. */
    async retriesGivenUp(orderId: string, round: number): Promise<void> {
      await primary
        .update(dispatchRounds)
        .set({ retryAt: null })
        .where(and(eq(dispatchRounds.orderId, orderId), eq(dispatchRounds.round, round), isNull(dispatchRounds.notifiedAt)));
    },

    /** When the order's dispatch began: its first round's creation (a few ms after the payment). */
    async dispatchStartedAt(orderId: string): Promise<Date | undefined> {
      const [row] = await primary
        .select({ at: dispatchRounds.createdAt })
        .from(dispatchRounds)
        .where(eq(dispatchRounds.orderId, orderId))
        .orderBy(asc(dispatchRounds.round))
        .limit(1);
      return row?.at;
    },

    /**
     * Orders accepted these rounds: in one transaction, marks each notified (once: a round another
     * event or dispatcher marked first is left out) and puts the events of its live offers in the
     * outbox, with each step's processed row. A concurrent copy of a step that commits its
     * processed row first makes this transaction fail on that row's key and roll back whole; the
     * event is then delivered again and found processed. Returns how many events were enqueued.
     */
    async roundsAccepted(accepted: readonly AcceptedRound[]): Promise<number> {
      if (accepted.length === 0) return 0;
      return primary.transaction(async (tx) => {
        const now = new Date();
        const keyed = accepted.flatMap((round) => (round.key ? [round.key] : []));
        await markEachProcessed(tx, keyed);
        // Locking read: a round marked by a transaction that committed meanwhile is seen as marked.
        const open = await tx
          .select({ orderId: dispatchRounds.orderId, round: dispatchRounds.round })
          .from(dispatchRounds)
          .where(and(ofRounds(dispatchRounds, accepted), isNull(dispatchRounds.notifiedAt)))
          .for('update');
        const opened = new Set(open.map(roundKey));
        const marking = accepted.filter((round) => opened.has(roundKey(round)));
        if (marking.length === 0) return 0;
        await tx.update(dispatchRounds).set({ notifiedAt: now, retryAt: null }).where(ofRounds(dispatchRounds, marking));
        // Orders moved on to this round: offers of earlier ones (still live after a redispatch) can
        // no longer be grabbed. Round 1 has none: no UPDATE on an order's first round.
        for (const { orderId, round } of marking.filter((round) => round.round > 1)) {
          await tx
            .update(orderOffers)
            .set({ withdrawnAt: now, status: 'WITHDRAWN' })
            .where(and(eq(orderOffers.orderId, orderId), lt(orderOffers.round, round), ...liveAt(now)));
        }
        const live = await tx
          .select()
          .from(orderOffers)
          .where(and(ofRounds(orderOffers, marking), ...liveAt(now)))
          .orderBy(asc(orderOffers.distanceMeters), asc(orderOffers.riderId));
        const events = marking.flatMap((round) => round.events(live.filter((offer) => offer.orderId === round.orderId && offer.round === round.round)));
        await enqueueEvents(tx, events);
        return events.length;
      });
    },

    /** Orders refused the round (the order moved on): its offers are withdrawn, never published, and it is not retried. */
    roundRefused: (key: ProcessedKey, orderId: string, round: number) =>
      step(key, async (tx) => {
        await withdrawOffersOf(tx, orderId, new Date(), round);
        await tx
          .update(dispatchRounds)
          .set({ retryAt: null })
          .where(and(eq(dispatchRounds.orderId, orderId), eq(dispatchRounds.round, round), isNull(dispatchRounds.notifiedAt)));
      }),

    /** The rider delivers the order now (grabbed, or assigned by staff): the one assignment of the order. */
    async assign(tx: Tx, orderId: string, riderId: string, now: Date): Promise<void> {
      await tx.insert(riderAssignments).values({ orderId, riderId, assignedAt: now }).onDuplicateKeyUpdate({ set: { riderId, assignedAt: now } });
    },

    /** The rider no longer delivers the order; false when they were not. */
    async unassign(tx: Tx, orderId: string, riderId: string): Promise<boolean> {
      const removed = await tx.delete(riderAssignments).where(and(eq(riderAssignments.orderId, orderId), eq(riderAssignments.riderId, riderId)));
      return affectedRows(removed) > 0;
    },

    /** Whether the rider still delivers any order. */
    async delivers(tx: Tx, riderId: string): Promise<boolean> {
      const [row] = await tx.select({ orderId: riderAssignments.orderId }).from(riderAssignments).where(eq(riderAssignments.riderId, riderId)).limit(1);
      return row !== undefined;
    },

    /** A rider grabbed the order: their live offer for it is ASSIGNED, everyone else's WITHDRAWN. */
    async offersTaken(tx: Tx, orderId: string, riderId: string, now: Date): Promise<void> {
      await tx
        .update(orderOffers)
        .set({ withdrawnAt: now, status: 'ASSIGNED' })
        // Orders accepted the grab: the offer is theirs even if it ran out while the event travelled.
        .where(and(eq(orderOffers.orderId, orderId), eq(orderOffers.riderId, riderId), eq(orderOffers.status, 'OFFERED'), eq(orderOffers.noticeOf, '')));
      await withdrawOffersOf(tx, orderId, now);
    },

    /** The order's live offers are withdrawn, in the caller's transaction. */
    withdrawOffersIn: (tx: Tx, orderId: string, now: Date) => withdrawOffersOf(tx, orderId, now),

    /** Every live offer of the rider is withdrawn (suspended by staff); returns how many. */
    async withdrawOffersOfRider(tx: Tx, riderId: string, now: Date): Promise<number> {
      const result = await tx
        .update(orderOffers)
        .set({ withdrawnAt: now, status: 'WITHDRAWN' })
        .where(and(eq(orderOffers.riderId, riderId), ...liveAt(now)));
      return affectedRows(result);
    },

    /** Writes notices (frames of their own, never grabbable) and returns them. */
    async insertNotices(tx: Tx, notices: NewNotice[], now: Date): Promise<OrderOfferRow[]> {
      const rows: OrderOfferRow[] = notices.map((notice) => ({
        id: newId(),
        orderId: notice.orderId,
        riderId: notice.riderId,
        round: notice.round,
        distanceMeters: notice.distanceMeters,
        // Nothing to grab: a notice is over when it is written.
        expiresAt: now,
        withdrawnAt: now,
        status: notice.status,
        noticeOf: notice.noticeOf,
        createdAt: now,
      }));
      if (rows.length) await tx.insert(orderOffers).values(rows);
      return rows;
    },

    enqueue: (tx: Tx, events: readonly CatalogEvent[]) => enqueueEvents(tx, events),

    /** The order's latest round (the highest number), sent or not. */
    async latestRound(orderId: string): Promise<DispatchRoundRow | undefined> {
      const [row] = await primary.select().from(dispatchRounds).where(eq(dispatchRounds.orderId, orderId)).orderBy(desc(dispatchRounds.round)).limit(1);
      return row;
    },

    /** The round a redispatch request planned, if it was planned already (a redelivered request). */
    async roundRequestedBy(orderId: string, redispatchOf: string): Promise<RoundPlan | undefined> {
      const [row] = await primary
        .select({ round: dispatchRounds.round })
        .from(dispatchRounds)
        .where(and(eq(dispatchRounds.orderId, orderId), eq(dispatchRounds.redispatchOf, redispatchOf)));
      return row ? roundOf(orderId, row.round) : undefined;
    },

    /**
     * A redispatch takes over a round that was never sent (it reached nobody, and the retry
     * sweep may still be trying it): the round gets the riders staff asked for and is not
     * retried any more. Applies only if the round is as the planner read it; returns it as it is.
     */
    async replanRound(replan: RoundReplan): Promise<RoundPlan | undefined> {
      const now = new Date();
      await primary.transaction(async (tx) => {
        const updated = await tx
          .update(dispatchRounds)
          .set({ radiusMeters: replan.radiusMeters, riderCount: replan.riders.length, expiresAt: replan.expiresAt, retryAt: null, redispatchOf: replan.redispatchOf })
          .where(
            and(
              eq(dispatchRounds.orderId, replan.orderId),
              eq(dispatchRounds.round, replan.round),
              eq(dispatchRounds.riderCount, replan.seen.riderCount),
              eq(dispatchRounds.emptyAttempts, replan.seen.emptyAttempts),
              isNull(dispatchRounds.notifiedAt),
            ),
          );
        if (affectedRows(updated) === 0) return;
        // Offers a retry wrote and never sent are replaced by the ones asked for now.
        await tx
          .update(orderOffers)
          .set({ withdrawnAt: now, status: 'WITHDRAWN' })
          .where(and(eq(orderOffers.orderId, replan.orderId), eq(orderOffers.round, replan.round), eq(orderOffers.noticeOf, '')));
        for (const offer of offerRows(replan.orderId, replan.round, replan.expiresAt, replan.riders, now)) {
          await tx
            .insert(orderOffers)
            .values(offer)
            .onDuplicateKeyUpdate({ set: { distanceMeters: offer.distanceMeters, expiresAt: offer.expiresAt, withdrawnAt: null, status: 'OFFERED' } });
        }
      });
      return roundOf(replan.orderId, replan.round);
    },

    /** The order is over (cancelled, closed) before anyone grabbed it: its live offers are withdrawn. Idempotent. */
    async withdrawOffers(orderId: string): Promise<void> {
      await withdrawOffersOf(primary, orderId, new Date());
    },

    /**
     * The rider's offers that have not expired and whose order is still on offer, newest
     * first. Only offers of rounds orders has accepted: before that a grab would be refused.
     */
    async pendingFor(riderId: string, now: Date): Promise<OrderOfferRow[]> {
      const rows = await primary
        .select({ offer: orderOffers })
        .from(orderOffers)
        .innerJoin(dispatchRounds, and(eq(dispatchRounds.orderId, orderOffers.orderId), eq(dispatchRounds.round, orderOffers.round)))
        .where(and(eq(orderOffers.riderId, riderId), ...liveAt(now), isNotNull(dispatchRounds.notifiedAt)))
        .orderBy(desc(orderOffers.createdAt), desc(orderOffers.id))
        .limit(MAX_PENDING_OFFERS);
      return rows.map((row) => row.offer);
    },

    /** The rider delivering each of `orderIds` now (grabbed, not yet delivered or cancelled), by order id. */
    async assignedRiders(orderIds: readonly string[]): Promise<Map<string, string>> {
      if (orderIds.length === 0) return new Map();
      const rows = await primary.select().from(riderAssignments).where(inArray(riderAssignments.orderId, [...orderIds]));
      return new Map(rows.map((row) => [row.orderId, row.riderId]));
    },

    async offersByIds(ids: readonly string[]): Promise<OrderOfferRow[]> {
      if (ids.length === 0) return [];
      return primary.select().from(orderOffers).where(inArray(orderOffers.id, [...ids]));
    },
  };
}
export type DispatchStore = ReturnType<typeof createDispatchStore>;
