import { authConfig, paymentsConfig, parseConfig } from '@waimai/platform';
import { contractOperation, eventually, gql, startStack, tokenFor, type Stack } from '@waimai/testkit';
import { startCity, type City, type CityStats } from '../../scripts/lib/simulator';

const RIDER_TRAIL = contractOperation('RiderTrail');
const RIDER_PROFILE = contractOperation('RiderProfile');

/**
 * Every failure the simulator did not plan for is an error. The one code allowed is the
 * contract's transient SERVICE_UNAVAILABLE (a service too slow to answer another in time,
 * nothing changed), left after the simulator's own retries (about 30 s) on a loaded machine.
 */
function expectNoUnexpectedErrors(stats: CityStats): void {
  const unexpected = Object.keys(stats.errors.byCode).filter((code) => code !== 'SERVICE_UNAVAILABLE');
  expect({ unexpected, recent: stats.errors.recent }).toEqual({ unexpected: [], recent: expect.any(Array) });
}

let stack: Stack;
let city: City | undefined;
beforeAll(async () => {
  stack = await startStack({
    env: {
      // A promise of ~30 s after payment wherever the customer is: riders at 40× speed make it,
      // the ones the simulator makes dawdle do not.
      DELIVERY_BASE_MINUTES: '0.5',
      DELIVERY_METERS_PER_MINUTE: '1000000',
      OFFER_SECONDS: '10',
      CLOSE_AFTER_SECONDS: '1',
      SCHEDULER_INTERVAL_MS: '200',
    },
  });
}, 120_000);
afterAll(async () => {
  await city?.stop();
  await stack.stop();
});

test('the simulated city orders, pays, offers, grabs, delivers (some late and compensated) through the public API, and stops cleanly', async () => {
  const { JWT_SECRET } = parseConfig(authConfig, stack.env);
  const { PAYMENT_WEBHOOK_SECRET } = parseConfig(paymentsConfig, stack.env);
  city = await startCity({
    gatewayUrl: stack.gatewayUrl,
    jwtSecret: JWT_SECRET,
    webhookSecret: PAYMENT_WEBHOOK_SECRET,
    ordersPerMinute: 40,
    riders: 6,
    customers: 5,
    durationSeconds: 240,
    seed: 7,
    timeScale: 40,
    paymentFailureShare: 0.2,
    abandonShare: 0.15,
    lateShare: 0.4,
    reportEveryMs: 1000,
    cityRadiusMeters: 1000,
    maxDeliveryMeters: 800,
  });
  const running = city;

  // Every step of the journeys seen at least once (or the first unexpected error, to fail at once).
  const reached = await eventually(
    () => {
      const { orders, errors } = running.stats();
      const all = orders.placed > 0 && orders.paid > 0 && orders.paymentFailed + orders.abandoned > 0 && orders.offered > 0 && orders.grabbed > 0 && orders.pickedUp > 0 && orders.delivered > 0 && orders.late > 0 && orders.compensated > 0;
      const failed = Object.keys(errors.byCode).some((code) => code !== 'SERVICE_UNAVAILABLE');
      return all || failed ? running.stats() : null;
    },
    { timeoutMs: 200_000, intervalMs: 500, what: `every step of the journeys (last: ${JSON.stringify(running.stats().orders)})` },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${JSON.stringify(running.stats(), null, 2)}`);
  });
  expectNoUnexpectedErrors(reached);
  expect(reached.offers.grabsWon).toBe(reached.orders.grabbed);
  expect(reached.riders.locationPoints).toBeGreaterThan(0);

  // The riders moved, as operations staff see their tracks.
  const operator = await tokenFor('sim-test-operator', ['OPERATOR']);
  const trails = await Promise.all(
    running.riderIds.map(async (riderId) => {
      const result = await gql<{ riderTrail: Array<{ lat: number; lng: number }> }>(stack.graphqlUrl, RIDER_TRAIL, { riderId, last: 100 }, operator);
      expect(result.errors).toBeUndefined();
      return new Set(result.data!.riderTrail.map((point) => `${point.lat},${point.lng}`)).size;
    }),
  );
  expect(trails.every((distinctPoints) => distinctPoints > 1)).toBe(true);

  await city.stop();
  const final: CityStats = await city.finished;
  expect(final.running).toBe(false);
  expect(final.riders.connected).toBe(0);
  expectNoUnexpectedErrors(final);
  // Nothing of the city is left: no rider's offers subscription, and every rider that was idle is offline.
  await eventually(() => running.riderIds.every((riderId) => stack.gateway.events.listeners('orderOffers', riderId) === 0), 10_000, 'the riders\' sockets closing');
  // A rider still out with an order stays DELIVERING on it (kept for the next run); how many are
  // depends on the moment of the stop, and all six may be.
  const riders = await Promise.all(
    running.riderIds.map(
      async (id) => (await gql<{ rider: { status: string; activeOrders: unknown[] } }>(stack.graphqlUrl, RIDER_PROFILE, { id }, operator)).data!.rider,
    ),
  );
  for (const rider of riders) expect(rider.activeOrders.length ? 'DELIVERING' : 'OFFLINE').toBe(rider.status);
}, 300_000);
