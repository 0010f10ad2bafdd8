import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka } from 'kafkajs';
import {
  authConfig,
  connectRedis,
  unlinkKeysWithPrefix,
  createLogger,
  databaseName,
  DEVELOPMENT_SECRETS,
  dropDatabase,
  kafkaConfig,
  kafkaLogCreator,
  mysqlConfig,
  parseConfig,
  paymentsConfig,
  redisConfig,
  runtimeConfig,
  type z,
} from '@waimai/platform';
import { ensureKafka } from '../../scripts/lib/kafka-broker';
import { createAllTopics, migrateAll } from '../../scripts/lib/migrate-all';
import { SUBGRAPHS, SUBGRAPH_NAMES } from '@waimai/platform';
import { preflight } from '../../scripts/lib/preflight';
import { freePorts, spawnService, waitUntilReady, type ServiceProcess } from '@waimai/testkit';

const benchConfig = runtimeConfig.extend(mysqlConfig.shape).extend(redisConfig.shape).extend(kafkaConfig.shape).extend(authConfig.shape).extend(paymentsConfig.shape);
export type BenchConfig = z.infer<typeof benchConfig>;

/**
 * What the bench changes from the services' defaults, and why. Everything else (pool sizes,
 * partitions, relay intervals, limits) is as in production.
 */
export const SERVICE_OVERRIDES: Readonly<Record<string, string>> = {
  NODE_ENV: 'production',
  // The scenarios pay through the sandbox provider's signed webhook; production never picks it by itself.
  PAYMENT_PROVIDER: 'sandbox',
  // 15 min: no offer expires and is re-dispatched while later scenarios measure.
  OFFER_SECONDS: '900',
  // 600 m: with 2,000 riders over 20 km × 20 km (5 per km²) a round finds about 5 riders.
  DISPATCH_FIRST_RADIUS_METERS: '600',
  // 100: the grab scenario offers one order to 100 riders at once.
  DISPATCH_MAX_RIDERS_PER_ROUND: '100',
  // 10 min: the bench's riders report once before a scenario, not every few seconds as apps do
  // (that load is the locations scenario's); with the default 60 s they would drop out of the
  // index while an overloaded dispatch run is still working through its backlog.
  RIDER_LOCATION_TTL_SECONDS: '600',
  // 1 h: the orders scenario leaves thousands of orders unpaid; with the default 15 min they
  // would all expire (and give their stock back) while a later scenario measures.
  PAYMENT_WINDOW_SECONDS: '3600',
  // The load generator is one IP and a few thousand users sending far more than any app: every
  // rate limit and websocket cap is raised so that the bench measures the platform, not the limits.
  RATE_LIMIT_ANONYMOUS: '100000000/1',
  RATE_LIMIT_AUTHENTICATED: '100000000/1',
  RATE_LIMIT_EXPENSIVE: '100000000/1',
  RATE_LIMIT_LOCATION: '100000000/1',
  RATE_LIMIT_WS_CONNECT: '100000000/1',
  RATE_LIMIT_WS_SUBSCRIBE: '100000000/1',
  RATE_LIMIT_WEBHOOK: '100000000/1',
  WS_MAX_SOCKETS_PER_USER: '100000',
};

export interface Platform {
  run: string;
  config: BenchConfig;
  /** The environment every service got (isolated prefixes, ports, URLs). */
  env: Record<string, string>;
  gatewayUrl: string;
  /** The gateway's internal admin port: /readyz, /metrics. */
  gatewayAdminUrl: string;
  wsUrl: string;
  services: ServiceProcess[];
  logDir: string;
  /** Services started with an inspector (127.0.0.1, a free port) to be profiled. */
  profiled: readonly string[];
  /** A second gateway process on the same subgraphs (its own Kafka groups), e.g. to measure one process's memory from a clean start. */
  startGateway(name: string, nodeArgs?: readonly string[]): Promise<ServiceProcess>;
  /** Stops the services, drops this run's databases, Redis keys, Kafka topics and groups, and lets go of Kafka. */
  shutdown(): Promise<void>;
}

type Say = (message: string) => void;

/**
 * Brings the platform up for one bench run, isolated like a test run: its own database
 * prefix, Redis key prefix and Kafka topic prefix (wb_<run>, wb:<run>:, wb-<run>-).
 * MySQL and Redis must answer; Kafka is started when none does (ensureKafka).
 */
export async function startPlatform(say: Say, logLevel: string, profiled: readonly string[] = [], runtimeRoot?: string): Promise<Platform> {
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const isolated = {
    DB_PREFIX: `wb_${run}`,
    REDIS_KEY_PREFIX: `wb:${run}:`,
    KAFKA_TOPIC_PREFIX: `wb-${run}-`,
  };
  const baseEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) baseEnv[key] = value;
  Object.assign(baseEnv, isolated, { LOG_LEVEL: logLevel });
  // Secrets of the run's own: the services run with NODE_ENV=production, which refuses the development ones.
  for (const name of Object.keys(DEVELOPMENT_SECRETS)) baseEnv[name] = randomBytes(24).toString('hex');
  const config = parseConfig(benchConfig, baseEnv);

  const problems = await preflight(config);
  if (problems.length) throw new Error(problems.join('\n'));
  const kafka = await ensureKafka({ brokers: config.KAFKA_BROKERS, logger: { info: say, warn: say } });

  const logDir = path.join(os.tmpdir(), `waimai-bench-${run}`);
  mkdirSync(logDir, { recursive: true });
  const services: ServiceProcess[] = [];
  const extra: ServiceProcess[] = [];
  let env: Record<string, string> = {};
  // An inspector on loopback, on a port of the kernel's choosing (printed to the service's log).
  const nodeArgs = (name: string) => (profiled.includes(name) ? ['--inspect=127.0.0.1:0'] : []);

  const shutdown = async () => {
    const gateways = [...extra, ...services.filter((service) => service.name === 'gateway')];
    await Promise.all(gateways.map((service) => service.stop()));
    await Promise.all(services.filter((service) => service.name !== 'gateway').map((service) => service.stop()));
    await cleanUp(config, run, say);
    await kafka.stop();
  };

  try {
    say(`Run ${run}: migrating wb_${run}_* and creating topics wb-${run}-*.`);
    await Promise.all([migrateAll(config), createAllTopics(config, createLogger('bench', 'warn'))]);

    // A public and an admin port for each subgraph and the gateway.
    const ports = await freePorts(2 * (SUBGRAPH_NAMES.length + 1));
    const gatewayPort = ports[SUBGRAPH_NAMES.length] as number;
    const adminPort = (index: number) => ports[SUBGRAPH_NAMES.length + 1 + index] as number;
    const gatewayAdminPort = adminPort(SUBGRAPH_NAMES.length);
    const urls: Record<string, string> = {
      PUBLIC_URL: `http://127.0.0.1:${gatewayPort}`,
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_ADMIN_PORT: String(gatewayAdminPort),
      ADMIN_HOST: '127.0.0.1',
    };
    SUBGRAPHS.forEach(({ portKey, adminPortKey, urlKey }, index) => {
      urls[portKey] = String(ports[index]);
      urls[adminPortKey] = String(adminPort(index));
      urls[urlKey] = `http://127.0.0.1:${ports[index]}`;
    });
    env = { ...baseEnv, ...SERVICE_OVERRIDES, ...urls };

    say(`Starting ${SUBGRAPH_NAMES.join(', ')} and the gateway as separate processes (logs in ${logDir}).`);
    const subgraphs = SUBGRAPHS.map(({ name, folder }, index) =>
      spawnService({ name, dir: folder, port: ports[index] as number, adminPort: adminPort(index), env, logDir, nodeArgs: nodeArgs(name), runtimeRoot }),
    );
    services.push(...subgraphs);
    await Promise.all(subgraphs.map(waitUntilReady));
    const gateway = spawnService({ name: 'gateway', dir: 'gateway', port: gatewayPort, adminPort: gatewayAdminPort, env, logDir, nodeArgs: nodeArgs('gateway'), runtimeRoot });
    services.push(gateway);
    await waitUntilReady(gateway);
  } catch (err) {
    await shutdown().catch((cleanupErr: unknown) => say(`Cleanup after a failed start failed too: ${String(cleanupErr)}`));
    throw err;
  }

  const gatewayUrl = env.PUBLIC_URL as string;
  return {
    run,
    config,
    env,
    gatewayUrl,
    gatewayAdminUrl: `http://127.0.0.1:${env.GATEWAY_ADMIN_PORT}`,
    wsUrl: `${gatewayUrl.replace(/^http/, 'ws')}/graphql`,
    services,
    logDir,
    profiled,
    async startGateway(name, extraNodeArgs = []) {
      const [port, adminPort] = (await freePorts(2)) as [number, number];
      const gateway = spawnService({
        name,
        dir: 'gateway',
        port,
        adminPort,
        env: { ...env, GATEWAY_PORT: String(port), GATEWAY_ADMIN_PORT: String(adminPort) },
        logDir,
        nodeArgs: extraNodeArgs,
        runtimeRoot,
      });
      extra.push(gateway);
      await waitUntilReady(gateway);
      return gateway;
    },
    shutdown,
  };
}

/** Removes everything this run created; only names carrying the run id are touched. */
async function cleanUp(config: BenchConfig, run: string, say: Say): Promise<void> {
  if (!config.DB_PREFIX.includes(run) || !config.REDIS_KEY_PREFIX.includes(run) || !config.KAFKA_TOPIC_PREFIX.includes(run)) {
    throw new Error(`Refusing to clean up: the prefixes are not this bench run's (${run}).`);
  }
  const results = await Promise.allSettled([
    Promise.all(SUBGRAPH_NAMES.map((name) => dropDatabase(config.MYSQL_URL, databaseName(config.DB_PREFIX, name)))),
    deleteRedisKeys(config),
    deleteKafkaTopics(config),
  ]);
  for (const result of results) {
    if (result.status === 'rejected') say(`Cleanup of run ${run} was incomplete: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`);
  }
}

async function deleteRedisKeys(config: BenchConfig): Promise<void> {
  const redis = connectRedis({ REDIS_URL: config.REDIS_URL, REDIS_KEY_PREFIX: '' }, 'bench-cleanup');
  try {
    await unlinkKeysWithPrefix(redis, config.REDIS_KEY_PREFIX);
  } finally {
    redis.disconnect();
  }
}

async function deleteKafkaTopics(config: BenchConfig): Promise<void> {
  const admin = new Kafka({
    clientId: 'bench-cleanup',
    brokers: config.KAFKA_BROKERS,
    logCreator: kafkaLogCreator(createLogger('bench-cleanup', 'error')),
    retry: { retries: 3 },
  }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const groupIds = groups.map((group) => group.groupId).filter((id) => id.startsWith(config.KAFKA_TOPIC_PREFIX));
    // A group whose offsets went with its topic is removed by the broker itself.
    if (groupIds.length) await admin.deleteGroups(groupIds).catch(() => undefined);
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(config.KAFKA_TOPIC_PREFIX));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}
