import path from 'node:path';
import { authConfig, kafkaConfig, loadConfigOrExit, parseConfig, redisConfig, runtimeConfig, servicePortsConfig, z } from '@waimai/platform';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const gatewayLimitsConfig = z.object({
  SUPERGRAPH_PATH: z
    .string()
    .min(1)
    .default('schema/supergraph.graphql')
    .transform((file) => path.resolve(REPO_ROOT, file)),
  // 1,000 tokens (GraphQL Armor's default): the largest contract operation with every
  // fragment is under 100, GraphiQL's introspection query about 170.
  MAX_QUERY_TOKENS: z.coerce.number().int().positive().default(1000),
  // 12: the deepest contract operation (NearbyMerchants) is 6 deep; room for fragments and growth.
  MAX_QUERY_DEPTH: z.coerce.number().int().positive().default(12),
  // Fields in the response shape, list fields multiplied by their page size (`first`).
  // 10 000: the contract's NearbyMerchants at its default page sizes costs about 4 200.
  MAX_QUERY_COST: z.coerce.number().int().positive().default(10_000),
  // Page size assumed for a list field whose `first` is a variable or missing (the servers' default).
  QUERY_COST_DEFAULT_LIST_SIZE: z.coerce.number().int().positive().default(20),
  // 30 aliases: enough for a dashboard, too few to multiply one expensive field into a flood.
  MAX_QUERY_ALIASES: z.coerce.number().int().nonnegative().default(30),
  // 10 fields of one name in one selection set (fragments included): a client that merges
  // fragments repeats `id` a few times; validation compares such fields pairwise.
  MAX_FIELD_REPEATS: z.coerce.number().int().positive().default(10),
  // 1,000 fields after fragment expansion: the largest contract operation has 42, introspection 220.
  MAX_QUERY_FIELDS: z.coerce.number().int().positive().default(1000),
  // 50 directives (GraphQL Armor's default): the contract uses none.
  MAX_QUERY_DIRECTIVES: z.coerce.number().int().nonnegative().default(50),
  // 100 kB of JSON: the largest contract request is under 2 kB.
  MAX_REQUEST_BYTES: z.coerce.number().int().positive().default(100_000),
  // Introspection, GraphiQL and "Did you mean …?" in errors: on in development, off in
  // production unless turned on (unset: follows NODE_ENV).
  GRAPHQL_INTROSPECTION: booleanFlag.optional(),
  GRAPHQL_PLAYGROUND: booleanFlag.optional(),
  GRAPHQL_FIELD_SUGGESTIONS: booleanFlag.optional(),
  // 24 h: how long an automatic persisted query stays in Redis after it was last registered.
  APQ_TTL_SECONDS: z.coerce.number().int().positive().default(24 * 60 * 60),
  // Trusted documents: only operations of the contract's manifest run (by sha256 hash).
  TRUSTED_DOCUMENTS: booleanFlag.default(false),
  TRUSTED_DOCUMENTS_PATH: z
    .string()
    .min(1)
    .default('schema/contract/trusted-documents.json')
    .transform((file) => path.resolve(REPO_ROOT, file)),
  // 3 s: the contract's limit for a websocket to send connection_init (then 4408).
  WS_CONNECTION_INIT_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
  // 15 s between ws-level pings; a socket that has not answered one by the next is cut
  // (dead mobile links otherwise linger until TCP gives up, minutes later).
  WS_KEEPALIVE_MS: z.coerce.number().int().positive().default(15_000),
  // 256 events routed to one socket and not yet sent: a rider gets a few offers a minute, so a
  // socket this far behind is stuck; it is closed with 1013 and the app resumes from pendingOrderOffers.
  WS_MAX_PENDING_EVENTS: z.coerce.number().int().positive().default(256),
  // 30 s: how long the signed identity for one caller is reused (it is valid for 60 s).
  IDENTITY_CACHE_SECONDS: z.coerce.number().int().nonnegative().default(30),
  // Identical subgraph queries in flight (same subgraph, body and forwarded identity) are sent
  // once and their answer shared, as Apollo Router and Hive Gateway do; mutations never are.
  SUBGRAPH_DEDUPLICATION: booleanFlag.default(true),
  // The queries of one client request that a plan sends to one subgraph side by side go out in
  // one batched HTTP request (a JSON array), as Apollo Router's subgraph batching does.
  SUBGRAPH_BATCHING: booleanFlag.default(true),
  // 256 keep-alive connections per subgraph at most: far above what one gateway process keeps
  // busy (a request takes a few ms); beyond, requests wait for a free one.
  SUBGRAPH_MAX_CONNECTIONS: z.coerce.number().int().positive().default(256),
  // 10 s: a payment provider gives up on a webhook long before that and retries.
  WEBHOOK_PROXY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  // 60 s between sweeps for the subscription consumer groups of gateway processes that died
  // without deleting them (kill -9, OOM): one listGroups + describeGroups a minute per replica;
  // a dead replica's groups are gone within this plus KAFKA_SESSION_TIMEOUT_MS.
  GATEWAY_GROUP_SWEEP_MS: z.coerce.number().int().min(1000).default(60_000),
  // 5 s per dispatchActivity frame: fresh enough for a console, one small frame per staff socket
  // per window. At least 100 ms: below that the timer costs more than the counting.
  DISPATCH_ACTIVITY_WINDOW_MS: z.coerce.number().int().min(100).default(5000),
});

/** `<requests>/<seconds>`, e.g. `100/10`: at most 100 requests in any 10-second window. */
const budget = (defaultValue: string) =>
  z
    .string()
    .regex(/^\d+\/\d+$/, 'must be <requests>/<seconds>, e.g. 100/10')
    .default(defaultValue)
    .transform((value) => {
      const [points = 0, seconds = 1] = value.split('/').map(Number);
      return { points, seconds };
    })
    .refine((value) => value.points > 0 && value.seconds > 0, 'requests and seconds must be positive');

/**
 * Budgets sized so that a real app never meets them and a flood always does, per caller: the
 * token's `sub` when there is one, the client's IP otherwise. Counted in Redis, so they hold
 * across gateway replicas. The tests and `pnpm bench` raise them explicitly.
 */
const rateLimitConfig = z.object({
  // 100 requests per 10 s per IP: a browsing customer sends a few a second at most.
  RATE_LIMIT_ANONYMOUS: budget('100/10'),
  // 200 requests per 10 s per user, over HTTP and websocket operations.
  RATE_LIMIT_AUTHENTICATED: budget('200/10'),
  // createOrder, initiatePayment, grabOrder: 20 a minute per user; each holds stock, talks to a
  // payment provider or races for an order.
  RATE_LIMIT_EXPENSIVE: budget('20/60'),
  // reportLocation: the rider app reports every 5–10 s; 60 a minute is one a second.
  RATE_LIMIT_LOCATION: budget('60/60'),
  // Websocket connections per IP: an app reconnects a few times a minute at worst.
  RATE_LIMIT_WS_CONNECT: budget('30/60'),
  // Subscribe messages per user: an app opens a handful per screen.
  RATE_LIMIT_WS_SUBSCRIBE: budget('60/60'),
  // Payment callbacks per IP: a provider sends bursts from a few addresses.
  RATE_LIMIT_WEBHOOK: budget('600/10'),
  // 20 subscriptions on one socket: the rider app has 2, the console a few.
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: z.coerce.number().int().positive().default(20),
  // 5 sockets per user on one gateway process: phone, tablet, a reconnect in flight.
  WS_MAX_SOCKETS_PER_USER: z.coerce.number().int().positive().default(5),
  // 20 messages a second on one socket; above that the socket is closed with 4429.
  WS_MAX_MESSAGES_PER_SECOND: z.coerce.number().int().positive().default(20),
  // Proxies in front of the gateway whose X-Forwarded-For is believed (express's "trust
  // proxy" hop count): 0 in development, 1 behind one load balancer.
  TRUST_PROXY_HOPS: z.coerce.number().int().nonnegative().default(0),
});

/** `http://localhost:*` style patterns; `*` stands for a port. */
const corsConfig = z.object({
  // Origins a browser app may call the API from. Unset: development allows any
  // http://localhost:* and http://127.0.0.1:* origin, production none.
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value) => (value === undefined ? undefined : value.split(',').map((origin) => origin.trim()).filter(Boolean))),
});

const tokenConfig = z.object({
  // 24 h: the longest a client token may live (exp - iat); longer ones are refused.
  JWT_MAX_LIFETIME_SECONDS: z.coerce.number().int().positive().default(24 * 60 * 60),
});

const DEVELOPMENT_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];

const gatewayConfig = runtimeConfig
  .extend(authConfig.shape)
  .extend(tokenConfig.shape)
  .extend(servicePortsConfig.shape)
  .extend(kafkaConfig.shape)
  .extend(redisConfig.shape)
  .extend(gatewayLimitsConfig.shape)
  .extend(rateLimitConfig.shape)
  .extend(corsConfig.shape)
  .transform((config) => {
    const development = config.NODE_ENV !== 'production';
    return {
      ...config,
      GRAPHQL_INTROSPECTION: config.GRAPHQL_INTROSPECTION ?? development,
      GRAPHQL_PLAYGROUND: config.GRAPHQL_PLAYGROUND ?? development,
      GRAPHQL_FIELD_SUGGESTIONS: config.GRAPHQL_FIELD_SUGGESTIONS ?? development,
      CORS_ORIGINS: config.CORS_ORIGINS ?? (development ? DEVELOPMENT_ORIGINS : []),
    };
  });
export type GatewayConfig = z.infer<typeof gatewayConfig>;

/** Parses the gateway's configuration; throws ConfigError listing every problem. */
export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  return parseConfig(gatewayConfig, env);
}

/** For main(): the configuration from process.env, or every problem printed and exit 1. */
export function gatewayConfigOrExit(): GatewayConfig {
  return loadConfigOrExit(gatewayConfig, process.env);
}
