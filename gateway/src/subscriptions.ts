import type http from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { useServer } from 'graphql-ws/use/ws';
import proxyAddr from 'proxy-addr';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  execute,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  OperationTypeNode,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { bearerToken, ErrorCode, InvalidTokenError, type Identity, type Logger } from '@waimai/platform';
import type { CallerResolver, GatewayContext } from './caller';
import { tokenLimitError, type DocumentGuard } from './limits';
import type { RateLimits } from './rate-limits';
import { resolveTrusted } from './trusted-documents';
import { carriedStateAnswerer, entityLoadersOf, type CarriedStateAnswerer } from './carried-state';
import { entityQueryFor, rootFieldOf, type EntityQuery } from './entity-query';
import type { EventRouter, EventSubscriber } from './event-router';
import type { EventAction, EventSource, RoutedEvent } from './event-sources';
import { subscriptionMetrics } from './subscription-metrics';

/** An operation run through the supergraph, as over HTTP. */
export interface OperationRequest {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
}

/** What running an operation through the gateway's ApolloServer gave: formatted, as sent over HTTP. */
export interface OperationResponse {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

/** Runs one operation through the supergraph with `caller` as the identity forwarded to subgraphs. */
export type OperationExecutor = (request: OperationRequest, context: GatewayContext & { caller: Identity }) => Promise<OperationResponse>;

export interface SubscriptionServerOptions {
  httpServer: http.Server;
  path: string;
  /** The supergraph's API schema, once loaded. */
  schema(): GraphQLSchema;
  callers: CallerResolver;
  /** The gateway's document limits, the same as over HTTP. */
  guard: DocumentGuard;
  /** With trusted documents on: the manifest's documents by sha256; only they run. */
  trusted: Map<string, string> | null;
  rateLimits: RateLimits;
  /** Subscriptions (and operations in flight) on one socket. */
  maxSubscriptionsPerSocket: number;
  /** Sockets one user holds open on this process. */
  maxSocketsPerUser: number;
  /** Messages a socket may send in one second; above that it is closed with 4429. */
  maxMessagesPerSecond: number;
  /** Proxies whose X-Forwarded-For is believed (express's "trust proxy" hop count). */
  trustProxyHops: number;
  /** The contract: a socket that sends no connection_init within 3 s is closed with 4408. */
  connectionInitTimeoutMs: number;
  maxMessageBytes: number;
  /** ws-level ping every this many ms; a socket that has not answered by the next ping is cut. */
  keepAliveMs: number;
  /** Events waiting to be sent on one socket, over all its subscriptions, before it is closed with 1013. */
  maxPendingEventsPerSocket: number;
  /** Where events come from: the in-memory router fed by Kafka. */
  router: EventRouter;
  execute: OperationExecutor;
  logger: Logger;
}

export interface SubscriptionServer {
  /** Connected sockets right now. */
  connections(): number;
  /** Closes every socket (1001 Going away) and stops accepting new ones. */
  dispose(): Promise<void>;
}

/** One socket's events routed but not yet sent, over all its subscriptions. */
interface SocketBacklog {
  pending: number;
  overflowed: boolean;
}

interface SocketExtra extends Record<PropertyKey, unknown> {
  caller: Identity;
  clientIp: string;
  backlog: SocketBacklog;
}

/** Closes sockets when their token expires: 4403, as for a socket that never had a valid one. */
const TOKEN_EXPIRED = { code: 4403, reason: 'Token expired' } as const;
/** 1013 Try Again Later: the socket fell behind; the app reconnects and reads pendingOrderOffers. */
const TOO_SLOW = { code: 1013, reason: 'Too many pending events' } as const;
/** The contract's close code for a flood: too many messages, or too many sockets for one user. */
const TOO_MANY_MESSAGES = { code: 4429, reason: 'Too many messages' } as const;
const TOO_MANY_SOCKETS = { code: 4429, reason: 'Too many sockets for this user' } as const;
// setTimeout's limit (about 24.8 days); tokens live hours.
const MAX_TIMER_MS = 2 ** 31 - 1;

function operationError(message: string, code: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** A limit error as sent on a socket: the HTTP status it carries for Apollo Server is not the client's business. */
function withoutHttp(error: GraphQLError): GraphQLError {
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { extensions });
}

/** graphql-ws sends GraphQLErrors (it calls toJSON): formatted errors from Apollo Server become ones again. */
function asGraphQLError(error: GraphQLFormattedError): GraphQLError {
  return new GraphQLError(error.message, { path: error.path, extensions: error.extensions });
}

function asExecutionResult(response: OperationResponse): ExecutionResult {
  return {
    data: response.data ?? null,
    ...(response.errors?.length ? { errors: response.errors.map(asGraphQLError) } : {}),
  };
}

/** A query or mutation sent over the socket: run through the supergraph like one sent over HTTP. */
class SocketOperation {
  constructor(
    readonly request: OperationRequest,
    readonly caller: Identity,
    readonly clientIp: string,
  ) {}
}

/**
 * Turns one routed event's action into the subscription's result: null when the subscriber
 * gets nothing for it (they may not see the entity). Built per subscription when it starts.
 */
type EventResolver = (action: Exclude<EventAction, { kind: 'end' }>) => Promise<ExecutionResult | null>;

/**
 * One running subscription: events routed to it wait in order in a queue shared in size with
 * the socket's other subscriptions; each is turned into the subscription's own result (an
 * entity loaded through the supergraph as the subscriber, or a value built in the gateway run
 * against its selection set), or ends it with an error. graphql-ws pulls the next one once the
 * previous was written to the socket.
 */
class LiveSubscription implements EventSubscriber, AsyncIterableIterator<ExecutionResult> {
  private readonly queue: RoutedEvent[] = [];
  private waiter: ((event: RoutedEvent | null) => void) | null = null;
  private finished = false;
  private unsubscribe: () => void = () => undefined;

  constructor(
    readonly field: string,
    private readonly resolve: EventResolver,
    private readonly backlog: SocketBacklog,
    private readonly socket: WebSocket,
    private readonly maxPending: number,
    private readonly log: Logger,
  ) {}

  listen(unsubscribe: () => void): void {
    this.unsubscribe = unsubscribe;
  }

  deliver(event: RoutedEvent): void {
    if (this.finished) return;
    if (this.backlog.overflowed || this.backlog.pending >= this.maxPending) {
      subscriptionMetrics.eventsDropped.inc({ field: this.field, reason: 'slow_socket' });
      if (!this.backlog.overflowed) {
        this.backlog.overflowed = true;
        subscriptionMetrics.slowSocketsClosed.inc();
        this.log.warn({ field: this.field, pending: this.backlog.pending }, 'A websocket fell behind its events; closing it so that it reconnects.');
        this.socket.close(TOO_SLOW.code, TOO_SLOW.reason);
      }
      return;
    }
    this.backlog.pending += 1;
    if (this.waiter) {
      const wake = this.waiter;
      this.waiter = null;
      wake(event);
    } else {
      this.queue.push(event);
    }
  }

  private take(): Promise<RoutedEvent | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.finished) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    for (;;) {
      const event = await this.take();
      if (!event) return { done: true, value: undefined };
      this.backlog.pending -= 1;
      const { action } = event;
      if (action.kind === 'end') {
        // graphql-ws answers a throw from next() with an `error` message carrying this error's
        // message and extensions, and does not call return(): stop listening here.
        await this.return();
        subscriptionMetrics.eventsDelivered.inc({ field: this.field });
        throw action.error;
      }
      let result: ExecutionResult | null;
      try {
        result = await this.resolve(action);
      } catch (err) {
        // The gateway stopping while an event was resolved: the socket is going away anyway.
        if (this.finished) return { done: true, value: undefined };
        this.log.error({ err, field: this.field, eventId: event.eventId }, 'A subscription event could not be resolved.');
        subscriptionMetrics.eventsDropped.inc({ field: this.field, reason: 'failed' });
        continue;
      }
      if (this.finished) {
        subscriptionMetrics.eventsDropped.inc({ field: this.field, reason: 'closed' });
        return { done: true, value: undefined };
      }
      if (!result) {
        // The subscriber may not see this entity (not theirs, or not any more): no event.
        subscriptionMetrics.eventsDropped.inc({ field: this.field, reason: 'not_visible' });
        continue;
      }
      subscriptionMetrics.eventsDelivered.inc({ field: this.field });
      return { done: false, value: result };
    }
  }

  async return(): Promise<IteratorResult<ExecutionResult, undefined>> {
    if (!this.finished) {
      this.finished = true;
      this.unsubscribe();
      this.backlog.pending -= this.queue.length;
      if (this.queue.length) subscriptionMetrics.eventsDropped.inc({ field: this.field, reason: 'closed' }, this.queue.length);
      this.queue.length = 0;
      const wake = this.waiter;
      this.waiter = null;
      wake?.(null);
    }
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** What the subscribers of one document with the same variables share (see preparedEntity). */
interface PreparedEntity {
  field: string;
  entityQuery: EntityQuery;
  carried: CarriedStateAnswerer;
}

// 500 documents: the contract has a few dozen; a client making up new ones only costs parsing.
const CHECKED_DOCUMENTS = 500;
// 100 variable sets per document: staff consoles watching different riders, say.
const PREPARED_PER_DOCUMENT = 100;

const loadersBySchema = new WeakMap<GraphQLSchema, Map<string, string>>();
function loadersOf(schema: GraphQLSchema): Map<string, string> {
  let loaders = loadersBySchema.get(schema);
  if (!loaders) {
    loaders = entityLoadersOf(schema);
    loadersBySchema.set(schema, loaders);
  }
  return loaders;
}

/** Loads one entity with the subscription's entity query, as the subscriber. */
function entityLoader(entityQuery: EntityQuery, caller: Identity, clientIp: string, executeOperation: OperationExecutor) {
  return (entityId: string): Promise<OperationResponse> => {
    const { query, operationName, variables, idVariable } = entityQuery;
    return executeOperation({ query, operationName, variables: { ...variables, [idVariable]: entityId } }, { caller, clientIp, origin: 'event' });
  };
}

/** An entity query's response as the subscription's result: null when the entity is null without errors (not visible). */
function entityResult(response: OperationResponse, responseName: string): ExecutionResult | null {
  const entity = response.data?.[responseName];
  if (entity !== null && entity !== undefined) return asExecutionResult(response);
  if (!response.errors?.length) return null;
  // A non-null subscription field that failed: the whole result is null, with the errors.
  return asExecutionResult({ data: null, errors: response.errors });
}

/**
 * GraphQL over WebSocket (graphql-transport-ws, the graphql-ws library) on the gateway's own
 * http.Server and path. `connection_init` must carry `{ authorization: 'Bearer <JWT>' }`;
 * without a valid token the socket is closed with 4403, and it is closed when its token
 * expires. Operations are checked with the same validation rules as over HTTP.
 *
 * A subscription is matched to its event source (event-sources.ts) by its root field: the
 * caller's role is checked, it is registered with the router under its key and, per event,
 * its own selection set runs as the source's entity query through the supergraph with the
 * caller's identity. Queries and mutations sent on the socket run through the supergraph too.
 */
export function attachSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const log = options.logger.child({ component: 'subscriptions' });
  // express's "trust proxy" with a hop count, as the HTTP side is configured.
  const trustProxy = (_address: string, hop: number) => hop < options.trustProxyHops;
  const clientIpOf = (request: http.IncomingMessage) => proxyAddr(request, trustProxy);
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: options.maxMessageBytes,
    // Connections are counted per IP before the upgrade: a flood gets HTTP 429, not a socket.
    verifyClient(info, accept) {
      options.rateLimits.take('wsConnect', `ip:${clientIpOf(info.req)}`).then(
        (retryAfter) => (retryAfter === null ? accept(true) : accept(false, 429, 'Too Many Requests', { 'retry-after': String(retryAfter) })),
        () => accept(true),
      );
    },
  });
  const { sources } = options.router;
  const socketsPerUser = new Map<string, number>();

  wsServer.on('connection', (socket) => {
    subscriptionMetrics.connectedSockets.inc();
    socket.once('close', () => subscriptionMetrics.connectedSockets.dec());
    // A fixed one-second window: cheap, and a flood crosses it within its first second.
    let windowStartedAt = Date.now();
    let messages = 0;
    socket.on('message', () => {
      const now = Date.now();
      if (now - windowStartedAt >= 1000) {
        windowStartedAt = now;
        messages = 0;
      }
      messages += 1;
      if (messages === options.maxMessagesPerSecond + 1) {
        log.info({ messages }, 'A websocket sent too many messages; closing it.');
        socket.close(TOO_MANY_MESSAGES.code, TOO_MANY_MESSAGES.reason);
      }
    });
  });

  /**
   * Parsed and validated operations by text, shared by every socket sending the same one (a rider
   * app's OrderOffers: thousands of sockets, one document): parsing and validating once per
   * document instead of once per socket saves ~1 ms of CPU per subscribe and the AST's few KiB
   * of heap per socket. Documents are immutable; the cache starts over when the schema changes.
   */
  let checkedFor: GraphQLSchema | null = null;
  const checkedByText = new Map<string, ReturnType<typeof checkOperation>>();
  function checked(payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null }) {
    const schema = options.schema();
    if (schema !== checkedFor) {
      checkedFor = schema;
      checkedByText.clear();
      preparedEntities = new WeakMap();
    }
    const key = `${payload.operationName ?? ''}\u0000${payload.query}`;
    const hit = checkedByText.get(key);
    if (hit) return hit;
    const result = checkOperation(payload);
    // Bounded: a client sending ever new documents costs a parse each, never memory.
    if (checkedByText.size >= CHECKED_DOCUMENTS) checkedByText.delete(checkedByText.keys().next().value!);
    checkedByText.set(key, result);
    return result;
  }

  /** Parses and validates a subscribe payload: the operation's execution args, or the errors to answer with. */
  function checkOperation(payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null }) {
    let document: DocumentNode;
    try {
      document = parse(payload.query, options.guard.parseOptions);
    } catch (err) {
      if (!(err instanceof GraphQLError)) return [operationError('The operation could not be parsed.', 'BAD_REQUEST', { reason: 'GRAPHQL_PARSE_FAILED' })];
      return [tokenLimitError(err, options.guard.parseOptions.maxTokens ?? 0) ?? operationError(err.message, 'BAD_REQUEST', { reason: 'GRAPHQL_PARSE_FAILED' })];
    }
    const overLimit = options.guard.check(document);
    if (overLimit) return [withoutHttp(overLimit)];
    const schema = options.schema();
    const problems = validate(schema, document, specifiedRules);
    if (problems.length) {
      return problems.map((problem) => new GraphQLError(problem.message, { nodes: problem.nodes, extensions: { ...problem.extensions, code: 'BAD_REQUEST', reason: 'GRAPHQL_VALIDATION_FAILED' } }));
    }
    const operation = getOperationAST(document, payload.operationName ?? undefined);
    if (!operation) {
      return [operationError('Name the operation to run with operationName: the document has several, or none by that name.', 'BAD_REQUEST', { reason: 'OPERATION_NAME_REQUIRED' })];
    }
    return { schema, document, operation };
  }

  async function startSubscription(
    socket: WebSocket,
    caller: Identity,
    clientIp: string,
    backlog: SocketBacklog,
    args: Exclude<ReturnType<typeof checked>, GraphQLError[]>,
    variables: Record<string, unknown>,
  ): Promise<LiveSubscription | GraphQLError[]> {
    const { schema, document, operation } = args;
    const rootField = rootFieldOf(document, operation);
    const field = rootField.name.value;
    const source = sources[field];
    const fieldDefinition = schema.getSubscriptionType()?.getFields()[field];
    if (!source || !fieldDefinition) {
      log.error({ field }, 'A subscription field has no event source; add it to event-sources.ts.');
      return [operationError(`The subscription ${field} has no event source on this gateway.`, 'NOT_IMPLEMENTED')];
    }
    if (!source.roles.some((role) => caller.roles.includes(role))) {
      return [operationError(`Only ${source.roles.join(', ')} may subscribe to ${field}.`, ErrorCode.FORBIDDEN)];
    }

    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) return coerced.errors.map((error) => operationError(error.message, ErrorCode.BAD_USER_INPUT));
    let argumentValues: Record<string, unknown>;
    try {
      argumentValues = getArgumentValues(fieldDefinition, rootField, coerced.coerced);
    } catch (err) {
      return [operationError(err instanceof GraphQLError ? err.message : 'The arguments are not valid.', ErrorCode.BAD_USER_INPUT)];
    }
    const keyed = source.subscriberKey(argumentValues, caller);
    if ('problem' in keyed) return [operationError(keyed.problem, ErrorCode.BAD_USER_INPUT)];
    if ('forbidden' in keyed) return [operationError(keyed.forbidden, ErrorCode.FORBIDDEN)];

    const resolver = source.kind === 'entity' ? await entityResolver(source, caller, clientIp, args, variables) : localResolver(field, args, variables);
    if (Array.isArray(resolver)) return resolver;
    const live = new LiveSubscription(field, resolver.resolve, backlog, socket, options.maxPendingEventsPerSocket, log);
    // Listening before the check below: an event published while it runs is not missed.
    live.listen(options.router.subscribe(field, keyed.key, live));
    if (keyed.authorizeEntityId !== null && resolver.load) {
      const first = await resolver.load(keyed.authorizeEntityId);
      const entity = first.data?.[resolver.responseName];
      if (entity === null || entity === undefined) {
        await live.return();
        if (first.errors?.length) return first.errors.map(asGraphQLError);
        return [operationError(`You may not follow ${field} for ${keyed.authorizeEntityId}.`, ErrorCode.FORBIDDEN)];
      }
    }
    return live;
  }

  /**
   * An entity source's events run the subscription's selection set as its entity query through
   * the supergraph; that query must pass the same rules now, not fail on every event later (it
   * has one alias more than the subscription: the response name).
   */
  async function entityResolver(
    source: Extract<EventSource, { kind: 'entity' }>,
    caller: Identity,
    clientIp: string,
    args: Exclude<ReturnType<typeof checked>, GraphQLError[]>,
    variables: Record<string, unknown>,
  ) {
    const prepared = preparedEntity(source, args, variables);
    if (Array.isArray(prepared)) return prepared;
    const { entityQuery, carried, field } = prepared;
    const load = entityLoader(entityQuery, caller, clientIp, options.execute);
    const loadAsSubscriber = (request: OperationRequest) => options.execute(request, { caller, clientIp, origin: 'event' });
    const resolve: EventResolver = async (action) => {
      if (action.kind !== 'entity') return null;
      if (action.state) {
        const answered = await carried.answer(action.state, loadAsSubscriber);
        if ('result' in answered) {
          subscriptionMetrics.eventAnswers.inc({ field, source: answered.loads ? 'event_and_load' : 'event' });
          return answered.result;
        }
        log.debug({ field, reason: answered.fallback }, 'An event carried its entity, but the subscription is answered by loading it.');
      }
      subscriptionMetrics.eventAnswers.inc({ field, source: 'query' });
      return entityResult(await load(action.entityId), entityQuery.responseName);
    };
    return { resolve, load, responseName: entityQuery.responseName };
  }

  /**
   * What every subscriber of one document with the same variables shares: the entity query
   * (built and checked once) and the carried-state answerer (its load queries too).
   */
  let preparedEntities = new WeakMap<DocumentNode, Map<string, PreparedEntity | GraphQLError[]>>();
  function preparedEntity(
    source: Extract<EventSource, { kind: 'entity' }>,
    args: Exclude<ReturnType<typeof checked>, GraphQLError[]>,
    variables: Record<string, unknown>,
  ): PreparedEntity | GraphQLError[] {
    const { schema, document, operation } = args;
    const byVariables = preparedEntities.get(document) ?? new Map<string, PreparedEntity | GraphQLError[]>();
    preparedEntities.set(document, byVariables);
    const key = `${operation.name?.value ?? ''}\u0000${JSON.stringify(variables)}`;
    const hit = byVariables.get(key);
    if (hit) return hit;
    const rootField = rootFieldOf(document, operation);
    const entityQuery = entityQueryFor({ schema, document, operation, rootField, entityField: source.entityField, variables });
    const entityDocument = parse(entityQuery.query);
    const entityOverLimit = options.guard.check(entityDocument);
    const problems = entityOverLimit ? [] : validate(schema, entityDocument, specifiedRules);
    const prepared: PreparedEntity | GraphQLError[] = entityOverLimit
      ? [withoutHttp(entityOverLimit)]
      : problems.length
        ? problems.map((problem) => operationError(problem.message, 'BAD_REQUEST', { ...problem.extensions, reason: 'GRAPHQL_VALIDATION_FAILED' }))
        : {
            field: rootField.name.value,
            entityQuery,
            carried: carriedStateAnswerer({ schema, document, operation, field: rootField.name.value, variables, guard: options.guard, loaders: loadersOf(schema) }),
          };
    // Bounded per document: variables differ per staff console at most (a rider's have none).
    if (byVariables.size >= PREPARED_PER_DOCUMENT) byVariables.delete(byVariables.keys().next().value!);
    byVariables.set(key, prepared);
    return prepared;
  }

  /**
   * A local source's values are run against the subscription itself with graphql-js on the API
   * schema, the value as the root field's: the selection set, aliases, fragments, directives and
   * variables apply as in any operation, and nothing reaches a subgraph.
   */
  function localResolver(field: string, args: Exclude<ReturnType<typeof checked>, GraphQLError[]>, variables: Record<string, unknown>) {
    const { schema, document, operation } = args;
    const resolve: EventResolver = async (action) => {
      if (action.kind !== 'payload') return null;
      return execute({ schema, document, operationName: operation.name?.value, variableValues: variables, rootValue: { [field]: action.payload } });
    };
    return { resolve, load: null, responseName: field };
  }

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
        const { socket } = ctx.extra;
        const held = socketsPerUser.get(caller.sub) ?? 0;
        if (held >= options.maxSocketsPerUser) {
          log.info({ sub: caller.sub, held }, 'A user opened more websockets than allowed; closing the newest.');
          socket.close(TOO_MANY_SOCKETS.code, TOO_MANY_SOCKETS.reason);
          return false;
        }
        socketsPerUser.set(caller.sub, held + 1);
        socket.once('close', () => {
          const left = (socketsPerUser.get(caller.sub) ?? 1) - 1;
          if (left > 0) socketsPerUser.set(caller.sub, left);
          else socketsPerUser.delete(caller.sub);
        });
        ctx.extra.caller = caller;
        ctx.extra.clientIp = clientIpOf(ctx.extra.request);
        // The upgrade request (its headers, raw headers, parser leftovers: a few KiB) is read only
        // here; graphql-ws would keep it for the socket's life in ctx.extra. Dropped, it is freed.
        (ctx.extra as { request?: unknown }).request = undefined;
        ctx.extra.backlog = { pending: 0, overflowed: false };
        if (caller.exp !== undefined) {
          const timer = setTimeout(() => socket.close(TOKEN_EXPIRED.code, TOKEN_EXPIRED.reason), Math.min(MAX_TIMER_MS, Math.max(0, caller.exp * 1000 - Date.now())));
          timer.unref();
          socket.once('close', () => clearTimeout(timer));
        }
        return true;
      },
      async onSubscribe(ctx, _id, payload): Promise<ExecutionArgs | GraphQLError[]> {
        const { caller, clientIp, backlog, socket } = ctx.extra;
        if (!caller || !backlog) return [operationError('Send connection_init with a token first.', ErrorCode.UNAUTHENTICATED)];
        // graphql-ws has already registered this one.
        const open = Object.keys(ctx.subscriptions).length;
        if (open > options.maxSubscriptionsPerSocket) {
          return [operationError(`A socket may hold at most ${options.maxSubscriptionsPerSocket} operations at once.`, ErrorCode.RATE_LIMITED, { limit: options.maxSubscriptionsPerSocket })];
        }
        if (options.trusted) {
          const hash = (payload.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
          const resolution = resolveTrusted(options.trusted, payload.query || undefined, hash);
          if ('refused' in resolution) return [operationError(resolution.refused.message, resolution.refused.code)];
          payload = { ...payload, query: resolution.query };
        }
        const args = checked(payload);
        if (Array.isArray(args)) return args;
        const variables = payload.variables ?? {};
        const execution = { schema: args.schema, document: args.document, operationName: payload.operationName, variableValues: variables };
        const isSubscription = args.operation.operation === OperationTypeNode.SUBSCRIPTION;
        // Subscriptions spend the subscribe budget; queries and mutations the caller's general
        // one here, and their root fields' budgets in Apollo Server (requestPolicyPlugin).
        const retryAfter = await options.rateLimits.take(isSubscription ? 'wsSubscribe' : 'authenticated', `u:${caller.sub}`);
        if (retryAfter !== null) {
          return [operationError('Too many requests; slow down.', ErrorCode.RATE_LIMITED, { retryAfterSeconds: retryAfter })];
        }
        if (!isSubscription) {
          const request = { query: payload.query, operationName: payload.operationName ?? undefined, variables };
          return { ...execution, contextValue: new SocketOperation(request, caller, clientIp ?? 'unknown') };
        }
        try {
          const started = await startSubscription(socket, caller, clientIp ?? 'unknown', backlog, args, variables);
          return Array.isArray(started) ? started : { ...execution, contextValue: started };
        } catch (err) {
          log.error({ err }, 'A subscription could not be started.');
          return [operationError('Internal server error', ErrorCode.INTERNAL_SERVER_ERROR)];
        }
      },
      subscribe(args) {
        if (args.contextValue instanceof LiveSubscription) return args.contextValue;
        return { errors: [operationError('Internal server error', ErrorCode.INTERNAL_SERVER_ERROR)] };
      },
      async execute(args) {
        if (!(args.contextValue instanceof SocketOperation)) {
          return { errors: [operationError('Internal server error', ErrorCode.INTERNAL_SERVER_ERROR)] };
        }
        const { request, caller, clientIp } = args.contextValue;
        return asExecutionResult(await options.execute(request, { caller, clientIp, origin: 'socket' }));
      },
    },
    wsServer,
    options.keepAliveMs,
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
