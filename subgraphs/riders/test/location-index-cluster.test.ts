import { connectRedis, distanceMeters, type GeoPoint, type Redis } from '@waimai/platform';
import { keySlots, recordMultiKeyCommands, startRedisCluster, uniqueId, type MultiKeyCommand, type RedisClusterHandle } from '@waimai/testkit';
import { createLocationIndex, riderShard, RIDER_SHARDS, type LocationIndex } from '../src/db/location-index';

/*
 * The rider location index (db/location-index.ts) on a real 3-master Redis Cluster: every
 * script's keys share a hash slot (a rider shard's or a GEO cell's), so each call lands on one
 * node, and the idle index split into GEO cells answers as one set would. 2 km cells here, so
 * a few km of city span several cells and slots.
 */
let cluster: RedisClusterHandle;
let redis: Redis;
let sent: MultiKeyCommand[];
let index: LocationIndex;

beforeAll(async () => {
  cluster = await startRedisCluster();
  redis = connectRedis({ REDIS_URL: 'redis://unused', REDIS_KEY_PREFIX: `${uniqueId('ri')}:`, REDIS_CLUSTER_NODES: cluster.nodes }, 'riders-cluster-test');
  sent = recordMultiKeyCommands(redis);
  index = createLocationIndex(redis, { RIDER_LOCATION_TTL_SECONDS: 60, RIDER_GEO_CELL_KM: 2 });
}, 120_000);
afterAll(async () => {
  await redis?.quit();
  await cluster?.stop();
});

// Shanghai, People's Square.
const CENTER: GeoPoint = { lat: 31.2304, lng: 121.4737 };
const offset = (from: GeoPoint, northMeters: number, eastMeters: number): GeoPoint => ({
  lat: from.lat + northMeters / 111_320,
  lng: from.lng + eastMeters / (111_320 * Math.cos((from.lat * Math.PI) / 180)),
});

/** An IDLE rider (status cached, version 1) reporting at `point`. */
async function anIdleRider(point: GeoPoint, now = new Date()): Promise<string> {
  const riderId = uniqueId('rider');
  await index.setStatus(riderId, 'IDLE', 1);
  expect(await index.report(riderId, point, now)).toBe('indexed');
  return riderId;
}

test('riders spread over several cells: the nearby search answers the nearest first, exactly as measuring every rider would', async () => {
  const center = offset(CENTER, 0, 0);
  const placed: Array<{ riderId: string; point: GeoPoint }> = [];
  // A 7 × 7 lattice 900 m apart: about 5.4 km × 5.4 km, a dozen 2 km cells.
  for (let north = -3; north <= 3; north += 1) {
    for (let east = -3; east <= 3; east += 1) {
      const point = offset(center, north * 900 + 37, east * 900 + 11);
      placed.push({ riderId: await anIdleRider(point), point });
    }
  }
  const cells = new Set(await Promise.all(placed.map(({ riderId }) => index.placedCell(riderId))));
  const expected = placed
    .map(({ riderId, point }) => ({ riderId, distance: distanceMeters(center, point) }))
    .filter((rider) => rider.distance <= 2500)
    .sort((a, b) => a.distance - b.distance);

  const nearest5 = await index.nearbyIdleRiders(center, 2500, 5);
  const all = await index.nearbyIdleRiders(center, 2500, 100);

  expect(cells.size).toBeGreaterThan(4);
  expect(nearest5.map((rider) => rider.riderId)).toEqual(expected.slice(0, 5).map((rider) => rider.riderId));
  expect(all.map((rider) => rider.riderId)).toEqual(expected.map((rider) => rider.riderId));
  for (const [i, rider] of all.entries()) expect(Math.abs(rider.distanceMeters - expected[i]!.distance)).toBeLessThan(5);
});

test('a rider riding across cells is in exactly one cell after each report, and found at the newest position', async () => {
  const riderId = uniqueId('rider');
  await index.setStatus(riderId, 'IDLE', 1);
  const start = Date.now();
  const visited = new Set<string>();
  // 12 reports 700 m apart heading east: 8.4 km, four or five 2 km cells.
  for (let step = 0; step < 12; step += 1) {
    const point = offset(CENTER, 300, step * 700);
    expect(await index.report(riderId, point, new Date(start + step * 1000))).toBe('indexed');
    const cell = await index.placedCell(riderId);
    visited.add(cell);
    const listedIn = await Promise.all([...visited].map(async (each) => ((await redis.zscore(`riders:{cell:${each}}:idle`, riderId)) === null ? null : each)));

    expect(listedIn.filter(Boolean)).toEqual([cell]);
    const [found] = await index.nearbyIdleRiders(point, 100, 1, new Date(start + step * 1000));
    expect(found?.riderId).toBe(riderId);
  }
  expect(visited.size).toBeGreaterThan(3);
});

test('a batch of points places the rider at its newest point; a status change takes them out of their cell, and their reports while DELIVERING do not put them back', async () => {
  const riderId = uniqueId('rider');
  await index.setStatus(riderId, 'IDLE', 1);
  const now = new Date();
  const points = [0, 1, 2].map((n) => ({ ...offset(CENTER, -2000, n * 1500), at: new Date(now.getTime() - 3000 + n * 1000) }));

  const recorded = await index.record(riderId, points, { now });
  const cellAfterBatch = await index.placedCell(riderId);
  const trail = await index.trail(riderId, 10);
  const [live] = await index.liveLocations([riderId]);
  await index.setStatus(riderId, 'DELIVERING', 2);
  const indexedWhileDelivering = await index.isIndexed(riderId);
  const lateReport = await index.report(riderId, points[2]!, new Date(now.getTime() + 1000));

  expect(recorded).toEqual({ outcome: 'indexed', accepted: 3, latestRecordedAt: points[2]!.at });
  expect(cellAfterBatch).toBe(index.grid.cellOf(points[2]!));
  expect(trail.map((point) => point.at)).toEqual(points.map((point) => point.at));
  expect(live).toEqual({ lat: points[2]!.lat, lng: points[2]!.lng, at: points[2]!.at });
  expect(indexedWhileDelivering).toBe(false);
  expect(lateReport).toBe('recorded');
  expect(await index.isIndexed(riderId)).toBe(false);
  expect(await index.nearbyIdleRiders(points[2]!, 200, 5, new Date(now.getTime() + 1000))).toEqual([]);
});

test('an older status version is ignored; OFFLINE and back to IDLE re-enters the index at the next report', async () => {
  const riderId = await anIdleRider(offset(CENTER, 4000, 4000));
  await index.setStatus(riderId, 'OFFLINE', 5);
  await index.setStatus(riderId, 'IDLE', 4);
  const afterStale = await index.report(riderId, offset(CENTER, 4000, 4100));
  await index.setStatus(riderId, 'IDLE', 6);
  const afterIdle = await index.report(riderId, offset(CENTER, 4000, 4200));

  expect(afterStale).toBe('recorded');
  expect(afterIdle).toBe('indexed');
  expect(await index.isIndexed(riderId)).toBe(true);
});

test('the sweep drops riders silent past the TTL from every cell, and keeps the fresh ones', async () => {
  const now = new Date();
  const longAgo = new Date(now.getTime() - 120_000);
  const silent = await anIdleRider(offset(CENTER, -6000, -6000), longAgo);
  const fresh = await anIdleRider(offset(CENTER, -6000, -3000), now);

  const dropped = await index.sweep(now);

  expect(dropped).toBeGreaterThanOrEqual(1);
  expect(await index.isIndexed(silent)).toBe(false);
  expect(await index.isIndexed(fresh)).toBe(true);
});

test('the persister takes every unsaved location once, from every rider shard', async () => {
  const riders = await Promise.all(Array.from({ length: 40 }, (_, n) => anIdleRider(offset(CENTER, 8000, n * 50))));
  const taken = new Map<string, number>();
  // Bounded: 40 riders (plus the earlier tests' few dozen) at a few a shard per call.
  for (let call = 0; call < 50; call += 1) {
    const batch = await index.takeUnsaved(64);
    if (batch.length === 0) break;
    for (const entry of batch) taken.set(entry.riderId, (taken.get(entry.riderId) ?? 0) + 1);
  }

  expect(riders.filter((riderId) => taken.get(riderId) !== 1)).toEqual([]);
  expect(new Set(riders.map(riderShard)).size).toBeGreaterThan(10);
  expect(RIDER_SHARDS).toBe(64);
});

test('every multi-key command of the index keeps its keys in one hash slot: report, batch, move, status, nearby, sweep, persist', async () => {
  sent.length = 0;
  const now = new Date();
  const riderId = await anIdleRider(offset(CENTER, -9000, 0), new Date(now.getTime() - 2000));
  await index.record(riderId, [{ ...offset(CENTER, -9000, 2500), at: new Date(now.getTime() - 1000) }, { ...offset(CENTER, -9000, 5000), at: now }], { now });
  await index.nearbyIdleRiders(offset(CENTER, -9000, 2500), 3000, 10, now);
  await index.setStatus(riderId, 'DELIVERING', 2);
  await index.sweep(now);
  await index.takeUnsaved(10);
  await index.liveLocations([riderId, uniqueId('rider')]);
  const scripts = sent.filter((command) => command.command === 'evalsha' || command.command === 'eval');
  const slotsPerCommand = await Promise.all(sent.map(async (command) => ({ ...command, slots: [...new Set(await keySlots(redis, command.keys))] })));

  expect(new Set(scripts.map((command) => command.keys.length))).toEqual(new Set([2, 3, 5]));
  expect(slotsPerCommand.filter((command) => command.slots.length !== 1)).toEqual([]);
});
