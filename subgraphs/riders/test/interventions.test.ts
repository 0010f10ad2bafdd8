import { newEvent, OrderReassigned, OrderRedispatchRequested, OrderStatusChanged, type GeoPoint, type Identity, type OrderStatusChangedData, type RiderUpdatedData } from '@waimai/platform';
import { aMerchant, aPaidOrder, aRider, aSpot, east, eventually, north, operator, orderIn, startDispatchStack, type DispatchStack } from './harness';

/*
 * Staff's interventions reach riders as orders' events (OrderRedispatchRequested,
 * OrderReassigned, OrderStatusChanged to CANCELLED). These tests publish them as orders would
 * after accepting the intervention, on orders.events, and look at what riders does.
 */
let h: DispatchStack;
beforeAll(async () => {
  // 30 s offers: rounds stay live while a test looks at them; rounds of 1, 3 and 9 km.
  h = await startDispatchStack({ OFFER_SECONDS: '30' });
});
afterAll(async () => {
  await h.stop();
});

const OFFER = 'query($id: ID!) { orderOffer(id: $id) { id riderId status round distanceMeters order { id } } }';
const SUSPEND = 'mutation($riderId: ID!, $reason: String!) { suspendRider(riderId: $riderId, reason: $reason) { id } }';
const GRAB = 'mutation($id: ID!) { grabOrder(orderId: $id) { id status riderId } }';

interface OfferView {
  id: string;
  riderId: string;
  status: string;
  round: number;
  distanceMeters: number;
}

async function offerAs(caller: Identity, id: string) {
  const result = await h.callRiders<{ orderOffer: OfferView | null }>(OFFER, { id }, caller);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.orderOffer;
}

const redispatchRequest = (orderId: string, merchantLocation: GeoPoint, ask: { riderIds?: string[]; radiusMeters?: number }) =>
  newEvent(OrderRedispatchRequested, orderId, {
    orderId,
    radiusMeters: ask.radiusMeters ?? null,
    riderIds: ask.riderIds ?? null,
    merchantLocation,
    requestedBy: operator.sub,
    at: new Date().toISOString(),
  });

/** A paid order of a shop nobody is near: its first round reached nobody and waits for retries. */
async function anUnreachedOrder(spot: GeoPoint) {
  const merchant = await aMerchant(h, spot);
  const order = await aPaidOrder(h, merchant);
  await eventually(async () => ((await h.roundsOf(order.id))[0]?.riderCount === 0 ? true : null), 20_000, 'round 1 reached nobody');
  return { merchant, order };
}

/** A paid order grabbed by a rider near its shop (through orders, as the rider would). */
async function aGrabbedOrder() {
  const spot = aSpot();
  const merchant = await aMerchant(h, spot);
  const rider = await aRider(h, north(spot, 100));
  const order = await aPaidOrder(h, merchant);
  await eventually(async () => (await orderIn(h, order.id)).status === 'NOTIFIED', 20_000, 'order NOTIFIED');
  const grabbed = await h.callOrders(GRAB, { id: order.id }, rider);
  if (grabbed.errors) throw new Error(JSON.stringify(grabbed.errors));
  await eventually(async () => (await h.riderRow(rider.sub))?.status === 'DELIVERING', 20_000, 'rider DELIVERING');
  return { spot, merchant, rider, order };
}

/** OrderStatusChanged to CANCELLED from `from`, as orders publishes a staff cancel. */
function cancelled(orderId: string, from: OrderStatusChangedData['from'], riderId: string | null, merchantLocation: GeoPoint) {
  return newEvent(OrderStatusChanged, orderId, {
    orderId,
    step: 'staffCancel',
    from,
    to: 'CANCELLED',
    at: new Date().toISOString(),
    customerId: 'customer-1',
    merchantId: 'merchant-1',
    merchantLocation,
    deliveryLocation: north(merchantLocation, 800),
    riderId,
    totalCents: 2200,
    dispatchRound: 1,
    needsAttention: false,
    wasOvertime: false,
  });
}

describe('redispatch', () => {
  test('to named riders: only those who may take it now are offered it (suspended, offline and busy ones skipped), orders accepts the round and the rider grabs', async () => {
    const spot = aSpot();
    const { order } = await anUnreachedOrder(spot);
    // 20 km away: beyond every usual round, so only the request can reach them.
    const far = north(spot, 20_000);
    const willing = await aRider(h, far);
    const suspended = await aRider(h, east(far, 100));
    const offline = await aRider(h, east(far, 200), { online: false });
    const busy = await aGrabbedOrder();
    await h.callRiders(SUSPEND, { riderId: suspended.sub, reason: '暂停' }, operator);

    await h.publish(redispatchRequest(order.id, spot, { riderIds: [busy.rider.sub, offline.sub, suspended.sub, willing.sub] }));
    await eventually(async () => (await orderIn(h, order.id)).status === 'NOTIFIED', 20_000, 'order NOTIFIED');
    const offers = await h.offersOf(order.id);
    const events = await eventually(() => {
      const mine = h.offered.filter((event) => event.orderId === order.id);
      return mine.length ? mine : null;
    }, 20_000, 'the offer on Kafka');
    const grabbed = await h.callOrders<{ grabOrder: { id: string; status: string; riderId: string } }>(GRAB, { id: order.id }, willing);

    expect(offers.filter((offer) => offer.status !== 'WITHDRAWN').map((offer) => offer.riderId)).toEqual([willing.sub]);
    expect(offers.find((offer) => offer.riderId === willing.sub)!.distanceMeters).toBeGreaterThan(19_900);
    expect(events.map((event) => event.riderId)).toEqual([willing.sub]);
    expect(grabbed.data!.grabOrder).toEqual({ id: order.id, status: 'DELIVERING', riderId: willing.sub });
  });

  test('with a wider radius: a round reaches the riders beyond the usual rounds; the same request delivered again sends nothing more', async () => {
    const spot = aSpot();
    const { order } = await anUnreachedOrder(spot);
    const beyond = await aRider(h, north(spot, 12_000));
    const request = redispatchRequest(order.id, spot, { radiusMeters: 15_000 });

    await h.publish(request);
    await eventually(async () => (await orderIn(h, order.id)).status === 'NOTIFIED', 20_000, 'order NOTIFIED');
    await h.publish(request);
    await eventually(() => h.dispatcherCaughtUp(), 20_000, 'the request read twice');
    const rounds = await h.roundsOf(order.id);
    const offers = await h.offersOf(order.id);

    expect(rounds).toHaveLength(1);
    expect(rounds[0]).toMatchObject({ round: 1, radiusMeters: 15_000, riderCount: 1, redispatchOf: request.id, retryAt: null });
    expect(offers.map((offer) => [offer.riderId, offer.status])).toEqual([[beyond.sub, 'OFFERED']]);
    expect(h.offered.filter((event) => event.orderId === order.id).map((event) => event.riderId)).toEqual([beyond.sub]);
  });

  test('that reaches nobody: the order is flagged for operations again at once', async () => {
    const spot = aSpot();
    const { order } = await anUnreachedOrder(spot);
    const offline = await aRider(h, north(spot, 20_000), { online: false });

    await h.publish(redispatchRequest(order.id, spot, { riderIds: [offline.sub] }));

    await eventually(async () => (await orderIn(h, order.id)).needsAttention, 20_000, 'order flagged');
    expect(await orderIn(h, order.id)).toMatchObject({ status: 'CREATED', needsAttention: true });
    expect(await h.offersOf(order.id)).toEqual([]);
  });
});

describe('reassignment', () => {
  test('the old rider is freed and gets a WITHDRAWN frame, the new one delivers it and gets an ASSIGNED frame; delivered again, nothing more happens', async () => {
    const { spot, rider: before, order } = await aGrabbedOrder();
    const after = await aRider(h, east(spot, 400));
    const request = newEvent(OrderReassigned, order.id, { orderId: order.id, fromRiderId: before.sub, toRiderId: after.sub, requestedBy: operator.sub, at: new Date().toISOString() });

    await h.publish(request, request);
    const withdrawal = await eventually(() => h.withdrawn.find((event) => event.orderId === order.id) ?? null, 20_000, 'OrderWithdrawn on Kafka');
    const assignment = await eventually(() => h.offered.find((event) => event.orderId === order.id && event.riderId === after.sub) ?? null, 20_000, 'the ASSIGNED frame on Kafka');
    await eventually(() => h.dispatcherCaughtUp(), 20_000, 'the request read twice');
    const withdrawnFrame = await offerAs(before, withdrawal.offerId);
    const assignedFrame = await offerAs(after, assignment.offerId);
    const seenByOther = await offerAs(before, assignment.offerId);
    const notices = (await h.offersOf(order.id)).filter((offer) => offer.noticeOf !== '');
    const updatesBefore = await h.outboxOf<RiderUpdatedData>(before.sub, 'RiderUpdated');
    const updatesAfter = await h.outboxOf<RiderUpdatedData>(after.sub, 'RiderUpdated');

    expect(withdrawal).toEqual({ offerId: withdrawal.offerId, orderId: order.id, riderId: before.sub, reason: 'REASSIGNED', at: expect.any(String) });
    expect(withdrawnFrame).toMatchObject({ id: withdrawal.offerId, riderId: before.sub, status: 'WITHDRAWN', round: 1 });
    expect(assignedFrame).toMatchObject({ id: assignment.offerId, riderId: after.sub, status: 'ASSIGNED', round: 1 });
    expect(assignedFrame!.distanceMeters).toBeGreaterThan(390);
    expect(assignedFrame!.distanceMeters).toBeLessThan(410);
    expect(seenByOther).toBeNull();
    expect(notices.map((notice) => [notice.riderId, notice.status]).sort()).toEqual([[before.sub, 'WITHDRAWN'], [after.sub, 'ASSIGNED']].sort());
    expect(h.withdrawn.filter((event) => event.orderId === order.id)).toHaveLength(1);
    expect(await h.riderRow(before.sub)).toMatchObject({ status: 'IDLE' });
    expect(await h.riderRow(after.sub)).toMatchObject({ status: 'DELIVERING' });
    expect((await h.assignmentsOf(after.sub)).map((assigned) => assigned.orderId)).toEqual([order.id]);
    expect(await h.assignmentsOf(before.sub)).toEqual([]);
    expect(updatesBefore.at(-1)!.data).toMatchObject({ status: 'IDLE', cause: 'RELEASED' });
    expect(updatesAfter.at(-1)!.data).toMatchObject({ status: 'DELIVERING', cause: 'ASSIGNED' });
  });
});

describe('cancellation by staff', () => {
  test('of an order being delivered: its rider is freed and gets a WITHDRAWN frame saying it was cancelled', async () => {
    const { merchant, rider, order } = await aGrabbedOrder();

    await h.publish(cancelled(order.id, 'DELIVERING', rider.sub, merchant.location));
    const withdrawal = await eventually(() => h.withdrawn.find((event) => event.orderId === order.id) ?? null, 20_000, 'OrderWithdrawn on Kafka');
    await eventually(async () => (await h.riderRow(rider.sub))?.status === 'IDLE', 20_000, 'rider IDLE');

    expect(withdrawal).toMatchObject({ riderId: rider.sub, reason: 'CANCELLED' });
    expect(await offerAs(rider, withdrawal.offerId)).toMatchObject({ id: withdrawal.offerId, riderId: rider.sub, status: 'WITHDRAWN' });
    expect(await h.assignmentsOf(rider.sub)).toEqual([]);
    expect((await h.outboxOf<RiderUpdatedData>(rider.sub, 'RiderUpdated')).at(-1)!.data).toMatchObject({ status: 'IDLE', cause: 'RELEASED' });
  });

  test('of an order on offer: its live offers are withdrawn, and nobody gets a frame', async () => {
    const spot = aSpot();
    const merchant = await aMerchant(h, spot);
    const first = await aRider(h, north(spot, 100));
    const second = await aRider(h, north(spot, 300));
    const order = await aPaidOrder(h, merchant);
    await eventually(async () => (await orderIn(h, order.id)).status === 'NOTIFIED', 20_000, 'order NOTIFIED');

    await h.publish(cancelled(order.id, 'NOTIFIED', null, spot));
    await eventually(async () => (await h.offersOf(order.id)).every((offer) => offer.status === 'WITHDRAWN'), 20_000, 'offers withdrawn');
    await eventually(() => h.dispatcherCaughtUp(), 20_000, 'the cancel read');
    const pending = await Promise.all([first, second].map((rider) => h.callRiders<{ pendingOrderOffers: unknown[] }>('query { pendingOrderOffers { id } }', {}, rider)));

    expect(pending.map((result) => result.data!.pendingOrderOffers)).toEqual([[], []]);
    expect(h.withdrawn.filter((event) => event.orderId === order.id)).toEqual([]);
  });
});
