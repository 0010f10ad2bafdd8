import { AuditRecorded, newId, PaymentRefunded, type Identity } from '@waimai/platform';
import { aCustomer, anOperator, startPayments, type PaymentsHarness } from './harness';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments();
});
afterAll(async () => {
  await h.stop();
});

const COMPENSATE = `
  mutation($orderId: ID!, $amountCents: Int!, $reason: String!, $idempotencyKey: String!) {
    compensateOrder(orderId: $orderId, amountCents: $amountCents, reason: $reason, idempotencyKey: $idempotencyKey) {
      id orderId amountCents reason createdAt paidOutAt
      payment { id status refundedCents }
    }
  }`;

interface CompensatedRefund {
  id: string;
  orderId: string;
  amountCents: number;
  reason: string;
  createdAt: string;
  paidOutAt: string | null;
  payment: { id: string; status: string; refundedCents: number };
}

function compensate(orderId: string, amountCents: number, options: { reason?: string; key?: string; caller?: Identity | null } = {}) {
  return h.call<{ compensateOrder: CompensatedRefund }>(
    COMPENSATE,
    { orderId, amountCents, reason: options.reason ?? '骑手态度不好，补偿顾客', idempotencyKey: options.key ?? newId() },
    options.caller === undefined ? anOperator() : options.caller,
  );
}

const codesOf = (result: { errors?: Array<{ extensions?: { code?: string } }> }) => result.errors?.map((error) => error.extensions?.code);

describe('compensateOrder: a goodwill refund by staff', () => {
  test('a late-delivery refund asked after staff gave the whole payment back is settled with nothing more, so the order can close', async () => {
    const payment = await h.aPaidPayment({ amountCents: 2000 });
    expect((await compensate(payment.orderId, 2000)).errors).toBeUndefined();

    const result = await h.service.payments.refund(newId(), { orderId: payment.orderId, paymentId: payment.id, amountCents: 400, reason: 'LATE_DELIVERY' });

    expect(result.kind).toBe('nothing-left');
    const settled = (await h.outboxOf(payment.orderId)).filter((event) => event.type === PaymentRefunded.type).map((event) => PaymentRefunded.data.parse(event.data));
    expect(settled).toEqual(expect.arrayContaining([{ paymentId: payment.id, orderId: payment.orderId, refundCents: 0, totalRefundedCents: 2000, reason: 'LATE_DELIVERY' }]));
    expect(await h.paymentRow(payment.id)).toMatchObject({ status: 'REFUNDED', refundedCents: 2000 });
  });

  test('a compensation refunds part of the paid payment, audited in the claim and announced as GOODWILL once paid out', async () => {
    const payment = await h.aPaidPayment({ amountCents: 5000 });
    const operator = anOperator();

    const result = await compensate(payment.orderId, 1200, { caller: operator, reason: '餐品洒了' });

    expect(result.errors).toBeUndefined();
    const refund = result.data!.compensateOrder;
    expect(refund).toMatchObject({ orderId: payment.orderId, amountCents: 1200, reason: 'GOODWILL', paidOutAt: expect.any(String) });
    expect(refund.payment).toEqual({ id: payment.id, status: 'PARTIALLY_REFUNDED', refundedCents: 1200 });
    expect(await h.refundRow(refund.id)).toMatchObject({ paymentId: payment.id, providerRefundId: expect.stringMatching(/^sbx_rf_/), failedPayouts: 0 });

    const events = await h.outboxOf(payment.orderId);
    const audits = events.filter((event) => event.type === AuditRecorded.type).map((event) => AuditRecorded.data.parse(event.data));
    expect(audits).toEqual([
      expect.objectContaining({
        service: 'payments',
        actorId: operator.sub,
        actorRoles: ['OPERATOR'],
        action: 'ORDER_COMPENSATE',
        targetType: 'ORDER',
        targetId: payment.orderId,
        reason: '餐品洒了',
        before: 'SUCCEEDED',
        after: 'PARTIALLY_REFUNDED',
        details: { amountCents: 1200, refundId: refund.id, paymentId: payment.id },
      }),
    ]);
    const refunded = events.filter((event) => event.type === PaymentRefunded.type).map((event) => PaymentRefunded.data.parse(event.data));
    expect(refunded).toEqual([{ paymentId: payment.id, orderId: payment.orderId, refundCents: 1200, totalRefundedCents: 1200, reason: 'GOODWILL' }]);
  });

  test('the same idempotency key returns the same refund and pays once, also when sent concurrently', async () => {
    const payment = await h.aPaidPayment({ amountCents: 3000 });
    const key = `console-${newId()}`;

    const first = await compensate(payment.orderId, 700, { key });
    const [again, alsoAgain] = await Promise.all([compensate(payment.orderId, 700, { key }), compensate(payment.orderId, 700, { key })]);

    expect([again.data?.compensateOrder.id, alsoAgain.data?.compensateOrder.id]).toEqual([first.data!.compensateOrder.id, first.data!.compensateOrder.id]);
    expect((await h.allRefundsOf(payment.orderId)).map((refund) => refund.amountCents)).toEqual([700]);
    expect(await h.paymentRow(payment.id)).toMatchObject({ refundedCents: 700 });
    const events = await h.outboxOf(payment.orderId);
    expect(events.filter((event) => event.type === PaymentRefunded.type)).toHaveLength(1);
    expect(events.filter((event) => event.type === AuditRecorded.type)).toHaveLength(1);
  });

  test('two keys are two compensations, each counted against what is left', async () => {
    const payment = await h.aPaidPayment({ amountCents: 2000 });

    expect((await compensate(payment.orderId, 1500)).errors).toBeUndefined();
    const second = await compensate(payment.orderId, 500);

    expect(second.data?.compensateOrder.payment).toEqual({ id: payment.id, status: 'REFUNDED', refundedCents: 2000 });
    const audits = (await h.outboxOf(payment.orderId)).filter((event) => event.type === AuditRecorded.type).map((event) => AuditRecorded.data.parse(event.data));
    expect(audits.map((audit) => [audit.before, audit.after])).toEqual([
      ['SUCCEEDED', 'PARTIALLY_REFUNDED'],
      ['PARTIALLY_REFUNDED', 'REFUNDED'],
    ]);
  });

  test('a key used before for another amount is refused with BAD_USER_INPUT and changes nothing', async () => {
    const payment = await h.aPaidPayment({ amountCents: 3000 });
    const key = newId();
    await compensate(payment.orderId, 300, { key });

    const reused = await compensate(payment.orderId, 400, { key });

    expect(codesOf(reused)).toEqual(['BAD_USER_INPUT']);
    expect(reused.errors?.[0]?.message).toMatch(/already|used for a compensation of 300 cents/);
    expect((await h.allRefundsOf(payment.orderId)).map((refund) => refund.amountCents)).toEqual([300]);
  });

  test('more than is left after earlier refunds is refused with BAD_USER_INPUT naming what can still be refunded', async () => {
    const payment = await h.aPaidPayment({ amountCents: 2500 });
    await compensate(payment.orderId, 1000);

    const tooMuch = await compensate(payment.orderId, 1501);

    expect(codesOf(tooMuch)).toEqual(['BAD_USER_INPUT']);
    expect(tooMuch.errors?.[0]?.message).toContain('paid 2500 cents, 1000 of them refunded or being refunded, so at most 1500 cents can be refunded');
    expect(tooMuch.errors?.[0]?.extensions?.problems).toEqual([{ field: 'amountCents', message: 'must be between 1 and 1500' }]);
    expect((await compensate(payment.orderId, 1500)).data?.compensateOrder.payment.status).toBe('REFUNDED');

    const nothingLeft = await compensate(payment.orderId, 1);
    expect(codesOf(nothingLeft)).toEqual(['BAD_USER_INPUT']);
    expect(nothingLeft.errors?.[0]?.message).toContain('nothing is left to refund');
  });

  test.each<[string, { amountCents?: number; reason?: string; key?: string }, string]>([
    ['zero cents', { amountCents: 0 }, 'arguments.amountCents'],
    ['a negative amount', { amountCents: -100 }, 'arguments.amountCents'],
    ['a blank reason', { reason: '   ' }, 'arguments.reason'],
    ['a reason of 501 characters', { reason: '因'.repeat(501) }, 'arguments.reason'],
    ['a blank idempotency key', { key: ' ' }, 'arguments.idempotencyKey'],
    ['an idempotency key of 129 characters', { key: 'k'.repeat(129) }, 'arguments.idempotencyKey'],
  ])('%s is refused with BAD_USER_INPUT before anything is written', async (_name, input, field) => {
    const payment = await h.aPaidPayment({ amountCents: 1000 });

    const result = await compensate(payment.orderId, input.amountCents ?? 100, input);

    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.extensions?.problems).toEqual([expect.objectContaining({ field })]);
    expect(await h.allRefundsOf(payment.orderId)).toEqual([]);
  });

  test('a reason of exactly 500 characters is taken', async () => {
    const payment = await h.aPaidPayment({ amountCents: 1000 });
    expect((await compensate(payment.orderId, 100, { reason: '因'.repeat(500) })).errors).toBeUndefined();
  });

  test('an order without a successful payment is refused with INVALID_STATE_TRANSITION on the Order, status UNPAID', async () => {
    const pending = await h.aPendingPayment({ amountCents: 1000 });
    const neverPaid = newId();

    for (const orderId of [pending.orderId, neverPaid]) {
      const result = await compensate(orderId, 100);
      expect(codesOf(result)).toEqual(['INVALID_STATE_TRANSITION']);
      expect(result.errors?.[0]?.extensions).toMatchObject({ orderId, status: 'UNPAID', step: 'compensateOrder' });
      expect(await h.allRefundsOf(orderId)).toEqual([]);
    }
  });

  test('ten concurrent compensations that together ask for more than was paid never refund more than was paid', async () => {
    const payment = await h.aPaidPayment({ amountCents: 5000 });

    // 10 × 700 = 7000 asked for, 5000 paid: seven fit (4900), the others find too little left.
    const results = await Promise.all(Array.from({ length: 10 }, () => compensate(payment.orderId, 700)));

    const taken = results.filter((result) => result.data?.compensateOrder);
    expect(taken).toHaveLength(7);
    expect(results.filter((result) => codesOf(result)?.[0] === 'BAD_USER_INPUT')).toHaveLength(3);
    const refunds = await h.allRefundsOf(payment.orderId);
    expect(refunds.reduce((sum, refund) => sum + refund.amountCents, 0)).toBe(4900);
    expect(await h.paymentRow(payment.id)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedCents: 4900 });
    const refunded = (await h.outboxOf(payment.orderId)).filter((event) => event.type === PaymentRefunded.type).map((event) => PaymentRefunded.data.parse(event.data));
    expect(refunded).toHaveLength(7);
    expect(Math.max(...refunded.map((event) => event.totalRefundedCents))).toBe(4900);
  });

  test('customers, merchants and riders are refused with FORBIDDEN, a caller without a token with UNAUTHENTICATED', async () => {
    const payment = await h.aPaidPayment({ amountCents: 1000, customerId: `customer-${newId()}` });
    const owner = aCustomer(payment.customerId);

    for (const caller of [owner, { sub: `merchant-${newId()}`, roles: ['MERCHANT'] }, { sub: `rider-${newId()}`, roles: ['RIDER'] }] as Identity[]) {
      expect(codesOf(await compensate(payment.orderId, 100, { caller }))).toEqual(['FORBIDDEN']);
    }
    expect(codesOf(await compensate(payment.orderId, 100, { caller: null }))).toEqual(['UNAUTHENTICATED']);
    expect(await h.allRefundsOf(payment.orderId)).toEqual([]);
  });

  test('an ADMIN may compensate too', async () => {
    const payment = await h.aPaidPayment({ amountCents: 1000 });
    const result = await compensate(payment.orderId, 250, { caller: { sub: `admin-${newId()}`, roles: ['ADMIN'] } });
    expect(result.data?.compensateOrder).toMatchObject({ amountCents: 250, reason: 'GOODWILL' });
  });

  test('the paying customer sees the refunds on their payment, oldest first, each with its payment', async () => {
    const payment = await h.aPaidPayment({ amountCents: 4000, customerId: `customer-${newId()}` });
    const first = await compensate(payment.orderId, 400);
    const second = await compensate(payment.orderId, 600);

    const seen = await h.call<{ payment: { refunds: Array<{ id: string; amountCents: number; reason: string; paidOutAt: string | null; payment: { id: string } }> } }>(
      'query($id: ID!) { payment(id: $id) { refunds { id amountCents reason paidOutAt payment { id } } } }',
      { id: payment.id },
      aCustomer(payment.customerId),
    );

    expect(seen.data?.payment.refunds).toEqual([
      { id: first.data!.compensateOrder.id, amountCents: 400, reason: 'GOODWILL', paidOutAt: expect.any(String), payment: { id: payment.id } },
      { id: second.data!.compensateOrder.id, amountCents: 600, reason: 'GOODWILL', paidOutAt: expect.any(String), payment: { id: payment.id } },
    ]);
  });
});
