import { authConfig, kafkaConfig, loadConfigOrExit, mysqlConfig, parseConfig, redisConfig, runtimeConfig, servicePortsConfig, z } from '@waimai/platform';

/** Campaigns: the sweep of discounts held for orders that never appeared, and the calls it and createCampaign make. */
const campaignsConfig = z.object({
  // 120 s, as products' stock holds: orders writes its order within one reservation call plus
  // one insert of the hold it got, so a hold unclaimed this long without an order gets none.
  DISCOUNT_HOLD_ORPHAN_SECONDS: z.coerce.number().positive().default(120),
  // 10 s: how often a replica looks for such holds; a leak lasts at most the window plus this.
  DISCOUNT_HOLD_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(10_000),
  // 3 s: the sweep asks orders which orders exist; no answer means nothing is released.
  ORDERS_API_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
  // 2 s: staff or a merchant wait on createCampaign while products reads one shop by its key.
  MERCHANTS_API_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
});

/** Ads: the job that settles the Redis counters of placements into MySQL (jobs/ad-settlement.ts). */
const adsConfig = z.object({
  // 10 s: figures read today's and yesterday's counters live, so settling only has to beat the
  // counters' 3-day expiry; more often would only repeat the same writes.
  AD_SETTLEMENT_INTERVAL_MS: z.coerce.number().int().positive().default(10_000),
});

const operationsConfig = runtimeConfig
  .extend(mysqlConfig.shape)
  .extend(kafkaConfig.shape)
  .extend(authConfig.shape)
  .extend(servicePortsConfig.shape)
  .extend(campaignsConfig.shape)
  .extend(redisConfig.shape)
  .extend(adsConfig.shape);
export type OperationsConfig = z.infer<typeof operationsConfig>;

export function loadOperationsConfig(env: Record<string, string | undefined>): OperationsConfig {
  return parseConfig(operationsConfig, env);
}

export function operationsConfigOrExit(): OperationsConfig {
  return loadConfigOrExit(operationsConfig);
}
