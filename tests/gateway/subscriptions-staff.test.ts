import {
  createKafkaEventBus,
  createLogger,
  newEvent,
  OrderOffered,
  OrderStatusChanged,
  OrderWithdrawn,
  PaymentNeedsAttention,
  RiderUpdated,
  Topics,
  type EventBus,
  type OrderStatusChangedData,
  type TopicName,
} from '@waimai/platform';
import {
  aMerchant,
  anActor,
  anOfferedOrder,
  anOrder,
  aRiderAt,
  aPlace,
  eventually,
  gql,
  startStack,
  subscribe,
  testInfraConfig,
  uniqueId,
  type Actor,
  type GraphQLSubscription,
  type SeededMerchant,
  type Stack,
} from '@waimai/testkit';

const infra = testInfraConfig();
// The gateway reads topics of its own: it sees exactly the events this file publishes (the
// dispatch counts are exact), while the subgraphs run on the stack's topics as usual.
const GATEWAY_PREFIX = `${infra.KAFKA_TOPIC_PREFIX}gw-staff-${Date.now().toString(36)}-`;
const WINDOW_MS = 1000;

let stack: Stack;
let bus: EventBus;
let shop: SeededMerchant;
let operator: Actor;
beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['products', 'orders', 'payments', 'riders'],
    // 120 s offers: the offers loaded by the frames stay live while the tests run.
    env: { OFFER_SECONDS: '120' },
    gatewayEnv: { KAFKA_TOPIC_PREFIX: GATEWAY_PREFIX, DISPATCH_ACTIVITY_WINDOW_MS: String(WINDOW_MS) },
  });
  bus = createKafkaEventBus({ ...infra, KAFKA_TOPIC_PREFIX: GATEWAY_PREFIX }, 'gateway-staff-test', createLogger('test', 'warn'));
  shop = await aMerchant(stack);
  operator = await anActor('OPERATOR');
}, 60_000);
afterAll(async () => {
  await bus?.close();
  await stack?.stop();
});

const open: Array<GraphQLSubscription<unknown>> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((subscription) => subscription.close()));
});

function following<T>(token: string, query: string, variables: Record<string, unknown> = {}): GraphQLSubscription<T> {
  const subscription = subscribe<T>(stack.wsUrl, token, query, variables);
  open.push(subscription as GraphQLSubscription<unknown>);
  return subscription;
}

const listening = (field: string, key: string, count = 1) =>
  eventually(() => stack.gateway.events.listeners(field, key) >= count, { timeoutMs: 10_000, what: `${count} ${field} subscriber(s) on ${key}` });

async function publish(topic: TopicName, ...events: Parameters<EventBus['publish']>[1]): Promise<void> {
  await bus.publish(topic, events);
}

const forbidden = (message: string) => ({ kind: 'error', errors: [{ message, extensions: { code: 'FORBIDDEN' } }] });

/** An OrderStatusChanged of `orderId` as orders writes it, with the step and fields given. */
function statusChanged(orderId: string, change: Partial<OrderStatusChangedData> & Pick<OrderStatusChangedData, 'step' | 'to'>) {
  return newEvent(OrderStatusChanged, orderId, {
    orderId,
    from: 'CREATED',
    at: new Date().toISOString(),
    customerId: uniqueId('customer'),
    merchantId: shop.id,
    merchantLocation: shop.location,
    deliveryLocation: aPlace(),
    riderId: null,
    totalCents: 1000,
    dispatchRound: 3,
    needsAttention: false,
    wasOvertime: false,
    ...change,
  });
}

const offered = (riderId: string, offerId: string) =>
  newEvent(OrderOffered, riderId, { offerId, orderId: uniqueId('order'), riderId, round: 1, distanceMeters: 300, expiresAt: new Date(Date.now() + 60_000).toISOString() });

const riderUpdated = (riderId: string, suspended: boolean) =>
  newEvent(RiderUpdated, riderId, { riderId, status: 'IDLE', suspended, cause: suspended ? 'SUSPENDED' : 'REINSTATED', at: new Date().toISOString() });

describe('ordersNeedingAttention', () => {
  const ATTENTION = 'subscription { ordersNeedingAttention { id status } }';
  type Attention = { ordersNeedingAttention: { id: string; status: string } };

  it('every staff subscriber gets each order dispatch gave up on or whose last round ran out, each one gone OVERTIME and each stuck payment; other status changes are not sent', async () => {
    const [flagged, lastRound, late, stuck, plain] = await Promise.all([1, 2, 3, 4, 5].map(() => anOrder(stack, shop)));
    const admin = await anActor('ADMIN');
    const byOperator = following<Attention>(operator.token, ATTENTION);
    const byAdmin = following<Attention>(admin.token, ATTENTION);
    await listening('ordersNeedingAttention', '*', 2);

    // Ordered by key (one partition per order): the plain order's unflagged change comes first,
    // so its own flagged change below proves it was not sent.
    await publish(
      Topics.orderEvents,
      statusChanged(plain!.id, { step: 'pay', from: 'PENDING_PAYMENT', to: 'CREATED' }),
      statusChanged(plain!.id, { step: 'offerTimeout', from: 'NOTIFIED', to: 'CREATED', needsAttention: false }),
      statusChanged(flagged!.id, { step: 'dispatchGaveUp', to: 'CREATED', needsAttention: true }),
      statusChanged(lastRound!.id, { step: 'offerTimeout', from: 'NOTIFIED', to: 'CREATED', needsAttention: true }),
      statusChanged(late!.id, { step: 'deadlinePassed', from: 'DELIVERING', to: 'OVERTIME', riderId: uniqueId('rider') }),
    );
    await publish(Topics.paymentEvents, newEvent(PaymentNeedsAttention, stuck!.id, { paymentId: uniqueId('payment'), orderId: stuck!.id, problem: 'REFUND_FAILED', at: new Date().toISOString() }));
    await publish(Topics.orderEvents, statusChanged(plain!.id, { step: 'dispatchGaveUp', to: 'CREATED', needsAttention: true }));

    for (const subscription of [byOperator, byAdmin]) {
      const ids = [];
      for (let n = 0; n < 5; n += 1) ids.push((await subscription.next(15_000)).data?.ordersNeedingAttention.id);
      // The orders as they are (PENDING_PAYMENT: the events were crafted), one frame per event raising attention.
      expect(ids.sort()).toEqual([flagged!.id, lastRound!.id, late!.id, stuck!.id, plain!.id].sort());
      expect(subscription.queued()).toBe(0);
    }
  });

  it('customers, merchants and riders are refused with FORBIDDEN', async () => {
    for (const role of ['CUSTOMER', 'MERCHANT', 'RIDER'] as const) {
      const actor = await anActor(role);
      expect(await following(actor.token, ATTENTION).ended).toEqual(forbidden('Only OPERATOR, ADMIN may subscribe to ordersNeedingAttention.'));
    }
  });
});

describe('riderUpdated', () => {
  const WATCH_RIDER = 'subscription Watch($riderId: ID!) { riderUpdated(riderId: $riderId) { id status } }';
  type Watched = { riderUpdated: { id: string; status: string } };

  it('staff and the rider themself get the rider, loaded from riders, on each RiderUpdated of that rider only', async () => {
    const rider = await aRiderAt(stack, aPlace());
    const other = await aRiderAt(stack, aPlace());
    const byOperator = following<Watched>(operator.token, WATCH_RIDER, { riderId: rider.sub });
    const byRider = following<Watched>(rider.token, WATCH_RIDER, { riderId: rider.sub });
    await listening('riderUpdated', rider.sub, 2);

    await publish(Topics.riderEvents, riderUpdated(other.sub, false), riderUpdated(rider.sub, false));

    expect(await byOperator.next(15_000)).toEqual({ data: { riderUpdated: { id: rider.sub, status: 'IDLE' } } });
    expect(await byRider.next(15_000)).toEqual({ data: { riderUpdated: { id: rider.sub, status: 'IDLE' } } });
  });

  it('another rider, a customer and a merchant are refused with FORBIDDEN', async () => {
    const rider = await anActor('RIDER');
    const other = await anActor('RIDER');
    const customer = await anActor('CUSTOMER');
    const merchant = await anActor('MERCHANT');

    expect(await following(other.token, WATCH_RIDER, { riderId: rider.sub }).ended).toEqual(forbidden('A rider may follow only themself.'));
    expect(await following(customer.token, WATCH_RIDER, { riderId: rider.sub }).ended).toEqual(forbidden('Only RIDER, OPERATOR, ADMIN may subscribe to riderUpdated.'));
    expect(await following(merchant.token, WATCH_RIDER, { riderId: rider.sub }).ended).toEqual(forbidden('Only RIDER, OPERATOR, ADMIN may subscribe to riderUpdated.'));
    expect(stack.gateway.events.listeners('riderUpdated', rider.sub)).toBe(0);
  });
});

describe('orderOffers for riders and staff', () => {
  const OFFERS = 'subscription Offers($riderId: ID) { orderOffers(riderId: $riderId) { id riderId } }';
  type Offers = { orderOffers: { id: string; riderId: string } };

  /** An order offered to a rider, and the id of that live offer. */
  async function anOffer(): Promise<{ rider: Actor; offerId: string }> {
    const { riders } = await anOfferedOrder(stack);
    const rider = riders[0]!;
    const pending = await gql<{ pendingOrderOffers: Array<{ id: string }> }>(stack.graphqlUrl, '{ pendingOrderOffers { id } }', {}, rider.token);
    return { rider, offerId: pending.data!.pendingOrderOffers[0]!.id };
  }

  it('an offer reaches its rider, staff watching that rider and staff watching every rider; a rider naming themself is the same as naming nobody', async () => {
    const { rider, offerId } = await anOffer();
    const admin = await anActor('ADMIN');
    const own = following<Offers>(rider.token, OFFERS, { riderId: rider.sub });
    const watchingOne = following<Offers>(operator.token, OFFERS, { riderId: rider.sub });
    const watchingAll = following<Offers>(admin.token, OFFERS);
    await listening('orderOffers', rider.sub);
    await listening('orderOffers', `watch:${rider.sub}`);
    await listening('orderOffers', '*');

    await publish(Topics.dispatchOffers, offered(rider.sub, offerId));

    for (const subscription of [own, watchingOne, watchingAll]) {
      expect(await subscription.next(15_000)).toEqual({ data: { orderOffers: { id: offerId, riderId: rider.sub } } });
    }
  });

  it("a rider naming another rider is refused with FORBIDDEN; customers and merchants are refused too", async () => {
    const rider = await anActor('RIDER');
    const other = await anActor('RIDER');
    const customer = await anActor('CUSTOMER');

    expect(await following(other.token, OFFERS, { riderId: rider.sub }).ended).toEqual(forbidden('A rider may follow only their own offers.'));
    expect(await following(customer.token, OFFERS).ended).toEqual(forbidden('Only RIDER, OPERATOR, ADMIN may subscribe to orderOffers.'));
  });

  it('a withdrawal reaches the rider it names, answered from what the event carries; a field it does not carry is loaded by the offer id, and a frame that cannot be loaded sends nothing', async () => {
    const { rider, offerId } = await anOffer();
    const own = following<Offers>(rider.token, OFFERS);
    // expiresAt is not in what a withdrawal carries (id, order and rider ids, status, time): loaded.
    const loaded = following<{ orderOffers: { id: string; expiresAt: string } }>(rider.token, 'subscription Loaded { orderOffers { id expiresAt } }');
    await listening('orderOffers', rider.sub, 2);
    const unknownOffer = uniqueId('offer');
    const withdrawn = (id: string) => newEvent(OrderWithdrawn, rider.sub, { offerId: id, orderId: uniqueId('order'), riderId: rider.sub, reason: 'REASSIGNED', at: new Date().toISOString() });

    // Keyed by rider, so in this order: the unknown offer's withdrawal, then the known one's.
    await publish(Topics.dispatchOffers, withdrawn(unknownOffer), withdrawn(offerId));

    // Carried: both frames, as the producer stated them.
    expect(await own.next(15_000)).toEqual({ data: { orderOffers: { id: unknownOffer, riderId: rider.sub } } });
    expect(await own.next(15_000)).toEqual({ data: { orderOffers: { id: offerId, riderId: rider.sub } } });
    // Loaded: the unknown offer loads as null and sends nothing; the known one is loaded.
    expect(await loaded.next(15_000)).toEqual({ data: { orderOffers: { id: offerId, expiresAt: expect.any(String) } } });
    expect(own.queued()).toBe(0);
    expect(loaded.queued()).toBe(0);
  });

  it("a rider's suspension ends their own offers subscriptions with RIDER_SUSPENDED; a reinstatement does not, and staff watching them keep watching", async () => {
    const { rider, offerId } = await anOffer();
    const own = following<Offers>(rider.token, OFFERS);
    const watching = following<Offers>(operator.token, OFFERS, { riderId: rider.sub });
    await listening('orderOffers', rider.sub);
    await listening('orderOffers', `watch:${rider.sub}`);

    // Keyed by rider, in order: the reinstatement leaves the socket open, so the offer after it arrives.
    await publish(Topics.riderEvents, riderUpdated(rider.sub, false));
    await publish(Topics.dispatchOffers, offered(rider.sub, offerId));
    expect(await own.next(15_000)).toEqual({ data: { orderOffers: { id: offerId, riderId: rider.sub } } });

    await publish(Topics.riderEvents, riderUpdated(rider.sub, true));

    expect(await own.ended).toEqual({
      kind: 'error',
      errors: [{ message: `Rider ${rider.sub} is suspended.`, extensions: { code: 'RIDER_SUSPENDED', riderId: rider.sub } }],
    });
    await eventually(() => stack.gateway.events.listeners('orderOffers', rider.sub) === 0, { timeoutMs: 5000, what: "the rider's subscription to stop listening" });
    await publish(Topics.dispatchOffers, offered(rider.sub, offerId));
    const seen = [await watching.next(15_000), await watching.next(15_000)];
    expect(seen).toEqual([{ data: { orderOffers: { id: offerId, riderId: rider.sub } } }, { data: { orderOffers: { id: offerId, riderId: rider.sub } } }]);
  });
});

describe('dispatchActivity', () => {
  const ACTIVITY = `subscription Activity { activity: dispatchActivity { ...Window offersSent grabs expiries: offerExpiries } }
    fragment Window on DispatchActivity { windowStart windowEnd }`;
  interface Frame {
    windowStart: string;
    windowEnd: string;
    offersSent: number;
    grabs: number;
    expiries: number;
  }

  it('staff get one frame per window, empty windows included, counting offers sent, grabs and round expiries exactly once each', async () => {
    const activity = following<{ activity: Frame }>(operator.token, ACTIVITY);
    await listening('dispatchActivity', '*');
    // Frames until a quiet one (the tests before this one published offers): the windows run,
    // and empty ones are sent too.
    let first = (await activity.next(10_000)).data!.activity;
    for (let n = 0; n < 5 && first.offersSent + first.grabs + first.expiries > 0; n += 1) first = (await activity.next(10_000)).data!.activity;
    expect(first).toMatchObject({ offersSent: 0, grabs: 0, expiries: 0 });

    const rider = uniqueId('rider');
    const orders = [uniqueId('order'), uniqueId('order')];
    const sentTwice = offered(rider, uniqueId('offer'));
    await publish(Topics.dispatchOffers, offered(rider, uniqueId('offer')), sentTwice, offered(uniqueId('rider'), uniqueId('offer')), sentTwice);
    await publish(
      Topics.orderEvents,
      statusChanged(orders[0]!, { step: 'grab', from: 'NOTIFIED', to: 'DELIVERING' }),
      statusChanged(orders[1]!, { step: 'grab', from: 'CREATED', to: 'DELIVERING' }),
      statusChanged(orders[0]!, { step: 'offerTimeout', from: 'NOTIFIED', to: 'CREATED' }),
      statusChanged(orders[1]!, { step: 'pay', from: 'PENDING_PAYMENT', to: 'CREATED' }),
      statusChanged(orders[1]!, { step: 'pickUp', from: 'DELIVERING', to: 'DELIVERING' }),
    );

    // The events may fall into one window or two: add frames up until every event is counted.
    const frames = [first];
    const total = { offersSent: 0, grabs: 0, expiries: 0 };
    while (total.offersSent + total.grabs + total.expiries < 6) {
      const frame = (await activity.next(10_000)).data!.activity;
      frames.push(frame);
      total.offersSent += frame.offersSent;
      total.grabs += frame.grabs;
      total.expiries += frame.expiries;
    }
    // The duplicate (same event id, at-least-once delivery) counted once.
    expect(total).toEqual({ offersSent: 3, grabs: 2, expiries: 1 });
    // The windows are WINDOW_MS long, back to back; the next one comes with zeros.
    for (const [n, frame] of frames.entries()) {
      expect(Date.parse(frame.windowEnd) - Date.parse(frame.windowStart)).toBe(WINDOW_MS);
      if (n > 0) expect(frame.windowStart).toBe(frames[n - 1]!.windowEnd);
    }
    expect((await activity.next(10_000)).data!.activity).toMatchObject({ windowStart: frames.at(-1)!.windowEnd, offersSent: 0, grabs: 0, expiries: 0 });
  });

  it('riders, customers and merchants are refused with FORBIDDEN', async () => {
    for (const role of ['RIDER', 'CUSTOMER', 'MERCHANT'] as const) {
      const actor = await anActor(role);
      expect(await following(actor.token, ACTIVITY).ended).toEqual(forbidden('Only OPERATOR, ADMIN may subscribe to dispatchActivity.'));
    }
  });
});
