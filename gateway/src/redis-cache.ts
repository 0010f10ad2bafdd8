import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { Redis } from '@waimai/platform';

/**
 * Apollo Server's KeyValueCache on the platform's Redis (under REDIS_KEY_PREFIX + `prefix`),
 * so that a query registered with one gateway replica (automatic persisted queries) is found by
 * its hash on every other.
 */
export function redisKeyValueCache(redis: Redis, prefix: string): KeyValueCache<string> {
  return {
    async get(key: string) {
      return (await redis.get(`${prefix}${key}`)) ?? undefined;
    },
    async set(key: string, value: string, options?: KeyValueCacheSetOptions) {
      const ttl = options?.ttl;
      if (ttl) await redis.set(`${prefix}${key}`, value, 'EX', Math.ceil(ttl));
      else await redis.set(`${prefix}${key}`, value);
    },
    async delete(key: string) {
      return (await redis.del(`${prefix}${key}`)) > 0;
    },
  };
}
