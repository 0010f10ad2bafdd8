import {
  distanceMeters,
  newEvent,
  OrderOffered,
  OrderWithdrawn,
  type GeoPoint,
  type Logger,
  type OrderReassignedData,
  type OrderRedispatchRequestedData,
  type OrdersApiClient,
  type OrderStatusChangedData,
  type OutboxRelay,
  type Transaction,
  type CatalogEvent,
  type OfferedOrderView,
  type MerchantsApiClient,
  type NotifyRoundsAnswer,
  NOTIFY_ROUNDS_MAX_RIDERS,
} from '@waimai/platform';
import type { AcceptedRound, DispatchStore, NewNotice, ProcessedKey, RoundPlan } from '../db/dispatch-store';
import type { LocationIndex } from '../db/location-index';
import type { RiderStore } from '../db/rider-store';
import type { DispatchRoundRow, OrderOfferRow, RidersSchema } from '../db/schema';
import type { RiderService } from './riders';
import { merchantCards, type MerchantCard } from './merchant-cards';
import { riderUpdatedEvent } from './rider-events';
import { emptyRetryRadius, radiusForRound, reactionTo, type DispatchPolicy } from './rules';

type Tx = Transaction<RidersSchema>;

/** The dispatcher's consumer group on orders.events, and its name in processed_events. */
export const DISPATCH_CONSUMER = 'riders.dispatch';

export interface DispatcherPolicy extends DispatchPolicy {
  OFFER_SECONDS: number;
  DISPATCH_MAX_RIDERS_PER_ROUND: number;
  DISPATCH_MAX_ROUNDS: number;
  DISPATCH_EMPTY_ROUND_RETRY_SECONDS: number;
  DISPATCH_GIVE_UP_SECONDS: number;
  MERCHANT_CARD_TTL_SECONDS: number;
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
  /** Products' merchants API: a shop's public card, carried in the round's offers. */
  merchants?: Pick<MerchantsApiClient, 'merchantCard'>;
  relay: Pick<OutboxRelay, 'kick'>;
  policy: DispatcherPolicy;
  logger: Logger;
  hooks?: DispatchHooks;
}

/**
 * OrderOffered for an offer, or for an ASSIGNED notice (the same frame on the rider's socket).
 * `order`: the order as the offered rider may see it, as orders answered the round; carried in
 * the event so that the gateway answers the rider's frame from it (docs/subscriptions.md).
 */
function offerEvent(offer: OrderOfferRow, order?: OfferedOrderView) {
  return newEvent(OrderOffered, offer.riderId, {
    offerId: offer.id,
    orderId: offer.orderId,
    riderId: offer.riderId,
    round: offer.round,
    distanceMeters: offer.distanceMeters,
    expiresAt: offer.expiresAt.toISOString(),
    kind: offer.status === 'ASSIGNED' ? 'ASSIGNED' : 'OFFER',
    createdAt: offer.createdAt.toISOString(),
    ...(order ? { order } : {}),
  });
}

/** What orders said of a round: accepted, with the order as its riders may see it; or refused. */
type Notified = { accepted: true; offerView: OfferedOrderView | undefined } | { accepted: false };

/** An order event the dispatcher answers with a round: plan round `round` of the order and send it. */
interface DispatchRequest {
  eventId: string;
  change: OrderStatusChangedData;
  round: number;
}

/** Orders one batch dispatches together at most: bounds one transaction's rows and one notify call's rounds. */
const DISPATCH_BATCH = 50;

/** Rounds in notifyRounds calls: in order, each call at most NOTIFY_ROUNDS_MAX_RIDERS rider ids (a larger round alone). */
function callsOf<R extends { riderIds: readonly string[] }>(rounds: readonly R[]): R[][] {
  const calls: R[][] = [];
  let riders = 0;
  for (const round of rounds) {
    const last = calls.at(-1);
    if (last && riders + round.riderIds.length <= NOTIFY_ROUNDS_MAX_RIDERS) {
      last.push(round);
      riders += round.riderIds.length;
    } else {
      calls.push([round]);
      riders = round.riderIds.length;
    }
  }
  return calls;
}

/** Orders' view of the order with products' card of its shop (name, address), when both are known and name the same shop. */
function withMerchantCard(view: OfferedOrderView | undefined, card: MerchantCard | null): OfferedOrderView | undefined {
  if (!view || !card || card.id !== view.merchant.id) return view;
  return { ...view, merchant: { ...view.merchant, name: card.name, address: card.address, location: card.location } };
}

/** OrderWithdrawn for a WITHDRAWN notice: the frame the rider's socket loads by its id. */
function withdrawnEvent(notice: OrderOfferRow, reason: 'REASSIGNED' | 'CANCELLED') {
  return newEvent(OrderWithdrawn, notice.riderId, {
    offerId: notice.id,
    orderId: notice.orderId,
    riderId: notice.riderId,
    reason,
    at: notice.createdAt.toISOString(),
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
export function createDispatcher({ store, riders, riderService, index, orders, merchants, relay, policy, logger, hooks = {} }: DispatcherDeps) {
  const log = logger.child({ component: 'dispatcher' });

  const secondsFrom = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000);
  const cards = merchants ? merchantCards(merchants, policy.MERCHANT_CARD_TTL_SECONDS * 1000, log) : null;

  /** Idle riders within `radiusMeters` of the merchant, nearest first, at most the round's cap. */
  async function idleRidersNear(merchant: GeoPoint, radiusMeters: number) {
    const [chosen] = await idleRidersNearEach([{ merchant, radiusMeters }]);
    return chosen!;
  }

  /** idleRidersNear for several searches: the index asked once per search, MySQL once for them all. */
  async function idleRidersNearEach(searches: ReadonlyArray<{ merchant: GeoPoint; radiusMeters: number }>) {
    const cap = policy.DISPATCH_MAX_RIDERS_PER_ROUND;
    // Twice the cap: room for riders the index still lists but MySQL no longer has as IDLE.
    const nearby = await Promise.all(searches.map((search) => index.nearbyIdleRiders(search.merchant, search.radiusMeters, cap * 2)));
    const idle = await riders.idleAmong([...new Set(nearby.flat().map((rider) => rider.riderId))]);
    return nearby.map((found) => found.filter((rider) => idle.has(rider.riderId)).slice(0, cap));
  }

  /**
   * The rounds these order events ask for (of distinct orders), each planned once: the one
   * planned already (a redelivered event, a restart, a rebalance), or a new one written now, never
   * narrower than the round before it (which a retry may have widened past this round's own
   * radius). A few statements for all of them.
   */
  async function planRounds(requests: readonly DispatchRequest[]): Promise<RoundPlan[]> {
    const known = await store.roundsOf(requests.flatMap(({ change, round }) => (round > 1 ? [{ orderId: change.orderId, round }, { orderId: change.orderId, round: round - 1 }] : [{ orderId: change.orderId, round }])));
    const planOf = (orderId: string, round: number) => known.get(`${orderId}/${round}`);
    const unplanned = requests.filter(({ change, round }) => !planOf(change.orderId, round));
    const searches = unplanned.map(({ change, round }) => ({
      merchant: change.merchantLocation,
      radiusMeters: Math.max(radiusForRound(round, policy), planOf(change.orderId, round - 1)?.round.radiusMeters ?? 0),
    }));
    const chosen = await idleRidersNearEach(searches);
    const now = new Date();
    const recorded = await store.recordRounds(
      unplanned.map(({ change, round }, i) => ({
        orderId: change.orderId,
        round,
        merchantLat: change.merchantLocation.lat,
        merchantLng: change.merchantLocation.lng,
        radiusMeters: searches[i]!.radiusMeters,
        expiresAt: secondsFrom(now, policy.OFFER_SECONDS),
        riders: chosen[i]!,
        retryAt: chosen[i]!.length ? null : secondsFrom(now, policy.DISPATCH_EMPTY_ROUND_RETRY_SECONDS),
      })),
    );
    const fresh = new Map(recorded.map((plan) => [plan.round.orderId, plan]));
    return requests.map(({ change, round }) => planOf(change.orderId, round) ?? fresh.get(change.orderId)!);
  }

  /**
   * Tells orders about planned rounds with riders (in as few notifyRounds calls as their
   * riders fit) and publishes the offers of those orders accepted, in one transaction. `key`:
   * the order event's processed row (null from the retry sweep); `merchantId`, when known, lets
   * the offers carry the shop's card. A failure leaves the events to be delivered again, after
   * the rounds accepted before it were published.
   */
  async function sendRounds(sends: ReadonlyArray<{ key: ProcessedKey; plan: RoundPlan; merchantId?: string }>): Promise<void> {
    const accepted: AcceptedRound[] = [];
    const offered: RoundPlan[] = [];
    let failure: { reason: unknown } | undefined;
    try {
      const told = await notifyRounds(sends);
      for (const [i, { key, plan }] of sends.entries()) {
        const { orderId, round } = plan.round;
        const notified = told[i]!;
        if (!notified.accepted) {
          await store.roundRefused(key, orderId, round);
          continue;
        }
        try {
          await hooks.afterNotify?.(orderId, round);
        } catch (err) {
          failure ??= { reason: err };
          continue;
        }
        accepted.push({ key, orderId, round, events: (live) => live.map((offer) => offerEvent(offer, notified.offerView)) });
        offered.push(plan);
      }
    } catch (err) {
      failure ??= { reason: err };
    }
    if (await store.roundsAccepted(accepted)) relay.kick();
    for (const { round, offers } of offered) {
      log.info({ orderId: round.orderId, round: round.round, radiusMeters: round.radiusMeters, riders: offers.filter((offer) => offer.status === 'OFFERED').length }, 'Offered an order to the idle riders near its merchant.');
    }
    if (failure) throw failure.reason;
  }

  /** A single round: sendRounds of one. */
  const sendRound = (key: ProcessedKey, plan: RoundPlan, merchantId?: string) => sendRounds([{ key, plan, merchantId }]);

  /**
   * Tells orders about planned rounds, at most NOTIFY_ROUNDS_MAX_RIDERS rider ids a call: each
   * round's answer, with the order as its riders may see it when orders accepted it, and the
   * shop's card when there by then (kept per shop; asked of products beside the calls when missing or past its time).
   */
  async function notifyRounds(sends: ReadonlyArray<{ plan: RoundPlan; merchantId?: string }>): Promise<Notified[]> {
    // The shops' public cards, from the cache or asked of products beside the notify calls, and
    // used only if there when orders answered: the offers never wait for products (without a
    // card the gateway loads the merchant per rider, as it would for an older event).
    if (cards) {
      for (const merchantId of new Set(sends.flatMap((send) => (send.merchantId ? [send.merchantId] : [])))) {
        // Never rejects for products' failures (logged there); a card kept is used meanwhile.
        cards.fetch(merchantId).catch((err: unknown) => log.warn({ err, merchantId }, 'Reading a shop\'s card failed.'));
      }
    }
    const rounds = sends.map(({ plan }) => ({
      orderId: plan.round.orderId,
      round: plan.round.round,
      // A round a redispatch took over keeps the offers it replaced, withdrawn: orders hears of the live ones only.
      riderIds: plan.offers.filter((offer) => offer.status === 'OFFERED').map((offer) => offer.riderId),
      expiresAt: plan.round.expiresAt.toISOString(),
    }));
    const answers: NotifyRoundsAnswer['outcomes'] = [];
    for (const call of callsOf(rounds)) {
      const { outcomes } = (await orders.notifyRounds({ body: { rounds: call } })).value;
      if (outcomes.length !== call.length || outcomes.some((outcome, i) => outcome.orderId !== call[i]!.orderId)) {
        throw new Error(`Orders answered ${outcomes.length} outcomes, not one per round asked (${call.length}), in order.`);
      }
      answers.push(...outcomes);
    }
    return answers.map((outcome, i) => {
      const { orderId, round } = rounds[i]!;
      if (outcome.accepted) {
        const merchantId = sends[i]!.merchantId;
        return { accepted: true, offerView: withMerchantCard(outcome.offerView, merchantId ? (cards?.get(merchantId) ?? null) : null) };
      }
      const fields = { orderId, round, refusal: outcome.refusal };
      if (outcome.refusal === 'NOT_FOUND') log.error(fields, 'Orders does not know an order it asked to dispatch; dropping the round.');
      else log.info(fields, 'The order moved on before its round went out; dropping the round\'s offers.');
      return { accepted: false };
    });
  }

  /**
   * Dispatches orders (distinct ones, from one fetched batch): plans their rounds, then sends
   * those that reach someone and were not sent before. Rounds that reach nobody are not sent:
   * orders is not told (the order stays CREATED) and the retry sweep owns them now.
   */
  async function dispatchAll(requests: readonly DispatchRequest[]): Promise<void> {
    const processed = await store.processedAmong(DISPATCH_CONSUMER, requests.map((request) => request.eventId));
    const pending = requests.filter((request) => !processed.has(request.eventId));
    if (pending.length === 0) return;
    const plans = await planRounds(pending);
    const settled: string[] = [];
    const sends: Array<{ key: ProcessedKey; plan: RoundPlan; merchantId?: string }> = [];
    pending.forEach(({ eventId, change }, i) => {
      const plan = plans[i]!;
      if (plan.round.notifiedAt || plan.offers.length === 0) {
        // Sent already by another copy of this step (it is not sent twice), or it reached nobody.
        if (!plan.round.notifiedAt) log.info({ orderId: change.orderId, round: plan.round.round, radiusMeters: plan.round.radiusMeters }, 'No idle rider near the merchant; the round will be planned again.');
        settled.push(eventId);
      } else {
        sends.push({ key: { consumer: DISPATCH_CONSUMER, eventId }, plan, merchantId: change.merchantId });
      }
    });
    if (settled.length) await store.markApplied(DISPATCH_CONSUMER, settled);
    await sendRounds(sends);
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

  /** Mirrors the riders whose status changed and sends the events, after the transaction committed. */
  async function afterCommit(outcome: { done: true; value: { changedRiders: string[]; events: number } } | { done: false }) {
    if (!outcome.done) return;
    if (outcome.value.events) relay.kick();
    for (const riderId of outcome.value.changedRiders) await mirrorQuietly(riderId);
  }

  /**
   * In the caller's transaction: the rider no longer delivers `orderId`, and is IDLE again when
   * it was their last order. Returns the RiderUpdated to enqueue when their status changed.
   */
  async function release(tx: Tx, orderId: string, riderId: string) {
    if (!(await store.unassign(tx, orderId, riderId))) return null;
    if (await store.delivers(tx, riderId)) return null;
    const freed = await riders.changeStatus(tx, riderId, ['DELIVERING'], 'IDLE');
    return freed?.changed ? riderUpdatedEvent(freed.rider, 'RELEASED') : null;
  }

  /** A rider grabbed the order: they deliver it (DELIVERING), their offer is ASSIGNED, everyone else's WITHDRAWN. */
  async function riderGrabbed(eventId: string, orderId: string, riderId: string) {
    const outcome = await store.once(DISPATCH_CONSUMER, eventId, async (tx) => {
      const now = new Date();
      await store.assign(tx, orderId, riderId, now);
      const changed = await riders.markDelivering(tx, riderId);
      await store.offersTaken(tx, orderId, riderId, now);
      const rider = changed ? await riders.byId(riderId, tx) : undefined;
      const events = rider ? [riderUpdatedEvent(rider, 'ASSIGNED', now)] : [];
      await store.enqueue(tx, events);
      return { changedRiders: rider ? [riderId] : [], events: events.length };
    });
    await afterCommit(outcome);
  }

  /**
   * The rider's order was delivered or cancelled: when it was their last one, they are IDLE
   * again (and re-enter the idle set on their next report). Cancelled while they delivered it
   * (staff cancel), they also get a WITHDRAWN frame saying so.
   */
  async function riderReleased(eventId: string, orderId: string, riderId: string, cancelled: boolean) {
    const outcome = await store.once(DISPATCH_CONSUMER, eventId, async (tx) => {
      const now = new Date();
      await store.withdrawOffersIn(tx, orderId, now);
      const updated = await release(tx, orderId, riderId);
      const events: CatalogEvent[] = updated ? [updated] : [];
      if (cancelled) {
        const latest = await store.latestRound(orderId);
        const [notice] = await store.insertNotices(tx, [{ orderId, riderId, status: 'WITHDRAWN', round: latest?.round ?? 0, distanceMeters: 0, noticeOf: eventId }], now);
        events.push(withdrawnEvent(notice!, 'CANCELLED'));
      }
      await store.enqueue(tx, events);
      return { changedRiders: updated ? [riderId] : [], events: events.length };
    });
    await afterCommit(outcome);
  }

  /** Where the rider is: their live location, else the one last saved; null when never reported. */
  async function locationOf(riderId: string): Promise<GeoPoint | null> {
    const [live] = await index.liveLocations([riderId]);
    if (live) return live;
    const saved = await riders.byId(riderId);
    return saved && saved.lat !== null && saved.lng !== null ? { lat: saved.lat, lng: saved.lng } : null;
  }

  /**
   * Staff moved a grabbed order to another rider (orders decided it): the old rider is freed
   * (IDLE unless they deliver something else) and gets a WITHDRAWN frame (OrderWithdrawn,
   * REASSIGNED); the new one delivers it (DELIVERING) and gets an ASSIGNED frame (OrderOffered
   * carrying its id). Once per event.
   */
  async function reassigned(eventId: string, change: OrderReassignedData): Promise<void> {
    const { orderId, fromRiderId, toRiderId } = change;
    const latest = await store.latestRound(orderId);
    const merchant = latest ? { lat: latest.merchantLat, lng: latest.merchantLng } : null;
    const at = merchant ? await locationOf(toRiderId) : null;
    // 0 when unknown: the frame still says which order is theirs.
    const distance = merchant && at ? Math.round(distanceMeters(at, merchant)) : 0;
    const outcome = await store.once(DISPATCH_CONSUMER, eventId, async (tx) => {
      const now = new Date();
      const events: CatalogEvent[] = [];
      const changedRiders: string[] = [];
      const freed = fromRiderId === toRiderId ? null : await release(tx, orderId, fromRiderId);
      if (freed) {
        events.push(freed);
        changedRiders.push(fromRiderId);
      }
      await store.assign(tx, orderId, toRiderId, now);
      if (await riders.markDelivering(tx, toRiderId)) {
        events.push(riderUpdatedEvent((await riders.byId(toRiderId, tx))!, 'ASSIGNED', now));
        changedRiders.push(toRiderId);
      }
      const round = latest?.round ?? 0;
      const notices: NewNotice[] = [{ orderId, riderId: toRiderId, status: 'ASSIGNED', round, distanceMeters: distance, noticeOf: eventId }];
      if (fromRiderId !== toRiderId) notices.unshift({ orderId, riderId: fromRiderId, status: 'WITHDRAWN', round, distanceMeters: 0, noticeOf: eventId });
      const written = await store.insertNotices(tx, notices, now);
      for (const notice of written) events.push(notice.status === 'WITHDRAWN' ? withdrawnEvent(notice, 'REASSIGNED') : offerEvent(notice));
      await store.enqueue(tx, events);
      return { changedRiders, events: events.length };
    });
    await afterCommit(outcome);
    if (outcome.done) log.info({ orderId, fromRiderId, toRiderId }, 'Moved an order from one rider to another at staff request.');
  }

  /**
   * The riders a redispatch reaches: the named ones that may take an order now (IDLE, not
   * suspended, located), nearest first; or the idle riders within the radius asked for (never
   * narrower than the order's usual next round).
   */
  async function redispatchTargets(request: OrderRedispatchRequestedData, round: number, searchedMeters: number) {
    const merchant = request.merchantLocation;
    if (request.riderIds?.length) {
      const named = [...new Set(request.riderIds)];
      const eligible = await riders.idleAmong(named);
      const chosen = [];
      for (const riderId of named.filter((id) => eligible.has(id))) {
        const at = await locationOf(riderId);
        // Nowhere to be seen: they could not be told how far the shop is, nor be relied on to go.
        if (at) chosen.push({ riderId, distanceMeters: Math.round(distanceMeters(at, merchant)) });
      }
      chosen.sort((a, b) => a.distanceMeters - b.distanceMeters || a.riderId.localeCompare(b.riderId));
      return { radiusMeters: Math.max(searchedMeters, ...chosen.map((rider) => rider.distanceMeters)), chosen };
    }
    const radiusMeters = request.radiusMeters ?? Math.max(radiusForRound(round, policy), searchedMeters);
    return { radiusMeters, chosen: await idleRidersNear(merchant, radiusMeters) };
  }

  /** The round of a redispatch request: the one it planned already, or a new one. */
  async function planRedispatch(eventId: string, request: OrderRedispatchRequestedData): Promise<RoundPlan> {
    const { orderId } = request;
    // A few tries: the retry sweep may refill or send the unsent round between the read and the replan.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const planned = await store.roundRequestedBy(orderId, eventId);
      if (planned) return planned;
      const latest = await store.latestRound(orderId);
      const now = new Date();
      if (latest && !latest.notifiedAt) {
        const { radiusMeters, chosen } = await redispatchTargets(request, latest.round, latest.radiusMeters);
        const replanned = await store.replanRound({
          orderId,
          round: latest.round,
          seen: { riderCount: latest.riderCount, emptyAttempts: latest.emptyAttempts },
          radiusMeters,
          expiresAt: secondsFrom(now, policy.OFFER_SECONDS),
          riders: chosen,
          redispatchOf: eventId,
        });
        if (replanned?.round.redispatchOf === eventId) return replanned;
        continue;
      }
      const round = (latest?.round ?? 0) + 1;
      const { radiusMeters, chosen } = await redispatchTargets(request, round, latest?.radiusMeters ?? 0);
      const recorded = await store.recordRound({
        orderId,
        round,
        merchantLat: request.merchantLocation.lat,
        merchantLng: request.merchantLocation.lng,
        radiusMeters,
        expiresAt: secondsFrom(now, policy.OFFER_SECONDS),
        riders: chosen,
        retryAt: null,
        redispatchOf: eventId,
      });
      if (recorded.round.redispatchOf === eventId) return recorded;
    }
    // Delivered again by Kafka: it decides afresh on what it finds then.
    throw new Error(`The rounds of order ${orderId} kept changing while a redispatch planned one.`);
  }

  /**
   * Staff asked to offer an order again (orders accepted the request and cleared its flag):
   * a round of its own, numbered as the next round orders accepts, to the named riders or
   * within the radius asked for. A round that was planned but never sent (it reached nobody)
   * is taken over. Reaching nobody now, the order is flagged for operations again at once.
   * The round records the request, so a redelivered request sends that round, never another.
   */
  async function redispatch(eventId: string, request: OrderRedispatchRequestedData): Promise<void> {
    if ((await store.processedAmong(DISPATCH_CONSUMER, [eventId])).has(eventId)) return;
    const { orderId } = request;
    const plan = await planRedispatch(eventId, request);
    const key = { consumer: DISPATCH_CONSUMER, eventId };
    if (plan.round.notifiedAt) {
      await store.once(DISPATCH_CONSUMER, eventId, async () => undefined);
      return;
    }
    if (plan.offers.filter((offer) => offer.status === 'OFFERED').length === 0) {
      // Orders superseded the round before (NOTIFIED → CREATED): its offers can no longer be grabbed.
      await store.withdrawOffers(orderId);
      const flagged = await orders.flagUnreached({ params: { orderId }, body: { round: plan.round.round } });
      log.warn({ orderId, round: plan.round.round, riderIds: request.riderIds, radiusMeters: request.radiusMeters, outcome: flagged.ok ? 'flagged' : flagged.refusal.code }, 'A redispatch reached no rider; the order is left to operations again.');
      await store.once(DISPATCH_CONSUMER, eventId, async () => undefined);
      return;
    }
    await sendRound(key, plan);
  }

  return {
    /** Staff moved a grabbed order to another rider (OrderReassigned). */
    reassigned: (eventId: string, change: OrderReassignedData) => reassigned(eventId, change),

    /** Staff asked for the order to be offered again (OrderRedispatchRequested). */
    redispatch: (eventId: string, request: OrderRedispatchRequestedData) => redispatch(eventId, request),

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

    /**
     * Order status changes from one fetched batch (one partition's, in offset order).
     * Consecutive dispatches of distinct orders are planned and sent together (up to
     * DISPATCH_BATCH: a few statements and one outbox transaction for all of them, where each
     * took about a dozen); any other reaction first sends the dispatches gathered before it and
     * then runs alone, so each order's events are applied in their order. A lone event is a
     * batch of one.
     */
    async applyAll(events: ReadonlyArray<{ id: string; data: OrderStatusChangedData }>): Promise<void> {
      let gathered: DispatchRequest[] = [];
      const flush = async () => {
        const requests = gathered;
        gathered = [];
        if (requests.length) await dispatchAll(requests);
      };
      for (const { id: eventId, data: change } of events) {
        const reaction = reactionTo(change);
        switch (reaction.kind) {
          case 'ignore':
            continue;
          case 'dispatch':
            if (gathered.length >= DISPATCH_BATCH || gathered.some((request) => request.change.orderId === change.orderId)) await flush();
            gathered.push({ eventId, change, round: reaction.round });
            continue;
        }
        await flush();
        switch (reaction.kind) {
          case 'rider-grabbed':
            await riderGrabbed(eventId, change.orderId, reaction.riderId);
            break;
          case 'rider-released':
            await riderReleased(eventId, change.orderId, reaction.riderId, false);
            break;
          case 'rider-cancelled':
            await riderReleased(eventId, change.orderId, reaction.riderId, true);
            break;
          case 'withdraw-offers':
            await store.withdrawOffers(change.orderId);
            break;
        }
      }
      await flush();
    },
  };
}
export type Dispatcher = ReturnType<typeof createDispatcher>;
