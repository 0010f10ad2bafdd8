import { aMerchant, aPaidOrder, aRider, aSpot, east, eventually, north, operator, orderIn, startDispatchStack, type DispatchStack } from './harness';

let h: DispatchStack;
beforeAll(async () => {
  // 60 s offers: no round times out while the backlog is looked at.
  h = await startDispatchStack({ OFFER_SECONDS: '60' });
});
afterAll(async () => {
  await h.stop();
});

test('a backlog of paid orders is dispatched in batches: one round each, every offer published once per rider, in fewer round inserts than orders; an order cancelled meanwhile is refused alone', async () => {
  const spot = aSpot();
  const merchant = await aMerchant(h, spot);
  const riders = [await aRider(h, north(spot, 150)), await aRider(h, east(spot, 350))];

  // The dispatcher is down while the orders are paid: their CREATED events wait on Kafka and
  // come back as fetched batches, more orders than partitions, so some partition holds several.
  await h.stopRiders();
  const orders: Array<{ id: string }> = [];
  for (let i = 0; i < 16; i += 1) orders.push(await aPaidOrder(h, merchant));
  for (const order of orders) await eventually(async () => (await orderIn(h, order.id)).status === 'CREATED', 20_000, `order ${order.id} CREATED`);
  // Staff cancel one before the dispatcher is back: its round is planned with the others, and orders refuses it.
  const cancelled = await aPaidOrder(h, merchant);
  await eventually(async () => (await orderIn(h, cancelled.id)).status === 'CREATED', 20_000, 'the order to cancel CREATED');
  const cancel = await h.callOrders('mutation($id: ID!, $reason: String!) { cancelOrderAsStaff(orderId: $id, reason: $reason) { id } }', { id: cancelled.id, reason: '商家打烊' }, operator);
  expect(cancel.errors).toBeUndefined();
  const before = h.queries.length;
  await h.startRiders();

  for (const order of orders) await eventually(async () => (await orderIn(h, order.id)).status === 'NOTIFIED', 40_000, `order ${order.id} NOTIFIED`);
  const events = await eventually(() => {
    const ours = h.offered.filter((event) => orders.some((order) => order.id === event.orderId));
    return new Set(ours.map((event) => event.offerId)).size >= orders.length * riders.length ? ours : null;
  }, 30_000, 'every offer on Kafka');
  await eventually(() => h.dispatcherCaughtUp(), 20_000, 'the dispatcher caught up');

  for (const order of orders) {
    const rounds = await h.roundsOf(order.id);
    const offers = await h.offersOf(order.id);
    expect(rounds.map((round) => [round.round, round.riderCount, round.notifiedAt !== null])).toEqual([[1, riders.length, true]]);
    expect(offers.map((offer) => offer.riderId)).toEqual([riders[0]!.sub, riders[1]!.sub]);
    const published = events.filter((event) => event.orderId === order.id);
    expect([...new Set(published.map((event) => event.offerId))].sort()).toEqual(offers.map((offer) => offer.id).sort());
    // Each offer carries its own order's view, not another order's of the batch.
    expect(published.every((event) => event.order?.id === order.id)).toBe(true);
  }
  // Nobody is offered the cancelled order: its round, if planned, went out to no one.
  expect(h.offered.filter((event) => event.orderId === cancelled.id)).toEqual([]);
  expect((await h.offersOf(cancelled.id)).every((offer) => offer.status !== 'OFFERED' || offer.withdrawnAt !== null)).toBe(true);
  expect((await orderIn(h, cancelled.id)).status).toBe('CANCELLED');
  const roundInserts = h.queries.slice(before).filter((statement) => /^insert into `dispatch_rounds`/.test(statement));
  expect(roundInserts.length).toBeGreaterThan(0);
  expect(roundInserts.length).toBeLessThan(orders.length);
  // One outbox transaction per batch too: fewer outbox inserts than orders.
  const outboxInserts = h.queries.slice(before).filter((statement) => /^insert into `outbox`/.test(statement));
  expect(outboxInserts.length).toBeLessThan(orders.length);
});
