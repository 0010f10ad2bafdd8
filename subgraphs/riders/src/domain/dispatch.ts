import { newEvent, OrderOffered, type Logger, type OrdersApiClient, type OrderStatusChangedData, type OutboxRelay } from '@waimai/platform';
import type { DispatchStore, ProcessedKey, RoundPlan } from '../db/dispatch-store';
import type { LocationIndex } from '../db/location-index';
import type { RiderStore } from '../db/rider-store';
import type { DispatchRoundRow, OrderOfferRow } from '../db/schema';
import type { RiderService } from './riders';
import { emptyRetryRadius, radiusForRound, reactionTo, type DispatchPolicy } from './rules';

/** The dispatcher's consumer group on orders.events, and its name in processed_events. */
export const DISPATCH_CONSUMER = 'riders.dispatch';

export interface DispatcherPolicy extends DispatchPolicy {
  OFFER_SECONDS: number;
  DISPATCH_MAX_RIDERS_PER_ROUND: number;
  DISPATCH_MAX_ROUNDS: number;
  DISPATCH_EMPTY_ROUND_RETRY_SECONDS: number;
  DISPATCH_GIVE_UP_SECONDS: number;
}

/** Rounds the retry sweep takes per tick: bounds one tick's work when many orders wait. */
const RETRY_BATCH = 100;

export interface DispatchHooks {
  /** Test hook: runs after orders accepted a round and before its offers go to the outbox; a throw is the dispatcher dying there. */
  afterNotify?: (orderId: string, round: number) => Promise<void>;
}

export interface DispatcherDeps {
  store: DispatchStore;
  riders: RiderStore;
  riderService: RiderService;
  index: LocationIndex;
  orders: OrdersApiClient;
  relay: Pick<OutboxRelay, 'kick'>;
  policy: DispatcherPolicy;
  logger: Logger;
  hooks?: DispatchHooks;
}

function offerEvent(offer: OrderOfferRow) {
  return newEvent(OrderOffered, offer.riderId, {
    offerId: offer.id,
    orderId: offer.orderId,
    riderId: offer.riderId,
    round: offer.round,
    distanceMeters: offer.distanceMeters,
    expiresAt: offer.expiresAt.toISOString(),
  });
}

/**
 * Turns order events into dispatch rounds and rider status changes. A round is:
 * plan (pick riders, write the round and its offers once) → tell orders (idempotent per
 * round) → publish the offers through the outbox with the event's processed row. Dying
 * anywhere in between replays the event, which finds the round planned and reuses it, so no
 * order is lost and nobody is offered an order twice in one round.
 *
 * A round that reaches nobody (no idle rider in its radius) is not sent: the order stays
 * CREATED, orders' round count does not move, and the round waits for the retry sweep
 * (`retryEmptyRounds`), which plans it again every DISPATCH_EMPTY_ROUND_RETRY_SECONDS,
 * each time as wide as the next round would search (never wider than the last round's
 * radius), until it reaches someone and is sent as round n. Past DISPATCH_GIVE_UP_SECONDS
 * after the order's first round, orders flags the order needsAttention instead, and the
 * round is not retried again: operations take over, as after the last round.
 */
export function createDispatcher({ store, riders, riderService, index, orders, relay, policy, logger, hooks = {} }: DispatcherDeps) {
  const log = logger.child({ component: 'dispatcher' });

  const secondsFrom = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000);

  /** Idle riders within `radiusMeters` of the merchant, nearest first, at most the round's cap. */
  async function idleRidersNear(merchant: { lat: number; lng: number }, radiusMeters: number) {
    const cap = policy.DISPATCH_MAX_RIDERS_PER_ROUND;
    // Twice the cap: room for riders the index still lists but MySQL no longer has as IDLE.
    const nearby = await index.nearbyIdleRiders(merchant, radiusMeters, cap * 2);
    const idle = await riders.idleAmong(nearby.map((rider) => rider.riderId));
    return nearby.filter((rider) => idle.has(rider.riderId)).slice(0, cap);
  }

  async function planRound(change: OrderStatusChangedData, round: number): Promise<RoundPlan> {
    const existing = await store.roundOf(change.orderId, round);
    if (existing) return existing;
    // Never narrower than the round before, which a retry may have widened past this round's own radius.
    const previous = round > 1 ? await store.roundOf(change.orderId, round - 1) : undefined;
    const radiusMeters = Math.max(radiusForRound(round, policy), previous?.round.radiusMeters ?? 0);
    const chosen = await idleRidersNear(change.merchantLocation, radiusMeters);
    const now = new Date();
    return store.recordRound({
      orderId: change.orderId,
      round,
      merchantLat: change.merchantLocation.lat,
      merchantLng: change.merchantLocation.lng,
      radiusMeters,
      expiresAt: secondsFrom(now, policy.OFFER_SECONDS),
      riders: chosen,
      retryAt: chosen.length ? null : secondsFrom(now, policy.DISPATCH_EMPTY_ROUND_RETRY_SECONDS),
    });
  }

  /**
   * Tells orders about a planned round with riders and publishes its offers once orders
   * accepted it. `key` is the order event's processed row (null from the retry sweep).
   */
  async function sendRound(key: ProcessedKey, plan: RoundPlan): Promise<void> {
    const { orderId, round } = plan.round;
    const riderIds = plan.offers.map((offer) => offer.riderId);
    const notified = await orders.notifyOffers({ params: { orderId }, body: { round, riderIds, expiresAt: plan.round.expiresAt.toISOString() } });
    if (!notified.ok) {
      const fields = { orderId, round, refusal: notified.refusal.code };
      if (notified.refusal.code === 'NOT_FOUND') log.error(fields, 'Orders does not know an order it asked to dispatch; dropping the round.');
      else log.info(fields, 'The order moved on before its round went out; dropping the round\'s offers.');
      await store.roundRefused(key, orderId, round);
      return;
    }
    await hooks.afterNotify?.(orderId, round);
    const published = await store.roundAccepted(key, orderId, round, (live) => live.map(offerEvent));
    if (published.done && published.value.length) relay.kick();
    log.info({ orderId, round, radiusMeters: plan.round.radiusMeters, riders: riderIds.length }, 'Offered an order to the idle riders near its merchant.');
  }

  async function dispatch(eventId: string, change: OrderStatusChangedData, round: number): Promise<void> {
    if (await store.isProcessed(DISPATCH_CONSUMER, eventId)) return;
    const plan = await planRound(change, round);
    if (plan.round.notifiedAt || plan.offers.length === 0) {
      // Sent already by another copy of this step (it is not sent twice), or it reached nobody:
      // orders is not told (the order stays CREATED) and the retry sweep owns the round now.
      if (!plan.round.notifiedAt) log.info({ orderId: change.orderId, round, radiusMeters: plan.round.radiusMeters }, 'No idle rider near the merchant; the round will be planned again.');
      await store.once(DISPATCH_CONSUMER, eventId, async () => undefined);
      return;
    }
    await sendRound({ consumer: DISPATCH_CONSUMER, eventId }, plan);
  }

  /**
   * One due retry of a round that reached nobody (or was refilled by a retry that died
   * before sending it). Safe with several replicas: claiming moves the round's retry time,
   * so one replica works on it per retry period; refilling is conditional on the attempt it
   * read, and sending is idempotent per round in orders and here (notified_at).
   */
  async function retryRound(due: DispatchRoundRow, now: Date): Promise<void> {
    const { orderId, round } = due;
    if (!due.retryAt || !(await store.claimRetry(orderId, round, due.retryAt, secondsFrom(now, policy.DISPATCH_EMPTY_ROUND_RETRY_SECONDS)))) return;
    const current = await store.roundOf(orderId, round);
    if (!current || current.round.notifiedAt) return;
    if (current.offers.length) return sendRound(null, current);

    const startedAt = (await store.dispatchStartedAt(orderId)) ?? due.createdAt;
    if (now.getTime() - startedAt.getTime() >= policy.DISPATCH_GIVE_UP_SECONDS * 1000) {
      const flagged = await orders.flagUnreached({ params: { orderId }, body: { round } });
      log.warn({ orderId, round, outcome: flagged.ok ? 'flagged' : flagged.refusal.code, waitedSeconds: Math.round((now.getTime() - startedAt.getTime()) / 1000) }, 'No rider reached within the dispatch window; the order is left to operations.');
      await store.retriesGivenUp(orderId, round);
      return;
    }

    const radiusMeters = emptyRetryRadius(round, current.round.emptyAttempts + 1, current.round.radiusMeters, policy);
    const chosen = await idleRidersNear({ lat: current.round.merchantLat, lng: current.round.merchantLng }, radiusMeters);
    const refilled = await store.refillRound({
      orderId,
      round,
      emptyAttempts: current.round.emptyAttempts,
      radiusMeters,
      expiresAt: secondsFrom(new Date(), policy.OFFER_SECONDS),
      riders: chosen,
    });
    if (refilled && !refilled.round.notifiedAt && refilled.offers.length) await sendRound(null, refilled);
  }

  /** A lost mirror is covered: dispatch re-checks MySQL, and the cache entry expires. */
  async function mirrorQuietly(riderId: string) {
    try {
      await riderService.mirrorStatusOf(riderId);
    } catch (err) {
      log.warn({ err, riderId }, 'Could not mirror a rider\'s new status into Redis.');
    }
  }

  return {
    /** Plans again the rounds that reached nobody and are due (the retry sweep's tick); returns how many it looked at. */
    async retryEmptyRounds(now = new Date()): Promise<number> {
      const due = await store.dueRetries(now, RETRY_BATCH);
      for (const round of due) {
        try {
          await retryRound(round, now);
        } catch (err) {
          // The claim moved its retry time: it comes back then.
          log.error({ err, orderId: round.orderId, round: round.round }, 'Retrying a dispatch round that reached nobody failed.');
        }
      }
      return due.length;
    },

    async apply(eventId: string, change: OrderStatusChangedData): Promise<void> {
      const reaction = reactionTo(change);
      switch (reaction.kind) {
        case 'dispatch':
          return dispatch(eventId, change, reaction.round);
        case 'rider-grabbed': {
          const outcome = await store.riderGrabbed(DISPATCH_CONSUMER, eventId, change.orderId, reaction.riderId);
          if (outcome.done && outcome.value) await mirrorQuietly(reaction.riderId);
          return;
        }
        case 'rider-released': {
          const outcome = await store.riderReleased(DISPATCH_CONSUMER, eventId, change.orderId, reaction.riderId);
          if (outcome.done && outcome.value) await mirrorQuietly(reaction.riderId);
          return;
        }
        case 'withdraw-offers':
          return store.withdrawOffers(change.orderId);
        case 'ignore':
          return;
      }
    },
  };
}
export type Dispatcher = ReturnType<typeof createDispatcher>;
