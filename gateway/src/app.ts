import http from 'node:http';
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerOptionsWithGateway, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Express, RequestHandler } from 'express';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import {
  answerInJson,
  closeServer,
  connectRedis,
  createIdentityForwarder,
  createHttpApp,
  listen,
  maskErrors,
  pathMatcher,
  withFastPath,
  operationMetricsPlugin,
  startAdminServer,
  type AdminServer,
  type Logger,
  type ReadinessCheck,
  type Redis,
  type RunningService,
  isSubgraphName,
  perSubgraph,
  SUBGRAPH_NAMES,
  type SubgraphName,
} from '@waimai/platform';
import type { GatewayConfig } from './env';
import { createCallerResolver, type GatewayContext } from './caller';
import { createDocumentGuard, limitsFromConfig, tokenLimitError, type DocumentGuard } from './limits';
import { createRateLimits, type RateLimits } from './rate-limits';
import { clientRequestErrors, ipRateLimit, requestPolicyPlugin } from './request-policy';
import { playgroundAssets, sendPlayground, wantsPlayground } from './playground';
import { consoleRoutes } from './console';
import { startEventFeed, type EventFeed } from './event-feed';
import { EventRouter } from './event-router';
import { eventSources, sourceTopics } from './event-sources';
import { attachSubscriptionServer, drainSubscriptionsPlugin, type OperationExecutor, type SubscriptionServer } from './subscriptions';
import { refuseMalformedPaths, WEBHOOKS_PATH, webhookProxy } from './webhooks';
import { graphqlHttpHandler } from './graphql-http';
import { accessLogPlugin } from './access-log';
import { redisKeyValueCache } from './redis-cache';
import { loadManifest } from './trusted-documents';
import { SubgraphDataSource, subgraphAgent } from './subgraph-fetch';

export const GRAPHQL_PATH = '/graphql';

export { SUBGRAPH_NAMES, type SubgraphName };

/**
 * Where the gateway reaches each subgraph: from config (the registry's URL keys), never from
 * the URLs composed into the supergraph file, so one committed supergraph serves every environment.
 */
export function subgraphBaseUrls(config: GatewayConfig): Record<SubgraphName, string> {
  return perSubgraph((subgraph) => config[subgraph.urlKey]);
}

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

/** A subgraph whose /healthz answers 2xx is up. The readiness endpoint bounds this at 2 s. */
async function pingHealthz(baseUrl: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${withoutTrailingSlash(baseUrl)}/healthz`, { signal: AbortSignal.timeout(2000) });
  } catch (err) {
    const code = (err as { cause?: { code?: unknown } }).cause?.code;
    throw new Error(typeof code === 'string' ? `not reachable (${code})` : 'not reachable');
  }
  await response.body?.cancel();
  if (!response.ok) throw new Error(`/healthz answered ${response.status}`);
}

// Set by @apollo/gateway on errors from subgraphs: where they came from is not the client's business.
const INTERNAL_EXTENSIONS = new Set(['serviceName', 'response', 'exception']);

/**
 * Subgraph errors with a contract code reach the client as the subgraph wrote them (message,
 * code, extra extensions); anything else is logged and masked by the platform's maskErrors.
 */
function formatGatewayError(logger: Logger, options: { fieldSuggestions: boolean; maxTokens: number }) {
  const mask = maskErrors(logger);
  const clientErrors = clientRequestErrors(logger, options);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const overTokens = error instanceof GraphQLError ? tokenLimitError(error, options.maxTokens) : null;
    const asLimit = overTokens ? { message: overTokens.message, extensions: { ...overTokens.extensions, http: undefined } } : formatted;
    const masked = mask(clientErrors(asLimit, error), error);
    if (!masked.extensions) return masked;
    const extensions = Object.fromEntries(Object.entries(masked.extensions).filter(([key]) => !INTERNAL_EXTENSIONS.has(key)));
    return { ...masked, extensions };
  };
}

export interface RunningGateway extends RunningService {
  httpServer: http.Server;
  /** The API schema of the supergraph (what clients see), e.g. for the websocket server. */
  apiSchema(): GraphQLSchema;
  /** The Kafka consumers that feed subscriptions, and who listens on this process. */
  events: Pick<EventFeed, 'ready' | 'groupIds'> & Pick<EventRouter, 'listeners'>;
}

/** The supergraph, each subgraph reached at its configured URL with the caller's identity; its API schema once loaded. */
function routeToSubgraphs(config: GatewayConfig, baseUrls: Record<SubgraphName, string>, logger: Logger) {
  const forwardedIdentity = createIdentityForwarder(config.INTERNAL_SECRET, config.IDENTITY_CACHE_SECONDS);
  const agent = subgraphAgent({ maxConnections: config.SUBGRAPH_MAX_CONNECTIONS });
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(config.SUPERGRAPH_PATH, 'utf8'),
    buildService({ name }) {
      if (!isSubgraphName(name)) throw new Error(`The supergraph names a subgraph "${name}" that the gateway has no URL for.`);
      const url = `${withoutTrailingSlash(baseUrls[name])}${GRAPHQL_PATH}`;
      return new SubgraphDataSource(name, url, forwardedIdentity, agent, { deduplicate: config.SUBGRAPH_DEDUPLICATION, batch: config.SUBGRAPH_BATCHING });
    },
    logger: logger.child({ component: 'apollo-gateway' }),
  });
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate((update) => {
    apiSchema = update.apiSchema;
  });
  return {
    gateway,
    /** Closes the keep-alive connections to the subgraphs, once the gateway has stopped. */
    closeConnections: () => agent.close(),
    loaded: () => apiSchema !== undefined,
    apiSchema(): GraphQLSchema {
      if (!apiSchema) throw new Error('The supergraph is not loaded.');
      return apiSchema;
    },
  };
}

/**
 * Subscription events and socket operations run through the same ApolloServer as HTTP
 * requests, with the socket's caller: identity reaches subgraphs exactly as over HTTP. The
 * websocket server is attached before that ApolloServer exists (the server drains it on
 * stop), so it gets the server here, before the http.Server listens and any socket connects.
 */
function socketOperations() {
  let server: ApolloServer<GatewayContext> | undefined;
  const execute: OperationExecutor = async (request, contextValue) => {
    if (!server) throw new Error('A socket operation arrived before the gateway started.');
    const response = await server.executeOperation(request, { contextValue });
    if (response.body.kind !== 'single') {
      return { errors: [{ message: 'Incremental delivery (@defer, @stream) is not available over websockets.', extensions: { code: 'BAD_REQUEST' } }] };
    }
    return response.body.singleResult;
  };
  return {
    execute,
    runThrough(apollo: ApolloServer<GatewayContext>) {
      server = apollo;
    },
  };
}

interface ApolloServerParts {
  httpServer: http.Server;
  gateway: ApolloGateway;
  guard: DocumentGuard;
  rateLimits: RateLimits;
  redis: Redis;
  subscriptions: SubscriptionServer;
}

function createApolloServer(config: GatewayConfig, logger: Logger, parts: ApolloServerParts): ApolloServer<GatewayContext> {
  const { httpServer, guard, rateLimits, redis, subscriptions } = parts;
  return new ApolloServer<GatewayContext>({
    // @apollo/gateway 2.x implements the v1 gateway interface; Apollo Server 5 runs it as is.
    gateway: parts.gateway as unknown as ApolloServerOptionsWithGateway<GatewayContext>['gateway'],
    formatError: formatGatewayError(logger.child({ component: 'graphql' }), {
      fieldSuggestions: config.GRAPHQL_FIELD_SUGGESTIONS,
      maxTokens: config.MAX_QUERY_TOKENS,
    }),
    includeStacktraceInErrorResponses: false,
    introspection: config.GRAPHQL_INTROSPECTION,
    // main()'s onShutdown owns SIGTERM/SIGINT: Apollo's own handler would stop and re-raise
    // the signal, killing the process before the other shutdown steps ran.
    stopOnTerminationSignals: false,
    // Documents are priced before Apollo Server sees them (documentLimits); the parser's own
    // token limit stays for operations that do not come over HTTP.
    parseOptions: guard.parseOptions,
    // Batched requests would multiply every per-request limit by the batch size.
    allowBatchedHttpRequests: false,
    // Automatic persisted queries, shared by every replica; off when only trusted documents run.
    persistedQueries: config.TRUSTED_DOCUMENTS ? false : { cache: redisKeyValueCache(redis, 'apq:'), ttl: config.APQ_TTL_SECONDS },
    plugins: [
      requestPolicyPlugin(rateLimits),
      // Half the shutdown budget for in-flight requests; the rest is for the other steps.
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: Math.floor(config.SHUTDOWN_TIMEOUT_MS / 2) }),
      // The playground below replaces Apollo's landing page, which loads from a CDN.
      ApolloServerPluginLandingPageDisabled(),
      drainSubscriptionsPlugin(subscriptions) as ApolloServerPlugin<GatewayContext>,
      operationMetricsPlugin('gateway') as ApolloServerPlugin<GatewayContext>,
      accessLogPlugin(logger),
    ],
  });
}

/**
 * /webhooks/* to payments, the playground, the operations console (/console), and /graphql (`graphql`, also served without
 * express for POST: see startGateway); JSON for everything else.
 */
function mountHttpRoutes(app: Express, config: GatewayConfig, logger: Logger, parts: { rateLimits: RateLimits; graphql: RequestHandler }): void {
  app.use(WEBHOOKS_PATH, ipRateLimit(parts.rateLimits, 'webhook'), refuseMalformedPaths);
  app.use(webhookProxy(config.PAYMENTS_URL, config.WEBHOOK_PROXY_TIMEOUT_MS, logger));
  if (config.GRAPHQL_PLAYGROUND) {
    app.use(playgroundAssets());
    app.get(GRAPHQL_PATH, (req, res, next) => {
      if (wantsPlayground(req)) sendPlayground(res);
      else next();
    });
  }
  // The operations console: static files only; staff sign in and read through /graphql.
  app.use(consoleRoutes());
  app.use(GRAPHQL_PATH, parts.graphql);
  answerInJson(app, logger);
}

/** /readyz: the supergraph is loaded, every subgraph answers, Redis answers, and the event feed reads. */
function gatewayReadiness(
  baseUrls: Record<SubgraphName, string>,
  supergraphLoaded: () => boolean,
  redis: Redis,
  feed: EventFeed,
): Record<string, ReadinessCheck> {
  return {
    supergraph: async () => {
      if (!supergraphLoaded()) throw new Error('the supergraph is not loaded yet');
    },
    ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, () => pingHealthz(baseUrls[name])])),
    // Not ready before the consumers read: a subscriber connected earlier would miss events.
    events: () => feed.check(),
    redis: async () => {
      await redis.ping();
    },
  };
}

/**
 * The public entry: GraphQL over HTTP at /graphql (through @apollo/gateway to the subgraphs),
 * the GraphiQL playground on GET /graphql from browsers, /webhooks/* forwarded to payments,
 * graphql-ws on the same server and path for subscriptions, and /healthz, all from one
 * http.Server; /readyz and /metrics on the internal admin port (GATEWAY_ADMIN_PORT).
 */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  const baseUrls = subgraphBaseUrls(config);
  const supergraph = routeToSubgraphs(config, baseUrls, logger);
  const callers = createCallerResolver(config, logger);
  const guard = createDocumentGuard(limitsFromConfig(config));
  const trusted = config.TRUSTED_DOCUMENTS ? loadManifest(config.TRUSTED_DOCUMENTS_PATH) : null;
  // Every event of the subscription topics reaches this process; the router keeps those of its own sockets.
  const router = new EventRouter(eventSources, { dispatchActivityWindowMs: config.DISPATCH_ACTIVITY_WINDOW_MS });

  const app = createHttpApp('gateway');
  app.set('trust proxy', config.TRUST_PROXY_HOPS);
  // Filled in once Apollo Server has started; no request arrives before the server listens.
  let serveGraphQL: (req: http.IncomingMessage, res: http.ServerResponse) => void = () => {
    throw new Error('A GraphQL request arrived before the gateway started.');
  };
  // POST /graphql, nearly every request, skips express; the rest (GET, preflights, webhooks,
  // the playground, probes) goes through it.
  const isGraphQLPost = pathMatcher(GRAPHQL_PATH);
  const httpServer = http.createServer(
    withFastPath(app, (req) => req.method === 'POST' && isGraphQLPost(req), (req, res) => serveGraphQL(req, res)),
  );
  // Budgets are counted in Redis so that they hold across gateway replicas.
  const redis = connectRedis(config, 'gateway-rate-limits');
  const rateLimits = createRateLimits(redis, config, logger);

  const operations = socketOperations();
  const subscriptions = attachSubscriptionServer({
    httpServer,
    path: GRAPHQL_PATH,
    schema: supergraph.apiSchema,
    callers,
    guard,
    trusted,
    rateLimits,
    maxSubscriptionsPerSocket: config.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
    maxSocketsPerUser: config.WS_MAX_SOCKETS_PER_USER,
    maxMessagesPerSecond: config.WS_MAX_MESSAGES_PER_SECOND,
    trustProxyHops: config.TRUST_PROXY_HOPS,
    connectionInitTimeoutMs: config.WS_CONNECTION_INIT_TIMEOUT_MS,
    maxMessageBytes: config.MAX_REQUEST_BYTES,
    keepAliveMs: config.WS_KEEPALIVE_MS,
    maxPendingEventsPerSocket: config.WS_MAX_PENDING_EVENTS,
    router,
    execute: operations.execute,
    logger,
  });
  const server = createApolloServer(config, logger, { httpServer, gateway: supergraph.gateway, guard, rateLimits, redis, subscriptions });
  operations.runThrough(server);

  const feed = startEventFeed({ kafka: config, topics: sourceTopics(eventSources), router, logger, groupSweepMs: config.GATEWAY_GROUP_SWEEP_MS });
  try {
    await server.start();
  } catch (err) {
    router.stop();
    await Promise.all([feed.stop(), redis.quit(), supergraph.closeConnections()]);
    throw err;
  }
  serveGraphQL = graphqlHttpHandler({
    server,
    callers,
    guard,
    trusted,
    rateLimits,
    corsOrigins: config.CORS_ORIGINS,
    trustProxyHops: config.TRUST_PROXY_HOPS,
    maxRequestBytes: config.MAX_REQUEST_BYTES,
    logger,
  });
  mountHttpRoutes(app, config, logger, { rateLimits, graphql: (req, res) => serveGraphQL(req, res) });

  let port: number;
  let admin: AdminServer;
  try {
    port = await listen(httpServer, config.GATEWAY_PORT);
    const readiness = gatewayReadiness(baseUrls, supergraph.loaded, redis, feed);
    admin = await startAdminServer({ service: 'gateway', readiness, logger, port: config.GATEWAY_ADMIN_PORT, host: config.ADMIN_HOST });
  } catch (err) {
    router.stop();
    await Promise.all([feed.stop(), server.stop()]);
    await Promise.all([redis.quit(), supergraph.closeConnections()]);
    throw err;
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  logger.info({ port, graphql: `${baseUrl}${GRAPHQL_PATH}`, subgraphs: baseUrls }, 'The gateway is listening.');

  return {
    name: 'gateway',
    port,
    baseUrl,
    adminUrl: admin.url,
    httpServer,
    apiSchema: supergraph.apiSchema,
    events: { ready: () => feed.ready(), groupIds: feed.groupIds, listeners: (field, key) => router.listeners(field, key) },
    async stop() {
      // No more events in (consumers stop, their throwaway groups are deleted); then stop
      // taking requests, close the websockets (1001), let in-flight requests finish (bounded).
      await feed.stop();
      router.stop();
      await server.stop();
      await closeServer(httpServer);
      await admin.close();
      await Promise.all([redis.quit(), supergraph.closeConnections()]);
    },
  };
}
