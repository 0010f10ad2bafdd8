import { aCustomer, anOperator, eventually, startPaymentsWithOrders, type PaymentsWithOrdersHarness } from './harness';

let h: PaymentsWithOrdersHarness;
beforeAll(async () => {
  h = await startPaymentsWithOrders();
});
afterAll(async () => {
  await h.stop();
});

interface PaymentView {
  id: string;
  status: string;
  amountCents: number;
  paymentMethod: string;
  provider: string;
  payUrl: string | null;
  qrCode: string | null;
  expiresAt: string | null;
  refundedCents: number;
  order: { id: string };
}

const INITIATE = `mutation($orderId: ID!, $method: PaymentMethod!) {
  initiatePayment(orderId: $orderId, paymentMethod: $method) {
    id status amountCents paymentMethod provider payUrl qrCode expiresAt refundedCents order { id }
  }
}`;

const initiate = (orderId: string, caller: Parameters<PaymentsWithOrdersHarness['call']>[2], method = 'ALIPAY') =>
  h.call<{ initiatePayment: PaymentView }>(INITIATE, { orderId, method }, caller);

describe('initiatePayment', () => {
  test("pays the order's own total through the sandbox; calling again returns the same pending payment", async () => {
    const customer = aCustomer();
    const order = await h.anOrder(customer, { priceCents: 1350, quantity: 3 });

    const first = await initiate(order.id, customer, 'WECHAT_PAY');
    const again = await initiate(order.id, customer, 'WECHAT_PAY');

    const payment = first.data?.initiatePayment;
    expect(first.errors).toBeUndefined();
    expect(payment).toMatchObject({
      status: 'PENDING',
      amountCents: 4050,
      paymentMethod: 'WECHAT_PAY',
      provider: 'sandbox',
      payUrl: `${h.config.PUBLIC_URL}/webhooks/payments/sandbox/pay/${payment?.id}`,
      refundedCents: 0,
      order: { id: order.id },
    });
    expect(order.totalCents).toBe(4050);
    expect(payment?.qrCode).toBe(payment?.payUrl);
    const window = new Date(payment?.expiresAt ?? 0).getTime() - Date.now();
    expect(window).toBeGreaterThan((h.config.PAYMENT_WINDOW_SECONDS - 60) * 1000);
    expect(window).toBeLessThanOrEqual(h.config.PAYMENT_WINDOW_SECONDS * 1000);
    expect(again.data?.initiatePayment).toEqual(payment);
  });

  test('ten concurrent initiatePayment calls for one order make one pending payment', async () => {
    const customer = aCustomer();
    const order = await h.anOrder(customer);

    const results = await Promise.all(Array.from({ length: 10 }, () => initiate(order.id, customer)));

    expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
    expect(new Set(results.map((result) => result.data?.initiatePayment.id)).size).toBe(1);
    expect(await h.paymentsOfOrder(order.id)).toHaveLength(1);
  });

  test("only the order's customer may pay it; unknown orders are NOT_FOUND; nothing is written otherwise", async () => {
    const customer = aCustomer();
    const order = await h.anOrder(customer);

    const stranger = await initiate(order.id, aCustomer());
    const merchant = await initiate(order.id, { sub: customer.sub, roles: ['MERCHANT'] });
    const anonymous = await initiate(order.id, null);
    const unknown = await initiate('01a00000-0000-7000-8000-000000000000', customer);
    const invalid = await initiate(' ', customer);

    expect(stranger.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(merchant.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(invalid.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await h.paymentsOfOrder(order.id)).toEqual([]);
  });

  test('a cancelled order cannot be paid: INVALID_STATE_TRANSITION', async () => {
    const customer = aCustomer();
    const order = await h.anOrder(customer);
    const cancelled = await h.callOrders('mutation($id: ID!) { cancelOrder(orderId: $id) { status } }', { id: order.id }, customer);
    expect(cancelled.data).toEqual({ cancelOrder: { status: 'CANCELLED' } });

    const result = await initiate(order.id, customer);

    expect(result.errors?.[0]?.extensions?.code).toBe('INVALID_STATE_TRANSITION');
    expect(await h.paymentsOfOrder(order.id)).toEqual([]);
  });

  test('paying on the sandbox page moves the order to CREATED; Order.payment then shows the paid payment', async () => {
    const customer = aCustomer();
    const order = await h.anOrder(customer);
    const payment = (await initiate(order.id, customer)).data?.initiatePayment;
    if (!payment?.payUrl) throw new Error('no payUrl');

    const paid = await fetch(`${h.service.baseUrl}${new URL(payment.payUrl).pathname}/succeed`, { method: 'POST' });
    expect(paid.status).toBe(200);

    await eventually(async () => (await h.orderStatus(order.id, customer)) === 'CREATED', 30_000, 'the order CREATED');
    const ofOrder = await h.call<{ _entities: Array<{ payment: { id: string; status: string; amountCents: number } | null }> }>(
      'query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Order { payment { id status amountCents } } } }',
      { reps: [{ __typename: 'Order', id: order.id }] },
      customer,
    );
    expect(ofOrder.data?._entities).toEqual([{ payment: { id: payment.id, status: 'SUCCEEDED', amountCents: order.totalCents } }]);
    const again = await initiate(order.id, customer);
    expect(again.errors?.[0]?.extensions?.code).toBe('INVALID_STATE_TRANSITION');
  });
});

describe('who sees a payment', () => {
  test('Query.payment: the paying customer and staff; null for anyone else', async () => {
    const customer = aCustomer();
    const order = await h.anOrder(customer);
    const { id } = (await initiate(order.id, customer)).data?.initiatePayment ?? { id: '' };
    const view = (caller: Parameters<PaymentsWithOrdersHarness['call']>[2]) =>
      h.call<{ payment: { id: string } | null }>('query($id: ID!) { payment(id: $id) { id } }', { id }, caller);

    expect((await view(customer)).data?.payment).toEqual({ id });
    expect((await view(anOperator())).data?.payment).toEqual({ id });
    expect((await view({ sub: 'admin', roles: ['ADMIN'] })).data?.payment).toEqual({ id });
    expect((await view(aCustomer())).data?.payment).toBeNull();
    expect((await view(null)).data?.payment).toBeNull();
  });

  test('Order.payment is null for callers who may not see the payment, and for orders never paid', async () => {
    const customer = aCustomer();
    const order = await h.anOrder(customer);
    const unpaid = await h.anOrder(customer);
    await initiate(order.id, customer);

    const result = (caller: Parameters<PaymentsWithOrdersHarness['call']>[2]) =>
      h.call<{ _entities: Array<{ id: string; payment: { status: string } | null }> }>(
        'query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Order { id payment { status } } } }',
        { reps: [{ __typename: 'Order', id: order.id }, { __typename: 'Order', id: unpaid.id }] },
        caller,
      );

    expect((await result(customer)).data?._entities).toEqual([{ id: order.id, payment: { status: 'PENDING' } }, { id: unpaid.id, payment: null }]);
    expect((await result(aCustomer())).data?._entities).toEqual([{ id: order.id, payment: null }, { id: unpaid.id, payment: null }]);
  });

  test('one _entities batch of payments loads them with one query, and hides those the caller may not see', async () => {
    const customer = aCustomer();
    const mine = [await h.aPendingPayment({ customerId: customer.sub }), await h.aPendingPayment({ customerId: customer.sub })];
    const theirs = await h.aPendingPayment();
    h.queries.length = 0;

    const result = await h.call<{ _entities: Array<{ id: string; order: { id: string } } | null> }>(
      'query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Payment { id order { id } } } }',
      { reps: [...mine, theirs].map((payment) => ({ __typename: 'Payment', id: payment.id })) },
      customer,
    );

    expect(result.data?._entities).toEqual([
      { id: mine[0]?.id, order: { id: mine[0]?.orderId } },
      { id: mine[1]?.id, order: { id: mine[1]?.orderId } },
      null,
    ]);
    expect(h.queries.filter((query) => query.includes('from `payments`'))).toHaveLength(1);
  });
});
