import { newId, PaymentNeedsAttention, PaymentRefunded } from '@waimai/platform';
import type { PaymentProvider } from '../src/providers';
import { createSandboxProvider, SANDBOX_PROVIDER } from '../src/providers/sandbox';
import { anOperator, startPayments, type PaymentsHarness } from './harness';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments();
});
afterAll(async () => {
  await h.stop();
});

/**
 * The sandbox adapter whose refunds fail until `recover()` is called, as a provider that is
 * down answers: payments are opened as usual, refund calls throw.
 */
function aProviderWhoseRefundsFail() {
  const sandbox = createSandboxProvider({ publicUrl: h.config.PUBLIC_URL });
  let down = true;
  const calls: string[] = [];
  const provider: PaymentProvider = {
    name: SANDBOX_PROVIDER,
    createPayment: (request) => sandbox.createPayment(request),
    async refund(request) {
      calls.push(request.refundKey);
      if (down) throw new Error('The provider is unavailable (HTTP 503).');
      return sandbox.refund(request);
    },
  };
  return { provider, calls, recover: () => (down = false) };
}

const HOUR = 3_600_000;
const eventsOf = async (orderId: string, type: string) => (await h.outboxOf(orderId)).filter((event) => event.type === type);

describe('refund payouts that fail at the provider', () => {
  test('a compensation the provider fails to pay out comes back claimed, is retried, and is announced once paid', async () => {
    const payment = await h.aPaidPayment({ amountCents: 3000 });
    const { provider, calls, recover } = aProviderWhoseRefundsFail();
    const payments = h.paymentsWithProvider(provider);

    const refund = await payments.compensate(anOperator(), { orderId: payment.orderId, amountCents: 800, reason: '补偿', idempotencyKey: newId() });

    expect(refund).toMatchObject({ amountCents: 800, reason: 'GOODWILL', providerRefundId: null, paidOutAt: null, failedPayouts: 1 });
    expect(await h.paymentRow(payment.id)).toMatchObject({ status: 'SUCCEEDED', refundedCents: 0 });
    expect(await eventsOf(payment.orderId, PaymentRefunded.type)).toEqual([]);

    recover();
    // Past its retry time (30 s after the claim, doubled once by the failure).
    const retried = await payments.retryDuePayouts(new Date(Date.now() + HOUR));

    expect(retried).toMatchObject({ paid: expect.any(Number), failed: 0 });
    expect(await h.refundRow(refund.id)).toMatchObject({ providerRefundId: expect.stringMatching(/^sbx_rf_/), paidOutAt: expect.any(Date), payoutDueAt: null });
    expect(await h.paymentRow(payment.id)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedCents: 800 });
    const refunded = (await eventsOf(payment.orderId, PaymentRefunded.type)).map((event) => PaymentRefunded.data.parse(event.data));
    expect(refunded).toEqual([{ paymentId: payment.id, orderId: payment.orderId, refundCents: 800, totalRefundedCents: 800, reason: 'GOODWILL' }]);
    // Every attempt at one refund sent the provider the same key, so it could pay it once.
    expect(new Set(calls)).toEqual(new Set([refund.id]));
  });

  test('the fifth failed payout of a refund raises PaymentNeedsAttention, once however often it fails after', async () => {
    const payment = await h.aPaidPayment({ amountCents: 2000 });
    const { provider } = aProviderWhoseRefundsFail();
    const payments = h.paymentsWithProvider(provider, { attentionAfterFailures: 5, retrySeconds: 30 });
    const refund = await payments.compensate(anOperator(), { orderId: payment.orderId, amountCents: 500, reason: '补偿', idempotencyKey: newId() });

    // Four more tries, each at a time its retry is due (at most an hour apart).
    for (let attempt = 2; attempt <= 4; attempt += 1) await payments.retryDuePayouts(new Date(Date.now() + attempt * 2 * HOUR));
    expect(await h.refundRow(refund.id)).toMatchObject({ failedPayouts: 4, attentionRaisedAt: null });
    expect(await eventsOf(payment.orderId, PaymentNeedsAttention.type)).toEqual([]);

    await payments.retryDuePayouts(new Date(Date.now() + 10 * HOUR));
    for (let attempt = 6; attempt <= 8; attempt += 1) await payments.retryDuePayouts(new Date(Date.now() + attempt * 2 * HOUR));

    expect(await h.refundRow(refund.id)).toMatchObject({ failedPayouts: 8, attentionRaisedAt: expect.any(Date), providerRefundId: null });
    const raised = (await eventsOf(payment.orderId, PaymentNeedsAttention.type)).map((event) => PaymentNeedsAttention.data.parse(event.data));
    expect(raised).toEqual([{ paymentId: payment.id, orderId: payment.orderId, problem: 'REFUND_FAILED', at: expect.any(String) }]);
  });

  test('a requested refund counts its failed payouts too: the event is retried and operations are told at the fifth', async () => {
    const payment = await h.aPaidPayment({ amountCents: 2000 });
    const { provider, recover } = aProviderWhoseRefundsFail();
    const payments = h.paymentsWithProvider(provider, { attentionAfterFailures: 5, retrySeconds: 30 });
    const eventId = newId();
    const request = { orderId: payment.orderId, paymentId: payment.id, amountCents: 600, reason: 'LATE_DELIVERY' as const };

    // Kafka hands a failed event over again: each delivery resumes the one claim.
    for (let delivery = 1; delivery <= 6; delivery += 1) await expect(payments.refund(eventId, request)).rejects.toThrow('unavailable');

    const [refund] = await h.allRefundsOf(payment.orderId);
    expect(refund).toMatchObject({ amountCents: 600, failedPayouts: 6, attentionRaisedAt: expect.any(Date) });
    expect(await eventsOf(payment.orderId, PaymentNeedsAttention.type)).toHaveLength(1);

    recover();
    expect(await payments.refund(eventId, request)).toMatchObject({ kind: 'refunded', refund: { id: refund!.id, amountCents: 600 } });
    expect(await payments.refund(eventId, request)).toEqual({ kind: 'duplicate-event' });
    expect(await eventsOf(payment.orderId, PaymentRefunded.type)).toHaveLength(1);
  });

  test('of two replicas retrying at once, one takes a due refund and the provider is asked once', async () => {
    const payment = await h.aPaidPayment({ amountCents: 2000 });
    const { provider, calls, recover } = aProviderWhoseRefundsFail();
    const payments = h.paymentsWithProvider(provider);
    const refund = await payments.compensate(anOperator(), { orderId: payment.orderId, amountCents: 300, reason: '补偿', idempotencyKey: newId() });
    recover();
    calls.length = 0;

    const later = new Date(Date.now() + HOUR);
    await Promise.all([payments.retryDuePayouts(later), h.paymentsWithProvider(provider).retryDuePayouts(later)]);

    expect(calls.filter((key) => key === refund.id)).toHaveLength(1);
    expect(await eventsOf(payment.orderId, PaymentRefunded.type)).toHaveLength(1);
  });
});

describe('refunds for a cancellation by staff', () => {
  test('ORDER_CANCELLED gives back everything still left of the payment, whatever amount the request names', async () => {
    const payment = await h.aPaidPayment({ amountCents: 4000 });
    await h.service.payments.refund(newId(), { orderId: payment.orderId, paymentId: payment.id, amountCents: 1000, reason: 'LATE_DELIVERY' });

    const result = await h.service.payments.refund(newId(), { orderId: payment.orderId, paymentId: null, amountCents: 1, reason: 'ORDER_CANCELLED' });

    expect(result).toMatchObject({ kind: 'refunded', refund: { amountCents: 3000, reason: 'ORDER_CANCELLED' }, payment: { status: 'REFUNDED', refundedCents: 4000 } });
  });
});
