import { newEvent, OrderOffered, type Logger, type OrderStatusChangedData, type OutboxRelay } from '@waimai/platform';
import type { DispatchStore, RoundPlan } from '../db/dispatch-store';
import type { LocationIndex } from '../db/location-index';
import type { RiderStore } from '../db/rider-store';
import type { OrderOfferRow } from '../db/schema';
import type { OrdersClient } from '../clients/orders-client';
import type { RiderService } from './riders';
import { radiusForRound, reactionTo, type DispatchPolicy } from './rules';

/** The dispatcher's consumer group on orders.events, and its name in processed_events. */
export const DISPATCH_CONSUMER = 'riders.dispatch';

export interface DispatcherPolicy extends DispatchPolicy {
  OFFER_SECONDS: number;
  DISPATCH_MAX_RIDERS_PER_ROUND: number;
}

export interface DispatchHooks {
  /** Test hook: runs after orders accepted a round and before its offers go to the outbox; a throw is the dispatcher dying there. */
  afterNotify?: (orderId: string, round: number) => Promise<void>;
}

export interface DispatcherDeps {
  store: DispatchStore;
  riders: RiderStore;
  riderService: RiderService;
  index: LocationIndex;
  orders: OrdersClient;
  relay: Pick<OutboxRelay, 'kick'>;
  policy: DispatcherPolicy;
  logger: Logger;
  hooks?: DispatchHooks;
}

function offerEvent(offer: OrderOfferRow) {
  return newEvent(
    OrderOffered.type,
    offer.riderId,
    OrderOffered.data.parse({
      offerId: offer.id,
      orderId: offer.orderId,
      riderId: offer.riderId,
      round: offer.round,
      distanceMeters: offer.distanceMeters,
      expiresAt: offer.expiresAt.toISOString(),
    }),
  );
}

/**
 * Turns order events into dispatch rounds and rider status changes. A round is:
 * plan (pick riders, write the round and its offers once) → tell orders (idempotent per
 * round) → publish the offers through the outbox with the event's processed row. Dying
 * anywhere in between replays the event, which finds the round planned and reuses it, so no
 * order is lost and nobody is offered an order twice in one round.
 */
export function createDispatcher({ store, riders, riderService, index, orders, relay, policy, logger, hooks = {} }: DispatcherDeps) {
  const log = logger.child({ component: 'dispatcher' });

  async function planRound(change: OrderStatusChangedData, round: number): Promise<RoundPlan> {
    const existing = await store.roundOf(change.orderId, round);
    if (existing) return existing;
    const radiusMeters = radiusForRound(round, policy);
    const cap = policy.DISPATCH_MAX_RIDERS_PER_ROUND;
    // Twice the cap: room for riders the index still lists but MySQL no longer has as IDLE.
    const nearby = await index.nearbyIdleRiders(change.merchantLocation, radiusMeters, cap * 2);
    const idle = await riders.idleAmong(nearby.map((rider) => rider.riderId));
    return store.recordRound({
      orderId: change.orderId,
      round,
      merchantLat: change.merchantLocation.lat,
      merchantLng: change.merchantLocation.lng,
      radiusMeters,
      expiresAt: new Date(Date.now() + policy.OFFER_SECONDS * 1000),
      riders: nearby.filter((rider) => idle.has(rider.riderId)).slice(0, cap),
    });
  }

  async function dispatch(eventId: string, change: OrderStatusChangedData, round: number): Promise<void> {
    if (await store.isProcessed(DISPATCH_CONSUMER, eventId)) return;
    const plan = await planRound(change, round);
    if (plan.round.notifiedAt) {
      // Another copy of this step already sent the round: it is not sent twice.
      await store.once(DISPATCH_CONSUMER, eventId, async () => undefined);
      return;
    }
    const riderIds = plan.offers.map((offer) => offer.riderId);
    const outcome = await orders.notifyOffers(change.orderId, round, riderIds, plan.round.expiresAt);
    if (outcome !== 'notified') {
      const fields = { orderId: change.orderId, round, outcome };
      if (outcome === 'not-found') log.error(fields, 'Orders does not know an order it asked to dispatch; dropping the round.');
      else log.info(fields, 'The order moved on before its round went out; dropping the round\'s offers.');
      await store.roundRefused(DISPATCH_CONSUMER, eventId, change.orderId, round);
      return;
    }
    await hooks.afterNotify?.(change.orderId, round);
    const published = await store.roundAccepted(DISPATCH_CONSUMER, eventId, change.orderId, round, (live) => live.map(offerEvent));
    if (published.done && published.value.length) relay.kick();
    log.info({ orderId: change.orderId, round, radiusMeters: plan.round.radiusMeters, riders: riderIds.length }, 'Offered an order to the idle riders near its merchant.');
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
