import { aMerchant, aRiderAt, anOrder, eventually, gql, north, orderInfo, payOrder, startStack, type Stack } from '@waimai/testkit';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: {
      // A promise of ~1 s: any real delivery is late.
      DELIVERY_BASE_MINUTES: '0.02',
      DELIVERY_METERS_PER_MINUTE: '1000000',
      CLOSE_AFTER_SECONDS: '1',
      OVERTIME_REFUND_PERCENT: '20',
      SCHEDULER_INTERVAL_MS: '200',
    },
  });
});
afterAll(async () => {
  await stack.stop();
});

test('a late delivery goes OVERTIME, is delivered, compensated by a partial refund and closed', async () => {
  const merchant = await aMerchant(stack, [{ name: '北京烤鸭', priceCents: 12800, stock: 5 }]);
  const rider = await aRiderAt(stack, north(merchant.location, 300));
  const order = await anOrder(stack, merchant);
  await payOrder(stack, order.id, order.customer.token);

  await eventually(async () => {
    const offers = await gql<{ pendingOrderOffers: Array<{ order: { id: string } }> }>(stack.graphqlUrl, '{ pendingOrderOffers { id expiresAt order { id status } } }', {}, rider.token);
    return offers.data?.pendingOrderOffers.some((offer) => offer.order.id === order.id);
  }, 20_000, 'the offer reaching the rider');
  const grabbed = await gql<{ grabOrder: { status: string; rider: { id: string } } }>(
    stack.graphqlUrl,
    'mutation($orderId: ID!) { grabOrder(orderId: $orderId) { id status grabbedAt rider { id name } } }',
    { orderId: order.id },
    rider.token,
  );
  expect(grabbed.data!.grabOrder).toMatchObject({ status: 'DELIVERING', rider: { id: rider.sub } });

  await eventually(async () => (await orderInfo(stack, order.id, order.customer.token))?.status === 'OVERTIME', 20_000, 'the deadline passing');
  const delivered = await gql<{ deliverOrder: { status: string; wasOvertime: boolean } }>(
    stack.graphqlUrl,
    'mutation($orderId: ID!) { deliverOrder(orderId: $orderId) { id status wasOvertime deliveredAt } }',
    { orderId: order.id },
    rider.token,
  );
  expect(delivered.data!.deliverOrder).toMatchObject({ status: 'RECEIVED', wasOvertime: true });

  const closed = await eventually(async () => {
    const info = await orderInfo(stack, order.id, order.customer.token);
    return info?.status === 'CLOSED' ? info : null;
  }, 30_000, 'the compensation and closing');
  expect(closed.timeline.map((t) => t.status)).toEqual(['PENDING_PAYMENT', 'CREATED', 'NOTIFIED', 'DELIVERING', 'OVERTIME', 'RECEIVED', 'COMPENSATING', 'CLOSED']);
  expect(closed.wasOvertime).toBe(true);
  expect(closed.payment).toMatchObject({ status: 'PARTIALLY_REFUNDED', amountCents: 12800, refundedCents: 2560 });
  expect(closed.rider).toMatchObject({ id: rider.sub, name: expect.stringMatching(/^骑手/) });
});
