import { randomBytes } from 'node:crypto';

/**
 * Each test run gets its own database prefix, Redis key prefix and Kafka topic prefix, so
 * runs on one machine (or CI next to a developer) never see each other's data. Every
 * service's admin port is a free one: test files run in parallel, several services of one
 * kind per process, next to a `pnpm start` holding the fixed defaults.
 */
export function ensureRunIsolation(env: NodeJS.ProcessEnv = process.env): string {
  if (!env.WAIMAI_TEST_RUN) {
    env.WAIMAI_TEST_RUN = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  }
  const run = env.WAIMAI_TEST_RUN;
  env.NODE_ENV = 'test';
  env.DB_PREFIX = `wt_${run}`;
  env.REDIS_KEY_PREFIX = `wt:${run}:`;
  env.KAFKA_TOPIC_PREFIX = `wt-${run}-`;
  for (const service of ['GATEWAY', 'PRODUCTS', 'ORDERS', 'PAYMENTS', 'RIDERS', 'OPERATIONS']) env[`${service}_ADMIN_PORT`] = '0';
  env.KAFKA_TOPIC_PARTITIONS ??= '3';
  env.LOG_LEVEL ??= 'warn';
  return run;
}
