import {
  ForbiddenError,
  InvalidStateTransitionError,
  isDuplicateKey,
  newEvent,
  newId,
  NotFoundError,
  PaymentFailed,
  PaymentRefunded,
  PaymentSucceeded,
  type Identity,
  type OrdersApiClient,
  type OutboxRelay,
  type RefundRequestedData,
} from '@waimai/platform';
import type { PaymentStatements, PaymentStore } from '../db/payment-store';
import type { PaymentMethod, PaymentRow, PaymentStatus, RefundRow } from '../db/schema';
import type { PaymentProvider, Providers } from '../providers';
import { isExpired, PAID_STATUSES, paymentExpiry, refundOutcome, REFUNDABLE_STATUSES, statusAfterCallback, type ProviderCallback } from './payment-rules';

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

export interface PaymentServiceDeps {
  store: PaymentStore;
  orders: OrdersApiClient;
  providers: Providers;
  /** Kicked after every commit that enqueued events, so they leave within milliseconds. */
  relay: Pick<OutboxRelay, 'kick'>;
  paymentWindowSeconds: number;
}

/** Several tries: a race for one order's pending payment settles in one more pass. */
const OPEN_ATTEMPTS = 3;

/**
 * The payment use cases: initiate a payment, apply the provider's callback, expire a stale
 * link, refund. Each owns its transactions and the events they enqueue, and kicks the relay
 * after committing them. The provider is never called inside a transaction: a payment or a
 * refund is claimed and committed first, the provider is called with a key it honours (the
 * payment id, the refund key), and the answer is recorded with a conditional update, so a
 * retry or a concurrent call resumes the same claim instead of making a second one.
 */
export function createPaymentService({ store, orders, providers, relay, paymentWindowSeconds }: PaymentServiceDeps) {
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
      const answer = await orders.orderForPayment({ params: { orderId } });
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
    async handleCallback(callback: ProviderCallback, provider: string, now = new Date()): Promise<CallbackResult> {
      const result = await store.inTransaction(async (tx): Promise<CallbackResult> => {
        const payment = await tx.paymentForUpdate(callback.paymentId);
        if (!payment || payment.provider !== provider) return { kind: 'unknown-payment' };
        if (payment.orderId !== callback.orderId) return { kind: 'mismatch', field: 'orderId' };
        if (payment.amountCents !== callback.amountCents) return { kind: 'mismatch', field: 'amountCents' };

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

        if (next === 'SUCCEEDED') {
          await tx.settle(payment.id, { status: next, paidAt: now, providerTxnId: callback.providerTxnId ?? null }, now);
          const data = { paymentId: payment.id, orderId: payment.orderId, amountCents: payment.amountCents, paidAt: now.toISOString() };
          await tx.enqueue([newEvent(PaymentSucceeded, payment.orderId, data, now)]);
        } else {
          await tx.settle(payment.id, { status: next }, now);
          const data = { paymentId: payment.id, orderId: payment.orderId, reason: 'PROVIDER_REPORTED_FAILURE' as const };
          await tx.enqueue([newEvent(PaymentFailed, payment.orderId, data, now)]);
        }
        return { kind: 'applied', status: next };
      });
      if (result.kind === 'applied') relay.kick();
      return result;
    },

    /**
     * Gives money back for one RefundRequested event, exactly once. First the refund is claimed
     * and committed: a refund row, unique per payment and reason, whose amount counts against
     * what is left of the payment while the payment's row is locked, so concurrent refunds
     * never give back more than was paid. Then the provider pays it out with the refund key
     * (payment + reason) as its idempotency key. Then the payout is recorded once: the refund
     * row marked paid only if it was not, the payment's refunded total, PaymentRefunded and
     * the event marked processed, in one transaction. When the provider call throws, the
     * event is retried and resumes the same claim.
     */
    async refund(eventId: string, request: RefundRequestedData, now = new Date()): Promise<RefundResult> {
      if (await store.isProcessed(eventId)) return { kind: 'duplicate-event' };

      type Claim = RefundResult | { kind: 'pay-out'; payment: PaymentRow; refund: RefundRow };
      const claim = await store.inTransaction(async (tx): Promise<Claim> => {
        // A decision that pays nothing is recorded as processed with it; a payout is marked when recorded.
        const decided = async (result: RefundResult): Promise<RefundResult> => ((await tx.markProcessed(eventId)) ? result : { kind: 'duplicate-event' });
        const payment = await tx.refundablePaymentForUpdate(request.orderId, request.paymentId, REFUNDABLE_STATUSES);
        if (!payment) return decided({ kind: 'no-refundable-payment' });

        const claimed = await tx.refundsOfPayment(payment.id);
        const previous = claimed.find((refund) => refund.reason === request.reason);
        if (previous && previous.providerRefundId !== null) return decided({ kind: 'already-refunded', refund: previous });
        // Claimed before and not paid out (the provider failed, or the process died): pay that one.
        if (previous) return { kind: 'pay-out', payment, refund: previous };

        const claimedCents = claimed.reduce((sum, refund) => sum + refund.amountCents, 0);
        const { refundCents } = refundOutcome({ amountCents: payment.amountCents, refundedCents: claimedCents }, request.amountCents);
        if (refundCents === 0) return decided({ kind: 'nothing-left', payment });

        const refund: RefundRow = {
          id: newId(),
          paymentId: payment.id,
          orderId: payment.orderId,
          amountCents: refundCents,
          reason: request.reason,
          providerRefundId: null,
          createdAt: now,
        };
        await tx.insertRefund(refund);
        return { kind: 'pay-out', payment, refund };
      });
      if (claim.kind !== 'pay-out') return claim;

      const { payment, refund } = claim;
      const { providerRefundId } = await adapterFor(payment.provider).refund({
        paymentId: payment.id,
        orderId: payment.orderId,
        providerTxnId: payment.providerTxnId,
        amountCents: refund.amountCents,
        reason: refund.reason,
        refundKey: `${payment.id}:${refund.reason}`,
      });

      const result = await store.inTransaction(async (tx): Promise<RefundResult> => {
        // Locked first, as in the claim, so the two never wait on each other in opposite orders.
        const current = await tx.paymentForUpdate(payment.id);
        if (!current) throw new Error(`Payment ${payment.id} disappeared while it was being refunded.`);
        const first = await tx.recordRefundPaid(refund.id, providerRefundId);
        const marked = await tx.markProcessed(eventId);
        // Another attempt at the same claim recorded the payout already.
        if (!first) return marked ? { kind: 'already-refunded', refund: { ...refund, providerRefundId } } : { kind: 'duplicate-event' };

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
          refund: { ...refund, providerRefundId },
          payment: { ...current, refundedCents: outcome.totalRefundedCents, status: outcome.status, updatedAt: now },
        };
      });
      if (result.kind === 'refunded') relay.kick();
      return result;
    },
  };
}
export type PaymentService = ReturnType<typeof createPaymentService>;
