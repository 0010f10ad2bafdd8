import { aMerchant, anOrder, aRiderAt, eventually, gql, north, ORDER_OFFERS, payOrder, startStack, subscribe, type GraphQLSubscription, type Stack } from '@waimai/testkit';

interface Offered {
  orderOffers: {
    id: string;
    distanceMeters: number;
    expiresAt: string;
    order: {
      id: string;
      status: string;
      totalCents: number;
      deliveryAddress: string;
      deliveryLocation: { lat: number; lng: number };
      merchant: { id: string; name: string; address: string; location: { lat: number; lng: number } };
    };
  };
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const open: Array<GraphQLSubscription<unknown>> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((subscription) => subscription.close()));
});

function offersFor(token: string): GraphQLSubscription<Offered> {
  const subscription = subscribe<Offered>(stack.wsUrl, token, ORDER_OFFERS);
  open.push(subscription as GraphQLSubscription<unknown>);
  return subscription;
}

describe('orderOffers end to end', () => {
  it("a paid order reaches each nearby rider's socket as an offer with its order and merchant resolved through the supergraph; a rider 100 km away gets nothing", async () => {
    const merchant = await aMerchant(stack);
    const near = [await aRiderAt(stack, north(merchant.location, 300)), await aRiderAt(stack, north(merchant.location, 900))];
    const far = await aRiderAt(stack, north(merchant.location, 100_000));
    const [nearSockets, farSocket] = [near.map((rider) => offersFor(rider.token)), offersFor(far.token)];
    for (const rider of [...near, far]) {
      await eventually(() => stack.gateway.events.listeners('orderOffers', rider.sub) === 1, 10_000, `the offers subscription of ${rider.sub}`);
    }
    const order = await anOrder(stack, merchant);

    await payOrder(stack, order.id, order.customer.token);
    const offers = await Promise.all(nearSockets.map((socket) => socket.next(30_000)));

    for (const [index, offer] of offers.entries()) {
      expect(offer.errors).toBeUndefined();
      expect(offer.data?.orderOffers).toEqual({
        id: expect.any(String),
        distanceMeters: expect.any(Number),
        expiresAt: expect.any(String),
        order: {
          id: order.id,
          status: expect.stringMatching(/^(CREATED|NOTIFIED)$/),
          totalCents: order.totalCents,
          deliveryAddress: expect.any(String),
          deliveryLocation: { lat: expect.any(Number), lng: expect.any(Number) },
          merchant: { id: merchant.id, name: merchant.name, address: expect.any(String), location: merchant.location },
        },
      });
      expect(Math.abs((offer.data?.orderOffers.distanceMeters ?? 0) - [300, 900][index]!)).toBeLessThan(50);
    }
    // The far rider was never offered this order (a reconnecting app would find it here too).
    const farPending = await gql<{ pendingOrderOffers: Array<{ order: { id: string } }> }>(stack.graphqlUrl, '{ pendingOrderOffers { order { id } } }', {}, far.token);
    expect(farPending.data?.pendingOrderOffers.filter((offer) => offer.order.id === order.id)).toEqual([]);
    expect(farSocket.queued()).toBe(0);
  });

  it('the offer a rider\'s socket received is also in pendingOrderOffers, which the app reads after reconnecting', async () => {
    const merchant = await aMerchant(stack);
    const rider = await aRiderAt(stack, north(merchant.location, 200));
    const socket = offersFor(rider.token);
    await eventually(() => stack.gateway.events.listeners('orderOffers', rider.sub) === 1, 10_000, 'the offers subscription');
    const order = await anOrder(stack, merchant);
    await payOrder(stack, order.id, order.customer.token);
    const offer = await socket.next(30_000);

    const pending = await gql<{ pendingOrderOffers: Array<{ id: string; order: { id: string } }> }>(stack.graphqlUrl, '{ pendingOrderOffers { id order { id } } }', {}, rider.token);

    expect(pending.data?.pendingOrderOffers).toContainEqual({ id: offer.data?.orderOffers.id, order: { id: order.id } });
  });
});
