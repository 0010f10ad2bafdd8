import path from 'node:path';
import { authConfig, kafkaConfig, loadConfigOrExit, parseConfig, runtimeConfig, servicePortsConfig, z } from '@waimai/platform';

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
  // 12: the deepest contract operation (NearbyMerchants) is 6 deep; room for fragments and growth.
  MAX_QUERY_DEPTH: z.coerce.number().int().positive().default(12),
  // Fields in the response shape, list fields multiplied by their page size (`first`).
  // 10 000: the contract's NearbyMerchants at its default page sizes costs about 4 200.
  MAX_QUERY_COST: z.coerce.number().int().positive().default(10_000),
  // Page size assumed for a list field whose `first` is a variable or missing (the servers' default).
  QUERY_COST_DEFAULT_LIST_SIZE: z.coerce.number().int().positive().default(20),
  // 30 aliases: enough for a dashboard, too few to multiply one expensive field into a flood.
  MAX_QUERY_ALIASES: z.coerce.number().int().nonnegative().default(30),
  // 100 kB of JSON: the largest contract request is under 2 kB.
  MAX_REQUEST_BYTES: z.coerce.number().int().positive().default(100_000),
  // Public schema, public playground: introspection stays on unless an operator turns it off.
  GRAPHQL_INTROSPECTION: booleanFlag.default(true),
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
  // 10 s: a payment provider gives up on a webhook long before that and retries.
  WEBHOOK_PROXY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

const gatewayConfig = runtimeConfig
  .extend(authConfig.shape)
  .extend(servicePortsConfig.shape)
  .extend(kafkaConfig.shape)
  .extend(gatewayLimitsConfig.shape);
export type GatewayConfig = z.infer<typeof gatewayConfig>;

/** Parses the gateway's configuration; throws ConfigError listing every problem. */
export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  return parseConfig(gatewayConfig, env);
}

/** For main(): the configuration from process.env, or every problem printed and exit 1. */
export function gatewayConfigOrExit(): GatewayConfig {
  return loadConfigOrExit(gatewayConfig, process.env);
}
