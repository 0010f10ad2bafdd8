import { connectRedis, createLogger, type Redis } from '@waimai/platform';
import { keySlots, recordMultiKeyCommands, startRedisCluster, uniqueId, type MultiKeyCommand, type RedisClusterHandle } from '@waimai/testkit';
import { createRateLimits, type RateLimitConfig } from '../src/rate-limits';
import { redisKeyValueCache } from '../src/redis-cache';

/*
 * The gateway's two uses of Redis (rate-limit counters, the persisted-query cache) on a real
 * 3-master Redis Cluster, as REDIS_CLUSTER_NODES configures them: each keeps every command
 * to one key, so any key lands on any node.
 */
let cluster: RedisClusterHandle;
let redis: Redis;
let sent: MultiKeyCommand[];
beforeAll(async () => {
  cluster = await startRedisCluster();
  redis = connectRedis({ REDIS_URL: 'redis://unused', REDIS_KEY_PREFIX: `${uniqueId('gw')}:`, REDIS_CLUSTER_NODES: cluster.nodes }, 'gateway-cluster-test');
  sent = recordMultiKeyCommands(redis, { minKeys: 1 });
  // Until the client is ready the limiter counts in memory (rejectIfRedisNotReady): wait for it, as readiness does.
  await redis.ping();
}, 120_000);
afterAll(async () => {
  await redis?.quit();
  await cluster?.stop();
});

const budget = (points: number) => ({ points, seconds: 60 });
const CONFIG: RateLimitConfig = {
  RATE_LIMIT_ANONYMOUS: budget(5),
  RATE_LIMIT_AUTHENTICATED: budget(5),
  RATE_LIMIT_EXPENSIVE: budget(2),
  RATE_LIMIT_LOCATION: budget(3),
  RATE_LIMIT_WS_CONNECT: budget(5),
  RATE_LIMIT_WS_SUBSCRIBE: budget(5),
  RATE_LIMIT_WEBHOOK: budget(5),
};

test('rate limits count on the cluster: 20 callers each get exactly their budget, whichever node holds their counter', async () => {
  const limits = createRateLimits(redis, CONFIG, createLogger('gateway-cluster-test', 'silent'));
  const callers = Array.from({ length: 20 }, () => `u:${uniqueId('caller')}`);

  const answers = await Promise.all(callers.map((caller) => Promise.all(Array.from({ length: 5 }, () => limits.take('location', caller)))));
  const counters = await Promise.all(callers.map((caller) => redis.get(`rl:location:${caller}`)));
  const slots = new Set(await keySlots(redis, callers.map((caller) => `rl:location:${caller}`)));

  for (const perCaller of answers) {
    expect(perCaller.filter((answer) => answer === null)).toHaveLength(3);
    for (const refused of perCaller.filter((answer) => answer !== null)) expect(refused).toBeGreaterThanOrEqual(1);
  }
  // Counted in the cluster, not in the fallback memory: 5 points asked for by each caller.
  expect(counters).toEqual(callers.map(() => '5'));
  expect(slots.size).toBeGreaterThan(10);
});

test('the persisted-query cache stores, finds, expires and deletes entries on the cluster', async () => {
  const cache = redisKeyValueCache(redis, 'apq:');
  const entries = Array.from({ length: 30 }, (_, n) => [uniqueId('hash'), `query Q${n} { __typename }`] as const);

  await Promise.all(entries.map(([key, value]) => cache.set(key, value, { ttl: 300 })));
  const found = await Promise.all(entries.map(([key]) => cache.get(key)));
  const ttl = await redis.ttl(`apq:${entries[0]![0]}`);
  const deleted = await cache.delete(entries[0]![0]);

  expect(found).toEqual(entries.map(([, value]) => value));
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(300);
  expect(deleted).toBe(true);
  expect(await cache.get(entries[0]![0])).toBeUndefined();
});

test('every command the gateway sends to the cluster keeps its keys in one hash slot: the limiter script and the cache reads and writes', async () => {
  sent.length = 0;
  const limits = createRateLimits(redis, CONFIG, createLogger('gateway-cluster-test', 'silent'));
  await limits.take('expensive', `u:${uniqueId('caller')}`, 2);
  const cache = redisKeyValueCache(redis, 'apq:');
  const key = uniqueId('hash');
  await cache.set(key, 'query { __typename }', { ttl: 60 });
  await cache.get(key);
  await cache.delete(key);
  const slotsPerCommand = await Promise.all(sent.map(async (command) => ({ ...command, slots: [...new Set(await keySlots(redis, command.keys))] })));

  // EVAL when the node holding the key had not loaded the limiter's script yet, EVALSHA after.
  expect(new Set(sent.map((command) => (command.command === 'eval' ? 'evalsha' : command.command)))).toEqual(new Set(['evalsha', 'set', 'get', 'del']));
  expect(slotsPerCommand.filter((command) => command.slots.length !== 1)).toEqual([]);
});
