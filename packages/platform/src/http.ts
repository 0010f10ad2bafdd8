import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { collectDefaultMetrics, register, Counter, Histogram } from 'prom-client';
import type { Logger } from './logger';
import { requestIds } from './telemetry';

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

const notFound: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'Not found.' });
};

const errorBody = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

/**
 * The last handlers of a public app: a JSON 404 for any path nobody served, and JSON for
 * anything that failed before a route answered (a body too large, malformed JSON, a path with
 * a malformed percent-encoding), never express's HTML page. Client mistakes keep their 4xx
 * and are logged at info; anything else is logged and answered as a masked 500.
 */
export function answerInJson(app: Express, logger: Logger): void {
  const log = logger.child({ component: 'http' });
  const jsonErrors: ErrorRequestHandler = (err: { status?: unknown; type?: unknown }, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const status = typeof err.status === 'number' && err.status >= 400 && err.status < 600 ? err.status : 500;
    if (status === 404) {
      notFound(req, res, next);
    } else if (status === 413) {
      res.status(413).json(errorBody('The request body is too large.', 'BAD_REQUEST'));
    } else if (status < 500) {
      log.info({ path: req.path, status, reason: err.type }, 'A malformed request was refused.');
      res.status(status).json(errorBody(err instanceof URIError ? 'The path is not valid percent-encoding.' : 'The request could not be read; send JSON.', 'BAD_REQUEST'));
    } else {
      log.error({ err, path: req.path }, 'A request failed unexpectedly.');
      res.status(500).json(errorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
    }
  };
  app.use(notFound);
  app.use(jsonErrors);
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
    collectDefaultMetrics({ labels: { service } });
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
