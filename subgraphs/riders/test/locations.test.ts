import type { GeoPoint, Identity } from '@waimai/platform';
import { admin, aMerchant, aPaidOrder, aRider, aRiderIdentity, aSpot, eventually, north, operator, REPORT, startDispatchStack, type DispatchStack } from './harness';

let h: DispatchStack;
beforeAll(async () => {
  h = await startDispatchStack();
});
afterAll(async () => {
  await h.stop();
});

const REPORT_POINTS = 'mutation($points: [LocationPointInput!]!) { reportLocations(points: $points) { accepted latestRecordedAt } }';
const TRAIL = 'query($riderId: ID!, $last: Int) { riderTrail(riderId: $riderId, last: $last) { lat lng recordedAt } }';
const WHERE = 'query($id: ID!) { rider(id: $id) { location { lat lng } locationUpdatedAt } }';
const customer: Identity = { sub: 'customer-locations-test', roles: ['CUSTOMER'] };

interface PointInput {
  lat: number;
  lng: number;
  recordedAt: string;
}
interface Report {
  accepted: number;
  latestRecordedAt: string;
}
interface TrailPoint {
  lat: number;
  lng: number;
  recordedAt: string;
}

/** `count` points walking north from `from`, 10 m and 1 s apart, the last one `endingMsAgo` before now. */
function walk(from: GeoPoint, count: number, endingMsAgo = 0, startMeters = 0): PointInput[] {
  const end = Date.now() - endingMsAgo;
  return Array.from({ length: count }, (_, i) => ({ ...north(from, startMeters + i * 10), recordedAt: new Date(end - (count - 1 - i) * 1000).toISOString() }));
}

const send = (rider: Identity | null, points: unknown[]) => h.callRiders<{ reportLocations: Report }>(REPORT_POINTS, { points }, rider);

async function whereIs(rider: Identity) {
  const result = await h.callRiders<{ rider: { location: { lat: number; lng: number } | null; locationUpdatedAt: string | null } }>(WHERE, { id: rider.sub }, rider);
  return result.data!.rider;
}

async function trailOf(rider: Identity, last = 500) {
  const result = await h.callRiders<{ riderTrail: TrailPoint[] }>(TRAIL, { riderId: rider.sub, last }, operator);
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.riderTrail;
}

const problemFields = (errors: unknown) => ((errors as Array<{ extensions: { problems: Array<{ field: string }> } }>)[0]!.extensions.problems ?? []).map((p) => p.field).sort();

describe('reportLocations: a batch of buffered points', () => {
  test('every point is accepted; the newest becomes the rider\'s location and time, the idle index has them there, and MySQL gets it on the persist timer', async () => {
    const spot = aSpot();
    const me = await aRider(h, null);
    const points = walk(spot, 5, 2000);

    const result = await send(me, points);
    const where = await whereIs(me);
    await h.riders.persistLocations();
    const row = await h.riderRow(me.sub);
    const nearby = await h.riders.locations.nearbyIdleRiders(north(spot, 40), 100, 10);

    expect(result.errors).toBeUndefined();
    expect(result.data!.reportLocations).toEqual({ accepted: 5, latestRecordedAt: points[4]!.recordedAt });
    expect(where.location!.lat).toBeCloseTo(points[4]!.lat, 6);
    expect(where.locationUpdatedAt).toBe(points[4]!.recordedAt);
    expect(nearby.map((rider) => rider.riderId)).toEqual([me.sub]);
    expect(nearby[0]!.distanceMeters).toBeLessThan(5);
    expect(row!.lat).toBeCloseTo(points[4]!.lat, 6);
    expect(row!.locationUpdatedAt!.toISOString()).toBe(points[4]!.recordedAt);
  });

  test('only Redis is touched: no SQL once the rider\'s status is cached', async () => {
    const spot = aSpot();
    const me = await aRider(h, null);
    const before = h.queries.length;

    for (let i = 0; i < 5; i += 1) {
      const result = await send(me, walk(spot, 20, (5 - i) * 20_000, i * 200));
      expect(result.data!.reportLocations.accepted).toBe(20);
    }
    // As in riders.test.ts: the outbox relay and the empty-round sweep poll on their own timers.
    const sqlOnHotPath = h.queries.slice(before).filter((statement) => !/outbox|dispatch_rounds|^(begin|commit|rollback|set transaction)/i.test(statement));

    expect(sqlOnHotPath).toEqual([]);
  });

  test('a batch sent again records nothing; an older batch arriving after a newer one neither moves the rider back nor enters the trail', async () => {
    const spot = aSpot();
    const me = await aRider(h, null);
    const older = walk(spot, 3, 20_000);
    const newer = walk(north(spot, 1000), 3, 5000);

    const first = await send(me, newer);
    const again = await send(me, newer);
    const late = await send(me, older);
    const where = await whereIs(me);
    const trail = await trailOf(me);

    expect(first.data!.reportLocations.accepted).toBe(3);
    expect(again.data!.reportLocations).toEqual({ accepted: 0, latestRecordedAt: newer[2]!.recordedAt });
    expect(late.data!.reportLocations).toEqual({ accepted: 0, latestRecordedAt: newer[2]!.recordedAt });
    expect(where.location!.lat).toBeCloseTo(newer[2]!.lat, 6);
    expect(where.locationUpdatedAt).toBe(newer[2]!.recordedAt);
    expect(trail.map((point) => point.recordedAt)).toEqual(newer.map((point) => point.recordedAt));
  });

  test('a batch overlapping the last one records only its newer points', async () => {
    const spot = aSpot();
    const me = await aRider(h, null);
    const points = walk(spot, 6, 1000);

    const first = await send(me, points.slice(0, 4));
    const overlapping = await send(me, points.slice(2));
    const trail = await trailOf(me);

    expect(first.data!.reportLocations.accepted).toBe(4);
    expect(overlapping.data!.reportLocations).toEqual({ accepted: 2, latestRecordedAt: points[5]!.recordedAt });
    expect(trail.map((point) => point.recordedAt)).toEqual(points.map((point) => point.recordedAt));
  });

  test('two batches sent at once by one rider end with the newest point, whichever lands first', async () => {
    for (let round = 0; round < 6; round += 1) {
      const spot = aSpot();
      const me = await aRider(h, null);
      const older = walk(spot, 50, 60_000);
      const newer = walk(north(spot, 2000), 50, 1000);
      const batches = round % 2 === 0 ? [older, newer] : [newer, older];

      const results = await Promise.all(batches.map((points) => send(me, points)));
      const where = await whereIs(me);
      const trail = await trailOf(me);
      const times = trail.map((point) => Date.parse(point.recordedAt));

      expect(results.map((result) => result.errors)).toEqual([undefined, undefined]);
      expect(where.location!.lat).toBeCloseTo(newer[49]!.lat, 6);
      expect(where.locationUpdatedAt).toBe(newer[49]!.recordedAt);
      expect(trail.at(-1)!.recordedAt).toBe(newer[49]!.recordedAt);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      // The older batch is recorded whole when it lands first, else not at all.
      expect([50, 100]).toContain(trail.length);
      expect(results.reduce((sum, result) => sum + result.data!.reportLocations.accepted, 0)).toBe(trail.length);
    }
  });

  test('reportLocation after a batch: timed by the server, it goes into the trail and moves the rider; a batch older than it is ignored', async () => {
    const spot = aSpot();
    const me = await aRider(h, null);
    const batch = walk(spot, 3, 10_000);

    await send(me, batch);
    const single = await h.callRiders<{ reportLocation: boolean }>(REPORT, { location: north(spot, 500) }, me);
    const late = await send(me, walk(spot, 2, 5000, 1000));
    const where = await whereIs(me);
    const trail = await trailOf(me);

    expect(single.data!.reportLocation).toBe(true);
    expect(late.data!.reportLocations.accepted).toBe(0);
    expect(where.location!.lat).toBeCloseTo(north(spot, 500).lat, 6);
    expect(trail).toHaveLength(4);
    expect(trail[3]!.lat).toBeCloseTo(north(spot, 500).lat, 6);
  });

  test('a point from a phone clock a few seconds ahead is accepted; a reportLocation before the server catches up records nothing and answers false', async () => {
    const spot = aSpot();
    const me = await aRider(h, null);
    const ahead = { ...north(spot, 100), recordedAt: new Date(Date.now() + 8000).toISOString() };

    const batch = await send(me, [ahead]);
    const single = await h.callRiders<{ reportLocation: boolean }>(REPORT, { location: north(spot, 900) }, me);
    const where = await whereIs(me);

    expect(batch.data!.reportLocations.accepted).toBe(1);
    expect(single.data!.reportLocation).toBe(false);
    expect(where.location!.lat).toBeCloseTo(ahead.lat, 6);
  });

  test('after a batch the rider is offered orders at the new place', async () => {
    const merchantSpot = aSpot();
    const merchant = await aMerchant(h, merchantSpot);
    // Online and 50 km away by an earlier batch; the next batch walks them next to the shop.
    const me = await aRider(h, null);
    const away = await send(me, walk(north(merchantSpot, 50_000), 3, 20_000));

    const moved = await send(me, walk(merchantSpot, 10, 0, 100));
    const order = await aPaidOrder(h, merchant);
    const offer = await eventually(() => h.offered.find((event) => event.orderId === order.id && event.riderId === me.sub) ?? null, 20_000, 'an offer to the rider');

    expect(away.data!.reportLocations.accepted).toBe(3);
    expect(moved.data!.reportLocations.accepted).toBe(10);
    expect(offer.round).toBe(1);
  });

  test('a batch whose newest point is older than the location TTL records the position but does not make the rider available', async () => {
    const spot = aSpot();
    const me = await aRider(h, null);

    const result = await send(me, walk(spot, 3, 120_000));
    const where = await whereIs(me);
    const near = await h.riders.locations.nearbyIdleRiders(spot, 1000, 10);

    expect(result.data!.reportLocations.accepted).toBe(3);
    expect(where.location).not.toBeNull();
    expect(near.map((rider) => rider.riderId)).not.toContain(me.sub);
  });

  test('an offline or suspended rider\'s points are recorded as reportLocation\'s are, and they stay out of the idle set', async () => {
    const spot = aSpot();
    const offline = await aRider(h, null, { online: false });
    const suspended = await aRider(h, null);
    const suspension = await h.callRiders('mutation($riderId: ID!) { suspendRider(riderId: $riderId, reason: "违规") { id } }', { riderId: suspended.sub }, operator);

    const fromOffline = await send(offline, walk(spot, 2, 1000));
    const fromSuspended = await send(suspended, walk(north(spot, 30), 2, 1000));

    expect(suspension.errors).toBeUndefined();
    expect(fromOffline.data!.reportLocations.accepted).toBe(2);
    expect(fromSuspended.data!.reportLocations.accepted).toBe(2);
    expect(await h.riders.locations.isIndexed(offline.sub)).toBe(false);
    expect(await h.riders.locations.isIndexed(suspended.sub)).toBe(false);
    expect((await whereIs(offline)).location).not.toBeNull();
    expect((await whereIs(suspended)).location).not.toBeNull();
  });
});

describe('reportLocations refuses bad batches with BAD_USER_INPUT and records nothing', () => {
  const at = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();

  test.each<[string, (spot: GeoPoint) => unknown[], string[]]>([
    ['an empty list', () => [], ['points']],
    ['101 points', (spot) => walk(spot, 101, 1000), ['points']],
    [
      'coordinates out of range',
      (spot) => [
        { ...spot, recordedAt: at(-3000) },
        { lat: 90.5, lng: spot.lng, recordedAt: at(-2000) },
        { lat: spot.lat, lng: -180.01, recordedAt: at(-1000) },
      ],
      ['points.1.lat', 'points.2.lng'],
    ],
    ['a recordedAt more than 10 s ahead of the server', (spot) => [{ ...spot, recordedAt: at(-1000) }, { ...spot, recordedAt: at(60_000) }], ['points.1.recordedAt']],
    ['a recordedAt more than an hour old', (spot) => [{ ...spot, recordedAt: at(-3_700_000) }, { ...spot, recordedAt: at(-1000) }], ['points.0.recordedAt']],
    ['points out of time order', (spot) => [{ ...spot, recordedAt: at(-1000) }, { ...spot, recordedAt: at(-2000) }], ['points.1.recordedAt']],
    [
      'two points at one time',
      (spot) => {
        const recordedAt = at(-1000);
        return [{ ...spot, recordedAt }, { ...north(spot, 10), recordedAt }];
      },
      ['points.1.recordedAt'],
    ],
  ])('%s', async (_case, batch, fields) => {
    const spot = aSpot();
    const me = await aRider(h, null);
    const before = await send(me, walk(spot, 2, 30_000));

    const refused = await send(me, batch(north(spot, 500)));
    const where = await whereIs(me);
    const trail = await trailOf(me);

    expect(before.data!.reportLocations.accepted).toBe(2);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.data).toBeNull();
    expect(problemFields(refused.errors)).toEqual(fields);
    expect(where.locationUpdatedAt).toBe(before.data!.reportLocations.latestRecordedAt);
    expect(trail).toHaveLength(2);
  });

  test('a recordedAt that is no ISO-8601 instant is refused before the resolver runs', async () => {
    const me = await aRider(h, null);

    const refused = await send(me, [{ ...aSpot(), recordedAt: 'yesterday' }]);

    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await whereIs(me)).location).toBeNull();
  });

  test('more bad recordedAt values than graphql-js counts (50) are BAD_USER_INPUT too, never INTERNAL_SERVER_ERROR', async () => {
    const me = await aRider(h, null);

    const refused = await send(me, Array.from({ length: 60 }, () => ({ ...aSpot(), recordedAt: 'yesterday' })));

    expect(refused.errors?.length).toBeGreaterThan(0);
    expect(new Set(refused.errors?.map((error) => error.extensions?.code))).toEqual(new Set(['BAD_USER_INPUT']));
    expect((await whereIs(me)).location).toBeNull();
  });

  test('only a registered RIDER may send points: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND', async () => {
    const points = walk(aSpot(), 2, 1000);

    const anonymous = await send(null, points);
    const asCustomer = await send(customer, points);
    const asAdmin = await send(admin, points);
    const unregistered = await send(aRiderIdentity(), points);

    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(asCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(asAdmin.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(unregistered.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('riderTrail', () => {
  test('staff read the most recent points oldest first; the trail keeps the last 500', async () => {
    const spot = aSpot();
    const me = await aRider(h, null);
    // 600 points, a second apart, the newest 5 s ago: six full batches.
    const all = walk(spot, 600, 5000);
    for (let i = 0; i < 600; i += 100) {
      const result = await send(me, all.slice(i, i + 100));
      expect(result.data!.reportLocations.accepted).toBe(100);
    }

    const lastThree = await h.callRiders<{ riderTrail: TrailPoint[] }>(TRAIL, { riderId: me.sub, last: 3 }, admin);
    const byDefault = await h.callRiders<{ riderTrail: TrailPoint[] }>('query($riderId: ID!) { riderTrail(riderId: $riderId) { recordedAt } }', { riderId: me.sub }, operator);
    const whole = await trailOf(me, 500);

    expect(lastThree.data!.riderTrail.map((point) => point.recordedAt)).toEqual(all.slice(597).map((point) => point.recordedAt));
    expect(lastThree.data!.riderTrail[2]!.lat).toBeCloseTo(all[599]!.lat, 6);
    expect(lastThree.data!.riderTrail[2]!.lng).toBeCloseTo(all[599]!.lng, 6);
    expect(byDefault.data!.riderTrail).toHaveLength(50);
    expect(whole).toHaveLength(500);
    expect(whole[0]!.recordedAt).toBe(all[100]!.recordedAt);
  });

  test('staff only: the rider themself, another role or nobody is refused; a bad `last` is BAD_USER_INPUT; no trail is an empty list', async () => {
    const me = await aRider(h, aSpot());
    const variables = { riderId: me.sub, last: 5 };

    const bySelf = await h.callRiders(TRAIL, variables, me);
    const byCustomer = await h.callRiders(TRAIL, variables, customer);
    const anonymous = await h.callRiders(TRAIL, variables);
    const tooMany = await h.callRiders(TRAIL, { riderId: me.sub, last: 501 }, operator);
    const none = await h.callRiders(TRAIL, { riderId: me.sub, last: 0 }, operator);
    const nobody = await h.callRiders<{ riderTrail: TrailPoint[] }>(TRAIL, { riderId: 'rider-without-a-trail', last: 5 }, admin);
    const own = await h.callRiders<{ riderTrail: TrailPoint[] }>(TRAIL, variables, operator);

    expect(bySelf.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(byCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(none.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(nobody.data!.riderTrail).toEqual([]);
    // aRider reported once with reportLocation: that point is in the trail too.
    expect(own.data!.riderTrail).toHaveLength(1);
  });
});
