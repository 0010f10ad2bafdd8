import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Express } from 'express';
import { GraphQLError, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { DomainError, ErrorCode, REQUEST_ERROR_CODES } from './errors';
import {
  answerInJson,
  answerRequestError,
  closeServer,
  createHttpApp,
  jsonBodyReader,
  listen,
  metrics,
  pathMatcher,
  sendJson,
  serveGraphQLRequest,
  startAdminServer,
  withFastPath,
  type AdminServer,
  type ReadinessCheck,
} from './http';
import { IDENTITY_HEADER, verifiedCallers, type Caller, type InternalSigner } from './identity';
import type { Logger } from './logger';
import { errorCodeLabel, operationLabel, operationMetrics } from './metrics';

/** Codes that describe the request, not the server: they reach the client as they are. */
const CLIENT_CODES = new Set<string>([...Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR), ...REQUEST_ERROR_CODES]);

/**
 * graphql-js stops coercing variables after 50 problems and throws this error, which lacks the
 * variable node Apollo Server recognises its input errors by: the client's bad input all the
 * same (a list of 60 bad points), not our bug.
 */
function isTooManyVariableErrors(error: unknown): boolean {
  return error instanceof GraphQLError && !error.path && error.message.startsWith('Too many errors processing variables');
}

/**
 * Expected errors pass through; anything else is logged with its context and masked, so no
 * stack trace or SQL reaches a client.
 */
export function maskErrors(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.code;
    if (original instanceof DomainError || (typeof code === 'string' && CLIENT_CODES.has(code))) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    if (isTooManyVariableErrors(original)) return { message: formatted.message, locations: formatted.locations, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    logger.error({ err: original, path: formatted.path }, 'A resolver failed unexpectedly.');
    return {
      message: 'Internal server error',
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/**
 * Counts and times every operation, by type and by its contract name (`other` for any name
 * the contract does not have, so clients cannot add series), and its errors by code.
 */
export function operationMetricsPlugin(service: string): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, operationName, request, errors }) {
          const type = operation?.operation ?? 'unknown';
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const name = operationLabel(operationName ?? request.operationName);
          metrics.graphqlOperations.inc({ service, type, outcome: errors?.length ? 'error' : 'ok' });
          metrics.graphqlDuration.observe({ service, type }, seconds);
          operationMetrics.duration.observe({ service, operation: name, type }, seconds);
          for (const error of errors ?? []) operationMetrics.errors.inc({ service, operation: name, code: errorCodeLabel(error.extensions?.code) });
        },
      };
    },
  };
}

/**
 * Answers a request the subgraph refuses before running it (a variable or literal its own
 * scalars reject, e.g. a DateTime that is no date: the gateway knows built-in scalars only, so
 * it forwards such a value as it came) with HTTP 200 and its errors rather than 400.
 * @apollo/gateway takes any non-2xx answer for a broken subgraph: it drops the body and the
 * client got INTERNAL_SERVER_ERROR instead of the error's own code. The gateway is the only
 * client of /graphql, and the errors still carry their codes (BAD_USER_INPUT,
 * GRAPHQL_VALIDATION_FAILED).
 */
export function requestErrorsRelayedPlugin(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.http.status === 400) response.http.status = 200;
        },
      };
    },
  };
}

type SchemaModules = Extract<Parameters<typeof buildSubgraphSchema>[0], readonly unknown[]>[number];

/**
 * The resolver map buildSubgraphSchema takes, named through its public signature (the type
 * itself lives in a dist/ folder that is no API). Codegen's `Resolvers` of every subgraph
 * is assignable to it as is: its context type is held by codegen's `contextType`.
 */
export type SubgraphResolvers = NonNullable<Exclude<SchemaModules, DocumentNode>['resolvers']>;

export interface SubgraphOptions<TContext extends BaseContext> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: SubgraphResolvers;
  port: number;
  /** The internal admin port (/readyz, /metrics) and the address it binds. */
  admin: { port: number; host: string };
  signer: InternalSigner;
  logger: Logger;
  readiness: Record<string, ReadinessCheck>;
  /** Builds the per-request context once the gateway's identity has been verified. */
  context(caller: Caller, req: IncomingMessage): Promise<TContext> | TContext;
  /** Extra routes (internal APIs, webhooks) mounted before /graphql. */
  routes?(app: Express): void;
}

export interface RunningSubgraph {
  port: number;
  url: string;
  /** Base URL of the admin port, e.g. http://127.0.0.1:9401 */
  adminUrl: string;
  httpServer: http.Server;
  stop(): Promise<void>;
}

function refuse(message: string) {
  return { errors: [{ message, extensions: { code: ErrorCode.UNAUTHENTICATED } }] };
}

/**
 * Starts a Federation 2 subgraph that only answers requests carrying an identity signed by
 * the gateway (header x-waimai-identity); anything else gets HTTP 401.
 */
export async function startSubgraph<TContext extends BaseContext>(options: SubgraphOptions<TContext>): Promise<RunningSubgraph> {
  const { name, logger, signer } = options;
  const app = createHttpApp(name);
  // POST /graphql (every request of the gateway) skips express: see serveGraphQL below.
  let serveGraphQL: (req: IncomingMessage, res: ServerResponse) => void = () => {
    throw new Error(`A GraphQL request reached ${name} before it started.`);
  };
  const isGraphQLPost = pathMatcher('/graphql');
  const httpServer = http.createServer(withFastPath(app, (req) => req.method === 'POST' && isGraphQLPost(req), (req, res) => serveGraphQL(req, res)));
  const server = new ApolloServer<TContext>({
    schema: buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers }]),
    formatError: maskErrors(logger.child({ component: 'graphql' })),
    includeStacktraceInErrorResponses: false,
    // The gateway sends a client request's queries to this subgraph that its plan runs side by
    // side as one JSON array (SUBGRAPH_BATCHING); only a caller with a forwarded identity the
    // gateway signed gets this far (below), and each operation runs as if sent alone.
    allowBatchedHttpRequests: true,
    // main()'s onShutdown owns SIGTERM/SIGINT: Apollo's own handler would stop this server and
    // re-raise the signal, killing the process before consumers and pools are closed.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No Apollo Studio here: federated traces would only cost time on every request.
      ApolloServerPluginInlineTraceDisabled(),
      // No schema has @cacheControl, so every answer was `no-store`; the plugin still hooked
      // every field's resolver to work that out. The gateway sets `no-store` itself (a subgraph
      // answer without Cache-Control restricts its policy to max-age 0).
      ApolloServerPluginCacheControlDisabled(),
      operationMetricsPlugin(name) as ApolloServerPlugin<TContext>,
      requestErrorsRelayedPlugin() as ApolloServerPlugin<TContext>,
    ],
  });
  await server.start();

  const log = logger.child({ component: 'http' });
  const readBody = jsonBodyReader('1mb');
  const verifyCaller = verifiedCallers(signer);
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req, res);
    const token = req.headers[IDENTITY_HEADER];
    if (typeof token !== 'string' || !token) {
      sendJson(res, 401, refuse('This service only accepts requests that come through the gateway.'));
      return;
    }
    let caller: Caller;
    try {
      caller = await verifyCaller(token);
    } catch {
      sendJson(res, 401, refuse('The forwarded identity is not valid.'));
      return;
    }
    await serveGraphQLRequest(server, req, res, body, async () => options.context(caller, req));
  };
  serveGraphQL = (req, res) => {
    serve(req, res).catch((err: unknown) => answerRequestError(err, req, res, log));
  };

  options.routes?.(app);
  app.use('/graphql', (req, res) => serveGraphQL(req, res));
  answerInJson(app, logger);

  let port: number;
  try {
    port = await listen(httpServer, options.port);
  } catch (err) {
    await server.stop();
    throw err;
  }
  logger.info({ port }, `${name} subgraph is listening.`);
  let admin: AdminServer;
  try {
    admin = await startAdminServer({ service: name, readiness: options.readiness, logger, ...options.admin });
  } catch (err) {
    await server.stop();
    await closeServer(httpServer);
    throw err;
  }
  return {
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    adminUrl: admin.url,
    httpServer,
    async stop() {
      await server.stop();
      await closeServer(httpServer);
      // A stopping process is not ready: probes find the admin port closed from here on.
      await admin.close();
    },
  };
}

export { GraphQLError };
