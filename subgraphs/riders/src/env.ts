import {
  authConfig,
  kafkaConfig,
  loadConfigOrExit,
  mysqlConfig,
  parseConfig,
  redisConfig,
  runtimeConfig,
  servicePortsConfig,
  timersConfig,
  z,
} from '@waimai/platform';

const ridersConfig = runtimeConfig
  .extend(mysqlConfig.shape)
  .extend(redisConfig.shape)
  .extend(kafkaConfig.shape)
  .extend(authConfig.shape)
  .extend(servicePortsConfig.shape)
  .extend(timersConfig.shape)
  .extend({
    // 20: enough riders to make a grab likely; 500 is what orders accepts in one notify call.
    DISPATCH_MAX_RIDERS_PER_ROUND: z.coerce.number().int().positive().max(500).default(20),
    // Partitions of orders.events the dispatcher works on at once (one event at a time per partition).
    DISPATCH_CONCURRENCY: z.coerce.number().int().positive().default(3),
    // 15 s: a round that reached nobody is planned again this often (riders come online and
    // move into range within seconds; a rider's report interval is a few seconds).
    DISPATCH_EMPTY_ROUND_RETRY_SECONDS: z.coerce.number().positive().default(15),
    // 600 s: how long after an order's first round empty rounds keep being retried; then
    // orders flags the order needsAttention for operations (a paid order waiting 10 minutes
    // for any rider is one a person should look at).
    DISPATCH_GIVE_UP_SECONDS: z.coerce.number().positive().default(600),
    // 3 s: the notify call sits between a paid order and the riders' phones.
    ORDERS_API_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
    // 2 s, as operations': the dispatcher reads a shop's card from products beside the notify
    // call and never waits for it past that call (docs/subscriptions.md, event-carried state).
    MERCHANTS_API_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
    // 60 s: a shop's card (name, address, location) is asked of products once a minute at most;
    // a rename or a move reaches the offers at most this late.
    MERCHANT_CARD_TTL_SECONDS: z.coerce.number().positive().default(60),
    // 30 s: how stale the location kept in MySQL may be; Redis always has the live one.
    LOCATION_PERSIST_SECONDS: z.coerce.number().positive().default(30),
    // 5 s: riders silent past RIDER_LOCATION_TTL_SECONDS leave the idle set within this much more.
    RIDER_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(5000),
    // 20 km: the side of a cell of the idle-rider GEO index (one GEO set, one cluster slot, per
    // cell), about a city district; a dispatch search reads the cells its circle reaches. Fixed
    // for a deployment: a change re-places riders only as they report (docs/redis-cluster.md).
    RIDER_GEO_CELL_KM: z.coerce.number().positive().max(1000).default(20),
  });
export type RidersConfig = z.infer<typeof ridersConfig>;

/** Parses the riders service's configuration; throws ConfigError listing every problem. */
export function loadRidersConfig(env: Record<string, string | undefined>): RidersConfig {
  return parseConfig(ridersConfig, env);
}

export function ridersConfigOrExit(): RidersConfig {
  return loadConfigOrExit(ridersConfig);
}
