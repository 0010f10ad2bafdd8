import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface HttpResult {
  status: number;
  body: string;
  /** From just before the request was written to the last byte of the response, in ms. */
  ms: number;
}

export interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

export interface GraphQLResult<T> {
  status: number;
  data?: T | null;
  errors?: GraphQLError[];
  ms: number;
}

// 30 s: nothing in a benchmark should take that long; a request that does is counted as an error.
const REQUEST_TIMEOUT_MS = 30_000;
// Sends after the first of a request that met a connection the server was closing.
const STALE_RETRIES = 3;

/**
 * A keep-alive HTTP/1.1 client on node:http, as a rider app keeps its connection open.
 * Lighter than fetch (no WHATWG streams), so the load generator costs less CPU per request
 * on a machine it shares with the services it measures.
 */
export class HttpClient {
  readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, maxSockets: number) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port || 80);
    // lifo: the most recently used idle connection first, the one least likely to be closing.
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  }

  request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(body);
      const started = performance.now();
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: payload ? { ...headers, 'content-length': String(payload.length) } : headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
          res.on('error', reject);
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /**
   * `request`, sent again (at most STALE_RETRIES times) when the server closed an idle keep-alive
   * connection just as the request went out (Node's server closes them after 5 s; the request
   * was not read). After a burst the next idle connection may be closing too, so once was not
   * always enough: one payment callback of 6,000 at 100/s got "socket hang up" twice, and its
   * order was never paid. Only for requests that are idempotent or harmless twice: set-up calls,
   * health checks, and payment callbacks (payments applies a callback once per event id; a
   * provider sends a callback again until it is answered).
   */
  async idempotentRequest(method: string, path: string, headers: Record<string, string>, body?: string): Promise<HttpResult> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.request(method, path, headers, body);
      } catch (err) {
        if (!isStaleConnection(err) || attempt >= STALE_RETRIES) throw err;
      }
    }
  }

  /**
   * POSTs one GraphQL operation to /graphql, with `Authorization: Bearer` when a token is
   * given. For set-up calls: sent again once over a connection the server had just closed
   * (`idempotentRequest`; every set-up operation is idempotent or harmless twice).
   */
  async graphql<T>(query: string, variables: Record<string, unknown>, token?: string, operationName?: string): Promise<GraphQLResult<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const body = JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) });
    const result = await this.idempotentRequest('POST', '/graphql', headers, body);
    let parsed: { data?: T | null; errors?: GraphQLError[] };
    try {
      parsed = JSON.parse(result.body) as { data?: T | null; errors?: GraphQLError[] };
    } catch {
      return { status: result.status, errors: [{ message: `not JSON: ${result.body.slice(0, 200)}` }], ms: result.ms };
    }
    return { status: result.status, ms: result.ms, ...parsed };
  }

  /** Opens `count` keep-alive connections now, so timed requests do not pay for TCP handshakes. */
  async warm(count: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => this.idempotentRequest('GET', '/healthz', {})));
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The error of a request written to a keep-alive connection the server was closing. */
export function isStaleConnection(err: unknown): boolean {
  const { code, message } = err as { code?: string; message?: string };
  return code === 'ECONNRESET' || message === 'socket hang up';
}

/** The data of a GraphQL result, or an error naming what failed. */
export function dataOf<T>(result: GraphQLResult<T>, what: string): T {
  if (result.data && !result.errors?.length) return result.data;
  throw new Error(`${what} failed (HTTP ${result.status}): ${JSON.stringify(result.errors ?? result.data)}`);
}

export function errorCodeOf(result: GraphQLResult<unknown>): string {
  return result.errors?.[0]?.extensions?.code ?? (result.status >= 400 ? `HTTP_${result.status}` : 'NO_CODE');
}

/** Runs `task` over `items` with at most `limit` at once; results in order. */
export async function mapLimit<I, O>(items: readonly I[], limit: number, task: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const results = new Array<O>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index] as I, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
