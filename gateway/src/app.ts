import http from 'node:http';
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type ApolloServerOptionsWithGateway, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type RequestHandler } from 'express';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import {
  answerInJson,
  closeServer,
  connectRedis,
  createHttpApp,
  IDENTITY_HEADER,
  listen,
  maskErrors,
  operationMetricsPlugin,
  startAdminServer,
  type AdminServer,
  type Caller,
  type Logger,
  type ReadinessCheck,
  type RunningService,
} from '@waimai/platform';
import type { GatewayConfig } from './env';
import { createCallerResolver, createIdentityForwarder, type GatewayContext, type IdentityForwarder } from './caller';
import { createDocumentGuard, limitsFromConfig, tokenLimitError } from './limits';
import { createRateLimits } from './rate-limits';
import { clientRequestErrors, documentLimits, generalRateLimit, ipRateLimit, requestPolicyPlugin } from './request-policy';
import { playgroundAssets, sendPlayground, wantsPlayground } from './playground';
import { startEventFeed, type EventFeed } from './event-feed';
import { EventRouter } from './event-router';
import { eventSources, sourceTopics } from './event-sources';
import { attachSubscriptionServer, drainSubscriptionsPlugin, type OperationExecutor } from './subscriptions';
import { refuseMalformedPaths, WEBHOOKS_PATH, webhookProxy } from './webhooks';
import { corsOptions } from './cors';
import { redisKeyValueCache } from './redis-cache';
import { loadManifest, trustedDocumentsOnly } from './trusted-documents';

export const GRAPHQL_PATH = '/graphql';

export const SUBGRAPH_NAMES = ['products', 'orders', 'payments', 'riders'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/**
 * Where the gateway reaches each subgraph: from config, never from the URLs composed into
 * the supergraph file, so one committed supergraph serves every environment.
 */
export function subgraphBaseUrls(config: GatewayConfig): Record<SubgraphName, string> {
  return {
    products: config.PRODUCTS_URL,
    orders: config.ORDERS_URL,
    payments: config.PAYMENTS_URL,
    riders: config.RIDERS_URL,
  };
}

const isSubgraphName = (name: string): name is SubgraphName => (SUBGRAPH_NAMES as readonly string[]).includes(name);

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

type SubgraphFetcher = NonNullable<NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher']>;

/** Sends each subgraph request with the caller's identity, signed for the subgraphs. */
function subgraphDataSource(url: string, forwardedIdentity: IdentityForwarder) {
  return new RemoteGraphQLDataSource<GatewayContext>({
    url,
    // Node's own fetch (undici, keep-alive pool): @apollo/gateway's default fetcher
    // (make-fetch-happen) took about a sixth of the gateway's CPU in `pnpm bench` profiles.
    fetcher: fetch as unknown as SubgraphFetcher,
    async willSendRequest(options) {
      // Health checks and schema loads carry no client request, hence no caller.
      const caller = 'incomingRequestContext' in options ? options.context.caller : null;
      options.request.http?.headers.set(IDENTITY_HEADER, await forwardedIdentity(caller));
    },
  });
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

/**
 * The public entry: GraphQL over HTTP at /graphql (through @apollo/gateway to the subgraphs),
 * the GraphiQL playground on GET /graphql from browsers, /webhooks/* forwarded to payments,
 * graphql-ws on the same server and path for subscriptions, and /healthz, all from one
 * http.Server; /readyz and /metrics on the internal admin port (GATEWAY_ADMIN_PORT).
 */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  const baseUrls = subgraphBaseUrls(config);
  const callers = createCallerResolver(config, logger);
  const forwardedIdentity = createIdentityForwarder(config.INTERNAL_SECRET, config.IDENTITY_CACHE_SECONDS);

  // Every event of the subscription topics reaches this process; the router keeps those of its own sockets.
  const router = new EventRouter(eventSources);

  let apiSchema: GraphQLSchema | undefined;
  const readiness: Record<string, ReadinessCheck> = {
    supergraph: async () => {
      if (!apiSchema) throw new Error('the supergraph is not loaded yet');
    },
    ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, () => pingHealthz(baseUrls[name])])),
    // Not ready before the consumers read: a subscriber connected earlier would miss events.
    events: () => feed.check(),
  };

  const app = createHttpApp('gateway');
  const httpServer = http.createServer(app);

  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(config.SUPERGRAPH_PATH, 'utf8'),
    buildService({ name }) {
      if (!isSubgraphName(name)) throw new Error(`The supergraph names a subgraph "${name}" that the gateway has no URL for.`);
      return subgraphDataSource(`${withoutTrailingSlash(baseUrls[name])}${GRAPHQL_PATH}`, forwardedIdentity);
    },
    logger: logger.child({ component: 'apollo-gateway' }),
  });
  gateway.onSchemaLoadOrUpdate((update) => {
    apiSchema = update.apiSchema;
  });
  const currentApiSchema = () => {
    if (!apiSchema) throw new Error('The supergraph is not loaded.');
    return apiSchema;
  };

  const guard = createDocumentGuard(limitsFromConfig(config));
  const trusted = config.TRUSTED_DOCUMENTS ? loadManifest(config.TRUSTED_DOCUMENTS_PATH) : null;
  // Budgets are counted in Redis so that they hold across gateway replicas.
  const redis = connectRedis(config, 'gateway-rate-limits');
  readiness.redis = async () => {
    await redis.ping();
  };
  const rateLimits = createRateLimits(redis, config, logger);
  app.set('trust proxy', config.TRUST_PROXY_HOPS);
  // Subscription events and socket operations run through the same ApolloServer as HTTP
  // requests, with the socket's caller: identity reaches subgraphs exactly as over HTTP.
  const execute: OperationExecutor = async (request, contextValue) => {
    // `server` (below) is started before the http.Server listens, hence before any socket subscribes.
    const response = await server.executeOperation(request, { contextValue });
    if (response.body.kind !== 'single') {
      return { errors: [{ message: 'Incremental delivery (@defer, @stream) is not available over websockets.', extensions: { code: 'BAD_REQUEST' } }] };
    }
    return response.body.singleResult;
  };
  const subscriptions = attachSubscriptionServer({
    httpServer,
    path: GRAPHQL_PATH,
    schema: currentApiSchema,
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
    execute,
    logger,
  });

  const server = new ApolloServer<GatewayContext>({
    // @apollo/gateway 2.x implements the v1 gateway interface; Apollo Server 5 runs it as is.
    gateway: gateway as unknown as ApolloServerOptionsWithGateway<GatewayContext>['gateway'],
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
    ],
  });
  const feed = startEventFeed({ kafka: config, topics: sourceTopics(eventSources), router, logger, groupSweepMs: config.GATEWAY_GROUP_SWEEP_MS });
  try {
    await server.start();
  } catch (err) {
    await Promise.all([feed.stop(), redis.quit()]);
    throw err;
  }

  app.use(WEBHOOKS_PATH, ipRateLimit(rateLimits, 'webhook'), refuseMalformedPaths);
  app.use(webhookProxy(config.PAYMENTS_URL, config.WEBHOOK_PROXY_TIMEOUT_MS, logger));
  if (config.GRAPHQL_PLAYGROUND) {
    app.use(playgroundAssets());
    app.get(GRAPHQL_PATH, (req, res, next) => {
      if (wantsPlayground(req)) sendPlayground(res);
      else next();
    });
  }
  const identify: RequestHandler = async (req, res, next) => {
    res.locals.caller = await callers.callerFrom(req.headers.authorization);
    res.locals.clientIp = req.ip ?? 'unknown';
    next();
  };
  app.use(
    GRAPHQL_PATH,
    cors(corsOptions(config.CORS_ORIGINS)),
    identify,
    generalRateLimit(rateLimits),
    express.json({ limit: config.MAX_REQUEST_BYTES }),
    ...(trusted ? [trustedDocumentsOnly(trusted)] : []),
    documentLimits(guard),
    expressMiddleware(server, {
      context: async ({ res }) => ({ caller: res.locals.caller as Caller, clientIp: String(res.locals.clientIp), origin: 'http' as const }),
    }),
  );
  answerInJson(app, logger);

  let port: number;
  try {
    port = await listen(httpServer, config.GATEWAY_PORT);
  } catch (err) {
    await Promise.all([feed.stop(), server.stop()]);
    await redis.quit();
    throw err;
  }
  let admin: AdminServer;
  try {
    admin = await startAdminServer({ service: 'gateway', readiness, logger, port: config.GATEWAY_ADMIN_PORT, host: config.ADMIN_HOST });
  } catch (err) {
    await Promise.all([feed.stop(), server.stop()]);
    await redis.quit();
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
    apiSchema: currentApiSchema,
    events: { ready: () => feed.ready(), groupIds: feed.groupIds, listeners: (field, key) => router.listeners(field, key) },
    async stop() {
      // No more events in (consumers stop, their throwaway groups are deleted); then stop
      // taking requests, close the websockets (1001), let in-flight requests finish (bounded).
      await feed.stop();
      await server.stop();
      await closeServer(httpServer);
      await admin.close();
      await redis.quit();
    },
  };
}
