import { STATUS_CODES } from 'node:http';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { Kind, OperationTypeNode, type DocumentNode } from 'graphql';
import { Counter } from 'prom-client';
import { Agent } from 'undici';
import { currentRequestId, IDENTITY_HEADER, REQUEST_ID_HEADER, type SubgraphName } from '@waimai/platform';
import type { IdentityForwarder } from '@waimai/platform';
import type { GatewayContext } from './caller';
import { subgraphFetchTimer } from './subscription-metrics';

type ProcessOptions = GraphQLDataSourceProcessOptions<GatewayContext>;
type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']>>;

export const subgraphFetchMetrics = {
  batched: new Counter({
    name: 'waimai_gateway_subgraph_fetches_batched_total',
    help: 'Subgraph requests of a query plan that went out together with others of the same client request in one batched HTTP request (SUBGRAPH_BATCHING), by subgraph.',
    labelNames: ['subgraph'] as const,
  }),
  deduplicated: new Counter({
    name: 'waimai_gateway_subgraph_fetches_deduplicated_total',
    help: 'Subgraph requests of a query plan that were not sent because an identical one (same subgraph, body and forwarded identity) was in flight and its answer was shared, by subgraph.',
    labelNames: ['subgraph'] as const,
  }),
};

/** What a subgraph answered, before parsing: each plan that shares it parses its own copy. */
interface SubgraphAnswer {
  status: number;
  contentType: string | undefined;
  cacheControl: string | undefined;
  body: string;
}

export interface SubgraphClientOptions {
  /** Keep-alive connections per subgraph at most; requests beyond wait for one. */
  maxConnections: number;
  /** Share the answer of an identical query in flight (SUBGRAPH_DEDUPLICATION). */
  deduplicate: boolean;
  /** Send a client request's queries to one subgraph that start together in one batched request (SUBGRAPH_BATCHING). */
  batch: boolean;
}

/**
 * Runs `work` once the current job and every promise job it leads to have run (DataLoader's
 * schedule): the fetches a query plan starts side by side (a Parallel node) are all issued by then,
 * whatever number of awaits each went through, and no I/O has been waited for.
 */
function afterPromiseJobs(work: () => void): void {
  void Promise.resolve().then(() => process.nextTick(work));
}

/** Queries of one client request to one subgraph, gathered to go out as one batched request. */
interface PendingBatch {
  headers: Record<string, string>;
  requestId: string | undefined;
  entries: Array<{ body: string; resolve: (answer: SubgraphAnswer) => void; reject: (err: unknown) => void }>;
}

/**
 * The gateway's HTTP client to the subgraphs: one undici Agent, a keep-alive pool per
 * subgraph. undici's request() costs a fraction of fetch (no WHATWG Request, Headers or
 * streams per call); node-fetch's Headers and Request, which RemoteGraphQLDataSource builds
 * for every call, are skipped too.
 */
export function subgraphAgent(options: Pick<SubgraphClientOptions, 'maxConnections'>): Agent {
  // 4 s idle: under Node's server keep-alive timeout (5 s), so the gateway, not the subgraph, closes
  // an idle connection and a request never goes out on one being closed.
  return new Agent({ connections: options.maxConnections, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000 });
}

/** Whether the subgraph operation only reads: a query (never a mutation) may share a fetch in flight. */
function isQuery(document: DocumentNode | undefined, query: string): boolean {
  if (document) {
    const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    return operations.length === 1 && operations[0]?.operation === OperationTypeNode.QUERY;
  }
  return /^\s*(query\b|\{)/.test(query);
}

/** The hint a subgraph's Cache-Control gives, read as RemoteGraphQLDataSource reads it: max-age, private, public. */
function cacheHint(header: string | undefined): { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } {
  const hint: { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } = { maxAge: 0 };
  if (!header) return hint;
  for (const directive of header.split(',')) {
    const [name = '', value] = directive.trim().toLowerCase().split('=');
    if (name === 'max-age' && value !== undefined && /^[0-9]+$/.test(value)) hint.maxAge = Number(value);
    if (name === 'private') hint.scope = 'PRIVATE';
    if (name === 'public') hint.scope = 'PUBLIC';
  }
  return hint;
}

const headerValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(', ') : value);

/**
 * One subgraph as the query planner calls it: the caller's identity signed into
 * x-waimai-identity, the client's request id passed on, each request timed
 * (waimai_gateway_subgraph_fetch_duration_seconds).
 *
 * Identical queries in flight are sent once (when `deduplicate`), as Apollo Router and Hive
 * Gateway do: the key is the exact body (query, variables, operation name, extensions), the
 * forwarded identity header and any other header sent, so two callers share an answer only
 * when the subgraph could not tell their requests apart. Mutations are always sent. The
 * answer's bytes are shared and each plan parses its own copy, since the planner writes
 * into the objects it receives.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly origin: string;
  private readonly path: string;
  private readonly inFlight = new Map<string, Promise<SubgraphAnswer>>();
  private readonly batches = new Map<string, PendingBatch>();

  constructor(
    private readonly subgraph: SubgraphName,
    url: string,
    private readonly forwardedIdentity: IdentityForwarder,
    private readonly agent: Agent,
    private readonly options: Pick<SubgraphClientOptions, 'deduplicate' | 'batch'>,
  ) {
    super({ url });
    const parsed = new URL(url);
    this.origin = parsed.origin;
    this.path = `${parsed.pathname}${parsed.search}`;
  }

  override async process(options: ProcessOptions): Promise<SubgraphResponse> {
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    const done = subgraphFetchTimer(this.subgraph, request.operationName);
    try {
      const response = await this.fetchAndParse(options, request.query);
      done(response.errors?.length ? 'error' : 'ok');
      return response;
    } catch (err) {
      done('failed');
      throw err;
    }
  }

  private async fetchAndParse(options: ProcessOptions, query: string): Promise<SubgraphResponse> {
    const { request } = options;
    // Health checks and schema loads carry no client request, hence no caller.
    const incoming = 'incomingRequestContext' in options ? options : undefined;
    const identity = await this.forwardedIdentity(incoming ? incoming.context.caller : null);
    const headers: Record<string, string> = {};
    for (const [name, value] of request.http?.headers ?? []) headers[name] = value;
    headers['content-type'] = 'application/json';
    headers[IDENTITY_HEADER] = identity;
    const body = JSON.stringify({ query, variables: request.variables, operationName: request.operationName, extensions: request.extensions });

    let answer: Promise<SubgraphAnswer>;
    // Only the fetches of a query: a mutation's plan also reads (entities from other subgraphs
    // after the write), and such a read must not share an answer fetched before the write.
    const inQuery = incoming?.incomingRequestContext.operation?.operation !== OperationTypeNode.MUTATION;
    const reads = isQuery(incoming?.document, query);
    // A query of a client request's plan (a mutation's included: its entity fetches after the
    // write) may go out in one batch with its siblings to this subgraph; the first fetch of a
    // mutation never does. Health checks and schema loads go alone.
    const send = () => (this.options.batch && incoming && reads ? this.sendInBatch(headers, body) : this.send(headers, body));
    if (this.options.deduplicate && inQuery && reads) {
      // Every header that reaches the subgraph is in the key, but the request id (it names the
      // request in logs and changes nothing in the answer).
      const key = `${JSON.stringify(headers)}\n${body}`;
      const shared = this.inFlight.get(key);
      if (shared) {
        subgraphFetchMetrics.deduplicated.inc({ subgraph: this.subgraph });
        answer = shared;
      } else {
        answer = send();
        this.inFlight.set(key, answer);
        const forget = () => this.inFlight.delete(key);
        answer.then(forget, forget);
      }
    } else {
      answer = send();
    }
    const { status, contentType, cacheControl, body: text } = await answer;

    if (status < 200 || status > 299) throw await this.errorFromResponse(new Response(text, { status, statusText: STATUS_CODES[status] ?? '', headers: contentType ? { 'content-type': contentType } : {} }));
    const json = contentType !== undefined && (contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json'));
    const parsed: unknown = json ? JSON.parse(text) : text;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`Expected JSON response body, but received: ${text}`);

    // As RemoteGraphQLDataSource does: the answer's Cache-Control restricts the response's policy.
    const policy = incoming && this.honorSubgraphCacheControlHeader ? incoming.incomingRequestContext.overallCachePolicy : undefined;
    if (policy && 'restrict' in policy) policy.restrict(cacheHint(cacheControl));
    return parsed as SubgraphResponse;
  }

  /**
   * `body` sent together with the other queries of this client request to this subgraph that
   * start in the same turn (a plan's Parallel node), as one batched request: a JSON array of
   * operations, answered by a JSON array (Apollo Server's `allowBatchedHttpRequests`), as Apollo
   * Router's subgraph batching sends them. A query alone goes out as it is. An answer that is
   * not 2xx, or not an array of as many results, is every entry's answer, so each fails as it
   * would have alone.
   */
  private sendInBatch(headers: Record<string, string>, body: string): Promise<SubgraphAnswer> {
    const requestId = currentRequestId();
    const key = `${requestId ?? ''}\n${JSON.stringify(headers)}`;
    let batch = this.batches.get(key);
    if (!batch) {
      const pending: PendingBatch = { headers, requestId, entries: [] };
      batch = pending;
      this.batches.set(key, pending);
      afterPromiseJobs(() => {
        this.batches.delete(key);
        void this.flush(pending);
      });
    }
    const entries = batch.entries;
    return new Promise((resolve, reject) => entries.push({ body, resolve, reject }));
  }

  private async flush({ headers, requestId, entries }: PendingBatch): Promise<void> {
    const [only] = entries;
    if (entries.length === 1 && only) {
      this.send(headers, only.body, requestId).then(only.resolve, only.reject);
      return;
    }
    subgraphFetchMetrics.batched.inc({ subgraph: this.subgraph }, entries.length);
    try {
      const answer = await this.send(headers, `[${entries.map((entry) => entry.body).join(',')}]`, requestId);
      const results = answer.status >= 200 && answer.status <= 299 ? batchResults(answer.body, entries.length) : null;
      entries.forEach((entry, index) => entry.resolve(results ? { ...answer, body: results[index]! } : answer));
    } catch (err) {
      for (const entry of entries) entry.reject(err);
    }
  }

  private async send(headers: Record<string, string>, body: string, requestId = currentRequestId()): Promise<SubgraphAnswer> {
    const response = await this.agent.request({
      origin: this.origin,
      path: this.path,
      method: 'POST',
      headers: requestId ? { ...headers, [REQUEST_ID_HEADER]: requestId } : headers,
      body,
    });
    return {
      status: response.statusCode,
      contentType: headerValue(response.headers['content-type']),
      cacheControl: headerValue(response.headers['cache-control']),
      body: await response.body.text(),
    };
  }
}

/** A batched request's answer as one JSON text per operation; null when it is not an array of `count` results. */
function batchResults(text: string, count: number): string[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== count) return null;
  return parsed.map((result) => JSON.stringify(result));
}
