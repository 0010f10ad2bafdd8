import { authConfig, kafkaConfig, loadConfigOrExit, mysqlConfig, parseConfig, runtimeConfig, servicePortsConfig, z } from '@waimai/platform';

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

const productsConfig = runtimeConfig
  .extend(mysqlConfig.shape)
  .extend(kafkaConfig.shape)
  .extend(authConfig.shape)
  .extend(servicePortsConfig.shape)
  .extend(stockHoldsConfig.shape);
export type ProductsConfig = ReturnType<typeof productsConfig.parse>;

/** Parses the products service's configuration; throws ConfigError listing every problem. */
export function loadProductsConfig(env: Record<string, string | undefined>): ProductsConfig {
  return parseConfig(productsConfig, env);
}

export function productsConfigOrExit(): ProductsConfig {
  return loadConfigOrExit(productsConfig);
}
