import type http from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { bearerToken, InvalidTokenError, type Identity, type Logger } from '@waimai/platform';
import type { CallerResolver } from './caller';

export interface SubscriptionServerOptions {
  httpServer: http.Server;
  path: string;
  /** The supergraph's API schema, once loaded. */
  schema(): GraphQLSchema;
  callers: CallerResolver;
  /** The gateway's operation limits, the same rules as over HTTP. */
  validationRules: readonly ValidationRule[];
  /** The contract: a socket that sends no connection_init within 3 s is closed with 4408. */
  connectionInitTimeoutMs: number;
  maxMessageBytes: number;
  logger: Logger;
}

export interface SubscriptionServer {
  /** Connected sockets right now. */
  connections(): number;
  /** Closes every socket (1001 Going away) and stops accepting new ones. */
  dispose(): Promise<void>;
}

interface SocketExtra extends Record<PropertyKey, unknown> {
  caller: Identity;
}

/** Closes sockets when their token expires: 4403, as for a socket that never had a valid one. */
const TOKEN_EXPIRED = { code: 4403, reason: 'Token expired' } as const;
// setTimeout's limit (about 24.8 days); tokens live hours.
const MAX_TIMER_MS = 2 ** 31 - 1;

function operationError(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/**
 * GraphQL over WebSocket (graphql-transport-ws, the graphql-ws library) on the gateway's own
 * http.Server and path. `connection_init` must carry `{ authorization: 'Bearer <JWT>' }`;
 * without a valid token the socket is closed with 4403, and it is closed when its token
 * expires. Operations are checked with the same validation rules as over HTTP.
 *
 * Subscriptions are answered with an error for now: running them against event sources
 * and the supergraph comes with dispatch.
 */
export function attachSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const log = options.logger.child({ component: 'subscriptions' });
  const wsServer = new WebSocketServer({ server: options.httpServer, path: options.path, maxPayload: options.maxMessageBytes });

  const cleanup = useServer<Record<string, unknown> | undefined, SocketExtra>(
    {
      schema: () => options.schema(),
      connectionInitWaitTimeout: options.connectionInitTimeoutMs,
      async onConnect(ctx) {
        const authorization = ctx.connectionParams?.authorization;
        const token = bearerToken(typeof authorization === 'string' ? authorization : null);
        if (!token) return false;
        let caller: Identity;
        try {
          caller = await options.callers.verifyToken(token);
        } catch (err) {
          if (!(err instanceof InvalidTokenError)) throw err;
          log.debug({ reason: err.message }, 'A websocket offered an invalid token; closing it.');
          return false;
        }
        ctx.extra.caller = caller;
        if (caller.exp !== undefined) {
          const { socket } = ctx.extra;
          const timer = setTimeout(() => socket.close(TOKEN_EXPIRED.code, TOKEN_EXPIRED.reason), Math.min(MAX_TIMER_MS, Math.max(0, caller.exp * 1000 - Date.now())));
          timer.unref();
          socket.once('close', () => clearTimeout(timer));
        }
        return true;
      },
      onSubscribe(_ctx, _id, payload) {
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (err) {
          return [operationError(err instanceof GraphQLError ? err.message : 'The operation could not be parsed.', 'GRAPHQL_PARSE_FAILED')];
        }
        const problems = validate(options.schema(), document, [...specifiedRules, ...options.validationRules]);
        if (problems.length) {
          return problems.map((problem) => new GraphQLError(problem.message, { nodes: problem.nodes, extensions: { ...problem.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } }));
        }
        return [operationError('Subscriptions are not available yet on this gateway.', 'NOT_IMPLEMENTED')];
      },
    },
    wsServer,
  );

  wsServer.on('error', (err) => log.error({ err }, 'The websocket server failed.'));

  return {
    connections: () => wsServer.clients.size,
    async dispose() {
      await cleanup.dispose();
    },
  };
}

/** Lets Apollo Server's stop() drain the websocket server with the HTTP one. */
export function drainSubscriptionsPlugin(server: SubscriptionServer): ApolloServerPlugin<BaseContext> {
  return {
    async serverWillStart() {
      return {
        async drainServer() {
          await server.dispose();
        },
      };
    },
  };
}
