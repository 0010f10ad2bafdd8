import type { Identity } from '@waimai/platform';
import {
  admin,
  aMerchant,
  aPaidOrder,
  aRider,
  aSpot,
  east,
  eventually,
  north,
  operator,
  orderIn,
  REPORT,
  startDispatchStack,
  type DispatchStack,
} from './harness';

let h: DispatchStack;
beforeAll(async () => {
  // 6 s offers: long enough to look at a round before it times out; rounds of 1, 3 and 9 km.
  h = await startDispatchStack({ OFFER_SECONDS: '6' });
});
afterAll(async () => {
  await h.stop();
});

const STATUS = 'query($id: ID!) { rider(id: $id) { id status } }';
const PENDING = 'query { pendingOrderOffers { id riderId round distanceMeters expiresAt order { id } } }';
const GRAB = 'mutation($id: ID!) { grabOrder(orderId: $id) { id status riderId } }';

interface PendingOffer {
  id: string;
  riderId: string;
  round: number;
  distanceMeters: number;
  expiresAt: string;
  order: { id: string };
}

async function statusOf(rider: Identity) {
  const result = await h.callRiders<{ rider: { status: string } }>(STATUS, { id: rider.sub }, rider);
  return result.data!.rider.status;
}

async function pendingOf(rider: Identity) {
  const result = await h.callRiders<{ pendingOrderOffers: PendingOffer[] }>(PENDING, {}, rider);
  return result.data!.pendingOrderOffers;
}

describe('dispatching a paid order', () => {
  test('it is offered to the fresh idle riders within the first radius, nearest first: offers recorded, OrderOffered on Kafka, the order NOTIFIED', async () => {
    const spot = aSpot();
    const merchant = await aMerchant(h, spot);
    const nearest = await aRider(h, north(spot, 300));
    const second = await aRider(h, east(spot, 700));
    const outside = await aRider(h, north(spot, 2500));
    const offline = await aRider(h, north(spot, 100));
    await h.callRiders('mutation { goOffline { id } }', {}, offline);
    const silent = await aRider(h, null);
    await h.riders.locations.report(silent.sub, north(spot, 50), new Date(Date.now() - 120_000));

    const order = await aPaidOrder(h, merchant);
    await eventually(async () => (await orderIn(h, order.id)).status === 'NOTIFIED', 20_000, 'order NOTIFIED');
    const offers = await h.offersOf(order.id, 1);
    const events = await eventually(() => {
      const mine = h.offered.filter((event) => event.orderId === order.id && event.round === 1);
      return mine.length >= 2 ? mine : null;
    }, 20_000, 'offer events on Kafka');
    const [round] = await h.roundsOf(order.id);
    const [nearestOffer, secondOffer] = offers;
    const pending = await pendingOf(nearest);
    const pendingOfOutside = await pendingOf(outside);
    const seenBySelf = await h.callRiders<{ orderOffer: { id: string } | null }>('query($id: ID!) { orderOffer(id: $id) { id } }', { id: nearestOffer!.id }, nearest);
    const seenByOther = await h.callRiders<{ orderOffer: { id: string } | null }>('query($id: ID!) { orderOffer(id: $id) { id } }', { id: nearestOffer!.id }, second);
    const seenByStaff = await h.callRiders<{ orderOffer: { id: string } | null }>('query($id: ID!) { orderOffer(id: $id) { id } }', { id: nearestOffer!.id }, operator);

    expect(offers.map((offer) => offer.riderId)).toEqual([nearest.sub, second.sub]);
    expect(nearestOffer!.distanceMeters).toBeGreaterThan(290);
    expect(nearestOffer!.distanceMeters).toBeLessThan(310);
    expect(secondOffer!.distanceMeters).toBeGreaterThan(690);
    expect(secondOffer!.distanceMeters).toBeLessThan(710);
    expect(round).toMatchObject({ round: 1, radiusMeters: 1000, riderCount: 2 });
    expect(round!.notifiedAt).not.toBeNull();
    expect(events.map((event) => event.offerId).sort()).toEqual(offers.map((offer) => offer.id).sort());
    expect(events.find((event) => event.riderId === nearest.sub)).toMatchObject({
      offerId: nearestOffer!.id,
      distanceMeters: nearestOffer!.distanceMeters,
      expiresAt: nearestOffer!.expiresAt.toISOString(),
      createdAt: nearestOffer!.createdAt.toISOString(),
      // Event-carried state: the order as orders showed it to the offered riders.
      order: { id: order.id, status: 'NOTIFIED', merchant: { id: merchant.id } },
    });
    expect(pending).toEqual([
      { id: nearestOffer!.id, riderId: nearest.sub, round: 1, distanceMeters: nearestOffer!.distanceMeters, expiresAt: nearestOffer!.expiresAt.toISOString(), order: { id: order.id } },
    ]);
    expect(pendingOfOutside).toEqual([]);
    expect(seenBySelf.data!.orderOffer).toEqual({ id: nearestOffer!.id });
    expect(seenByOther.data!.orderOffer).toBeNull();
    expect(seenByStaff.data!.orderOffer).toEqual({ id: nearestOffer!.id });
  });

  test('a rider grabs it through orders: they become DELIVERING, the other offers are withdrawn, and they get no offers until delivered', async () => {
    const spot = aSpot();
    const merchant = await aMerchant(h, spot);
    const grabber = await aRider(h, north(spot, 200));
    const other = await aRider(h, east(spot, 400));
    const first = await aPaidOrder(h, merchant);
    await eventually(async () => (await orderIn(h, first.id)).status === 'NOTIFIED', 20_000, 'first order NOTIFIED');

    const grabbed = await h.callOrders<{ grabOrder: { id: string; status: string; riderId: string } }>(GRAB, { id: first.id }, grabber);
    const late = await h.callOrders(GRAB, { id: first.id }, other);
    await eventually(async () => (await statusOf(grabber)) === 'DELIVERING', 20_000, 'grabber DELIVERING');
    await h.callRiders(REPORT, { location: north(spot, 210) }, grabber);
    const indexedWhileDelivering = await h.riders.locations.isIndexed(grabber.sub);
    const offline = await h.callRiders('mutation { goOffline { id } }', {}, grabber);
    const online = await h.callRiders<{ goOnline: { status: string } }>('mutation { goOnline { id status } }', {}, grabber);
    await eventually(async () => !(await pendingOf(other)).some((offer) => offer.order.id === first.id), 20_000, 'other offer withdrawn');

    const second = await aPaidOrder(h, merchant);
    await eventually(async () => (await orderIn(h, second.id)).status === 'NOTIFIED', 20_000, 'second order NOTIFIED');
    const secondOffers = await h.offersOf(second.id, 1);

    expect(grabbed.data!.grabOrder).toEqual({ id: first.id, status: 'DELIVERING', riderId: grabber.sub });
    expect(late.errors?.[0]?.extensions?.code).toBe('ORDER_ALREADY_TAKEN');
    expect(indexedWhileDelivering).toBe(false);
    expect(offline.errors?.[0]?.extensions?.code).toBe('INVALID_STATE_TRANSITION');
    expect(online.data!.goOnline.status).toBe('DELIVERING');
    expect(secondOffers.map((offer) => offer.riderId)).toEqual([other.sub]);

    const delivered = await h.callOrders<{ deliverOrder: { status: string } }>('mutation($id: ID!) { deliverOrder(orderId: $id) { status } }', { id: first.id }, grabber);
    await eventually(async () => (await statusOf(grabber)) === 'IDLE', 20_000, 'grabber IDLE again');
    const indexedBeforeReport = await h.riders.locations.isIndexed(grabber.sub);
    await h.callRiders(REPORT, { location: north(spot, 220) }, grabber);

    expect(delivered.data!.deliverOrder.status).toBe('RECEIVED');
    expect(indexedBeforeReport).toBe(false);
    expect(await h.riders.locations.isIndexed(grabber.sub)).toBe(true);
  });

  test('nobody grabs it in time: the next round searches a wider radius and reaches a rider the first one missed', async () => {
    const spot = aSpot();
    const merchant = await aMerchant(h, spot);
    const nearButBusy = await aRider(h, north(spot, 500));
    const beyondFirstRadius = await aRider(h, north(spot, 2000));

    const order = await aPaidOrder(h, merchant);
    await eventually(async () => (await h.offersOf(order.id, 1)).length === 1, 20_000, 'round 1 offered');
    // The first rider lets the offer lapse and leaves: round 2 is the one that reaches further.
    await h.callRiders('mutation { goOffline { id } }', {}, nearButBusy);
    const offers = await eventually(async () => {
      const rows = await h.offersOf(order.id, 2);
      return rows.length ? rows : null;
    }, 30_000, 'an offer in round 2');
    const rounds = await h.roundsOf(order.id);
    const events = await eventually(() => {
      const mine = h.offered.filter((event) => event.orderId === order.id && event.round === 2);
      return mine.length ? mine : null;
    }, 20_000, 'the offer on Kafka');

    expect((await h.offersOf(order.id, 1)).map((offer) => offer.riderId)).toEqual([nearButBusy.sub]);
    expect(rounds.slice(0, 2).map((round) => [round.round, round.radiusMeters, round.riderCount])).toEqual([
      [1, 1000, 1],
      [2, 3000, 1],
    ]);
    expect(offers[0]).toMatchObject({ riderId: beyondFirstRadius.sub, round: 2 });
    expect(offers[0]!.distanceMeters).toBeGreaterThan(1990);
    expect(offers[0]!.distanceMeters).toBeLessThan(2010);
    expect(events[0]).toMatchObject({ offerId: offers[0]!.id, riderId: beyondFirstRadius.sub, round: 2 });
  }, 60_000);

  test('offered and never grabbed: after DISPATCH_MAX_ROUNDS the order stays CREATED and needs attention', async () => {
    const spot = aSpot();
    const merchant = await aMerchant(h, spot);
    const idler = await aRider(h, north(spot, 500));

    const order = await aPaidOrder(h, merchant);
    await eventually(async () => (await orderIn(h, order.id)).needsAttention, 50_000, 'needsAttention');
    await eventually(() => h.dispatcherCaughtUp(), 20_000, 'dispatcher caught up');
    const rounds = await h.roundsOf(order.id);

    expect(await orderIn(h, order.id)).toMatchObject({ status: 'CREATED', needsAttention: true, riderId: null });
    expect(rounds.map((round) => [round.round, round.radiusMeters, round.riderCount])).toEqual([
      [1, 1000, 1],
      [2, 3000, 1],
      [3, 9000, 1],
    ]);
    expect(rounds.every((round) => round.notifiedAt !== null)).toBe(true);
    expect((await h.offersOf(order.id)).map((offer) => offer.riderId)).toEqual([idler.sub, idler.sub, idler.sub]);
  }, 80_000);
});

describe('entities', () => {
  test('one _entities call resolves riders and offers with one query per kind; riders see only themselves and their offers', async () => {
    const spot = aSpot();
    const merchant = await aMerchant(h, spot);
    const first = await aRider(h, north(spot, 100));
    const second = await aRider(h, north(spot, 300));
    const order = await aPaidOrder(h, merchant);
    const offers = await eventually(async () => {
      const rows = await h.offersOf(order.id, 1);
      return rows.length === 2 ? rows : null;
    }, 20_000, 'two offers');
    const query = `query($representations: [_Any!]!) {
      _entities(representations: $representations) {
        ... on Rider { id name status }
        ... on OrderOffer { id riderId round order { id } }
      }
    }`;
    const representations = [
      { __typename: 'Rider', id: first.sub },
      { __typename: 'OrderOffer', id: offers[0]!.id },
      { __typename: 'Rider', id: second.sub },
      { __typename: 'OrderOffer', id: offers[1]!.id },
      { __typename: 'Rider', id: 'rider-nobody' },
    ];

    const before = h.queries.length;
    const asAdmin = await h.callRiders<{ _entities: Array<Record<string, unknown> | null> }>(query, { representations }, admin);
    const sql = h.queries.slice(before);
    const asFirst = await h.callRiders<{ _entities: Array<Record<string, unknown> | null> }>(query, { representations }, first);

    expect(asAdmin.data!._entities).toEqual([
      { id: first.sub, name: '骑手小王', status: 'IDLE' },
      { id: offers[0]!.id, riderId: first.sub, round: 1, order: { id: order.id } },
      { id: second.sub, name: '骑手小王', status: 'IDLE' },
      { id: offers[1]!.id, riderId: second.sub, round: 1, order: { id: order.id } },
      null,
    ]);
    expect(sql.filter((statement) => /from `riders` where `riders`.`id` in \(/.test(statement))).toHaveLength(1);
    expect(sql.filter((statement) => /from `order_offers` where `order_offers`.`id` in \(/.test(statement))).toHaveLength(1);
    expect(asFirst.data!._entities).toEqual([
      { id: first.sub, name: '骑手小王', status: 'IDLE' },
      { id: offers[0]!.id, riderId: first.sub, round: 1, order: { id: order.id } },
      null,
      null,
      null,
    ]);
  });
});
