import {
  aMerchant,
  anOfferedOrder,
  anOrder,
  aRiderAt,
  eventually,
  gql,
  north,
  ORDER_OFFERS,
  orderInfo,
  payloadsUntil,
  payOrder,
  startStack,
  subscribe,
  TRACK_ORDER,
  type Actor,
  type GraphQLSubscription,
  type Stack,
  type TrackedOrder,
} from '@waimai/testkit';

interface Offered {
  orderOffers: {
    id: string;
    distanceMeters: number;
    expiresAt: string;
    order: { id: string; status: string; totalCents: number; deliveryAddress: string; merchant: { id: string; name: string; address: string; location: { lat: number; lng: number } } };
  };
}

let stack: Stack;
const sockets: Array<GraphQLSubscription<unknown>> = [];
beforeAll(async () => {
  stack = await startStack({ env: { OFFER_SECONDS: '30', CLOSE_AFTER_SECONDS: '1', SCHEDULER_INTERVAL_MS: '200' } });
});
afterAll(async () => {
  for (const socket of sockets) await socket.close();
  await stack.stop();
});

function watch<T>(subscription: GraphQLSubscription<T>): GraphQLSubscription<T> {
  sockets.push(subscription as GraphQLSubscription<unknown>);
  return subscription;
}

test('a paid order is offered to the three riders near the merchant, one of them wins the grab, delivers, and the customer sees every step', async () => {
  const merchant = await aMerchant(stack, [{ name: '兰州拉面', priceCents: 2200, stock: 20 }]);
  const near = await Promise.all([300, 600, 900].map((meters) => aRiderAt(stack, north(merchant.location, meters))));
  const far = await aRiderAt(stack, north(merchant.location, 100_000));
  const offers = near.map((rider) => watch(subscribe<Offered>(stack.wsUrl, rider.token, ORDER_OFFERS)));
  const farOffers = watch(subscribe<Offered>(stack.wsUrl, far.token, ORDER_OFFERS));
  const order = await anOrder(stack, merchant);
  const tracking = watch(subscribe<TrackedOrder>(stack.wsUrl, order.customer.token, TRACK_ORDER, { orderId: order.id }));
  // Every subscription is live at the gateway before the payment: no event can slip past.
  for (const rider of [...near, far]) {
    await eventually(() => stack.gateway.events.listeners('orderOffers', rider.sub) === 1, 10_000, `the offers subscription of ${rider.sub}`);
  }
  await eventually(() => stack.gateway.events.listeners('orderUpdated', order.id) === 1, 10_000, 'the tracking subscription');

  await payOrder(stack, order.id, order.customer.token);

  const received = await Promise.all(offers.map((subscription) => subscription.next(20_000)));
  for (const [index, payload] of received.entries()) {
    const offer = payload.data!.orderOffers;
    expect(offer.order).toMatchObject({ id: order.id, totalCents: 2200, merchant: { id: merchant.id, name: merchant.name, address: '测试路1号', location: merchant.location } });
    expect(offer.distanceMeters).toBeGreaterThan([280, 580, 880][index]!);
    expect(offer.distanceMeters).toBeLessThan([320, 620, 920][index]!);
  }
  expect(farOffers.queued()).toBe(0);
  const farPending = await gql<{ pendingOrderOffers: unknown[] }>(stack.graphqlUrl, '{ pendingOrderOffers { id } }', {}, far.token);
  expect(farPending.data!.pendingOrderOffers).toEqual([]);

  const grabs = await Promise.all(
    near.map((rider) =>
      gql<{ grabOrder: { status: string; rider: { id: string; name: string } } }>(
        stack.graphqlUrl,
        'mutation GrabOrder($orderId: ID!) { grabOrder(orderId: $orderId) { id status grabbedAt rider { id name } } }',
        { orderId: order.id },
        rider.token,
      ),
    ),
  );
  const winners = grabs.filter((grab) => grab.data?.grabOrder);
  expect(winners).toHaveLength(1);
  expect(grabs.filter((grab) => grab.errors?.[0]?.extensions?.code === 'ORDER_ALREADY_TAKEN')).toHaveLength(2);
  const winner = near.find((rider) => rider.sub === winners[0]!.data!.grabOrder.rider.id)!;
  expect(winners[0]!.data!.grabOrder.status).toBe('DELIVERING');

  const pickedUp = await gql<{ pickUpOrder: { pickedUpAt: string } }>(stack.graphqlUrl, 'mutation($orderId: ID!) { pickUpOrder(orderId: $orderId) { id status pickedUpAt } }', { orderId: order.id }, winner.token);
  const loserPickUp = await gql(stack.graphqlUrl, 'mutation($orderId: ID!) { pickUpOrder(orderId: $orderId) { id } }', { orderId: order.id }, near.find((r) => r !== winner)!.token);
  const delivered = await gql<{ deliverOrder: { status: string; wasOvertime: boolean } }>(stack.graphqlUrl, 'mutation($orderId: ID!) { deliverOrder(orderId: $orderId) { id status wasOvertime deliveredAt } }', { orderId: order.id }, winner.token);
  expect(pickedUp.data!.pickUpOrder.pickedUpAt).toBeTruthy();
  expect(loserPickUp.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(delivered.data!.deliverOrder).toEqual({ id: order.id, status: 'RECEIVED', wasOvertime: false, deliveredAt: expect.any(String) });

  const seen = await payloadsUntil(tracking, (payload) => payload.data?.orderUpdated.status === 'CLOSED', 30_000);
  // One event per change since the payment: pay, notify, grab, pick-up, deliver, close.
  const sincePayment = seen.map((payload) => payload.data!.orderUpdated.status).filter((status) => status !== 'PENDING_PAYMENT');
  expect(sincePayment).toHaveLength(6);
  // Each event is resolved by reading the order then: two changes a few ms apart (paid, then
  // offered) may both show the later status. The steps people wait on are each seen.
  const steps = sincePayment.filter((status, i) => status !== sincePayment[i - 1]);
  expect(steps.slice(-3)).toEqual(['DELIVERING', 'RECEIVED', 'CLOSED']);
  expect(['CREATED,NOTIFIED', 'NOTIFIED']).toContain(steps.slice(0, -3).join(','));
  for (const payload of seen) {
    const update = payload.data!.orderUpdated;
    expect(update.merchant.name).toBe(merchant.name);
    if (['DELIVERING', 'RECEIVED', 'CLOSED'].includes(update.status)) expect(update.rider).toEqual({ id: winner.sub, name: expect.stringMatching(/^骑手/) });
    else expect(update.rider).toBeNull();
  }
  const final = await orderInfo(stack, order.id, order.customer.token);
  expect(final!.timeline.map((t) => t.status)).toEqual(['PENDING_PAYMENT', 'CREATED', 'NOTIFIED', 'DELIVERING', 'RECEIVED', 'CLOSED']);
});

test('a rider whose grab answer was lost repeats it through the gateway and gets the order, also after picking it up; the other rider still gets ORDER_ALREADY_TAKEN', async () => {
  const { order, riders } = await anOfferedOrder(stack, 2);
  const [winner, loser] = riders as [Actor, Actor];
  const GRAB = 'mutation GrabOrder($orderId: ID!) { grabOrder(orderId: $orderId) { id status rider { id } } }';
  const grab = (token: string) => gql<{ grabOrder: { id: string; status: string; rider: { id: string } } }>(stack.graphqlUrl, GRAB, { orderId: order.id }, token);

  // The first answer "lost": the client sends the same grab again before and after it lands.
  const [first, repeatedAtOnce] = await Promise.all([grab(winner.token), grab(winner.token)]);
  const lost = await grab(loser.token);
  await gql(stack.graphqlUrl, 'mutation($orderId: ID!) { pickUpOrder(orderId: $orderId) { id } }', { orderId: order.id }, winner.token);
  const afterPickUp = await grab(winner.token);

  const won = { grabOrder: { id: order.id, status: 'DELIVERING', rider: { id: winner.sub } } };
  expect(first.data).toEqual(won);
  expect(repeatedAtOnce.data).toEqual(won);
  expect(afterPickUp.data).toEqual(won);
  expect(lost.errors?.[0]?.extensions?.code).toBe('ORDER_ALREADY_TAKEN');
  const final = await orderInfo(stack, order.id, order.customer.token);
  expect(final!.timeline.map((t) => t.status)).toEqual(['PENDING_PAYMENT', 'CREATED', 'NOTIFIED', 'DELIVERING']);
});
