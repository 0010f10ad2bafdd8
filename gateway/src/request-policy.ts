import type { ApolloServerPlugin } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { RequestHandler } from 'express';
import { createHash } from 'node:crypto';
import { GraphQLError, Kind, OperationTypeNode, parse, type DocumentNode, type FragmentDefinitionNode, type GraphQLFormattedError, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { ErrorCode, RateLimitedError, type Logger } from '@waimai/platform';
import type { GatewayContext } from './caller';
import { tokenLimitError, type DocumentGuard } from './limits';
import { callerBudget, fieldBudget, type BudgetName, type RateLimits } from './rate-limits';

/** The contract's code for a request that is malformed (HTTP 400 unless `status` says otherwise). */
export function badRequest(message: string, extensions: Record<string, unknown> = {}, status = 400): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code: 'BAD_REQUEST', http: { status } } });
}

/** RATE_LIMITED with HTTP 429 and Retry-After, as Apollo Server sends errors that carry `http`. */
export function rateLimited(retryAfterSeconds: number): GraphQLError {
  const error = new RateLimitedError(retryAfterSeconds);
  error.extensions.http = { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) };
  return error;
}

export function rateLimitedBody(retryAfterSeconds: number) {
  return {
    errors: [
      { message: 'Too many requests; slow down.', extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds } },
    ],
  };
}

/**
 * Root fields of an operation with how often each runs: once per response name (aliases count
 * each time), found through inline fragments and fragment spreads at the root as graphql-js
 * collects them, so wrapping a field in `... on Mutation { }` spends its budget all the same.
 */
function rootFieldCounts(operation: OperationDefinitionNode, document: DocumentNode): Map<string, number> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const responseNames = new Map<string, Set<string>>();
  const visited = new Set<string>();
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const names = responseNames.get(selection.name.value) ?? new Set<string>();
        names.add((selection.alias ?? selection.name).value);
        responseNames.set(selection.name.value, names);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet);
      }
    }
  };
  collect(operation.selectionSet);
  return new Map([...responseNames].map(([field, names]) => [field, names.size]));
}

/** The budgets of an operation's root fields (createOrder, grabOrder, reportLocation…), with how many each spends. */
export function operationBudgets(operation: OperationDefinitionNode, document: DocumentNode): [BudgetName, number][] {
  const spent = new Map<BudgetName, number>();
  for (const [field, count] of rootFieldCounts(operation, document)) {
    const budget = fieldBudget(field);
    if (budget) spent.set(budget, (spent.get(budget) ?? 0) + count);
  }
  return [...spent];
}

/**
 * What the gateway checks of every operation it runs through Apollo Server, over HTTP and for
 * operations sent on a websocket (their documents' limits were checked before, by
 * `documentLimits` or the websocket server):
 * - that it names one operation that exists, and that it is not a subscription over HTTP;
 * - the budgets of its root fields, per caller (events resolved for subscribers spend none).
 */
export function requestPolicyPlugin(rateLimits: RateLimits): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, contextValue }) {
          if (!operation) {
            const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION).length;
            if (request.operationName) throw badRequest(`The document has no operation named "${request.operationName}".`, { reason: 'UNKNOWN_OPERATION_NAME' });
            if (operations > 1) throw badRequest('The document has several operations; name the one to run with operationName.', { reason: 'OPERATION_NAME_REQUIRED' });
            throw badRequest('The document has no operation to run.', { reason: 'NO_OPERATION' });
          }
          if (contextValue.origin === 'http' && operation.operation === OperationTypeNode.SUBSCRIPTION) {
            throw badRequest('Subscriptions are served over websockets (graphql-ws) on this same path, not over HTTP.', { reason: 'SUBSCRIPTION_OVER_HTTP' });
          }
          // Events resolved for a subscriber were paid for when it subscribed.
          if (contextValue.origin === 'event') return;
          const key = callerBudget(contextValue.caller, contextValue.clientIp).key;
          for (const [budget, points] of operationBudgets(operation, document)) {
            const retryAfter = await rateLimits.take(budget, key, points);
            if (retryAfter !== null) throw rateLimited(retryAfter);
          }
        },
      };
    },
  };
}

// 5,000 verdicts: every distinct document a fleet of app versions sends, many times over.
const MAX_REMEMBERED_DOCUMENTS = 5000;

/**
 * The GraphQL document of an HTTP request: the JSON body's `query`, or else the `query`
 * parameter of the URL, read as Apollo Server reads it (the first one, if repeated).
 */
export function documentOf(body: unknown, search: string): string | undefined {
  if (typeof body === 'object' && body !== null && 'query' in body && typeof body.query === 'string') return body.query;
  if (!search) return undefined;
  return new URLSearchParams(search).get('query') ?? undefined;
}

/**
 * Prices a document before Apollo Server validates it (Apollo Server runs no plugin hook
 * between parsing and validation that may refuse a request): the error of the first limit it
 * breaks (token limit included), or null. Verdicts are remembered by the document's sha256, so
 * a document sent again costs a hash, as in Apollo's own document store. Documents that do not
 * parse get null: Apollo Server reports the syntax error.
 */
export function documentVerdicts(guard: DocumentGuard): (source: string) => GraphQLError | null {
  const verdicts = new Map<string, GraphQLError | null>();
  const maxTokens = guard.parseOptions.maxTokens ?? Number.MAX_SAFE_INTEGER;

  return (source) => {
    const hash = createHash('sha256').update(source).digest('hex');
    const known = verdicts.get(hash);
    if (known !== undefined) return known;
    let verdict: GraphQLError | null;
    try {
      verdict = guard.check(parse(source, guard.parseOptions));
    } catch (err) {
      verdict = err instanceof GraphQLError ? tokenLimitError(err, maxTokens) : null;
    }
    if (verdicts.size >= MAX_REMEMBERED_DOCUMENTS) verdicts.delete(verdicts.keys().next().value as string);
    verdicts.set(hash, verdict);
    return verdict;
  };
}

/** A refused document's answer body: its message and extensions, without Apollo's `http`. */
export function refusalBody(refused: GraphQLError) {
  const { http: _http, ...extensions } = refused.extensions;
  return { errors: [{ message: refused.message, extensions }] };
}

/** A budget per client IP for a path (the payment webhook). */
export function ipRateLimit(rateLimits: RateLimits, budget: BudgetName): RequestHandler {
  return async (req, res, next) => {
    const retryAfter = await rateLimits.take(budget, `ip:${req.ip ?? 'unknown'}`);
    if (retryAfter === null) {
      next();
      return;
    }
    res.status(429).set('retry-after', String(retryAfter)).json({ error: 'Too many requests; slow down.', retryAfterSeconds: retryAfter });
  };
}

/** Apollo Server's codes for a malformed request, all BAD_REQUEST in the contract. */
const MALFORMED_REQUEST_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'OPERATION_RESOLUTION_FAILURE']);

/** "Did you mean …?" hints name fields and types a client did not ask about. */
const SUGGESTION = /\s*Did you mean [^?]+\?/g;

/**
 * Turns every client mistake into a 4xx code of the contract before errors are masked:
 * Apollo Server's parse and validation failures become BAD_REQUEST (the finer cause kept as
 * `reason`), and an error Apollo answers with a 4xx but no code (a persisted-query hash that
 * does not match its query) too. Client mistakes are logged at info, without a stack.
 */
export function clientRequestErrors(logger: Logger, options: { fieldSuggestions: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = formatted.extensions?.code;
    const http = original instanceof GraphQLError ? (original.extensions.http as { status?: unknown } | undefined) : undefined;
    const status = typeof http?.status === 'number' ? http.status : undefined;
    let result = formatted;
    if (typeof code === 'string' && MALFORMED_REQUEST_CODES.has(code)) {
      result = { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_REQUEST', reason: code } };
    } else if (status !== undefined && status >= 400 && status < 500 && (code === undefined || code === ErrorCode.INTERNAL_SERVER_ERROR)) {
      result = { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_REQUEST' } };
    }
    if (!options.fieldSuggestions && result.extensions?.code === 'BAD_REQUEST') {
      result = { ...result, message: result.message.replace(SUGGESTION, '') };
    }
    if (result.extensions?.code === 'BAD_REQUEST') {
      logger.info({ reason: result.extensions.reason ?? result.extensions.limit, message: result.message }, 'A malformed request was refused.');
    }
    return result;
  };
}
