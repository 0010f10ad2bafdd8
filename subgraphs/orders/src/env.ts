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
  });
export type OrdersConfig = z.infer<typeof ordersConfig>;

export function loadOrdersConfig(env: Record<string, string | undefined>): OrdersConfig {
  return parseConfig(ordersConfig, env);
}

export function ordersConfigOrExit(): OrdersConfig {
  return loadConfigOrExit(ordersConfig);
}
