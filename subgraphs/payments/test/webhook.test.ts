import { PaymentSucceeded, signCallback, Topics, type EventEnvelope, type Subscription } from '@waimai/platform';
import { callbackFor, eventually, startPayments, typesIn, type PaymentsHarness } from './harness';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments();
});
afterAll(async () => {
  await h.stop();
});

/** The payment, its event records and its outbox are exactly as before. */
async function expectUntouched(payment: { id: string; orderId: string }) {
  expect((await h.paymentRow(payment.id))?.status).toBe('PENDING');
  expect(await h.eventRecords(payment.id)).toEqual([]);
  expect(await h.outboxOf(payment.orderId)).toEqual([]);
}

describe('the payment webhook refuses what it cannot trust (400) and changes nothing', () => {
  test('an event id with a NUL, an unpaired surrogate or a bidi override: 400, nothing recorded', async () => {
    const payment = await h.aPendingPayment();
    const outcomes = [];
    for (const eventId of ['evt_\u0000a', 'evt_\ud800', 'evt_\u202ea']) {
      outcomes.push((await h.deliver(callbackFor(payment, 'SUCCESS', { eventId }))).status);
    }
    expect(outcomes).toEqual([400, 400, 400]);
    await expectUntouched(payment);
  });


  test('a forged signature: signed with another secret', async () => {
    const payment = await h.aPendingPayment();
    const result = await h.deliver(callbackFor(payment, 'SUCCESS'), { secret: 'somebody-elses-secret-1234567890' });
    expect(result.status).toBe(400);
    await expectUntouched(payment);
  });

  test('a signature over other bytes: the body was changed after signing', async () => {
    const payment = await h.aPendingPayment();
    const signed = JSON.stringify(callbackFor(payment, 'FAILURE'));
    const signature = signCallback(h.config.PAYMENT_WEBHOOK_SECRET, signed);
    const result = await h.deliver(null, { rawBody: signed.replace('FAILURE', 'SUCCESS'), signature });
    expect(result.status).toBe(400);
    await expectUntouched(payment);
  });

  test('a stale timestamp: signed correctly, but more than 300 s ago', async () => {
    const payment = await h.aPendingPayment();
    const result = await h.deliver(callbackFor(payment, 'SUCCESS'), { signedAt: new Date(Date.now() - 301_000) });
    expect(result.status).toBe(400);
    expect(result.body.error).toMatch(/300 s/);
    await expectUntouched(payment);
  });

  test('a missing or malformed Payment-Signature header', async () => {
    const payment = await h.aPendingPayment();
    const missing = await h.deliver(callbackFor(payment, 'SUCCESS'), { signature: null });
    const malformed = await h.deliver(callbackFor(payment, 'SUCCESS'), { signature: 'v1=deadbeef' });
    expect([missing.status, malformed.status]).toEqual([400, 400]);
    await expectUntouched(payment);
  });

  test('a malformed body, correctly signed: not JSON, or not a callback', async () => {
    const payment = await h.aPendingPayment();
    const notJson = await h.deliver(null, { rawBody: '{"eventId": "evt_1", ' });
    const badStatus = await h.deliver(callbackFor(payment, 'SUCCESS', { paymentStatus: 'PAID' }));
    const noEventId = await h.deliver(callbackFor(payment, 'SUCCESS', { eventId: undefined }));
    const fractionalAmount = await h.deliver(callbackFor(payment, 'SUCCESS', { amountCents: 41.5 }));
    expect([notJson.status, badStatus.status, noEventId.status, fractionalAmount.status]).toEqual([400, 400, 400, 400]);
    await expectUntouched(payment);
  });
});

describe('the payment webhook refuses callbacks that do not match a payment (409) and changes nothing', () => {
  test('the amount differs from the payment', async () => {
    const payment = await h.aPendingPayment({ amountCents: 4200 });
    const result = await h.deliver(callbackFor(payment, 'SUCCESS', { amountCents: 1 }));
    expect(result.status).toBe(409);
    await expectUntouched(payment);
  });

  test('the order differs from the payment', async () => {
    const payment = await h.aPendingPayment();
    const other = await h.aPendingPayment();
    const result = await h.deliver(callbackFor(payment, 'SUCCESS', { orderId: other.orderId }));
    expect(result.status).toBe(409);
    await expectUntouched(payment);
    await expectUntouched(other);
  });

  test('no such payment', async () => {
    const payment = await h.aPendingPayment();
    const result = await h.deliver(callbackFor({ ...payment, id: '0190aaaa-0000-7000-8000-000000000000' }, 'SUCCESS'));
    expect(result.status).toBe(409);
    await expectUntouched(payment);
  });
});

describe('each provider event is applied once, whatever the order of arrival', () => {
  test('the same SUCCESS twice and then a FAILURE: one SUCCEEDED payment and exactly one PaymentSucceeded', async () => {
    const payment = await h.aPendingPayment({ amountCents: 3650 });
    const success = callbackFor(payment, 'SUCCESS', { providerTxnId: 'txn_first' });

    const first = await h.deliver(success);
    const repeat = await h.deliver(success);
    const failure = await h.deliver(callbackFor(payment, 'FAILURE'));
    const anotherSuccess = await h.deliver(callbackFor(payment, 'SUCCESS', { providerTxnId: 'txn_second' }));

    expect([first.status, repeat.status, failure.status, anotherSuccess.status]).toEqual([200, 200, 200, 200]);
    expect(first.body).toMatchObject({ applied: true, status: 'SUCCEEDED' });
    expect(repeat.body).toMatchObject({ applied: false, duplicate: true });
    const row = await h.paymentRow(payment.id);
    expect(row).toMatchObject({ status: 'SUCCEEDED', providerTxnId: 'txn_first', pendingOrderId: null });
    expect(row?.paidAt).toBeInstanceOf(Date);
    const events = await h.outboxOf(payment.orderId);
    expect(typesIn(events)).toEqual(['PaymentSucceeded']);
    expect(PaymentSucceeded.data.parse(events[0]?.data)).toMatchObject({ paymentId: payment.id, orderId: payment.orderId, amountCents: 3650 });
    expect(events[0]?.aggregateId).toBe(payment.orderId);
  });

  test('one provider event id reused for two payments: each payment is applied, a repeat for either is still a duplicate', async () => {
    const first = await h.aPendingPayment();
    const second = await h.aPendingPayment();
    const eventId = `evt_shared_${first.id.slice(0, 8)}`;

    const forFirst = await h.deliver(callbackFor(first, 'SUCCESS', { eventId }));
    const forSecond = await h.deliver(callbackFor(second, 'SUCCESS', { eventId }));
    const repeat = await h.deliver(callbackFor(second, 'SUCCESS', { eventId }));

    expect([forFirst.body.applied, forSecond.body.applied]).toEqual([true, true]);
    expect(repeat.body).toMatchObject({ applied: false, duplicate: true });
    expect((await h.paymentRow(first.id))?.status).toBe('SUCCEEDED');
    expect((await h.paymentRow(second.id))?.status).toBe('SUCCEEDED');
    expect(await h.eventRecords(second.id)).toHaveLength(1);
    expect(typesIn(await h.outboxOf(second.orderId))).toEqual([PaymentSucceeded.type]);
  });

  test('ten concurrent deliveries of one SUCCESS: applied once', async () => {
    const payment = await h.aPendingPayment();
    const success = callbackFor(payment, 'SUCCESS');

    const results = await Promise.all(Array.from({ length: 10 }, () => h.deliver(success)));

    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(results.filter((r) => r.body.applied === true)).toHaveLength(1);
    expect(typesIn(await h.outboxOf(payment.orderId))).toEqual(['PaymentSucceeded']);
    expect(await h.eventRecords(payment.id)).toHaveLength(1);
  });

  test('a SUCCESS after a FAILURE succeeds, and the order hears both', async () => {
    const payment = await h.aPendingPayment();

    const failure = await h.deliver(callbackFor(payment, 'FAILURE'));
    const failedRow = await h.paymentRow(payment.id);
    const success = await h.deliver(callbackFor(payment, 'SUCCESS'));

    expect([failure.status, success.status]).toEqual([200, 200]);
    expect(failedRow).toMatchObject({ status: 'FAILED', pendingOrderId: null });
    expect((await h.paymentRow(payment.id))?.status).toBe('SUCCEEDED');
    expect(typesIn(await h.outboxOf(payment.orderId))).toEqual(['PaymentFailed', 'PaymentSucceeded']);
  });

  test('PaymentSucceeded reaches payments.events, keyed by the order id', async () => {
    const payment = await h.aPendingPayment();
    const seen: EventEnvelope[] = [];
    const subscription: Subscription = await h.bus.subscribe({
      groupId: `payments-webhook-test-${payment.id}`,
      topics: [Topics.paymentEvents],
      fromBeginning: true,
      handle: async (event) => {
        if (event.aggregateId === payment.orderId) seen.push(event);
      },
    });
    try {
      await h.deliver(callbackFor(payment, 'SUCCESS'));
      const delivered = await eventually(async () => seen.find((event) => event.type === PaymentSucceeded.type), 30_000, 'PaymentSucceeded on payments.events');
      expect(delivered.data).toMatchObject({ paymentId: payment.id, orderId: payment.orderId });
    } finally {
      await subscription.stop();
    }
  });
});

describe('pending payments', () => {
  test('a pending payment whose link expired is failed (PaymentFailed, EXPIRED) and replaced by a new one', async () => {
    const longAgo = new Date(Date.now() - (h.config.PAYMENT_WINDOW_SECONDS + 60) * 1000);
    const expired = await h.aPendingPayment({ startedAt: longAgo });

    const replacement = await h.aPendingPayment({ orderId: expired.orderId, customerId: expired.customerId });

    expect(replacement.id).not.toBe(expired.id);
    expect(replacement).toMatchObject({ status: 'PENDING', pendingOrderId: expired.orderId });
    expect(await h.paymentRow(expired.id)).toMatchObject({ status: 'FAILED', pendingOrderId: null });
    const events = await h.outboxOf(expired.orderId);
    expect(events.map((event) => [event.type, event.data.reason])).toEqual([['PaymentFailed', 'EXPIRED']]);
  });

  test('asking again while a payment is pending returns it, whatever method is asked for', async () => {
    const pending = await h.aPendingPayment({ method: 'CARD' });
    const again = await h.aPendingPayment({ orderId: pending.orderId, customerId: pending.customerId, method: 'ALIPAY' });
    expect(again).toEqual(pending);
    expect(await h.paymentsOfOrder(pending.orderId)).toHaveLength(1);
  });
});
