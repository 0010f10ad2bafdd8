import { createHash } from 'node:crypto';
import {
  auditEvent,
  BadUserInputError,
  derivedId,
  distanceMeters,
  DomainError,
  ForbiddenError,
  InternalCallError,
  InvalidStateTransitionError,
  MerchantSuspendedError,
  newEvent,
  newId,
  NotFoundError,
  OrderAlreadyTakenError,
  OrderReassigned,
  OrderRedispatchRequested,
  OutOfStockError,
  RefundRequested,
  RiderSuspendedError,
  ServiceUnavailableError,
  type CallResult,
  type CampaignsApiClient,
  type GrantedDiscount,
  type Identity,
  type Logger,
  type OutboxRelay,
  type PricedItems,
  type PricingBasket,
  type RidersApiClient,
  type StockApiClient,
  type stockApi,
} from '@waimai/platform';
import type { OrderStore } from '../db/order-store';
import type { OrderDiscountRow, OrderItemRow, OrderRow } from '../db/schema';
import { statusChangedEvent, transition, transitionEach, TransitionRefused, type BatchTransition, type TransitionRequest } from './lifecycle';
import { discountsAddUp, itemsCentsOf, priceBreakdown, type DiscountAnswer, type PriceBreakdown } from './pricing';
import { overtimeRefundCents, promisedDeadline, type CreateOrderInput, type DeadlinePolicy, type QuoteOrderInput, type RedispatchInput } from './rules';
import { nextStatus, withRider, type Step } from './state-machine';

export interface OrderPolicy extends DeadlinePolicy {
  PAYMENT_WINDOW_SECONDS: number;
  CLOSE_AFTER_SECONDS: number;
  OVERTIME_REFUND_PERCENT: number;
  DISPATCH_MAX_ROUNDS: number;
  /** Every order's delivery fee, in cents. */
  DELIVERY_FEE_CENTS: number;
  /** Test-only: die right after a stock hold succeeds (see env.ts). */
  FAULT_CRASH_AFTER_STOCK_HOLD?: boolean;
}

/** The id of the order (and stock hold) that `customerId`'s `idempotencyKey` creates. */
export const orderIdFor = (customerId: string, idempotencyKey: string): string => derivedId('waimai.order', customerId, idempotencyKey);

export interface OrderServiceDeps {
  store: OrderStore;
  stock: StockApiClient;
  riders: RidersApiClient;
  /** Operations' campaigns API: discounts are priced and held there, outside any transaction here. */
  campaigns: CampaignsApiClient;
  relay: Pick<OutboxRelay, 'kick'>;
  policy: OrderPolicy;
  logger: Logger;
}

/** A PaymentSucceeded as orders applies it. */
export interface PaymentSucceededNotice {
  eventId: string;
  paymentId: string;
  orderId: string;
  paidAt: Date;
  amountCents: number;
}

/** The step a successful payment takes: PENDING_PAYMENT → CREATED, once per event, the deadline counted from now. */
function payStep({ eventId, paymentId, orderId, paidAt }: PaymentSucceededNotice): BatchTransition {
  return {
    orderId,
    step: 'pay',
    once: { consumer: 'orders.payments', eventId },
    set: (order, now) => ({
      paidAt,
      paymentId,
      paymentDueAt: null,
      deadlineAt: new Date(order.deadlineAt.getTime() + (now.getTime() - order.createdAt.getTime())),
    }),
  };
}

/** The riders offered an order in a dispatch round, as riders reports them. */
export interface RoundNotice {
  orderId: string;
  round: number;
  riderIds: readonly string[];
  expiresAt: Date;
}

/** CREATED → NOTIFIED for round n; already in effect when the order is NOTIFIED for that round (a retried call). */
function notifyStep({ orderId, round, expiresAt }: RoundNotice) {
  return {
    orderId,
    step: 'notify' as const,
    alreadyApplied: (order: OrderRow) => order.status === 'NOTIFIED' && order.dispatchRound === round,
    set: () => ({ dispatchRound: round, offerExpiresAt: expiresAt }),
  };
}

/** Rounds come in order: a replayed, older round must not send the order back a step. */
function checkNotifyRound({ orderId, round }: RoundNotice, order: OrderRow): void {
  if (round !== order.dispatchRound + 1) throw new InvalidStateTransitionError(orderId, order.status, `notify round ${round}`);
}

/**
 * The order use cases: each owns its transaction and the events it enqueues. Every status
 * change goes through `transition` (or, for a batch of them, `transitionEach`; lifecycle.ts)
 * with a step of the state machine, so the lifecycle has one implementation; calls to
 * products happen outside any transaction.
 */
export function createOrderService({ store, stock, riders, campaigns, relay, policy, logger }: OrderServiceDeps) {
  const log = logger.child({ component: 'orders' });

  /**
   * Payment succeeded: PENDING_PAYMENT → CREATED. Money taken for an order that can no longer
   * take it (cancelled, or paid twice) is given back (RefundRequested).
   */
  async function paid(payment: PaymentSucceededNotice): Promise<void> {
    const { eventId, paymentId, orderId, amountCents } = payment;
    try {
      await transition(store, payStep(payment));
      relay.kick();
    } catch (err) {
      if (!(err instanceof TransitionRefused) || err.reason === 'already-processed') return;
      if (err.reason === 'not-found' || !err.order) {
        log.error({ orderId, paymentId }, 'A payment succeeded for an unknown order.');
        return;
      }
      if (err.order.paymentId === paymentId) return;
      // The money was taken but the order can no longer be paid (cancelled, or paid twice): give it back.
      log.warn({ orderId, paymentId, status: err.order.status }, 'Refunding a payment for an order that cannot take it.');
      const refund = newEvent(RefundRequested, orderId, { orderId, paymentId, amountCents, reason: 'ORDER_NOT_PAYABLE' });
      await store.inTransaction(async (tx) => {
        if (await store.markProcessed(tx, 'orders.payments', eventId)) await store.enqueue(tx, [refund]);
      });
      relay.kick();
    }
  }

  /** The contract's error for a refused transition; anything else as it was thrown. */
  function refusalError(request: Pick<TransitionRequest, 'orderId' | 'step'>, err: unknown): unknown {
    if (!(err instanceof TransitionRefused)) return err;
    if (err.reason === 'not-found' || !err.order) return new NotFoundError('Order', request.orderId);
    if (request.step === 'grab' && (err.order.riderId !== null || withRider.has(err.order.status))) {
      return new OrderAlreadyTakenError(request.orderId);
    }
    return new InvalidStateTransitionError(request.orderId, err.order.status, request.step);
  }

  /** Runs a transition and turns a refusal into the contract's error. */
  async function apply(request: TransitionRequest): Promise<OrderRow> {
    try {
      const order = await transition(store, request);
      relay.kick();
      return order;
    } catch (err) {
      throw refusalError(request, err);
    }
  }

  /** A DomainError as it is; anything else is our bug, thrown on. */
  function domainErrorOf(err: unknown): DomainError {
    if (err instanceof DomainError) return err;
    throw err;
  }

  /** One round alone, decided on the current row (a second round of one order in a batch, or a lost race): the order after it, or the refusal. */
  async function notifyAlone(notice: RoundNotice): Promise<OrderRow | DomainError> {
    try {
      return await apply({
        ...notifyStep(notice),
        guard: async (order, tx) => {
          checkNotifyRound(notice, order);
          await store.recordOffers(tx, [notice]);
        },
      });
    } catch (err) {
      return domainErrorOf(err);
    }
  }

  /**
   * `notify` for the rounds of a dispatcher's batch, in one transaction (transitionEach), each
   * answered on its own: the order as it is after its round, or the contract's error that
   * refused it (NOT_FOUND, or INVALID_STATE_TRANSITION when the order moved on). A round
   * notified before is answered with the order as it is: a retried call changes nothing.
   */
  async function notifyEach(rounds: readonly RoundNotice[]): Promise<Array<OrderRow | DomainError>> {
    const steps = rounds.map((notice) => ({
      ...notifyStep(notice),
      check: (order: OrderRow) => checkNotifyRound(notice, order),
      notice,
    }));
    const outcomes = await transitionEach(store, steps, (tx, applied) => store.recordOffers(tx, applied.map(({ request }) => request.notice)));
    if (outcomes.some((outcome) => 'applied' in outcome)) relay.kick();
    const answers: Array<OrderRow | DomainError> = [];
    for (const [i, outcome] of outcomes.entries()) {
      const step = steps[i]!;
      if ('applied' in outcome) answers.push(outcome.applied);
      else if ('unchanged' in outcome) answers.push(outcome.unchanged);
      else if ('refused' in outcome) answers.push(domainErrorOf(refusalError(step, outcome.refused)));
      else answers.push(await notifyAlone(step.notice));
    }
    return answers;
  }

  const requireCustomerOf = (caller: Identity) => (order: OrderRow) => {
    if (order.customerId !== caller.sub) throw new ForbiddenError('Only the customer who placed the order can do this.');
  };
  const requireRiderOf = (caller: Identity) => (order: OrderRow) => {
    if (order.riderId !== caller.sub) throw new ForbiddenError('Only the order\'s rider can do this.');
  };

  /** Asks riders whether `riderId` may be handed an order: refused when unknown or suspended. */
  async function requireRiderToAssign(riderId: string): Promise<void> {
    let rider;
    try {
      ({ value: rider } = await riders.riderStatus({ params: { riderId } }));
    } catch (err) {
      if (!(err instanceof InternalCallError)) throw err;
      log.warn({ err, riderId }, 'Riders did not answer whether a rider may be handed an order.');
      throw new RidersUnavailableError();
    }
    if (!rider.exists) throw new NotFoundError('Rider', riderId);
    if (rider.suspended) throw new RiderSuspendedError(riderId);
  }

  async function releaseQuietly(orderId: string) {
    try {
      await stock.release({ params: { orderId } });
    } catch (err) {
      // The hold stays until products' orphan-hold sweep finds no order for it: log it for operations.
      log.error({ err, orderId }, 'Could not release the stock of an order that was not created.');
    }
  }

  /** Gives an order's discounts back to their campaigns; operations' orphan sweep covers a failure. */
  async function releaseDiscountsQuietly(orderId: string) {
    try {
      await campaigns.release({ params: { orderId } });
    } catch (err) {
      log.error({ err, orderId }, 'Could not release the discounts of an order that was not created with them.');
    }
  }

  /** What operations prices: the basket as products priced it, for this customer and place. */
  function basketOf(customer: Identity, priced: PricedItems, deliveryLocation: CreateOrderInput['deliveryLocation'], couponId: string | null): PricingBasket {
    return {
      customerId: customer.sub,
      merchantId: priced.merchant.id,
      merchantLocation: { lat: priced.merchant.lat, lng: priced.merchant.lng },
      deliveryLocation,
      lines: priced.lines.map(({ productId, unitPriceCents, quantity }) => ({ productId, unitPriceCents, quantity })),
      couponId,
    };
  }

  /**
   * Asks operations for the basket's discounts (a quote, or a hold for an order). Null when it
   * cannot say within CAMPAIGNS_API_TIMEOUT_MS, is unreachable, or answers discounts that do not
   * add up: the order is priced without them, never refused or lost over a promotion.
   */
  async function discountsFor(ask: () => Promise<{ value: { discounts: GrantedDiscount[] } }>, basket: PricingBasket, orderId: string | null): Promise<DiscountAnswer> {
    let discounts: GrantedDiscount[];
    try {
      ({ value: { discounts } } = await ask());
    } catch (err) {
      if (!(err instanceof InternalCallError)) throw err;
      log.warn({ err, orderId, merchantId: basket.merchantId }, 'Operations did not price discounts; pricing without them.');
      return null;
    }
    if (!discountsAddUp(discounts, itemsCentsOf(basket.lines))) {
      log.error({ orderId, merchantId: basket.merchantId, discounts }, 'Operations answered discounts that do not add up; pricing without them.');
      return null;
    }
    return discounts;
  }

  /**
   * Holds the stock of `input` under `orderId`. When the call fails (a timeout: whether the hold
   * was taken is unknown), a fresh id's hold is released, which leaves a tombstone either way.
   * A derived id's hold is shared by every attempt with its idempotency key, one of which may
   * be creating the order right now: it stays, for the retry to resume or the sweep to release.
   */
  async function reserveStock(orderId: string, input: CreateOrderInput, resumable: boolean): Promise<CallResult<typeof stockApi.calls.reserve>> {
    try {
      return await stock.reserve({ body: { orderId, items: input.items, deliverTo: input.deliveryLocation } });
    } catch (err) {
      if (!resumable) await releaseQuietly(orderId);
      if (!(err instanceof InternalCallError)) throw err;
      // No answer from products (down, or slower than STOCK_API_TIMEOUT_MS): nothing was
      // ordered; the customer may try again (with the same idempotency key, the same order).
      log.warn({ err, orderId }, 'Products did not answer the stock hold.');
      throw new ServiceUnavailableError('products', 'the stock could not be held');
    }
  }

  /** Products' prices for a quote; no answer is SERVICE_UNAVAILABLE (a quote without prices is none). */
  async function priceItems(input: QuoteOrderInput): Promise<CallResult<typeof stockApi.calls.price>> {
    try {
      return await stock.price({ body: { items: input.items, deliverTo: input.deliveryLocation } });
    } catch (err) {
      if (!(err instanceof InternalCallError)) throw err;
      log.warn({ err }, 'Products did not answer a price quote.');
      throw new ServiceUnavailableError('products', 'the items could not be priced');
    }
  }

  /**
   * Grabs of one order being decided in this process, each resolving to who holds the order
   * afterwards (null: nobody, the grab failed for its own rider's reasons). The winner is still
   * decided by the one conditional UPDATE in MySQL, across every replica; this only spares the
   * riders racing in the same process a transaction each that could not win.
   */
  const grabsInFlight = new Map<string, Promise<string | null>>();

  /**
   * A rider holding a live offer: the conditional UPDATE (rider_id IS NULL) picks one winner.
   * Idempotent for the winner: a rider repeating a grab whose answer was lost gets the order
   * as it is now, whatever it moved on to (DELIVERING, OVERTIME, or even RECEIVED/CLOSED):
   * the grab did take effect, and answering it with an error would tell the rider they lost
   * an order they hold. Nothing is written again (no timeline row, no event), so the riders
   * service sees one DELIVERING and assigns the rider once. Their offer may have expired
   * or been withdrawn since; it is not asked for again. Everyone else gets ORDER_ALREADY_TAKEN,
   * and a rider operations suspended (as riders announced on riders.events) RIDER_SUSPENDED.
   */
  const grabRequest = (rider: Identity, orderId: string): TransitionRequest => ({
    orderId,
    step: 'grab',
    actorId: rider.sub,
    alreadyApplied: (order) => order.riderId === rider.sub,
    guard: async (order, tx) => {
      // Read in the grab's transaction: a suspension recorded before it commits is seen by it.
      if (await store.isRiderSuspended(tx, rider.sub)) throw new RiderSuspendedError(rider.sub);
      if (order.riderId !== null || withRider.has(order.status)) throw new OrderAlreadyTakenError(orderId);
      if (!(await store.hasLiveOffer(tx, orderId, rider.sub, new Date()))) {
        throw new ForbiddenError('You hold no live offer for this order.');
      }
    },
    set: (_order, now) => ({ riderId: rider.sub, grabbedAt: now, offerExpiresAt: null }),
  });

  return {
    /**
     * The price breakdown `input` would get now (quoteOrder): prices from products and discounts
     * from operations, both without holding anything. Refused like createOrder (OUT_OF_STOCK,
     * MERCHANT_SUSPENDED, BAD_USER_INPUT); operations not answering only leaves discounts out.
     */
    async quote(customer: Identity, input: QuoteOrderInput): Promise<PriceBreakdown> {
      const outcome = await priceItems(input);
      if (!outcome.ok) throwItemsRefusal(outcome.refusal);
      const priced = outcome.value;
      const basket = basketOf(customer, priced, input.deliveryLocation, input.couponId ?? null);
      const discounts = await discountsFor(() => campaigns.quote({ body: basket }), basket, null);
      const lines = priced.lines.map((line) => ({ productId: line.productId, productName: line.name, unitPriceCents: line.unitPriceCents, quantity: line.quantity }));
      return priceBreakdown(lines, discounts, policy.DELIVERY_FEE_CENTS);
    },

    async createOrder(customer: Identity, input: CreateOrderInput): Promise<PlacedOrder> {
      const key = input.idempotencyKey ?? null;
      if (key) {
        const existing = await store.byIdempotencyKey(customer.sub, key);
        if (existing) return { order: existing };
      }
      // The order id is the stock hold's id. With a key it is derived from the customer and the
      // key, so a retry after this process died between the hold and the order row reserves
      // under the same id, gets the hold products kept, and creates that order. Without a key,
      // a fresh id: products' orphan-hold sweep releases a hold whose order never appeared.
      const resumableId = key ? orderIdFor(customer.sub, key) : null;
      let orderId = resumableId ?? newId();
      let outcome = await reserveStock(orderId, input, resumableId !== null);
      if (!outcome.ok && outcome.refusal.code === 'ALREADY_RELEASED' && resumableId) {
        // The sweep released this key's hold (its order never appeared within
        // STOCK_HOLD_ORPHAN_SECONDS) and the id is a tombstone now: hold afresh under a new id.
        orderId = newId();
        outcome = await reserveStock(orderId, input, false);
      }
      if (!outcome.ok) {
        const { refusal } = outcome;
        if (refusal.code === 'ALREADY_RELEASED') throw new Error(`stock hold for new order ${orderId} was already released`);
        throwItemsRefusal(refusal);
      }
      // Test-only fault point (FAULT_CRASH_AFTER_STOCK_HOLD, refused under NODE_ENV=production):
      // dies where a crash matters most, the hold committed in products and no order row yet.
      if (policy.FAULT_CRASH_AFTER_STOCK_HOLD) process.kill(process.pid, 'SIGKILL');
      const { merchant, lines } = outcome.value;
      const merchantPoint = { lat: merchant.lat, lng: merchant.lng };
      // Products refuses such an order before holding stock; this stays for a products that does not check yet.
      if (distanceMeters(merchantPoint, input.deliveryLocation) > merchant.deliveryRadiusMeters) {
        if (orderId !== resumableId) await releaseQuietly(orderId);
        throw new BadUserInputError(`${merchant.name} does not deliver that far.`, [
          { field: 'input.deliveryLocation', message: `outside the merchant's ${merchant.deliveryRadiusMeters} m delivery radius` },
        ]);
      }
      // Discounts are held like stock, under the order's id and outside any transaction: a retry
      // with the same key gets the same hold back. No answer in time: placed without discounts.
      const basket = basketOf(customer, outcome.value, input.deliveryLocation, input.couponId ?? null);
      const discounts = await discountsFor(() => campaigns.reserve({ body: { ...basket, orderId } }), basket, orderId);
      // Whether operations held anything before it failed to answer is unknown: give it back, so a
      // budget or coupon is never spent on an order placed without its discount. Not under a
      // key's id: a concurrent attempt with the same key may be placing the order with that very
      // hold. Either way the order's events say it carries no discount (discountCents 0), and
      // operations gives back any hold such an order has.
      if (discounts === null && orderId !== resumableId) void releaseDiscountsQuietly(orderId);
      const breakdown = priceBreakdown(
        lines.map((line) => ({ productId: line.productId, productName: line.name, unitPriceCents: line.unitPriceCents, quantity: line.quantity })),
        discounts,
        policy.DELIVERY_FEE_CENTS,
      );
      const now = new Date();
      const order: OrderRow = {
        id: orderId,
        customerId: customer.sub,
        merchantId: merchant.id,
        merchantOwnerId: merchant.ownerId,
        merchantLat: merchant.lat,
        merchantLng: merchant.lng,
        status: 'PENDING_PAYMENT',
        version: 0,
        totalCents: breakdown.totalCents,
        itemsCents: breakdown.itemsCents,
        discountCents: breakdown.discountCents,
        deliveryFeeCents: breakdown.deliveryFeeCents,
        discountsAvailable: breakdown.discountsAvailable,
        deliveryAddress: input.deliveryAddress,
        deliveryLat: input.deliveryLocation.lat,
        deliveryLng: input.deliveryLocation.lng,
        idempotencyKey: key,
        riderId: null,
        paymentId: null,
        wasOvertime: false,
        needsAttention: false,
        dispatchRound: 0,
        refundCents: 0,
        cancelReason: null,
        reassignedAt: null,
        redispatchKey: null,
        createdAt: now,
        paymentDueAt: new Date(now.getTime() + policy.PAYMENT_WINDOW_SECONDS * 1000),
        paidAt: null,
        offerExpiresAt: null,
        grabbedAt: null,
        pickedUpAt: null,
        deadlineAt: promisedDeadline(now, merchantPoint, input.deliveryLocation, policy),
        deliveredAt: null,
        closeDueAt: null,
        closedAt: null,
        cancelledAt: null,
      };
      const items: OrderItemRow[] = lines.map((line) => ({
        orderId,
        productId: line.productId,
        productName: line.name,
        unitPriceCents: line.unitPriceCents,
        quantity: line.quantity,
      }));
      const discountRows: OrderDiscountRow[] = breakdown.discounts.map((discount) => ({ orderId, ...discount }));
      try {
        await store.inTransaction(async (tx) => {
          await store.insert(tx, order, items, discountRows);
          await store.appendTimeline(tx, { orderId, status: order.status, step: 'create', actorId: customer.sub, at: now });
          await store.enqueue(tx, [statusChangedEvent(order, 'create', null, now)]);
        });
      } catch (err) {
        // The row may be in after all (the commit's answer was lost), or the same key raced
        // with itself and the first order won.
        const created = (await store.byId(orderId)) ?? (key ? await store.byIdempotencyKey(customer.sub, key) : undefined);
        if (created?.id !== orderId && orderId !== resumableId) {
          await releaseQuietly(orderId);
          if (discounts?.length) await releaseDiscountsQuietly(orderId);
        }
        if (created) return { order: created };
        throw err;
      }
      relay.kick();
      return { order, items, discounts: discountRows };
    },

    /** Customer (own order) or staff; only while unpaid. Stock goes back through the event. */
    cancel: (caller: Identity, orderId: string, reason: string | null, staff: boolean) =>
      apply({
        orderId,
        step: 'cancel',
        actorId: caller.sub,
        guard: staff ? undefined : requireCustomerOf(caller),
        set: (_order, now) => ({ cancelledAt: now, cancelReason: reason ?? 'Cancelled by the customer.', paymentDueAt: null }),
        // Staff may cancel an unpaid order through the customer's mutation too: audited like cancelOrderAsStaff.
        events: staff
          ? (updated, now, before) => [
              auditEvent('orders', caller, { action: 'ORDER_CANCEL', targetType: 'ORDER', targetId: orderId, reason, before: before.status, after: updated.status }, now),
            ]
          : undefined,
      }),

    confirmReceipt: (caller: Identity, orderId: string) =>
      apply({ orderId, step: 'confirmReceipt', actorId: caller.sub, guard: requireCustomerOf(caller), set: received(policy) }),

    deliver: (caller: Identity, orderId: string) =>
      apply({ orderId, step: 'deliver', actorId: caller.sub, guard: requireRiderOf(caller), set: received(policy) }),

    pickUp: (caller: Identity, orderId: string) =>
      apply({
        orderId,
        step: 'pickUp',
        actorId: caller.sub,
        guard: (order) => {
          requireRiderOf(caller)(order);
          if (order.pickedUpAt) throw new InvalidStateTransitionError(orderId, order.status, 'pickUp');
        },
        set: (_order, now) => ({ pickedUpAt: now }),
      }),

    /**
     * grabRequest's step, decided once per order in this process at a time: riders racing here
     * for an order another grab is deciding wait for it and, when it took the order, get
     * ORDER_ALREADY_TAKEN without touching MySQL; an order already taken is answered from one
     * plain read. So an order already taken answers ORDER_ALREADY_TAKEN before RIDER_SUSPENDED
     * (both are true then). Exactly one winner stays the conditional UPDATE's doing.
     */
    async grab(rider: Identity, orderId: string): Promise<OrderRow> {
      for (;;) {
        const inFlight = grabsInFlight.get(orderId);
        if (!inFlight) break;
        // Another grab of this order is deciding in this process: wait for it instead of queueing
        // for a connection and the row's lock, and lose at once when it took the order.
        const holder = await inFlight;
        if (holder !== null && holder !== rider.sub) throw new OrderAlreadyTakenError(orderId);
        if (holder === rider.sub) break;
      }
      let settle: (holder: string | null) => void = () => undefined;
      const decided = new Promise<string | null>((resolve) => (settle = resolve));
      grabsInFlight.set(orderId, decided);
      let holder: string | null = null;
      try {
        // One read without a transaction first: an order already taken is answered from it, without
        // a transaction, a row lock or a compare-and-set that cannot match.
        const current = await store.byId(orderId);
        if (!current) throw new NotFoundError('Order', orderId);
        if (current.riderId !== null) {
          holder = current.riderId;
          // The rider's own grab repeated (its answer was lost): the order as it is, nothing written.
          if (current.riderId === rider.sub) return current;
          throw new OrderAlreadyTakenError(orderId);
        }
        const order = await apply(grabRequest(rider, orderId));
        holder = order.riderId;
        return order;
      } catch (err) {
        if (err instanceof OrderAlreadyTakenError && holder === null) holder = (await store.byId(orderId).catch(() => undefined))?.riderId ?? null;
        throw err;
      } finally {
        if (grabsInFlight.get(orderId) === decided) grabsInFlight.delete(orderId);
        settle(holder);
      }
    },

    /** Dispatch told riders about the order (round n): CREATED → NOTIFIED, idempotent per round. */
    async notify(orderId: string, round: number, riderIds: string[], expiresAt: Date): Promise<OrderRow> {
      const [outcome] = await notifyEach([{ orderId, round, riderIds, expiresAt }]);
      if (outcome instanceof DomainError) throw outcome;
      return outcome!;
    },

    notifyEach,

    /**
     * Dispatch found no rider for round `round` within its window (rounds that reach nobody
     * are retried by riders without being recorded here): the order stays CREATED and is
     * flagged needsAttention for operations, as after the last round. Idempotent.
     */
    dispatchGaveUp: (orderId: string, round: number) =>
      apply({
        orderId,
        step: 'dispatchGaveUp',
        alreadyApplied: (order) => order.status === 'CREATED' && order.needsAttention && order.dispatchRound === round - 1,
        guard: (order) => {
          if (round !== order.dispatchRound + 1) throw new InvalidStateTransitionError(orderId, order.status, `dispatchGaveUp round ${round}`);
        },
        set: () => ({ needsAttention: true }),
      }),

    paid,

    /**
     * Payments that succeeded, from one fetched batch: those whose orders plainly become CREATED
     * go in one transaction (transitionEach); the rest (an unknown order, one that can no longer
     * be paid, a second payment of an order) are decided one by one, as `paid` decides them.
     */
    async paidAll(payments: readonly PaymentSucceededNotice[]): Promise<void> {
      const outcomes = await transitionEach(store, payments.map(payStep));
      if (outcomes.some((outcome) => 'applied' in outcome)) relay.kick();
      for (const [i, outcome] of outcomes.entries()) {
        if (!('applied' in outcome) && !('processed' in outcome)) await paid(payments[i]!);
      }
    },

    /** The late-delivery refund went through: COMPENSATING → CLOSED. */
    async compensated(eventId: string, orderId: string): Promise<void> {
      try {
        await transition(store, { orderId, step: 'refunded', once: { consumer: 'orders.refunds', eventId }, set: (_o, now) => ({ closedAt: now }) });
        relay.kick();
      } catch (err) {
        if (!(err instanceof TransitionRefused)) throw err;
        log.warn({ orderId, reason: err.reason, status: err.order?.status }, 'A refund arrived for an order not waiting for one.');
      }
    },

    /**
     * Interventions by OPERATOR/ADMIN (the resolver checked the role and the input). Each is one
     * step of the state machine whose transaction also enqueues AuditRecorded (who, why, the
     * status before and after), and each is idempotent: when its effect is already in place the
     * order is returned as it is, and nothing is written, audited or published again.
     */
    staff: {
      /**
       * Any order the customer does not have yet → CANCELLED. Its stock goes back through the
       * OrderStatusChanged event (products releases a cancelled order's hold), its rider, if any,
       * is freed by riders from the same event, and money taken is refunded in full.
       */
      cancel: (actor: Identity, orderId: string, reason: string) =>
        apply({
          orderId,
          step: 'staffCancel',
          actorId: actor.sub,
          alreadyApplied: (order) => order.status === 'CANCELLED',
          set: (_order, now) => ({ cancelledAt: now, cancelReason: reason, paymentDueAt: null, offerExpiresAt: null, needsAttention: false }),
          events: (updated, now, before) => {
            const refundCents = before.paymentId && before.status !== 'PENDING_PAYMENT' ? before.totalCents : 0;
            return [
              ...(refundCents > 0
                ? [newEvent(RefundRequested, orderId, { orderId, paymentId: before.paymentId, amountCents: refundCents, reason: 'ORDER_CANCELLED' }, now)]
                : []),
              auditEvent(
                'orders',
                actor,
                { action: 'ORDER_CANCEL', targetType: 'ORDER', targetId: orderId, reason, before: before.status, after: updated.status, details: { riderId: before.riderId, refundCents } },
                now,
              ),
            ];
          },
        }),

      /**
       * A waiting order (CREATED or NOTIFIED, flagged or not) goes back to dispatch, wider
       * (`radiusMeters`) and/or to the named riders only: the flag is cleared, offers still out
       * are superseded (NOTIFIED → CREATED) and OrderRedispatchRequested asks riders' dispatcher
       * for round dispatchRound + 1. The same request again before dispatch answered is a no-op.
       */
      redispatch: (actor: Identity, orderId: string, input: RedispatchInput) =>
        apply({
          orderId,
          step: 'redispatch',
          actorId: actor.sub,
          alreadyApplied: (order) => order.status === 'CREATED' && !order.needsAttention && order.redispatchKey === redispatchKey(order.dispatchRound, input),
          set: (order) => ({ needsAttention: false, offerExpiresAt: null, redispatchKey: redispatchKey(order.dispatchRound, input) }),
          events: (updated, now, before) => [
            newEvent(
              OrderRedispatchRequested,
              orderId,
              {
                orderId,
                radiusMeters: input.radiusMeters,
                riderIds: input.riderIds,
                merchantLocation: { lat: updated.merchantLat, lng: updated.merchantLng },
                requestedBy: actor.sub,
                at: now.toISOString(),
                dispatchRound: updated.dispatchRound,
              },
              now,
            ),
            auditEvent(
              'orders',
              actor,
              {
                action: 'ORDER_REDISPATCH',
                targetType: 'ORDER',
                targetId: orderId,
                reason: input.reason,
                before: before.status,
                after: updated.status,
                details: { radiusMeters: input.radiusMeters, riderIds: input.riderIds, dispatchRound: updated.dispatchRound, neededAttention: before.needsAttention },
              },
              now,
            ),
          ],
        }),

      /**
       * A grabbed order (DELIVERING or OVERTIME) moves to `riderId`: OrderReassigned tells riders,
       * who withdraw it from the old rider's socket and give it to the new one. Riders is asked
       * first, outside the transaction, whether that rider exists (NOT_FOUND) and is not
       * suspended (RIDER_SUSPENDED). Naming the rider who grabbed it is BAD_USER_INPUT;
       * repeating a reassignment is a no-op, whatever became of the rider since.
       */
      reassign: async (actor: Identity, orderId: string, riderId: string, reason: string) => {
        const alreadyApplied = (order: OrderRow) => order.riderId === riderId && order.reassignedAt !== null;
        const guard = (order: OrderRow) => {
          if (order.riderId === null) throw new InvalidStateTransitionError(orderId, order.status, 'reassign');
          if (order.riderId === riderId) {
            throw new BadUserInputError(`Rider ${riderId} already holds order ${orderId}.`, [{ field: 'riderId', message: 'must differ from the order\'s current rider' }]);
          }
        };
        const current = await store.byId(orderId);
        if (!current) throw new NotFoundError('Order', orderId);
        if (!alreadyApplied(current)) {
          // The order's own refusals first, so riders is asked only about an order that could move;
          // the transition decides them again on the row it locks.
          guard(current);
          if (!nextStatus(current.status, 'reassign')) throw new InvalidStateTransitionError(orderId, current.status, 'reassign');
          await requireRiderToAssign(riderId);
        }
        return apply({
          orderId,
          step: 'reassign',
          actorId: actor.sub,
          alreadyApplied,
          guard,
          set: (_order, now) => ({ riderId, reassignedAt: now }),
          events: (updated, now, before) => [
            newEvent(OrderReassigned, orderId, { orderId, fromRiderId: before.riderId ?? '', toRiderId: riderId, requestedBy: actor.sub, at: now.toISOString() }, now),
            auditEvent(
              'orders',
              actor,
              { action: 'ORDER_REASSIGN', targetType: 'ORDER', targetId: orderId, reason, before: before.status, after: updated.status, details: { fromRiderId: before.riderId, toRiderId: riderId } },
              now,
            ),
          ],
        });
      },

      /**
       * DELIVERING/OVERTIME → RECEIVED on the rider's behalf, through the rider's own step
       * (`deliver`, same columns): a late delivery is compensated when the order closes, exactly
       * as after the rider's deliverOrder. An order already delivered is returned as it is.
       */
      markDelivered: (actor: Identity, orderId: string, reason: string) =>
        apply({
          orderId,
          step: 'deliver',
          actorId: actor.sub,
          alreadyApplied: (order) => delivered.has(order.status),
          set: received(policy),
          events: (updated, now, before) => [
            auditEvent(
              'orders',
              actor,
              {
                action: 'ORDER_MARK_DELIVERED',
                targetType: 'ORDER',
                targetId: orderId,
                reason,
                before: before.status,
                after: updated.status,
                details: { riderId: updated.riderId, late: updated.wasOvertime },
              },
              now,
            ),
          ],
        }),
    },

    /** Timer steps (scheduler): each is a conditional transition, safe with many replicas. */
    timers: {
      expirePayment: (orderId: string) =>
        apply({ orderId, step: 'expirePayment', set: (_o, now) => ({ cancelledAt: now, cancelReason: 'The payment window expired.', paymentDueAt: null }) }),
      offerTimeout: (orderId: string) =>
        apply({
          orderId,
          step: 'offerTimeout',
          set: (order) => ({ offerExpiresAt: null, needsAttention: order.dispatchRound >= policy.DISPATCH_MAX_ROUNDS }),
        }),
      deadlinePassed: (orderId: string) => apply({ orderId, step: 'deadlinePassed', set: () => ({ wasOvertime: true }) }),
      /** RECEIVED past the complaints window: closes, or goes COMPENSATING with a refund request when it was late. */
      async close(orderId: string): Promise<OrderRow | null> {
        const order = await store.byId(orderId);
        if (!order) return null;
        const refund = order.wasOvertime ? overtimeRefundCents(order.totalCents, policy.OVERTIME_REFUND_PERCENT) : 0;
        const step: Step = refund > 0 ? 'compensate' : 'close';
        return apply({
          orderId: order.id,
          step,
          set: (_o, now) => (refund > 0 ? { refundCents: refund, closeDueAt: null } : { closedAt: now, closeDueAt: null }),
          events: (updated) =>
            refund > 0
              ? [newEvent(RefundRequested, updated.id, { orderId: updated.id, paymentId: updated.paymentId, amountCents: refund, reason: 'LATE_DELIVERY' })]
              : [],
        });
      },
    },
  };
}
export type OrderService = ReturnType<typeof createOrderService>;

/**
 * What createOrder answers: the order and, when this call wrote it, the items and discounts it
 * wrote with it (the request's loaders are primed with them instead of reading them back).
 */
export interface PlacedOrder {
  order: OrderRow;
  items?: OrderItemRow[];
  discounts?: OrderDiscountRow[];
}

/** A refusal of products' stock API about the items or the shop, as the contract's error. */
function throwItemsRefusal(
  refusal: { code: 'OUT_OF_STOCK'; productIds: string[] } | { code: 'MERCHANT_SUSPENDED'; merchantId: string } | { code: 'BAD_USER_INPUT'; message: string; field: string; problem: string },
): never {
  if (refusal.code === 'OUT_OF_STOCK') throw new OutOfStockError(refusal.productIds);
  if (refusal.code === 'MERCHANT_SUSPENDED') throw new MerchantSuspendedError(refusal.merchantId);
  throw new BadUserInputError(refusal.message, [{ field: `input.${refusal.field}`, message: refusal.problem }]);
}

/** Riders could not say whether a rider may be handed an order (down, or slower than RIDERS_API_TIMEOUT_MS). */
export class RidersUnavailableError extends ServiceUnavailableError {
  constructor() {
    super('riders', 'the rider could not be checked');
  }
}

/** Statuses of an order that has been delivered. */
const delivered: ReadonlySet<OrderRow['status']> = new Set(['RECEIVED', 'COMPENSATING', 'CLOSED']);

/** One re-dispatch request for one round: the same key again is the same request. */
function redispatchKey(round: number, input: Pick<RedispatchInput, 'radiusMeters' | 'riderIds'>): string {
  return createHash('sha256')
    .update(JSON.stringify([round, input.radiusMeters, input.riderIds]))
    .digest('hex');
}

/** RECEIVED: delivered now; late if it was OVERTIME or the deadline has passed; closes after the complaints window. */
function received(policy: OrderPolicy) {
  return (order: OrderRow, now: Date): Partial<OrderRow> => ({
    deliveredAt: now,
    wasOvertime: order.status === 'OVERTIME' || now > order.deadlineAt,
    closeDueAt: new Date(now.getTime() + policy.CLOSE_AFTER_SECONDS * 1000),
  });
}
