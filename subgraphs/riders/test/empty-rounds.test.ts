import { createLogger } from '@waimai/platform';
import { startRidersSubgraph, type RunningRiders } from '../src/app';
import { admin, aMerchant, aPaidOrder, aRider, aSpot, eventually, north, orderIn, startDispatchStack, type DispatchStack } from './harness';

let h: DispatchStack;
let secondReplica: RunningRiders;
beforeAll(async () => {
  // Empty rounds are planned again every second and given up 20 s after the first round;
  // 30 s offers, so no round times out meanwhile. Rounds of 1, 3 and 9 km.
  h = await startDispatchStack({ OFFER_SECONDS: '30', DISPATCH_EMPTY_ROUND_RETRY_SECONDS: '1', DISPATCH_GIVE_UP_SECONDS: '20' });
  // A second riders replica on the same databases, topics and Redis: both sweep the same rounds.
  secondReplica = await startRidersSubgraph(h.config, createLogger('test', process.env.LOG_LEVEL ?? 'warn'));
});
afterAll(async () => {
  await secondReplica?.stop();
  await h.stop();
});

const TIMELINE = 'query($id: ID!) { order(id: $id) { timeline { status } } }';

async function timelineOf(orderId: string): Promise<string[]> {
  const result = await h.callOrders<{ order: { timeline: Array<{ status: string }> } }>(TIMELINE, { id: orderId }, admin);
  return result.data!.order.timeline.map((change) => change.status);
}

describe('a dispatch round that reaches nobody', () => {
  test('a paid order with no rider near its merchant stays CREATED, unflagged, with no round sent: the round is planned again, wider each time', async () => {
    const merchant = await aMerchant(h, aSpot());

    const order = await aPaidOrder(h, merchant);
    const [round] = await eventually(async () => {
      const rounds = await h.roundsOf(order.id);
      return rounds[0] && rounds[0].emptyAttempts >= 2 ? rounds : null;
    }, 15_000, 'round 1 planned again twice');

    expect(await orderIn(h, order.id)).toMatchObject({ status: 'CREATED', needsAttention: false, riderId: null });
    expect(await timelineOf(order.id)).toEqual(['PENDING_PAYMENT', 'CREATED']);
    expect(round).toMatchObject({ round: 1, riderCount: 0, radiusMeters: 9000, notifiedAt: null });
    expect(round!.retryAt).not.toBeNull();
    expect(await h.roundsOf(order.id)).toHaveLength(1);
    expect(await h.offersOf(order.id)).toEqual([]);
  });

  test('a rider coming online near the merchant later is offered the order as round 1, once, with two replicas retrying', async () => {
    const spot = aSpot();
    const merchant = await aMerchant(h, spot);
    const order = await aPaidOrder(h, merchant);
    await eventually(async () => (await h.roundsOf(order.id))[0]?.emptyAttempts, 15_000, 'round 1 planned again at least once');

    const rider = await aRider(h, north(spot, 400));
    await eventually(async () => (await orderIn(h, order.id)).status === 'NOTIFIED', 15_000, 'order NOTIFIED');
    const events = await eventually(() => {
      const mine = h.offered.filter((event) => event.orderId === order.id);
      return mine.length ? mine : null;
    }, 15_000, 'the offer on Kafka');
    const offers = await h.offersOf(order.id);
    const rounds = await h.roundsOf(order.id);

    // Orders accepted it as round 1: the empty attempts used up no round.
    expect(rounds).toHaveLength(1);
    expect(rounds[0]).toMatchObject({ round: 1, riderCount: 1, retryAt: null });
    expect(rounds[0]!.notifiedAt).not.toBeNull();
    expect(offers).toHaveLength(1);
    expect(offers[0]).toMatchObject({ riderId: rider.sub, round: 1 });
    expect(new Set(events.map((event) => event.offerId))).toEqual(new Set([offers[0]!.id]));
    expect(await timelineOf(order.id)).toEqual(['PENDING_PAYMENT', 'CREATED', 'NOTIFIED']);

    const grabbed = await h.callOrders<{ grabOrder: { status: string } }>('mutation($id: ID!) { grabOrder(orderId: $id) { status } }', { id: order.id }, rider);
    expect(grabbed.data!.grabOrder.status).toBe('DELIVERING');
  });

  test('an order that reaches nobody for DISPATCH_GIVE_UP_SECONDS is flagged needsAttention, stays CREATED, and is no longer retried', async () => {
    const merchant = await aMerchant(h, aSpot());

    const order = await aPaidOrder(h, merchant);
    await eventually(async () => (await orderIn(h, order.id)).needsAttention, 40_000, 'needsAttention');
    // The flag and the end of retries are two writes in two services: wait for the second.
    const [given] = await eventually(async () => {
      const rounds = await h.roundsOf(order.id);
      return rounds[0] && rounds[0].retryAt === null ? rounds : null;
    }, 10_000, 'retries stopped');
    // Flagged no earlier than the window after the first round (a lower bound: nothing flags early).
    const flaggedAfterMs = Date.now() - given!.createdAt.getTime();

    expect(await orderIn(h, order.id)).toMatchObject({ status: 'CREATED', needsAttention: true, riderId: null });
    expect(await timelineOf(order.id)).toEqual(['PENDING_PAYMENT', 'CREATED']);
    // No longer due: the sweep takes only rounds with a retry time.
    expect(given).toMatchObject({ round: 1, riderCount: 0, notifiedAt: null, retryAt: null });
    expect(given!.emptyAttempts).toBeGreaterThan(5);
    expect(flaggedAfterMs).toBeGreaterThanOrEqual(20_000);
    expect(await h.offersOf(order.id)).toEqual([]);
  }, 60_000);
});
