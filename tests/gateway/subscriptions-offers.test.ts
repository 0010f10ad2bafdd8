import { createKafkaEventBus, createLogger, newEvent, OrderOffered, Topics } from '@waimai/platform';
import {
  aMerchant,
  anActor,
  anOrder,
  aRiderAt,
  contractOperation,
  eventually,
  gql,
  north,
  ORDER_OFFERS,
  payOrder,
  startStack,
  subscribe,
  testInfraConfig,
  type GraphQLSubscription,
  type Stack,
} from '@waimai/testkit';

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

/** waimai_gateway_event_answers_total for orderOffers, by source, from the gateway's /metrics. */
async function answers(): Promise<Record<string, number>> {
  const text = await (await fetch(`${stack.gateway.adminUrl}/metrics`)).text();
  const counts: Record<string, number> = { event: 0, event_and_load: 0, query: 0 };
  for (const [, source, value] of text.matchAll(/^waimai_gateway_event_answers_total\{field="orderOffers",source="(\w+)"\} (\d+)$/gm)) counts[source!] = Number(value);
  return counts;
}

/**
 * A rider near a shop whose paid order's offer reached their socket, the gateway's answer
 * counts then, and a bus to publish offers again with (the caller closes it).
 */
async function anOfferReceived() {
  const merchant = await aMerchant(stack);
  const rider = await aRiderAt(stack, north(merchant.location, 150));
  const socket = offersFor(rider.token);
  await eventually(() => stack.gateway.events.listeners('orderOffers', rider.sub) === 1, 10_000, 'the offers subscription');
  const order = await anOrder(stack, merchant);
  await payOrder(stack, order.id, order.customer.token);
  const first = (await socket.next(30_000)).data!.orderOffers;
  const before = await answers();
  const bus = createKafkaEventBus({ ...testInfraConfig(), KAFKA_TOPIC_PREFIX: stack.env.KAFKA_TOPIC_PREFIX ?? '' }, 'offers-test', createLogger('test', 'warn'));
  return { merchant, rider, order, socket, first, before, bus };
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

  it("an offer frame is answered from the state its event carries (the offer, the order as orders showed it to the offered riders, the shop's card from products), loading at most the merchant; a staff console watching the rider gets its frame from the event alone", async () => {
    const merchant = await aMerchant(stack);
    const rider = await aRiderAt(stack, north(merchant.location, 250));
    const operator = await anActor('OPERATOR');
    const riderSocket = offersFor(rider.token);
    const watching = subscribe<{ orderOffers: Record<string, unknown> }>(stack.wsUrl, operator.token, contractOperation('WatchOrderOffers'), { riderId: rider.sub });
    open.push(watching as GraphQLSubscription<unknown>);
    await eventually(() => stack.gateway.events.listeners('orderOffers', rider.sub) === 1 && stack.gateway.events.listeners('orderOffers', `watch:${rider.sub}`) === 1, 10_000, 'both subscriptions');
    const before = await answers();
    const order = await anOrder(stack, merchant);

    await payOrder(stack, order.id, order.customer.token);
    const [offer, watched] = await Promise.all([riderSocket.next(30_000), watching.next(30_000)]);

    expect(offer.data?.orderOffers.order).toEqual({
      id: order.id,
      status: 'NOTIFIED',
      totalCents: order.totalCents,
      deliveryAddress: expect.any(String),
      deliveryLocation: { lat: expect.any(Number), lng: expect.any(Number) },
      merchant: { id: merchant.id, name: merchant.name, address: expect.any(String), location: merchant.location },
    });
    expect(watched.data?.orderOffers).toEqual({
      id: offer.data?.orderOffers.id,
      status: 'OFFERED',
      orderId: order.id,
      riderId: rider.sub,
      round: 1,
      distanceMeters: offer.data?.orderOffers.distanceMeters,
      expiresAt: offer.data?.orderOffers.expiresAt,
      order: { id: order.id, status: 'NOTIFIED' },
    });
    const after = await answers();
    // The rider's frame from the event alone when products' card of the shop came with the round,
    // with a merchant load otherwise (the dispatcher never waits for it); staff's from the event.
    expect({ fromEvent: after.event! + after.event_and_load! - before.event! - before.event_and_load!, query: after.query! - before.query! }).toEqual({ fromEvent: 2, query: 0 });
  });

  it("a shop's card is asked of products once and kept: the next order of the same shop reaches the rider from its event alone, loading nothing", async () => {
    const { merchant, socket, before, bus } = await anOfferReceived();

    try {
      const second = await anOrder(stack, merchant);
      await payOrder(stack, second.id, second.customer.token);
      const offer = await socket.next(30_000);

      expect(offer.data?.orderOffers.order).toMatchObject({ id: second.id, merchant: { id: merchant.id, name: merchant.name, location: merchant.location } });
      const after = await answers();
      expect({ event: after.event! - before.event!, loaded: after.event_and_load! - before.event_and_load!, query: after.query! - before.query! }).toEqual({ event: 1, loaded: 0, query: 0 });
    } finally {
      await bus.close();
    }
  });

  it('an older OrderOffered that carries no order is answered by loading the offer through the supergraph, as before', async () => {
    const { rider, order, socket, first, before, bus } = await anOfferReceived();

    try {
      // The same offer again, as a dispatcher from before event-carried state wrote it.
      await bus.publish(Topics.dispatchOffers, [
        newEvent(OrderOffered, rider.sub, { offerId: first.id, orderId: order.id, riderId: rider.sub, round: 1, distanceMeters: first.distanceMeters, expiresAt: first.expiresAt }),
      ]);
      const again = await socket.next(30_000);

      // The order as riders and orders show it now: null once the offer ran out (a slow run).
      expect(again.data?.orderOffers).toEqual({ ...first, order: again.data?.orderOffers.order === null ? null : first.order });
      expect((await answers()).query).toBe(before.query! + 1);
    } finally {
      await bus.close();
    }
  });

  it('an OrderOffered read after its offer expired (a backlog) is not answered from what it carries: it is loaded as the rider, and the subgraphs decide what it shows', async () => {
    const { rider, order, socket, first, before, bus } = await anOfferReceived();

    try {
      // The same offer again, carrying the order, but stating an expiry already past.
      const expiredAt = new Date(Date.now() - 60_000).toISOString();
      const { merchant: shop, ...orderView } = first.order;
      await bus.publish(Topics.dispatchOffers, [
        newEvent(OrderOffered, rider.sub, {
          offerId: first.id,
          orderId: order.id,
          riderId: rider.sub,
          round: 1,
          distanceMeters: first.distanceMeters,
          expiresAt: expiredAt,
          order: { ...orderView, status: 'NOTIFIED', deadlineAt: new Date(Date.now() + 1_800_000).toISOString(), merchant: shop },
        }),
      ]);
      const again = await socket.next(30_000);

      // Loaded: the offer as riders holds it (its own expiry), not the event's stated one.
      expect(again.data?.orderOffers.expiresAt).toBe(first.expiresAt);
      expect((await answers()).query).toBe(before.query! + 1);
    } finally {
      await bus.close();
    }
  });
});
