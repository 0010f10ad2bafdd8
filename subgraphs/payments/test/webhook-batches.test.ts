import { callbackFor, startPayments, typesIn, type PaymentsHarness } from './harness';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments();
});
afterAll(async () => {
  await h.stop();
});

const request = (callback: ReturnType<typeof callbackFor>) => ({ callback: callback as never, provider: 'sandbox' });
const transactionsIn = (queries: readonly string[]) => queries.filter((query) => /^begin\b/i.test(query.trim())).length;

describe('provider callbacks applied together (handleCallbacks) decide each callback as it would be decided alone', () => {
  test('successes, a failure then a success of one payment, a repeat, a mismatch and an unknown payment, in one transaction', async () => {
    const [a, b, c, d] = [await h.aPendingPayment(), await h.aPendingPayment(), await h.aPendingPayment({ amountCents: 5100 }), await h.aPendingPayment()];
    const successOfA = callbackFor(a, 'SUCCESS', { providerTxnId: 'txn_a' });
    const callbacks = [
      successOfA,
      callbackFor(b, 'FAILURE'),
      callbackFor(b, 'SUCCESS', { providerTxnId: 'txn_b' }),
      successOfA,
      callbackFor(c, 'SUCCESS', { amountCents: 1 }),
      callbackFor({ ...d, id: '00000000-0000-7000-8000-000000000000' }, 'SUCCESS'),
      callbackFor(d, 'SUCCESS'),
      callbackFor(d, 'FAILURE'),
    ];
    const before = h.queries.length;

    const results = await h.service.payments.handleCallbacks(callbacks.map(request));

    expect(results).toEqual([
      { kind: 'applied', status: 'SUCCEEDED' },
      { kind: 'applied', status: 'FAILED' },
      { kind: 'applied', status: 'SUCCEEDED' },
      { kind: 'duplicate' },
      { kind: 'mismatch', field: 'amountCents' },
      { kind: 'unknown-payment' },
      { kind: 'applied', status: 'SUCCEEDED' },
      { kind: 'unchanged', status: 'SUCCEEDED' },
    ]);
    expect(transactionsIn(h.queries.slice(before))).toBe(1);
    // Three payments moved (b twice), in one statement.
    expect(h.queries.slice(before).filter((query) => /^update `payments`/.test(query))).toHaveLength(1);
    expect(await h.paymentRow(a.id)).toMatchObject({ status: 'SUCCEEDED', providerTxnId: 'txn_a', pendingOrderId: null });
    expect(await h.paymentRow(b.id)).toMatchObject({ status: 'SUCCEEDED', providerTxnId: 'txn_b', pendingOrderId: null });
    expect((await h.paymentRow(c.id))?.status).toBe('PENDING');
    expect((await h.paymentRow(d.id))?.status).toBe('SUCCEEDED');
    expect(typesIn(await h.outboxOf(a.orderId))).toEqual(['PaymentSucceeded']);
    expect(typesIn(await h.outboxOf(b.orderId))).toEqual(['PaymentFailed', 'PaymentSucceeded']);
    expect(await h.outboxOf(c.orderId)).toEqual([]);
    expect(typesIn(await h.outboxOf(d.orderId))).toEqual(['PaymentSucceeded']);
    // Every provider event recorded once, with what it moved the payment to; the mismatch not at all.
    expect((await h.eventRecords(a.id)).map((event) => event.movedTo)).toEqual(['SUCCEEDED']);
    expect((await h.eventRecords(b.id)).map((event) => event.movedTo).sort()).toEqual(['FAILED', 'SUCCEEDED']);
    expect(await h.eventRecords(c.id)).toEqual([]);
    expect((await h.eventRecords(d.id)).map((event) => event.movedTo ?? 'none').sort()).toEqual(['SUCCEEDED', 'none']);
  });

  test('a callback recorded before the batch is a duplicate in it', async () => {
    const payment = await h.aPendingPayment();
    const success = callbackFor(payment, 'SUCCESS');
    expect((await h.deliver(success)).body).toMatchObject({ applied: true });
    const other = await h.aPendingPayment();

    const results = await h.service.payments.handleCallbacks([request(success), request(callbackFor(other, 'SUCCESS'))]);

    expect(results).toEqual([{ kind: 'duplicate' }, { kind: 'applied', status: 'SUCCEEDED' }]);
    expect(typesIn(await h.outboxOf(payment.orderId))).toEqual(['PaymentSucceeded']);
    expect(await h.eventRecords(payment.id)).toHaveLength(1);
  });

  test('a batch whose transaction fails is applied callback by callback: the others apply, the one at fault fails alone', async () => {
    const [first, second, third] = [await h.aPendingPayment(), await h.aPendingPayment(), await h.aPendingPayment()];
    // An event id longer than its column (the webhook's validation would refuse it): its insert fails, and the batch's with it.
    const unstorable = callbackFor(second, 'SUCCESS', { eventId: `evt_${'x'.repeat(80)}` });

    const results = await h.service.payments.handleCallbacks([request(callbackFor(first, 'SUCCESS')), request(unstorable), request(callbackFor(third, 'SUCCESS'))]);

    expect(results[0]).toEqual({ kind: 'applied', status: 'SUCCEEDED' });
    expect(results[1]).toBeInstanceOf(Error);
    expect(results[2]).toEqual({ kind: 'applied', status: 'SUCCEEDED' });
    expect(typesIn(await h.outboxOf(first.orderId))).toEqual(['PaymentSucceeded']);
    expect((await h.paymentRow(second.id))?.status).toBe('PENDING');
    expect(await h.outboxOf(second.orderId)).toEqual([]);
    expect(typesIn(await h.outboxOf(third.orderId))).toEqual(['PaymentSucceeded']);
  });

  test('batches and lone callbacks racing over the same payments and events: each payment moves once, one event each', async () => {
    const pending = await Promise.all(Array.from({ length: 8 }, () => h.aPendingPayment()));
    const successes = pending.map((payment) => callbackFor(payment, 'SUCCESS'));
    const shuffled = (offset: number) => successes.map((_, i) => successes[(i + offset) % successes.length]!);

    const outcomes = await Promise.all([
      h.service.payments.handleCallbacks(shuffled(0).map(request)),
      h.service.payments.handleCallbacks(shuffled(3).map(request)),
      h.service.payments.handleCallbacks(shuffled(5).reverse().map(request)),
      ...successes.map((success) => h.service.payments.handleCallback(request(success).callback, 'sandbox')),
    ]);

    const applied = outcomes.flat().filter((outcome) => !(outcome instanceof Error) && outcome.kind === 'applied');
    expect(outcomes.flat().filter((outcome) => outcome instanceof Error)).toEqual([]);
    expect(applied).toHaveLength(pending.length);
    for (const payment of pending) {
      expect((await h.paymentRow(payment.id))?.status).toBe('SUCCEEDED');
      expect(typesIn(await h.outboxOf(payment.orderId))).toEqual(['PaymentSucceeded']);
      expect(await h.eventRecords(payment.id)).toHaveLength(1);
    }
  });
});

describe('the webhook gathers callbacks that arrive while others are being applied', () => {
  test('40 callbacks delivered at once: every one answered as alone, in fewer transactions than callbacks', async () => {
    const pending = await Promise.all(Array.from({ length: 40 }, () => h.aPendingPayment()));
    const before = h.queries.length;

    const answers = await Promise.all(pending.map((payment) => h.deliver(callbackFor(payment, 'SUCCESS'))));

    expect(answers.map((answer) => [answer.status, answer.body.applied])).toEqual(pending.map(() => [200, true]));
    expect(transactionsIn(h.queries.slice(before))).toBeLessThan(pending.length);
    for (const payment of pending) expect(typesIn(await h.outboxOf(payment.orderId))).toEqual(['PaymentSucceeded']);
  });
});
