import type { Identity } from '@waimai/platform';
import { aMerchant, aPaidOrder, aRider, aSpot, eventually, north, orderIn, startDispatchStack, type DispatchStack } from './harness';

let h: DispatchStack;
beforeAll(async () => {
  // One round only, so an order nobody grabs is not offered again while the test looks at it.
  h = await startDispatchStack({ DISPATCH_MAX_ROUNDS: '1' });
});
afterAll(async () => {
  await h.stop();
});

const ORDER = 'query($id: ID!) { order(id: $id) { id deliveryAddress } }';
const OFFER = 'query($id: ID!) { orderOffer(id: $id) { id order { id } } }';

/** What `rider` can read of an order (in orders) and of their offer for it (in riders). */
async function viewOf(rider: Identity, orderId: string, offerId: string) {
  const order = await h.callOrders<{ order: { id: string; deliveryAddress: string } | null }>(ORDER, { id: orderId }, rider);
  const offer = await h.callRiders<{ orderOffer: { id: string } | null }>(OFFER, { id: offerId }, rider);
  return { order: order.data?.order ?? null, offer: offer.data?.orderOffer ?? null, errors: [...(order.errors ?? []), ...(offer.errors ?? [])] };
}

async function offeredTo(orderId: string, count: number) {
  const offers = await eventually(async () => {
    const rows = await h.offersOf(orderId, 1);
    return rows.length === count ? rows : null;
  }, 20_000, `${count} offers`);
  await eventually(async () => (await orderIn(h, orderId)).status === 'NOTIFIED', 20_000, 'order NOTIFIED');
  return offers;
}

describe('visibility follows the order, not a relation that once held', () => {
  test('a rider only offered an order sees it while the offer is live, and gets null once another rider grabbed it', async () => {
    const spot = aSpot();
    const merchant = await aMerchant(h, spot);
    const winner = await aRider(h, north(spot, 100));
    const loser = await aRider(h, north(spot, 300));
    const order = await aPaidOrder(h, merchant);
    const offers = await offeredTo(order.id, 2);
    const offerOf = (rider: Identity) => offers.find((offer) => offer.riderId === rider.sub)!.id;

    const whileLive = await viewOf(loser, order.id, offerOf(loser));
    const grabbed = await h.callOrders('mutation($id: ID!) { grabOrder(orderId: $id) { id } }', { id: order.id }, winner);
    const loserAfterGrab = await viewOf(loser, order.id, offerOf(loser));
    await eventually(async () => (await h.offersOf(order.id, 1)).every((offer) => offer.withdrawnAt !== null), 20_000, 'offers withdrawn');
    const loserAfterWithdrawal = await viewOf(loser, order.id, offerOf(loser));
    const pending = await h.callRiders<{ pendingOrderOffers: Array<{ id: string }> }>('query { pendingOrderOffers { id order { id } } }', {}, loser);
    const winnerView = await h.callOrders<{ order: { id: string } | null }>(ORDER, { id: order.id }, winner);

    expect(whileLive).toEqual({ order: { id: order.id, deliveryAddress: '幸福路1号' }, offer: { id: offerOf(loser), order: { id: order.id } }, errors: [] });
    expect(grabbed.errors).toBeUndefined();
    // Orders decides at once; riders may still hold the offer as live until the grab event arrives.
    expect(loserAfterGrab.order).toBeNull();
    expect(loserAfterGrab.errors).toEqual([]);
    expect(loserAfterWithdrawal).toEqual({ order: null, offer: null, errors: [] });
    expect(pending.data!.pendingOrderOffers).toEqual([]);
    expect(winnerView.data!.order).toEqual({ id: order.id, deliveryAddress: '幸福路1号' });
  });

  test('a rider whose offer expired without anyone grabbing the order gets null for the order and the offer', async () => {
    const spot = aSpot();
    const merchant = await aMerchant(h, spot);
    const rider = await aRider(h, north(spot, 200));
    const order = await aPaidOrder(h, merchant);
    const [offer] = await offeredTo(order.id, 1);

    const whileLive = await viewOf(rider, order.id, offer!.id);
    // OFFER_SECONDS is 4 in the dispatch stack: wait for the expiry itself, not a fixed time.
    await eventually(async () => Date.now() > offer!.expiresAt.getTime(), 20_000, 'the offer expired');
    const afterExpiry = await viewOf(rider, order.id, offer!.id);
    const staff = await h.callRiders<{ orderOffer: { id: string } | null }>(OFFER, { id: offer!.id }, { sub: 'operator-1', roles: ['OPERATOR'] });

    expect(whileLive.order).toEqual({ id: order.id, deliveryAddress: '幸福路1号' });
    expect(whileLive.offer).toEqual({ id: offer!.id, order: { id: order.id } });
    expect(afterExpiry).toEqual({ order: null, offer: null, errors: [] });
    expect(staff.data!.orderOffer).toEqual({ id: offer!.id, order: { id: order.id } });
  });

  test("the customer follows the rider's location while the order is delivered, and not after", async () => {
    const spot = aSpot();
    const merchant = await aMerchant(h, spot);
    const rider = await aRider(h, north(spot, 150));
    const order = await aPaidOrder(h, merchant);
    await offeredTo(order.id, 1);
    await h.callOrders('mutation($id: ID!) { grabOrder(orderId: $id) { id } }', { id: order.id }, rider);
    const RIDER_OF_ORDER = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { rider { id location { lat } } } } }';
    const representation = { r: [{ __typename: 'Order', id: order.id, riderId: rider.sub }] };
    type RiderOfOrder = { _entities: Array<{ rider: { id: string; location: { lat: number } | null } | null }> };

    const whileDelivering = await eventually(async () => {
      const result = await h.callRiders<RiderOfOrder>(RIDER_OF_ORDER, representation, order.customer);
      return result.data?._entities[0]?.rider?.location ? result.data._entities[0].rider : null;
    }, 20_000, 'the rider located while delivering');
    await h.callOrders('mutation($id: ID!) { deliverOrder(orderId: $id) { id } }', { id: order.id }, rider);
    const afterDelivery = await eventually(async () => {
      const result = await h.callRiders<RiderOfOrder>(RIDER_OF_ORDER, representation, order.customer);
      const seen = result.data?._entities[0]?.rider;
      return seen && seen.location === null ? seen : null;
    }, 20_000, 'the location hidden after delivery');

    expect(whileDelivering.id).toBe(rider.sub);
    expect(afterDelivery).toEqual({ id: rider.sub, location: null });
  });
});
