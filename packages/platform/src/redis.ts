import { Cluster, Redis as SingleRedis } from 'ioredis';
import { observeRedisCommands } from './metrics';

export interface RedisOptions {
  REDIS_URL: string;
  REDIS_KEY_PREFIX: string;
  /** host:port of some Redis Cluster masters; when set, REDIS_URL is not used. */
  REDIS_CLUSTER_NODES?: readonly string[];
}

/**
 * A single Redis or a Redis Cluster: the commands, scripts and pipelines the services use
 * are the same on both, because every multi-key command and script keeps its keys in one
 * hash slot (docs/redis-cluster.md lists each key family and its hash tag).
 */
export type Redis = SingleRedis | Cluster;
export { Cluster };

/** Whether `value` is one of our Redis clients (a service pings the ones it keeps for readiness). */
export function isRedisClient(value: unknown): value is Redis {
  return value instanceof SingleRedis || value instanceof Cluster;
}

/** The client's masters: itself on a single Redis, each master's own connection on a cluster (SCAN). */
export async function redisMasters(client: Redis): Promise<SingleRedis[]> {
  if (!(client instanceof Cluster)) return [client];
  // The first command waits for the slot map; only then does the client know its masters.
  await client.ping();
  return client.nodes('master');
}

/**
 * Deletes every key starting with `prefix` (a test run's, a bench run's), on each master.
 * `client` has no keyPrefix of its own: SCAN matches raw keys and UNLINK takes them as they
 * are, one key a command (a cluster refuses multi-key commands across slots, even on one node).
 */
export async function unlinkKeysWithPrefix(client: Redis, prefix: string): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let total = 0;
  for (const master of await redisMasters(client)) {
    const stream = master.scanStream({ match: pattern, count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      await Promise.all(keys.map((key) => master.unlink(key)));
      total += keys.length;
    }
  }
  return total;
}

/**
 * Every key goes under REDIS_KEY_PREFIX, so test runs and environments sharing one Redis
 * never see each other's keys. The prefix must not contain `{` or `}`: on a cluster the hash
 * tag of each key is the first `{...}` in the whole key, prefix included.
 */
export function connectRedis(options: RedisOptions, connectionName: string): Redis {
  if (/[{}]/.test(options.REDIS_KEY_PREFIX)) throw new Error(`REDIS_KEY_PREFIX must not contain { or } (it would become every key's hash tag): ${options.REDIS_KEY_PREFIX}`);
  const nodes = options.REDIS_CLUSTER_NODES ?? [];
  const client: Redis = nodes.length
    ? new Cluster(nodes.map(clusterNode), {
        keyPrefix: options.REDIS_KEY_PREFIX,
        enableAutoPipelining: true,
        redisOptions: { connectionName, maxRetriesPerRequest: 3 },
      })
    : new SingleRedis(options.REDIS_URL, {
        keyPrefix: options.REDIS_KEY_PREFIX,
        connectionName,
        // Fail a command after 3 reconnect attempts instead of queueing it forever.
        maxRetriesPerRequest: 3,
        enableAutoPipelining: true,
      });
  // Every command's latency, by connection name, for /metrics.
  return observeRedisCommands(client, connectionName);
}

function clusterNode(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const port = Number(address.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port <= 0) throw new Error(`A Redis Cluster node is host:port, not ${address}.`);
  return { host: address.slice(0, at), port };
}
