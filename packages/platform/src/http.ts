import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler, type Response } from 'express';
import { collectDefaultMetrics, register, Counter, Histogram } from 'prom-client';
import type { Logger } from './logger';
import { requestIds, startRequest } from './telemetry';

let defaultMetricsStarted = false;

export const metrics = {
  graphqlOperations: new Counter({
    name: 'waimai_graphql_operations_total',
    help: 'GraphQL operations executed, by service, operation type and outcome.',
    labelNames: ['service', 'type', 'outcome'] as const,
  }),
  graphqlDuration: new Histogram({
    name: 'waimai_graphql_operation_seconds',
    help: 'GraphQL operation duration in seconds.',
    labelNames: ['service', 'type'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  }),
};

export type ReadinessCheck = () => Promise<void>;

/**
 * A JSON answer, as express's res.json writes it, on a plain node response: the public
 * GraphQL paths answer without express (see `withFastPath`).
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

const notFound: RequestHandler = (_req, res) => {
  sendJson(res, 404, { error: 'Not found.' });
};

const errorBody = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

const pathOf = (req: IncomingMessage) => (req.url ?? '/').split('?', 1)[0];

/**
 * The JSON answer to a request that failed before a route answered (a body too large,
 * malformed JSON, a path with a malformed percent-encoding), never express's HTML page. Client
 * mistakes keep their 4xx and are logged at info; anything else is logged and answered as a
 * masked 500.
 */
export function answerRequestError(err: unknown, req: IncomingMessage, res: ServerResponse, log: Logger): void {
  if (res.headersSent) {
    // Half an answer is out: only closing the connection tells the client it is broken.
    req.socket.destroy();
    return;
  }
  const { status: given, type } = (err ?? {}) as { status?: unknown; type?: unknown };
  const status = typeof given === 'number' && given >= 400 && given < 600 ? given : 500;
  if (status === 404) {
    sendJson(res, 404, { error: 'Not found.' });
  } else if (status === 413) {
    sendJson(res, 413, errorBody('The request body is too large.', 'BAD_REQUEST'));
  } else if (status < 500) {
    log.info({ path: pathOf(req), status, reason: type }, 'A malformed request was refused.');
    sendJson(res, status, errorBody(err instanceof URIError ? 'The path is not valid percent-encoding.' : 'The request could not be read; send JSON.', 'BAD_REQUEST'));
  } else {
    log.error({ err, path: pathOf(req) }, 'A request failed unexpectedly.');
    sendJson(res, 500, errorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
  }
}

/**
 * The last handlers of a public app: a JSON 404 for any path nobody served, and
 * `answerRequestError` for anything that failed before a route answered.
 */
export function answerInJson(app: Express, logger: Logger): void {
  const log = logger.child({ component: 'http' });
  const jsonErrors: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    answerRequestError(err, req, res, log);
  };
  app.use(notFound);
  app.use(jsonErrors);
}

/**
 * Reads a JSON request body exactly as express.json does (body-parser: the size limit, 413
 * beyond it, charsets, gzip/deflate/br, strict JSON), on a plain node request. Rejects with
 * body-parser's error (its `status` and `type`), for `answerRequestError`.
 */
export function jsonBodyReader(limit: number | string): (req: IncomingMessage, res: ServerResponse) => Promise<unknown> {
  const parse = express.json({ limit });
  return (req, res) =>
    new Promise((resolve, reject) => {
      parse(req as Request, res as Response, (err?: unknown) => {
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve((req as { body?: unknown }).body);
      });
    });
}

/**
 * Runs one GraphQL-over-HTTP request through Apollo Server and writes its answer, as
 * @as-integrations/express5's middleware does, on a plain node request and response.
 */
export async function serveGraphQLRequest<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  context: () => Promise<TContext>,
): Promise<void> {
  const headers = new HeaderMap();
  for (const name of Object.keys(req.headers)) {
    const value = req.headers[name];
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = req.url ?? '';
  const query = url.indexOf('?');
  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: query === -1 ? '' : url.slice(query), body },
    context,
  });
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.setHeader('content-length', Buffer.byteLength(response.body.string));
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** A path under `mount`, matched as express's app.use(mount) matches it: any case, `mount`, `mount/` or `mount/…`. */
export function pathMatcher(mount: string): (req: IncomingMessage) => boolean {
  const escaped = mount.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escaped}(?:/|$)`, 'i');
  return (req) => pattern.test(pathOf(req) ?? '');
}

/** Routes of an app that `withFastPath` serves without express (serveWithoutExpress). */
const routesWithoutExpress = new WeakMap<Express, Array<{ matches: (req: IncomingMessage) => boolean; handler: http.RequestListener }>>();

/**
 * Lets a public server built by `withFastPath` hand the requests `matches` accepts straight to
 * `handler`, on plain node objects, before `app` sees them. `handler` must also be mounted on
 * `app` for the same paths: a server without `withFastPath` (a test's app.listen) still reaches
 * it there. What `app` does before that mount is skipped on the fast path, except naming the
 * request (x-request-id), which `withFastPath` does.
 */
export function serveWithoutExpress(app: Express, matches: (req: IncomingMessage) => boolean, handler: http.RequestListener): void {
  const routes = routesWithoutExpress.get(app) ?? [];
  routes.push({ matches, handler });
  routesWithoutExpress.set(app, routes);
}

/**
 * The request listener of a public server: requests `fast` accepts (POST /graphql), and those
 * of the routes registered with `serveWithoutExpress` (the internal APIs), go straight to their
 * handler, named like any other request (x-request-id) but without express's router, its
 * request and response objects, ETags or its body parser layers, which took about a tenth of
 * the gateway's CPU per request; everything else goes through `app`.
 */
export function withFastPath(app: Express, fast: (req: IncomingMessage) => boolean, handler: (req: IncomingMessage, res: ServerResponse) => void): http.RequestListener {
  return (req, res) => {
    if (fast(req)) {
      startRequest(req, res);
      handler(req, res);
      return;
    }
    const route = routesWithoutExpress.get(app)?.find(({ matches }) => matches(req));
    if (route) {
      startRequest(req, res);
      route.handler(req, res);
      return;
    }
    app(req, res);
  };
}

/**
 * The public express app of a waimai process, with /healthz (the process is alive) for
 * load balancers and liveness probes. Readiness and metrics are internal (startAdminServer):
 * here they answer a JSON 404 like any unknown path.
 */
export function createHttpApp(service: string): Express {
  const app = express();
  app.disable('x-powered-by');
  // First, so that every log line of the request names it (x-request-id in and out).
  app.use(requestIds());
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service });
  });
  // Registered first, so that no route mounted later (a webhook proxy, a catch-all) can serve them.
  app.all(['/readyz', '/metrics'], notFound);
  return app;
}

function readinessHandler(service: string, readiness: Record<string, ReadinessCheck>, logger: Logger): RequestHandler {
  return async (_req, res) => {
    const results = await Promise.all(
      Object.entries(readiness).map(async ([name, check]) => {
        try {
          // 2 s: a dependency slower than that is not ready for traffic.
          await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2000).unref())]);
          return [name, 'ok'] as const;
        } catch (err) {
          logger.warn({ dependency: name, reason: (err as Error).message }, 'A readiness check failed.');
          return [name, (err as Error).message] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', service, checks: Object.fromEntries(results) });
  };
}

/** Where this machine reaches a server bound to `host`: every address (0.0.0.0, ::) includes loopback. */
export function localUrl(host: string, port: number): string {
  const reached = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reached.includes(':') ? `[${reached}]` : reached}:${port}`;
}

export interface AdminServerOptions {
  service: string;
  readiness: Record<string, ReadinessCheck>;
  logger: Logger;
  /** 0: a free port of the kernel's choosing. */
  port: number;
  host: string;
}

export interface AdminServer {
  port: number;
  /** Base URL, e.g. http://127.0.0.1:9401 */
  url: string;
  close(): Promise<void>;
}

/**
 * The internal admin port of a waimai process: /healthz, /readyz (its dependencies answer)
 * and /metrics (Prometheus text), for the kubelet, Prometheus and `pnpm start`, never for
 * clients.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const { service, logger } = options;
  if (!defaultMetricsStarted) {
    // The event-loop delay histogram samples every 100 ms (prom-client's default, 10 ms, woke
    // every process a hundred times a second for it, idle or not: docs/performance/idle.md). A
    // stall of 100 ms or more is always caught; a shorter one when it overlaps a sample.
    collectDefaultMetrics({ labels: { service }, eventLoopMonitoringPrecision: 100 });
    defaultMetricsStarted = true;
  }
  const app = express();
  app.disable('x-powered-by');
  // First, so that every log line of the request names it (x-request-id in and out).
  app.use(requestIds());
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service });
  });
  app.get('/readyz', readinessHandler(service, options.readiness, logger));
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', register.contentType);
    res.send(await register.metrics());
  });
  app.use(notFound);
  const server = http.createServer(app);
  const port = await listen(server, options.port, options.host);
  const url = localUrl(options.host, port);
  logger.info({ port, host: options.host }, 'The admin port (readiness, metrics) is listening.');
  return { port, url, close: () => closeServer(server) };
}

export async function listen(server: http.Server, port: number, host = '0.0.0.0'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

export type ShutdownStep = readonly [name: string, run: () => Promise<void>];

/**
 * Runs `steps` in order on SIGTERM or SIGINT (stop taking requests first, pools last),
 * exiting 0 when all are done or 1 after `timeoutMs`.
 */
export function onShutdown(logger: Logger, timeoutMs: number, steps: ShutdownStep[]): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down.');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'Shutdown did not finish in time; exiting.');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    for (const [name, run] of steps) {
      try {
        await run();
      } catch (err) {
        logger.error({ step: name, err }, 'A shutdown step failed.');
      }
    }
    logger.info('Stopped.');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** A process or in-process service that tests and the launcher can start and stop. */
export interface RunningService {
  name: string;
  port: number;
  /** Base URL, e.g. http://127.0.0.1:4001 */
  baseUrl: string;
  /** Base URL of its internal admin port (/readyz, /metrics), e.g. http://127.0.0.1:9401 */
  adminUrl: string;
  stop(): Promise<void>;
}
