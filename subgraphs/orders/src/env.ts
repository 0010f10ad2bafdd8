import {
  authConfig,
  kafkaConfig,
  loadConfigOrExit,
  mysqlConfig,
  parseConfig,
  runtimeConfig,
  servicePortsConfig,
  timersConfig,
  z,
} from '@waimai/platform';

const ordersConfig = runtimeConfig
  .extend(mysqlConfig.shape)
  .extend(kafkaConfig.shape)
  .extend(authConfig.shape)
  .extend(servicePortsConfig.shape)
  .extend(timersConfig.shape)
  .extend({
    // 250 m/min ≈ 15 km/h: an e-bike through city traffic, for the promised deadline.
    DELIVERY_METERS_PER_MINUTE: z.coerce.number().positive().default(250),
    // 3 s: the stock call is on the customer's critical path.
    STOCK_API_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
    // 2 s: staff wait on reassignOrder while riders reads one row by its key.
    RIDERS_API_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
    // 800 ms: operations prices discounts while the customer waits at checkout; past this the
    // order is priced without discounts (and says so) rather than kept waiting or refused.
    CAMPAIGNS_API_TIMEOUT_MS: z.coerce.number().int().positive().default(800),
    // The delivery fee every order pays, in CNY cents (0: free delivery).
    DELIVERY_FEE_CENTS: z.coerce.number().int().min(0).max(100_000).default(0),
    // Test-only fault point for crash-safety tests: SIGKILL this process right after a stock
    // hold succeeds, before the order row is written. Refused under NODE_ENV=production.
    FAULT_CRASH_AFTER_STOCK_HOLD: z
      .enum(['true', 'false', '1', '0'])
      .transform((value) => value === 'true' || value === '1')
      .default(false),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && config.FAULT_CRASH_AFTER_STOCK_HOLD) {
      ctx.addIssue({ code: 'custom', path: ['FAULT_CRASH_AFTER_STOCK_HOLD'], message: 'a test-only fault point; never set under NODE_ENV=production' });
    }
  });
export type OrdersConfig = z.infer<typeof ordersConfig>;

export function loadOrdersConfig(env: Record<string, string | undefined>): OrdersConfig {
  return parseConfig(ordersConfig, env);
}

export function ordersConfigOrExit(): OrdersConfig {
  return loadConfigOrExit(ordersConfig);
}
