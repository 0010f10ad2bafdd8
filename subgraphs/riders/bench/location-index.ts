/*
 * What the rider location index costs in Redis, outside pnpm bench: N idle riders spread over
 * a square around Shanghai, then reports (ingest) and nearby searches of the 40 nearest at
 * random merchants. Prints client wall time and Redis CPU time (the main thread's, every
 * master summed) per call: run it against a Redis nobody else uses, or the CPU time includes
 * their commands. Its keys go under a prefix of their own, deleted at the end.
 *
 *   REDIS_URL=redis://127.0.0.1:6390 node --import tsx subgraphs/riders/bench/location-index.ts [riders=50000] [sideKm=40] [cellKm=20]
 *   REDIS_CLUSTER_NODES=127.0.0.1:7000,... node --import tsx subgraphs/riders/bench/location-index.ts
 *
 * LOCATION_INDEX_MODULE=<path> measures another copy of location-index.ts (an older commit's).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { connectRedis, loadConfigOrExit, redisConfig, redisMasters, unlinkKeysWithPrefix, z, type GeoPoint, type Redis } from '@waimai/platform';
import type { createLocationIndex as CreateLocationIndex } from '../src/db/location-index';

const [riders = 50_000, sideKm = 40, cellKm = 20] = process.argv.slice(2).map(Number);
const CENTER: GeoPoint = { lat: 31.2304, lng: 121.4737 };
const SEARCHES = 2000;
const REPORTS = 20_000;
const CONCURRENCY = 100;

const at = (northKm: number, eastKm: number): GeoPoint => ({
  lat: CENTER.lat + (northKm * 1000) / 111_320,
  lng: CENTER.lng + (eastKm * 1000) / (111_320 * Math.cos((CENTER.lat * Math.PI) / 180)),
});
const anywhere = () => at((Math.random() - 0.5) * sideKm, (Math.random() - 0.5) * sideKm);

/**
 * Over every master: the main thread's CPU time (INFO cpu, µs; unlike commandstats' usec it
 * does not grow while a busy machine keeps Redis off the CPU) and the scripts run.
 */
async function serverStats(redis: Redis): Promise<{ cpuUs: number; scripts: number }> {
  let cpuUs = 0;
  let scripts = 0;
  for (const master of await redisMasters(redis)) {
    const info = await master.info('all');
    for (const match of info.matchAll(/^used_cpu_(?:user|sys)_main_thread:([\d.]+)/gm)) cpuUs += Number(match[1]) * 1e6;
    for (const match of info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)) scripts += Number(match[1]);
  }
  return { cpuUs, scripts };
}

async function inParallel(count: number, run: (n: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await run(next++);
    }),
  );
}

async function measure(redis: Redis, what: string, count: number, run: (n: number) => Promise<unknown>): Promise<void> {
  const before = await serverStats(redis);
  const started = process.hrtime.bigint();
  await inParallel(count, run);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const after = await serverStats(redis);
  console.log(
    `${what}: ${count} in ${wallMs.toFixed(0)} ms (${((count / wallMs) * 1000).toFixed(0)}/s at ${CONCURRENCY} in flight); ` +
      `Redis CPU ${((after.cpuUs - before.cpuUs) / count).toFixed(1)} µs and ${((after.scripts - before.scripts) / count).toFixed(2)} scripts per call`,
  );
}

async function main(): Promise<void> {
  const config = loadConfigOrExit(redisConfig.extend({ LOCATION_INDEX_MODULE: z.string().optional() }));
  const modulePath = config.LOCATION_INDEX_MODULE ? path.resolve(config.LOCATION_INDEX_MODULE) : '../src/db/location-index';
  const { createLocationIndex } = (await import(modulePath)) as { createLocationIndex: typeof CreateLocationIndex };
  const prefix = `bench-locations-${randomBytes(3).toString('hex')}:`;
  const nodes = config.REDIS_CLUSTER_NODES;
  const options = { REDIS_URL: config.REDIS_URL, REDIS_CLUSTER_NODES: nodes };
  const redis = connectRedis({ ...options, REDIS_KEY_PREFIX: prefix }, 'bench-locations');
  const index = createLocationIndex(redis, { RIDER_LOCATION_TTL_SECONDS: 3600, RIDER_GEO_CELL_KM: cellKm });
  console.log(`${riders} idle riders over ${sideKm} km × ${sideKm} km, ${cellKm} km cells, ${nodes.length ? `cluster of ${nodes.length}` : 'single Redis'}`);
  try {
    const ids = Array.from({ length: riders }, (_, n) => `bench-rider-${n}`);
    const positions = ids.map(anywhere);
    await inParallel(riders, (n) => index.setStatus(ids[n]!, 'IDLE', 1));
    await measure(redis, 'first reports', riders, (n) => index.report(ids[n]!, positions[n]!));
    // A rider moves up to 50 m each way between reports (a few seconds on an e-bike).
    await measure(redis, 'reports', REPORTS, (n) => {
      const rider = n % riders;
      const moved = { lat: positions[rider]!.lat + ((Math.random() - 0.5) * 100) / 111_320, lng: positions[rider]!.lng + ((Math.random() - 0.5) * 100) / 95_000 };
      positions[rider] = moved;
      return index.report(ids[rider]!, moved);
    });
    for (const radius of [3000, 9000]) {
      await measure(redis, `40 nearest within ${radius / 1000} km`, SEARCHES, () => index.nearbyIdleRiders(at((Math.random() - 0.5) * sideKm * 0.8, (Math.random() - 0.5) * sideKm * 0.8), radius, 40));
    }
  } finally {
    const cleaner = connectRedis({ ...options, REDIS_KEY_PREFIX: '' }, 'bench-locations-cleanup');
    await unlinkKeysWithPrefix(cleaner, prefix);
    await cleaner.quit();
    await redis.quit();
  }
}

void main();
