import { authConfig, kafkaConfig, loadConfigOrExit, mysqlConfig, parseConfig, redisConfig, runtimeConfig, servicePortsConfig, z } from '@waimai/platform';

/** Products' sweep of stock holds whose order never appeared (jobs/orphan-hold-sweep.ts). */
const stockHoldsConfig = z.object({
  // 120 s: a hold's order is written within one createOrder (the 3 s stock call plus one
  // insert), so a hold unclaimed this long without an order will never get one. Keep it far
  // above orders' STOCK_API_TIMEOUT_MS: the sweep's safety rests on that margin.
  STOCK_HOLD_ORPHAN_SECONDS: z.coerce.number().positive().default(120),
  // 10 s: how often a replica looks for such holds; a leak lasts at most the window plus this.
  STOCK_HOLD_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(10_000),
  // 3 s: the sweep asks orders which orders exist; no answer means nothing is released.
  ORDERS_API_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
});

/** Sponsored shops in merchantsNearby (domain/sponsored.ts). */
const adsConfig = z.object({
  // 2 per page: sponsored shops stay a minority of a 20-shop page; 0 serves no ads at all.
  ADS_MAX_SPONSORED: z.coerce.number().int().min(0).max(10).default(2),
  // 20 pages per customer, placement and UTC day: past that the customer has seen the ad enough.
  ADS_FREQUENCY_CAP: z.coerce.number().int().positive().default(20),
});

const productsConfig = runtimeConfig
  .extend(mysqlConfig.shape)
  .extend(kafkaConfig.shape)
  .extend(authConfig.shape)
  .extend(servicePortsConfig.shape)
  .extend(stockHoldsConfig.shape)
  .extend(redisConfig.shape)
  .extend(adsConfig.shape);
export type ProductsConfig = ReturnType<typeof productsConfig.parse>;

/** Parses the products service's configuration; throws ConfigError listing every problem. */
export function loadProductsConfig(env: Record<string, string | undefined>): ProductsConfig {
  return parseConfig(productsConfig, env);
}

export function productsConfigOrExit(): ProductsConfig {
  return loadConfigOrExit(productsConfig);
}
