import type { Identity } from '@waimai/platform';
import { admin, aMerchant, aPaidOrder, aRider, aSpot, east, eventually, north, orderIn, startDispatchStack, type DispatchStack } from './harness';

let h: DispatchStack;
beforeAll(async () => {
  // 30 s offers: no round times out while the grabs are repeated.
  h = await startDispatchStack({ OFFER_SECONDS: '30' });
});
afterAll(async () => {
  await h.stop();
});

const GRAB = 'mutation($id: ID!) { grabOrder(orderId: $id) { id status riderId grabbedAt } }';
const TIMELINE = 'query($id: ID!) { order(id: $id) { timeline { status } } }';

interface Grabbed {
  id: string;
  status: string;
  riderId: string;
  grabbedAt: string;
}

const grab = (rider: Identity, orderId: string) => h.callOrders<{ grabOrder: Grabbed }>(GRAB, { id: orderId }, rider);

async function timelineOf(orderId: string) {
  const result = await h.callOrders<{ order: { timeline: Array<{ status: string }> } }>(TIMELINE, { id: orderId }, admin);
  return result.data!.order.timeline.map((change) => change.status);
}

async function anOfferedOrder(riderCount: number) {
  const spot = aSpot();
  const merchant = await aMerchant(h, spot);
  const riders: Identity[] = [];
  for (let i = 0; i < riderCount; i += 1) riders.push(await aRider(h, i % 2 ? east(spot, 100 + 150 * i) : north(spot, 100 + 150 * i)));
  const order = await aPaidOrder(h, merchant);
  await eventually(async () => (await orderIn(h, order.id)).status === 'NOTIFIED', 20_000, 'order NOTIFIED');
  return { order, riders };
}

describe('grabOrder repeated by its winner (a client whose answer was lost)', () => {
  test('the winner repeating its grab concurrently with the losers gets the order every time; each loser gets ORDER_ALREADY_TAKEN; one grab in the timeline', async () => {
    const { order, riders } = await anOfferedOrder(4);

    // Every rider grabs twice at once, as a client that retries a timed-out call without waiting.
    const calls = riders.flatMap((rider) => [rider, rider].map(async (caller) => ({ rider: caller, result: await grab(caller, order.id) })));
    const outcomes = await Promise.all(calls);
    const won = await orderIn(h, order.id);
    const winner = riders.find((rider) => rider.sub === won.riderId)!;
    const ofWinner = outcomes.filter((outcome) => outcome.rider === winner);
    const ofLosers = outcomes.filter((outcome) => outcome.rider !== winner);

    expect(winner).toBeDefined();
    expect(ofWinner.map((outcome) => outcome.result.errors)).toEqual([undefined, undefined]);
    expect(ofWinner.map((outcome) => outcome.result.data!.grabOrder)).toEqual([
      { id: order.id, status: 'DELIVERING', riderId: winner.sub, grabbedAt: expect.any(String) },
      { id: order.id, status: 'DELIVERING', riderId: winner.sub, grabbedAt: ofWinner[0]!.result.data!.grabOrder.grabbedAt },
    ]);
    expect(ofLosers).toHaveLength(6);
    expect(ofLosers.map((outcome) => outcome.result.errors?.[0]?.extensions?.code)).toEqual(Array(6).fill('ORDER_ALREADY_TAKEN'));
    expect(await timelineOf(order.id)).toEqual(['PENDING_PAYMENT', 'CREATED', 'NOTIFIED', 'DELIVERING']);
    await eventually(async () => (await h.riderRow(winner.sub))?.status === 'DELIVERING', 20_000, 'the winner DELIVERING');
    expect((await h.assignmentsOf(winner.sub)).map((row) => row.orderId)).toEqual([order.id]);
  });

  test('after the fact the winner still gets the order, delivering, picked up, delivered, while the rider is flipped to DELIVERING and back once', async () => {
    const { order, riders } = await anOfferedOrder(2);
    const [winner, loser] = riders as [Identity, Identity];
    const first = await grab(winner, order.id);
    await eventually(async () => (await h.riderRow(winner.sub))?.status === 'DELIVERING', 20_000, 'the winner DELIVERING');
    const versionWhenGrabbed = (await h.riderRow(winner.sub))!.statusVersion;

    const whileDelivering = await grab(winner, order.id);
    const loserLate = await grab(loser, order.id);
    await h.callOrders('mutation($id: ID!) { pickUpOrder(orderId: $id) { id } }', { id: order.id }, winner);
    const afterPickUp = await grab(winner, order.id);
    await h.callOrders('mutation($id: ID!) { deliverOrder(orderId: $id) { id } }', { id: order.id }, winner);
    const afterDelivery = await grab(winner, order.id);
    await eventually(async () => (await h.riderRow(winner.sub))?.status === 'IDLE', 20_000, 'the winner IDLE again');
    await eventually(() => h.dispatcherCaughtUp(), 20_000, 'dispatcher caught up');
    const rider = await h.riderRow(winner.sub);

    expect(first.data!.grabOrder).toMatchObject({ id: order.id, status: 'DELIVERING', riderId: winner.sub });
    expect(whileDelivering.data!.grabOrder).toEqual(first.data!.grabOrder);
    expect(loserLate.errors?.[0]?.extensions?.code).toBe('ORDER_ALREADY_TAKEN');
    expect(afterPickUp.data!.grabOrder).toEqual(first.data!.grabOrder);
    expect(afterDelivery.data!.grabOrder).toEqual({ ...first.data!.grabOrder, status: 'RECEIVED' });
    // DELIVERING once (the grab), IDLE once (the delivery): the repeats sent no second grab event.
    expect(rider).toMatchObject({ status: 'IDLE', statusVersion: versionWhenGrabbed + 1 });
    expect(await timelineOf(order.id)).toEqual(['PENDING_PAYMENT', 'CREATED', 'NOTIFIED', 'DELIVERING', 'RECEIVED']);
    expect(await h.assignmentsOf(winner.sub)).toEqual([]);
  });
});
