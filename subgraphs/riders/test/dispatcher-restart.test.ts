import { aMerchant, aPaidOrder, aRider, aSpot, east, eventually, north, orderIn, startDispatchStack, type DispatchStack } from './harness';

let h: DispatchStack;
let notified = 0;
let killed = false;

beforeAll(async () => {
  // 30 s offers: no round times out while the dispatcher is being replaced.
  h = await startDispatchStack(
    { OFFER_SECONDS: '30' },
    {
      dispatchHooks: {
        // The second round orders accepts is where this dispatcher "dies": after telling orders,
        // before its offers reach the outbox. From then on it gets nothing done.
        async afterNotify() {
          notified += 1;
          if (notified === 2) killed = true;
          if (killed) throw new Error('dispatcher killed between notifying orders and publishing the offers');
        },
      },
    },
  );
});
afterAll(async () => {
  await h.stop();
});

test('a dispatcher killed mid-batch and replaced: every order is dispatched, and nobody is offered an order twice in a round', async () => {
  const spot = aSpot();
  const merchant = await aMerchant(h, spot);
  const riders = [await aRider(h, north(spot, 150)), await aRider(h, east(spot, 350)), await aRider(h, north(spot, -600))];

  const orders: Array<{ id: string }> = [];
  for (let i = 0; i < 8; i += 1) orders.push(await aPaidOrder(h, merchant));
  await eventually(() => killed, 30_000, 'the first dispatcher dying');
  await h.restartRiders();
  for (const order of orders) {
    await eventually(async () => (await orderIn(h, order.id)).status === 'NOTIFIED', 40_000, `order ${order.id} NOTIFIED`);
  }
  const events = await eventually(() => {
    const ours = h.offered.filter((event) => orders.some((order) => order.id === event.orderId));
    return new Set(ours.map((event) => event.offerId)).size >= orders.length * riders.length ? ours : null;
  }, 30_000, 'every offer on Kafka');

  for (const order of orders) {
    const rounds = await h.roundsOf(order.id);
    const offers = await h.offersOf(order.id);
    expect(rounds.map((round) => [round.round, round.riderCount])).toEqual([[1, riders.length]]);
    expect(offers.map((offer) => offer.riderId).sort()).toEqual(riders.map((rider) => rider.sub).sort());
    // Published at least once (the outbox may repeat an event), but only ever these offers.
    const published = events.filter((event) => event.orderId === order.id);
    expect([...new Set(published.map((event) => event.offerId))].sort()).toEqual(offers.map((offer) => offer.id).sort());
  }
  // Per rider and round, one offer of each order: no second offer under a new id.
  const perRiderRound = new Map<string, Set<string>>();
  for (const event of events) {
    const key = `${event.orderId}/${event.riderId}/${event.round}`;
    perRiderRound.set(key, (perRiderRound.get(key) ?? new Set()).add(event.offerId));
  }
  expect([...perRiderRound.values()].every((ids) => ids.size === 1)).toBe(true);
  expect(perRiderRound.size).toBe(orders.length * riders.length);
  expect(notified).toBeGreaterThanOrEqual(2);
});
