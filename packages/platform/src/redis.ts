import { Redis } from 'ioredis';
import { observeRedisCommands } from './metrics';

export interface RedisOptions {
  REDIS_URL: string;
  REDIS_KEY_PREFIX: string;
}

export type { Redis };

/**
 * Every key goes under REDIS_KEY_PREFIX, so test runs and environments sharing one Redis
 * never see each other's keys.
 */
export function connectRedis(options: RedisOptions, connectionName: string): Redis {
  const client = new Redis(options.REDIS_URL, {
    keyPrefix: options.REDIS_KEY_PREFIX,
    connectionName,
    // Fail a command after 3 reconnect attempts instead of queueing it forever.
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
  });
  // Every command's latency, by connection name, for /metrics.
  return observeRedisCommands(client, connectionName);
}
