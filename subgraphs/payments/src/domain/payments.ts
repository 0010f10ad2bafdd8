import {
  auditEvent,
  BadUserInputError,
  ForbiddenError,
  InternalCallError,
  InvalidStateTransitionError,
  isDuplicateKey,
  newEvent,
  newId,
  NotFoundError,
  PaymentFailed,
  PaymentNeedsAttention,
  PaymentRefunded,
  PaymentSucceeded,
  ServiceUnavailableError,
  type Identity,
  type Keyset,
  type Logger,
  type OrdersApiClient,
  type OutboxRelay,
  type RefundRequestedData,
  validateInput,
  whileBusy,
  type CatalogEvent,
} from '@waimai/platform';
import { providerEventKey, type PaymentSearch, type PaymentStatements, type PaymentStore, type ProviderEventRow, type RefundSearch, type SettledFields } from '../db/payment-store';
import type { PaymentMethod, PaymentRow, PaymentStatus, RefundRow } from '../db/schema';
import type { PaymentProvider, Providers } from '../providers';
import {
  compensationRefundKey,
  isExpired,
  nextPayoutDue,
  PAID_STATUSES,
  paymentExpiry,
  paymentSearchFilter,
  presentFields,
  providerRefundKey,
  refundOutcome,
  REFUNDABLE_STATUSES,
  refundSearchFilter,
  requestedRefundCents,
  requestedRefundKey,
  statusAfterCallback,
  type CompensateOrderArgs,
  type ProviderCallback,
} from './payment-rules';

/** What opening a payment needs to know about the order, from the orders service. */
export interface OrderToPay {
  id: string;
  customerId: string;
  totalCents: number;
  /** The order's own payment deadline, when the orders service tells it. */
  paymentDueAt: Date | null;
}

export type OpenPaymentResult = { kind: 'open'; payment: PaymentRow } | { kind: 'already-paid'; payment: PaymentRow };

export type CallbackResult =
  | { kind: 'unknown-payment' }
  | { kind: 'mismatch'; field: 'orderId' | 'amountCents' }
  | { kind: 'duplicate' }
  | { kind: 'unchanged'; status: PaymentStatus }
  | { kind: 'applied'; status: PaymentStatus };

export type RefundResult =
  | { kind: 'duplicate-event' }
  | { kind: 'no-refundable-payment' }
  | { kind: 'already-refunded'; refund: RefundRow }
  | { kind: 'nothing-left'; payment: PaymentRow }
  | { kind: 'refunded'; refund: RefundRow; payment: PaymentRow };

/** What a payout attempt came to: paid out now, or found paid out by another attempt. */
type PayoutResult =
  | { kind: 'refunded'; refund: RefundRow; payment: PaymentRow }
  // `eventMarked`: false when the request's event had been marked processed before (a duplicate).
  | { kind: 'recorded-before'; refund: RefundRow; eventMarked: boolean };

/** The service name audit events carry (the registry's). */
const SERVICE = 'payments';

/** How refunds whose provider call failed are retried and when operations are told. */
export interface RefundPayoutPolicy {
  /** Failed provider calls for one refund after which PaymentNeedsAttention is raised (once per refund). */
  attentionAfterFailures: number;
  /** The first retry's delay after a claim, doubling with each failure (nextPayoutDue). */
  retrySeconds: number;
}

export interface PaymentServiceDeps {
  store: PaymentStore;
  orders: OrdersApiClient;
  providers: Providers;
  /** Kicked after every commit that enqueued events, so they leave within milliseconds. */
  relay: Pick<OutboxRelay, 'kick'>;
  paymentWindowSeconds: number;
  payouts: RefundPayoutPolicy;
  logger: Logger;
}

/** Several tries: a race for one order's pending payment settles in one more pass. */
const OPEN_ATTEMPTS = 3;

/**
 * Provider callbacks are applied one run (one transaction) at a time per process: a callback
 * arriving while a run is under way waits for it, and those that gathered meanwhile go together
 * as the next run, up to CALLBACK_BATCH (group commit; docs/performance/webhook-batches.md). A
 * lone callback waits for nothing. With two runs at once, at 100 callbacks a second on this
 * bench's box, batches hardly formed (the statements per paid order did not move).
 */
const CALLBACK_RUNS = 1;
const CALLBACK_BATCH = 50;

/**
 * The payment use cases: initiate a payment, apply the provider's callback, expire a stale
 * link, refund. Each owns its transactions and the events they enqueue, and kicks the relay
 * after committing them. The provider is never called inside a transaction: a payment or a
 * refund is claimed and committed first, the provider is called with a key it honours (the
 * payment id, the refund key), and the answer is recorded with a conditional update, so a
 * retry or a concurrent call resumes the same claim instead of making a second one.
 */
export function createPaymentService({ store, orders, providers, relay, paymentWindowSeconds, payouts, logger }: PaymentServiceDeps) {
  const log = logger.child({ component: 'payments' });
  const adapterFor = (name: string, preferred?: PaymentProvider): PaymentProvider => {
    const adapter = preferred?.name === name ? preferred : providers.byName(name);
    if (!adapter) throw new Error(`No adapter for provider ${name}.`);
    return adapter;
  };

  /**
   * A pending payment whose link expired can no longer be paid: it is failed (PaymentFailed,
   * reason EXPIRED), freeing the order's pending slot. False when it had already left PENDING.
   */
  async function expire(tx: PaymentStatements, payment: PaymentRow, now: Date): Promise<boolean> {
    if (!(await tx.failPending(payment.id, now))) return false;
    await tx.enqueue([newEvent(PaymentFailed, payment.orderId, { paymentId: payment.id, orderId: payment.orderId, reason: 'EXPIRED' }, now)]);
    return true;
  }

  /**
   * Opens a claimed payment at its provider and records the answer. A PENDING payment without
   * a payUrl is claimed but not opened yet (the call failed, or is under way in another call):
   * opening it again is safe, the provider keys the payment by its id.
   */
  async function openAtProvider(payment: PaymentRow, adapter: PaymentProvider): Promise<PaymentRow> {
    if (!payment.expiresAt) throw new Error(`Payment ${payment.id} has no expiry to open it with.`);
    const opened = await adapter.createPayment({
      paymentId: payment.id,
      orderId: payment.orderId,
      amountCents: payment.amountCents,
      method: payment.paymentMethod,
      expiresAt: payment.expiresAt,
    });
    await store.recordOpened(payment.id, opened);
    return (await store.byIdOnPrimary(payment.id)) ?? payment;
  }

  /** Why a callback cannot apply to the payment it names (then it changes nothing at all); null when it can. */
  function callbackRefusal(payment: PaymentRow, callback: ProviderCallback, provider: string): CallbackResult | null {
    if (payment.provider !== provider) return { kind: 'unknown-payment' };
    if (payment.orderId !== callback.orderId) return { kind: 'mismatch', field: 'orderId' };
    if (payment.amountCents !== callback.amountCents) return { kind: 'mismatch', field: 'amountCents' };
    return null;
  }

  /** What moving a payment to `next` on a callback writes: the payment's fields and its event. */
  function callbackEffect(payment: PaymentRow, callback: ProviderCallback, next: PaymentStatus, now: Date): { fields: SettledFields; event: CatalogEvent } {
    if (next === 'SUCCEEDED') {
      const data = { paymentId: payment.id, orderId: payment.orderId, amountCents: payment.amountCents, paidAt: now.toISOString() };
      return { fields: { status: next, paidAt: now, providerTxnId: callback.providerTxnId ?? null }, event: newEvent(PaymentSucceeded, payment.orderId, data, now) };
    }
    const data = { paymentId: payment.id, orderId: payment.orderId, reason: 'PROVIDER_REPORTED_FAILURE' as const };
    return { fields: { status: next }, event: newEvent(PaymentFailed, payment.orderId, data, now) };
  }

  async function handleCallback(callback: ProviderCallback, provider: string, now = new Date()): Promise<CallbackResult> {
    const result = await store.inTransaction(async (tx): Promise<CallbackResult> => {
      const payment = await tx.paymentForUpdate(callback.paymentId);
      if (!payment) return { kind: 'unknown-payment' };
      const refused = callbackRefusal(payment, callback, provider);
      if (refused) return refused;

      const next = statusAfterCallback(payment.status, callback.paymentStatus);
      const recorded = await tx.recordProviderEvent({
        eventId: callback.eventId,
        paymentId: payment.id,
        outcome: callback.paymentStatus,
        movedTo: next,
        receivedAt: now,
      });
      if (!recorded) return { kind: 'duplicate' };
      if (!next) return { kind: 'unchanged', status: payment.status };

      const { fields, event } = callbackEffect(payment, callback, next, now);
      await tx.settle(payment.id, fields, now);
      await tx.enqueue([event]);
      return { kind: 'applied', status: next };
    });
    if (result.kind === 'applied') relay.kick();
    return result;
  }

  async function handleCallbacks(requests: ReadonlyArray<{ callback: ProviderCallback; provider: string }>, now = new Date()): Promise<Array<CallbackResult | Error>> {
    const alone = (request: { callback: ProviderCallback; provider: string }) =>
      handleCallback(request.callback, request.provider, now).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    if (requests.length === 1) return [await alone(requests[0]!)];
    let results: CallbackResult[];
    try {
      results = await store.inTransaction(async (tx) => {
        const locked = new Map((await tx.paymentsForUpdate([...new Set(requests.map(({ callback }) => callback.paymentId))])).map((row) => [row.id, row]));
        const seen = await tx.providerEventsAmong(requests.map(({ callback }) => ({ eventId: callback.eventId, paymentId: callback.paymentId })));
        const recorded: ProviderEventRow[] = [];
        // The fields each payment moved to, merged in arrival order (a failure then a success: the success's).
        const moves = new Map<string, SettledFields>();
        const events: CatalogEvent[] = [];
        const decided = requests.map(({ callback, provider }): CallbackResult => {
          const payment = locked.get(callback.paymentId);
          if (!payment) return { kind: 'unknown-payment' };
          const refused = callbackRefusal(payment, callback, provider);
          if (refused) return refused;
          const key = providerEventKey(callback.eventId, payment.id);
          if (seen.has(key)) return { kind: 'duplicate' };
          seen.add(key);
          const next = statusAfterCallback(payment.status, callback.paymentStatus);
          recorded.push({ eventId: callback.eventId, paymentId: payment.id, outcome: callback.paymentStatus, movedTo: next, receivedAt: now });
          if (!next) return { kind: 'unchanged', status: payment.status };
          const { fields, event } = callbackEffect(payment, callback, next, now);
          moves.set(payment.id, { ...moves.get(payment.id), ...fields });
          events.push(event);
          locked.set(payment.id, { ...payment, ...fields });
          return { kind: 'applied', status: next };
        });
        await tx.recordProviderEvents(recorded);
        await tx.settleEach([...moves].map(([id, fields]) => ({ id, fields })), now);
        await tx.enqueue(events);
        return decided;
      });
    } catch (err) {
      log.warn({ err, callbacks: requests.length }, 'Payment callbacks applied together failed; applying each alone.');
      return Promise.all(requests.map(alone));
    }
    if (results.some((result) => result.kind === 'applied')) relay.kick();
    return results;
  }

  /**
   * Returns the order's pending payment, or opens a new one for the order's own total through
   * `provider`. The unique pending_order_id makes concurrent calls for one order agree on one
   * payment: the loser's insert fails on the key and it takes the winner's payment. A pending
   * payment whose link expired is expired and replaced.
   */
  async function openPayment(input: { order: OrderToPay; method: PaymentMethod; provider: PaymentProvider; now?: Date }): Promise<OpenPaymentResult> {
    const { order } = input;
    for (let attempt = 1; ; attempt += 1) {
      const now = input.now ?? new Date();
      const existing = await store.ofOrderOnPrimary(order.id);
      const paid = existing.find((payment) => PAID_STATUSES.includes(payment.status));
      if (paid) return { kind: 'already-paid', payment: paid };
      const pending = existing.find((payment) => payment.status === 'PENDING');
      if (pending && !isExpired(pending, now)) {
        const payment = pending.payUrl === null ? await openAtProvider(pending, adapterFor(pending.provider, input.provider)) : pending;
        return { kind: 'open', payment };
      }

      const row: PaymentRow = {
        id: newId(),
        orderId: order.id,
        customerId: order.customerId,
        amountCents: order.totalCents,
        paymentMethod: input.method,
        provider: input.provider.name,
        status: 'PENDING',
        payUrl: null,
        qrCode: null,
        expiresAt: paymentExpiry(now, paymentWindowSeconds, order.paymentDueAt),
        paidAt: null,
        providerTxnId: null,
        refundedCents: 0,
        pendingOrderId: order.id,
        createdAt: now,
        updatedAt: now,
      };
      let expired = false;
      try {
        // Claims the order's pending slot and commits: a concurrent call waits on this key and
        // then loses, so one payment is opened however many calls race.
        await store.inTransaction(async (tx) => {
          if (pending) expired = await expire(tx, pending, now);
          await tx.insertPayment(row);
        });
      } catch (err) {
        if (!isDuplicateKey(err) || attempt >= OPEN_ATTEMPTS) throw err;
        // Another call for this order won the race; the next pass takes its payment.
        continue;
      }
      if (expired) relay.kick();
      return { kind: 'open', payment: await openAtProvider(row, input.provider) };
    }
  }

  return {
    openPayment,

    /**
     * initiatePayment for `customer`: the orders service is the authority on who owns the
     * order, its status and its total; the payment is opened through the configured provider.
     */
    async initiatePayment(customer: Identity, orderId: string, method: PaymentMethod): Promise<PaymentRow> {
      let answer;
      try {
        answer = await orders.orderForPayment({ params: { orderId } });
      } catch (err) {
        if (!(err instanceof InternalCallError)) throw err;
        // No answer from orders: nothing was started; the customer may try again.
        throw new ServiceUnavailableError('orders', 'the order could not be read');
      }
      if (!answer.ok) throw new NotFoundError('Order', orderId);
      const order = answer.value;
      if (order.customerId !== customer.sub) throw new ForbiddenError(`Order ${orderId} is not yours to pay.`);
      if (order.status !== 'PENDING_PAYMENT') throw new InvalidStateTransitionError(orderId, order.status, 'initiatePayment');

      const provider = providers.current;
      // A deployment without an adapter (PAYMENT_PROVIDER=none) is our misconfiguration, not the client's mistake.
      if (!provider) throw new Error('No payment provider is configured (PAYMENT_PROVIDER=none).');
      const result = await openPayment({ order, method, provider });
      // Paid a moment ago: the order leaves PENDING_PAYMENT as soon as orders reads PaymentSucceeded.
      if (result.kind === 'already-paid') throw new InvalidStateTransitionError(orderId, order.status, 'initiatePayment (the order is already paid)');
      return result.payment;
    },

    /**
     * Applies one provider callback, once: the event id is recorded with its payment in the same
     * transaction as its effect, so a repeat (or a concurrent duplicate) changes nothing, while the
     * same event id about another payment is that payment's own event. A callback that
     * does not match its payment changes nothing at all, not even the event record.
     */
    handleCallback,

    /**
     * handleCallback for callbacks that arrived together (`acceptCallback` gathers them), in one
     * transaction: their payments locked in id order and the provider events recorded before read
     * once, then each callback decided in arrival order against its payment as the callbacks
     * before it left it, exactly as handleCallback decides it alone; then one insert of the new
     * provider events, one update of the payments moved and one insert of their events. A lone
     * callback goes through handleCallback; so does each callback of a batch whose transaction
     * failed, with its own answer or failure.
     */
    handleCallbacks,

    /** handleCallback, with the callbacks that arrive while earlier ones are being applied gathered into handleCallbacks. */
    acceptCallback: whileBusy<{ callback: ProviderCallback; provider: string }, CallbackResult>((requests) => handleCallbacks(requests), {
      concurrency: CALLBACK_RUNS,
      maxBatch: CALLBACK_BATCH,
    }),

    /**
     * Gives money back for one RefundRequested event, exactly once. First the refund is claimed
     * and committed: a refund row, unique per payment and reason, whose amount counts against
     * what is left of the payment while the payment's row is locked, so concurrent refunds
     * never give back more than was paid. Then the provider pays it out (payOut). When the
     * provider call throws, the event is retried and resumes the same claim (and the payout
     * retries take it up too).
     */
    async refund(eventId: string, request: RefundRequestedData, now = new Date()): Promise<RefundResult> {
      if (await store.isProcessed(eventId)) return { kind: 'duplicate-event' };

      type Claim = RefundResult | { kind: 'pay-out'; payment: PaymentRow; refund: RefundRow };
      const claim = await store.inTransaction(async (tx): Promise<Claim> => {
        // A decision that pays nothing is recorded as processed with it; a payout is marked when recorded.
        const decided = async (result: RefundResult): Promise<RefundResult> => ((await tx.markProcessed(eventId)) ? result : { kind: 'duplicate-event' });
        const payment = await tx.refundablePaymentForUpdate(request.orderId, request.paymentId, REFUNDABLE_STATUSES);
        if (!payment) {
          const result = await decided({ kind: 'no-refundable-payment' });
          // Refunded in full before (staff compensated all of it): the request is settled with
          // nothing more to give, so that an order waiting in COMPENSATING closes.
          const refunded = request.paymentId ? await tx.paymentForUpdate(request.paymentId) : undefined;
          if (result.kind === 'no-refundable-payment' && refunded?.status === 'REFUNDED' && refunded.orderId === request.orderId) {
            const settled = { paymentId: refunded.id, orderId: refunded.orderId, refundCents: 0, totalRefundedCents: refunded.refundedCents, reason: request.reason };
            await tx.enqueue([newEvent(PaymentRefunded, refunded.orderId, settled, now)]);
            return { kind: 'nothing-left', payment: refunded };
          }
          return result;
        }

        const claimed = await tx.refundsOfPayment(payment.id);
        const refundKey = requestedRefundKey(payment.id, request.reason);
        const previous = claimed.find((refund) => refund.refundKey === refundKey);
        if (previous && previous.providerRefundId !== null) return decided({ kind: 'already-refunded', refund: previous });
        // Claimed before and not paid out (the provider failed, or the process died): pay that one.
        if (previous) return { kind: 'pay-out', payment, refund: previous };

        const claimedCents = claimed.reduce((sum, refund) => sum + refund.amountCents, 0);
        const remainingCents = payment.amountCents - claimedCents;
        const { refundCents } = refundOutcome(
          { amountCents: payment.amountCents, refundedCents: claimedCents },
          requestedRefundCents(request.reason, request.amountCents, remainingCents),
        );
        if (refundCents === 0) {
          // Nothing left to give (staff compensated the whole payment already): the request is
          // settled all the same, so that an order waiting in COMPENSATING closes.
          const settled = { paymentId: payment.id, orderId: payment.orderId, refundCents: 0, totalRefundedCents: claimedCents, reason: request.reason };
          const result = await decided({ kind: 'nothing-left', payment });
          if (result.kind === 'nothing-left') await tx.enqueue([newEvent(PaymentRefunded, payment.orderId, settled, now)]);
          return result;
        }

        const refund = claimedRefund({ payment, amountCents: refundCents, reason: request.reason, refundKey, now });
        await tx.insertRefund(refund);
        return { kind: 'pay-out', payment, refund };
      });
      if (claim.kind !== 'pay-out') {
        if (claim.kind === 'nothing-left') relay.kick();
        return claim;
      }

      const paid = await payOut(claim.payment, claim.refund, eventId, now);
      if (paid.kind === 'refunded') return paid;
      return paid.eventMarked ? { kind: 'already-refunded', refund: paid.refund } : { kind: 'duplicate-event' };
    },

    /**
     * compensateOrder: a goodwill refund of `amountCents` of the order's successful payment
     * (the first paid), by staff, idempotent by (order, idempotency key). In one transaction,
     * with every payment of the order locked: a refund with this key is returned as it is
     * (BAD_USER_INPUT when the key was used for another amount); otherwise the amount must be
     * 1..what is left of the payment after every refund paid out or claimed (BAD_USER_INPUT),
     * and the refund is claimed together with its audit event (ORDER_COMPENSATE). Then the
     * provider pays it out; when that fails, the refund is returned claimed (paidOutAt null)
     * and the payout retries take it up.
     * No successful payment: INVALID_STATE_TRANSITION on the Order, status UNPAID.
     */
    async compensate(staff: Identity, args: CompensateOrderArgs, now = new Date()): Promise<RefundRow> {
      const refundKey = compensationRefundKey(args.idempotencyKey);
      type Claim = { kind: 'paid-out'; refund: RefundRow } | { kind: 'pay-out'; payment: PaymentRow; refund: RefundRow; audited: boolean };
      const claim = await store.inTransaction(async (tx): Promise<Claim> => {
        const payments = await tx.paymentsOfOrderForUpdate(args.orderId);
        const previous = await tx.refundByKey(args.orderId, refundKey);
        if (previous) {
          if (previous.amountCents !== args.amountCents) {
            throw new BadUserInputError(
              `The idempotency key was used for a compensation of ${previous.amountCents} cents of order ${args.orderId}, not ${args.amountCents}; use a new key for a new compensation.`,
              [{ field: 'idempotencyKey', message: `already used for ${previous.amountCents} cents` }],
            );
          }
          const payment = payments.find((candidate) => candidate.id === previous.paymentId);
          if (previous.providerRefundId !== null || !payment) return { kind: 'paid-out', refund: previous };
          return { kind: 'pay-out', payment, refund: previous, audited: false };
        }

        const payment = payments
          .filter((candidate) => PAID_STATUSES.includes(candidate.status))
          .sort((a, b) => (a.paidAt?.getTime() ?? 0) - (b.paidAt?.getTime() ?? 0) || (a.id < b.id ? -1 : 1))[0];
        if (!payment) throw new InvalidStateTransitionError(args.orderId, 'UNPAID', 'compensateOrder');

        const claimedCents = (await tx.refundsOfPayment(payment.id)).reduce((sum, refund) => sum + refund.amountCents, 0);
        const remainingCents = payment.amountCents - claimedCents;
        if (args.amountCents > remainingCents) {
          const left = remainingCents === 0 ? 'nothing is left to refund' : `at most ${remainingCents} cents can be refunded`;
          throw new BadUserInputError(
            `amountCents ${args.amountCents} is too much: order ${args.orderId} paid ${payment.amountCents} cents, ${claimedCents} of them refunded or being refunded, so ${left}.`,
            [{ field: 'amountCents', message: remainingCents === 0 ? 'nothing is left to refund' : `must be between 1 and ${remainingCents}` }],
          );
        }

        const refund = claimedRefund({ payment, amountCents: args.amountCents, reason: 'GOODWILL', refundKey, now });
        await tx.insertRefund(refund);
        // The payment's status once this refund is paid out (every refund claimed before it counted).
        const after = refundOutcome({ amountCents: payment.amountCents, refundedCents: claimedCents }, args.amountCents).status;
        await tx.enqueue([
          auditEvent(
            SERVICE,
            staff,
            {
              action: 'ORDER_COMPENSATE',
              targetType: 'ORDER',
              targetId: args.orderId,
              reason: args.reason,
              before: payment.status,
              after,
              details: { amountCents: args.amountCents, refundId: refund.id, paymentId: payment.id },
            },
            now,
          ),
        ]);
        return { kind: 'pay-out', payment, refund, audited: true };
      });
      if (claim.kind === 'paid-out') return claim.refund;
      if (claim.audited) relay.kick();

      try {
        const paid = await payOut(claim.payment, claim.refund, null, now);
        return paid.kind === 'refunded' ? paid.refund : ((await store.refundOnPrimary(claim.refund.id)) ?? paid.refund);
      } catch (err) {
        // Claimed and audited: the money is promised and the payout retries keep at it.
        log.warn({ err, orderId: args.orderId, refundId: claim.refund.id }, 'A compensation was claimed but the provider did not pay it out yet.');
        return (await store.refundOnPrimary(claim.refund.id)) ?? claim.refund;
      }
    },

    /**
     * Tries the payout of up to `limit` refunds that are due (claimed, not paid out, their
     * retry time reached). Each is taken with a conditional update that moves its next try
     * forward, so of several replicas one pays it; a failure is counted and waits its turn.
     */
    async retryDuePayouts(now = new Date(), limit = 20): Promise<{ paid: number; failed: number }> {
      let paid = 0;
      let failed = 0;
      for (const refund of await store.refundsDueForPayout(now, limit)) {
        if (!(await store.takeDuePayout(refund, nextPayoutDue(now, refund.failedPayouts + 1, payouts.retrySeconds)))) continue;
        const payment = await store.byIdOnPrimary(refund.paymentId);
        if (!payment) throw new Error(`Refund ${refund.id} names payment ${refund.paymentId}, which does not exist.`);
        try {
          await payOut(payment, refund, null, now);
          paid += 1;
        } catch (err) {
          failed += 1;
          log.warn({ err, refundId: refund.id, orderId: refund.orderId, failedPayouts: refund.failedPayouts + 1 }, 'A refund payout failed again; it will be retried.');
        }
      }
      return { paid, failed };
    },

    /** searchPayments: `limit` payments matching the filter after `after`, newest first; BAD_USER_INPUT for a filter that cannot match sensibly. */
    searchPayments(filter: { [K in keyof PaymentSearch]?: PaymentSearch[K] | null } | null | undefined, after: Keyset | null, limit: number): Promise<PaymentRow[]> {
      return store.searchPayments(validateInput(paymentSearchFilter, presentFields(filter), 'filter'), after, limit);
    },

    /** searchRefunds: `limit` refunds matching the filter after `after`, newest first. */
    searchRefunds(filter: { [K in keyof RefundSearch]?: RefundSearch[K] | null } | null | undefined, after: Keyset | null, limit: number): Promise<RefundRow[]> {
      return store.searchRefunds(validateInput(refundSearchFilter, presentFields(filter), 'filter'), after, limit);
    },
  };

  /** A refund row as claimed: not paid out, its first retry due after the retry delay. */
  function claimedRefund(input: { payment: PaymentRow; amountCents: number; reason: RefundRow['reason']; refundKey: string; now: Date }): RefundRow {
    return {
      id: newId(),
      paymentId: input.payment.id,
      orderId: input.payment.orderId,
      amountCents: input.amountCents,
      reason: input.reason,
      refundKey: input.refundKey,
      providerRefundId: null,
      paidOutAt: null,
      payoutDueAt: nextPayoutDue(input.now, 0, payouts.retrySeconds),
      failedPayouts: 0,
      attentionRaisedAt: null,
      createdAt: input.now,
    };
  }

  /**
   * Pays a claimed refund out and records it. The provider is called outside any transaction
   * with the refund's provider key, which it honours, so another attempt at the same claim is
   * paid once. The payout is recorded once: the refund marked paid only if it was not, the
   * payment's refunded total, PaymentRefunded and (for a requested refund) its event marked
   * processed, in one transaction. A provider failure is counted on the refund (at the
   * configured count PaymentNeedsAttention is raised, once) and thrown again.
   */
  async function payOut(payment: PaymentRow, refund: RefundRow, eventId: string | null, now: Date): Promise<PayoutResult> {
    let providerRefundId: string;
    try {
      ({ providerRefundId } = await adapterFor(payment.provider).refund({
        paymentId: payment.id,
        orderId: payment.orderId,
        providerTxnId: payment.providerTxnId,
        amountCents: refund.amountCents,
        reason: refund.reason,
        refundKey: providerRefundKey(refund),
      }));
    } catch (err) {
      await countFailedPayout(payment, refund, now);
      throw err;
    }

    const result = await store.inTransaction(async (tx): Promise<PayoutResult> => {
      // Locked first, as in the claim, so the two never wait on each other in opposite orders.
      const current = await tx.paymentForUpdate(payment.id);
      if (!current) throw new Error(`Payment ${payment.id} disappeared while it was being refunded.`);
      const first = await tx.recordRefundPaid(refund.id, providerRefundId, now);
      const eventMarked = eventId === null || (await tx.markProcessed(eventId));
      // Another attempt at the same claim recorded the payout already.
      if (!first) return { kind: 'recorded-before', refund: { ...refund, providerRefundId }, eventMarked };

      const outcome = refundOutcome(current, refund.amountCents);
      await tx.setRefunded(current.id, outcome.totalRefundedCents, outcome.status, now);
      const data = {
        paymentId: current.id,
        orderId: current.orderId,
        refundCents: refund.amountCents,
        totalRefundedCents: outcome.totalRefundedCents,
        reason: refund.reason,
      };
      await tx.enqueue([newEvent(PaymentRefunded, current.orderId, data, now)]);
      return {
        kind: 'refunded',
        refund: { ...refund, providerRefundId, paidOutAt: now, payoutDueAt: null },
        payment: { ...current, refundedCents: outcome.totalRefundedCents, status: outcome.status, updatedAt: now },
      };
    });
    if (result.kind === 'refunded') relay.kick();
    return result;
  }

  /** Counts a failed provider call on the refund; the one reaching `attentionAfterFailures` raises PaymentNeedsAttention. */
  async function countFailedPayout(payment: PaymentRow, refund: RefundRow, now: Date): Promise<void> {
    const raised = await store.inTransaction(async (tx) => {
      const counted = await tx.countFailedPayout(refund.id);
      if (!counted || counted.failedPayouts < payouts.attentionAfterFailures) return false;
      if (!(await tx.markAttentionRaised(refund.id, now))) return false;
      await tx.enqueue([newEvent(PaymentNeedsAttention, payment.orderId, { paymentId: payment.id, orderId: payment.orderId, problem: 'REFUND_FAILED', at: now.toISOString() }, now)]);
      return true;
    });
    if (raised) {
      relay.kick();
      log.error({ refundId: refund.id, orderId: payment.orderId, attempts: payouts.attentionAfterFailures }, 'A refund could not be paid out; operations were told.');
    }
  }
}
export type PaymentService = ReturnType<typeof createPaymentService>;
