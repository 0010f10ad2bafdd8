import { randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { loadGatewayConfig, startGateway, type RunningGateway } from '@waimai/gateway';
import { operationsService } from '@waimai/operations';
import { ordersService } from '@waimai/orders';
import { paymentsService } from '@waimai/payments';
import { createLogger, SUBGRAPHS, type Launchable, type Logger, type RunningService, type SubgraphName } from '@waimai/platform';
import { productsService } from '@waimai/products';
import { ridersService } from '@waimai/riders';
import { ensureRunIsolation } from './run-env';

/**
 * Where a subgraph that is not running is said to be: a port that was free a moment ago and
 * that nothing listens on, so calls to it fail at once with ECONNREFUSED, as when a service
 * is down. (Low fixed ports will not do: fetch refuses most of them outright.)
 */
export async function unreachableUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * A port held open (listening, on 127.0.0.1) until `release`: other stacks of the same run,
 * which start at the same time and pick free ports too, can neither be given it nor take it
 * in the seconds before its service listens on it (a port merely free a moment ago was).
 */
async function holdPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  let released: Promise<void> | undefined;
  return { port, release: () => (released ??= new Promise<void>((resolve) => server.close(() => resolve()))) };
}

/**
 * Each subgraph's entry points (its package's `<name>Service`), typed: a registry entry
 * without one here does not compile.
 */
const SUBGRAPH_ENTRIES: Record<SubgraphName, Launchable> = {
  products: productsService,
  orders: ordersService,
  payments: paymentsService,
  riders: ridersService,
  operations: operationsService,
};

export interface StackOptions {
  /** Which subgraphs to run (default: every one in the registry); the others are unreachable. */
  subgraphs?: readonly SubgraphName[];
  /** Extra environment for every service, e.g. shorter timers. */
  env?: Record<string, string>;
  /** Extra environment for the gateway alone. */
  gatewayEnv?: Record<string, string>;
  /** Where every service logs (tests of the log lines); by default a logger at LOG_LEVEL (warn). */
  logger?: Logger;
}

export interface Stack {
  /** The gateway's base URL, e.g. http://127.0.0.1:43121; every service has it as PUBLIC_URL. */
  gatewayUrl: string;
  /** POST GraphQL here. */
  graphqlUrl: string;
  /** graphql-ws subscriptions here. */
  wsUrl: string;
  /** Base URLs of the subgraphs that run; the others are absent. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  /** Base URLs of their internal admin ports (/readyz, /metrics); the gateway's is gateway.adminUrl. */
  subgraphAdminUrls: Partial<Record<SubgraphName, string>>;
  gateway: RunningGateway;
  /** The environment the services were started with (this run's isolated prefixes). */
  env: Record<string, string | undefined>;
  stop(): Promise<void>;
}

/**
 * Tests drive many requests from one IP and a few users in seconds, far past what a real app
 * sends: the stack raises every rate limit and websocket cap explicitly. Tests of the limits
 * themselves set theirs through `gatewayEnv`.
 */
export const TEST_BUDGETS: Record<string, string> = {
  RATE_LIMIT_ANONYMOUS: '1000000/1',
  RATE_LIMIT_AUTHENTICATED: '1000000/1',
  RATE_LIMIT_EXPENSIVE: '1000000/1',
  RATE_LIMIT_LOCATION: '1000000/1',
  RATE_LIMIT_WS_CONNECT: '1000000/1',
  RATE_LIMIT_WS_SUBSCRIBE: '1000000/1',
  RATE_LIMIT_WEBHOOK: '1000000/1',
  WS_MAX_SOCKETS_PER_USER: '10000',
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '1000',
  WS_MAX_MESSAGES_PER_SECOND: '100000',
};

// 30 s: a consumer group joins in well under a second on a local broker; longer means no Kafka.
const EVENTS_READY_TIMEOUT_MS = 30_000;

/** Waits until the gateway's subscription consumers read, so that no event a test causes is missed. */
export async function gatewayEventsReady(gateway: RunningGateway): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`The gateway's Kafka consumers did not join within ${EVENTS_READY_TIMEOUT_MS} ms; is Kafka running?`)), EVENTS_READY_TIMEOUT_MS);
  });
  try {
    await Promise.race([gateway.events.ready(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the subgraphs that exist and the gateway in this process, each on a free port, on
 * this run's own databases, key prefixes and topics (process.env as run-env.ts and the jest
 * global setup prepared it). Subgraphs start in dependency order (products first), each told
 * the real URLs of those already up; the gateway is wired to their real ports. The gateway's
 * port is chosen first so that every service gets its real URL as PUBLIC_URL (the payments
 * sandbox sends its callback to `${PUBLIC_URL}/webhooks/payments/sandbox`). It returns once
 * the gateway's subscription consumers read.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  ensureRunIsolation();
  const gatewayPort = await holdPort();
  const publicUrl = `http://127.0.0.1:${gatewayPort.port}`;
  // Databases, Redis keys, topics and consumer groups of its own inside the run's (the run's
  // teardown removes them by prefix): stacks of other test files run at the same time with
  // other timers, and their consumers must not serve this stack's orders.
  const tag = `s${randomBytes(3).toString('hex')}`;
  const env: Record<string, string | undefined> = {
    ...process.env,
    DB_PREFIX: `${process.env.DB_PREFIX}_${tag}`,
    REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}${tag}:`,
    KAFKA_TOPIC_PREFIX: `${process.env.KAFKA_TOPIC_PREFIX}${tag}-`,
    PUBLIC_URL: publicUrl,
    ...options.env,
  };
  const logger = options.logger ?? createLogger('stack', env.LOG_LEVEL ?? 'warn');
  const wanted = options.subgraphs;

  let closed = await unreachableUrl();
  // The gateway's port is free too until the gateway takes it: never name it as a dead subgraph.
  while (closed === publicUrl) closed = await unreachableUrl();
  const urls: Record<string, string> = Object.fromEntries(SUBGRAPHS.map((subgraph) => [subgraph.urlKey, closed]));
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
  const subgraphAdminUrls: Partial<Record<SubgraphName, string>> = {};
  const running: RunningService[] = [];
  // Every wanted subgraph's port is chosen (and held) before any starts, so that each knows
  // the real URL of every other, whichever starts first (orders asks riders, which starts after it).
  const starting = SUBGRAPHS.filter(({ name }) => !wanted || wanted.includes(name));
  const held = await Promise.all(starting.map(() => holdPort()));
  const stopAll = async () => {
    await Promise.all([gatewayPort, ...held].map((hold) => hold.release()));
    // Gateway first, then subgraphs in reverse start order.
    for (const service of running.reverse()) await service.stop();
  };
  const portKeys: Record<string, string> = {};
  starting.forEach(({ portKey, urlKey }, index) => {
    portKeys[portKey] = String(held[index]!.port);
    urls[urlKey] = `http://127.0.0.1:${held[index]!.port}`;
  });

  try {
    for (const [index, { name }] of starting.entries()) {
      await held[index]!.release();
      const service = await SUBGRAPH_ENTRIES[name].launch({ ...env, ...urls, ...portKeys }, logger.child({ service: name }), { migrate: true });
      running.push(service);
      subgraphUrls[name] = service.baseUrl;
      subgraphAdminUrls[name] = service.adminUrl;
    }

    await gatewayPort.release();
    const gateway = await startGateway(
      loadGatewayConfig({ ...env, ...urls, ...TEST_BUDGETS, ...options.gatewayEnv, GATEWAY_PORT: new URL(publicUrl).port }),
      logger.child({ service: 'gateway' }),
    );
    running.push(gateway);
    await gatewayEventsReady(gateway);

    return {
      gatewayUrl: gateway.baseUrl,
      graphqlUrl: `${gateway.baseUrl}/graphql`,
      wsUrl: `${gateway.baseUrl.replace(/^http/, 'ws')}/graphql`,
      subgraphUrls,
      subgraphAdminUrls,
      gateway,
      env: { ...env, ...urls },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
