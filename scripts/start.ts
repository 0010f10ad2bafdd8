import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  authConfig,
  createLogger,
  databaseName,
  kafkaConfig,
  localUrl,
  mysqlConfig,
  redisConfig,
  runtimeConfig,
  servicePortsConfig,
} from '@waimai/platform';
import { defaultClusterLayout, haproxyBinary, HaproxyMissingError, startHaproxy, type LoadBalancerLayout, type RunningHaproxy } from './lib/haproxy';
import { ensureKafka, type KafkaBroker } from './lib/kafka-broker';
import { useLocalReplica } from './lib/mariadb-replica';
import { ensureStartCluster } from './lib/kafka-cluster';
import { createAllTopics, migrateAll } from './lib/migrate-all';
import { ROOT, SUBGRAPHS, SUBGRAPH_NAMES, fromRoot } from './lib/paths';
import { preflight } from './lib/preflight';
import { configOrExit, loadDotEnv, messageOf, scriptLog } from './lib/script-env';
import { describeTokens, seedDemoCity, type SeedResult } from './seed';

const usage = `pnpm start [--cluster] [--replica] [--no-seed] [--raw-logs]

Brings the whole platform up on this machine: checks MySQL and Redis, makes sure Kafka runs
(starting a local broker when Java is there), migrates every service's database, creates
the topics, starts the subgraphs and the gateway, seeds the demo city and prints the
URLs. Ctrl-C stops everything it started.

  --cluster    two replicas of the gateway and of every subgraph behind HAProxy
               (deploy/haproxy/haproxy.cfg; docs/load-balancer.md): HAProxy takes the usual
               ports (4000 public, 4001..4005 for the subgraphs), replica i of a service
               listens on its usual port + 100 * i (admin port + 100 * i)
  --replica    a MariaDB primary and a read replica of it, both started here under
               .cache/mariadb-replica/ on free ports (the system MariaDB is not used):
               stale-ok reads go to the replica (docs/replica.md)
  --no-seed    do not seed the demo city
  --raw-logs   print the services' pino JSON lines as they are`;

const log = scriptLog('start');
// 10 s: as long as each service's own SHUTDOWN_TIMEOUT_MS default to drain.
const KILL_AFTER_MS = 10_000;
// 90 s: the first tsx compile plus Kafka consumer groups joining, on a slow machine.
const READY_TIMEOUT_MS = 90_000;

interface Service {
  name: string;
  /** The package folder: the service runs there, as `pnpm --filter … start` would run it. */
  dir: string;
  port: number;
  /** Its internal admin port: /readyz, /metrics. */
  adminPort: number;
  /** Where this script reaches that port. */
  adminUrl: string;
  /** Its environment, when it differs from this script's (a replica's own ports). */
  env?: NodeJS.ProcessEnv;
  child?: ChildProcess;
  exited?: Promise<void>;
}

const colors = ['\x1b[36m', '\x1b[33m', '\x1b[35m', '\x1b[32m', '\x1b[34m'];
const useColor = process.stdout.isTTY === true;
const levelNames: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const quietFields = new Set(['level', 'time', 'pid', 'hostname', 'name', 'service', 'msg']);

/** One pino JSON line as `HH:MM:SS LEVEL message {fields}`; anything else as it is. */
function readable(line: string): string {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry.level !== 'number' || typeof entry.msg !== 'string') return line;
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 19) : '';
  const fields = Object.fromEntries(Object.entries(entry).filter(([key]) => !quietFields.has(key) && key !== 'err'));
  const err = entry.err as { stack?: string } | undefined;
  const extra = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
  return `${time} ${levelNames[entry.level] ?? entry.level} ${entry.msg}${extra}${err?.stack ? `\n${err.stack}` : ''}`;
}

// Widened to the longest process name (`operations-2` with --cluster) so the columns line up.
let labelWidth = 8;

function pipeOutput(service: Pick<Service, 'name'>, child: ChildProcess, index: number, raw: boolean): void {
  const label = service.name.padEnd(labelWidth);
  const prefix = useColor ? `${colors[index % colors.length]}${label}\x1b[0m | ` : `${label} | `;
  for (const [stream, target] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    if (!stream) continue;
    readline.createInterface({ input: stream }).on('line', (line) => {
      const text = raw ? line : readable(line);
      target.write(`${text.split('\n').map((part) => `${prefix}${part}`).join('\n')}\n`);
    });
  }
}

async function waitUntilReady(service: Service, isDead: () => string | undefined): Promise<void> {
  const url = `${service.adminUrl}/readyz`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const dead = isDead();
    if (dead) throw new Error(`${service.name} exited while starting (${dead}); its output is above.`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`;
    } catch (err) {
      last = messageOf(err);
    }
    await sleep(250);
  }
  throw new Error(`${service.name} was not ready at ${url} within ${READY_TIMEOUT_MS / 1000} s (last answer: ${last}).`);
}

async function terminate(service: Service): Promise<void> {
  const { child, exited } = service;
  if (!child || !exited || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    log.warn(`${service.name} did not stop within ${KILL_AFTER_MS / 1000} s of SIGTERM; killing it.`);
    child.kill('SIGKILL');
  }, KILL_AFTER_MS);
  await exited;
  clearTimeout(timer);
}

async function main(): Promise<void> {
  loadDotEnv();
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      cluster: { type: 'boolean', default: false },
      replica: { type: 'boolean', default: false },
      'no-seed': { type: 'boolean', default: false },
      'raw-logs': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const config = configOrExit(
    runtimeConfig
      .extend(mysqlConfig.shape)
      .extend(redisConfig.shape)
      .extend(kafkaConfig.shape)
      .extend(authConfig.shape)
      .extend(servicePortsConfig.shape),
    log,
  );
  // Before anything copies the environment: every service inherits the pair's URLs.
  if (values.replica) await useLocalReplica(config, log);

  const adminUrl = (port: number) => localUrl(config.ADMIN_HOST, port);
  const single: Service[] = [
    ...SUBGRAPHS.map(({ name, folder, portKey, adminPortKey }) => {
      const [port, adminPort] = [config[portKey], config[adminPortKey]];
      return { name, dir: path.join(ROOT, folder), port, adminPort, adminUrl: adminUrl(adminPort) };
    }),
    { name: 'gateway', dir: path.join(ROOT, 'gateway'), port: config.GATEWAY_PORT, adminPort: config.GATEWAY_ADMIN_PORT, adminUrl: adminUrl(config.GATEWAY_ADMIN_PORT) },
  ];
  const layout = values.cluster ? clusterLayout(config) : undefined;
  const services = layout ? clusterReplicas(single, layout, config) : single;
  labelWidth = Math.max(8, ...services.map((service) => service.name.length), layout ? 'haproxy'.length : 0);
  if (layout) {
    try {
      haproxyBinary();
    } catch (err) {
      if (!(err instanceof HaproxyMissingError)) throw err;
      log.error(`${err.message} \`pnpm start\` without --cluster runs one process per service and needs no load balancer.`);
      process.exit(1);
    }
  }
  const unknownAdminPort = services.find((service) => service.adminPort === 0);
  if (unknownAdminPort) {
    log.error(`${unknownAdminPort.name.toUpperCase()}_ADMIN_PORT is 0: pnpm start waits for readiness on each admin port, so it needs fixed ones.`);
    process.exit(1);
  }
  const missing = services.filter((service) => !existsSync(path.join(service.dir, 'src', 'index.ts')));
  if (missing.length) {
    log.error(
      `Not written yet: ${missing.map((service) => fromRoot(path.join(service.dir, 'src', 'index.ts'))).join(', ')}. ` +
        'Every service needs its entry point before `pnpm start` can run the platform.',
    );
    process.exit(1);
  }

  const problems = await preflight(config);
  if (problems.length) {
    for (const problem of problems) log.error(problem);
    process.exit(1);
  }

  let kafka: KafkaBroker | undefined;
  let haproxy: RunningHaproxy | undefined;
  let stopping = false;
  let firstSignalAt = 0;
  const running: Service[] = [];

  async function stopEverything(code: number): Promise<never> {
    if (stopping) return new Promise<never>(() => undefined);
    stopping = true;
    if (running.length) log.info('Stopping the services.');
    // The load balancer first, then the gateways, so requests stop before the subgraphs behind them go.
    await haproxy?.stop();
    const gateway = running.filter((service) => isGateway(service));
    await Promise.all(gateway.map(terminate));
    await Promise.all(running.filter((service) => !isGateway(service)).map(terminate));
    await kafka?.stop();
    process.exit(code);
  }

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // The same Ctrl-C can arrive twice (from the terminal and relayed by a wrapper): only a
      // second press, a moment later, means "now".
      if (firstSignalAt === 0 || Date.now() - firstSignalAt < 1_000) return;
      log.warn(`${signal} again: killing the services now.`);
      for (const service of running) service.child?.kill('SIGKILL');
      process.exit(130);
    }
    firstSignalAt = Date.now();
    log.info(`${signal}: shutting down.`);
    void stopEverything(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  try {
    kafka = layout && !process.env.KAFKA_BROKERS ? await kafkaClusterFor(config, services) : await ensureKafka({ brokers: config.KAFKA_BROKERS, logger: log });
    kafka.process?.once('exit', (code, signal) => {
      if (stopping) return;
      log.error(`Kafka exited by itself (${signal ?? `code ${code}`}); see .cache/kafka/broker.log. Stopping everything.`);
      void stopEverything(1);
    });

    const [report, topics] = await Promise.all([
      migrateAll(config),
      createAllTopics(config, createLogger('start', config.LOG_LEVEL)),
    ]);
    log.info(`Databases migrated: ${report.migrated.join(', ') || 'none'}${
      report.withoutMigrations.length ? ` (no migrations: ${report.withoutMigrations.join(', ')})` : ''
    }. Topics: ${topics.join(', ')}.`);

    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    const deaths = new Map<string, string>();
    const startedAt = new Map<string, number>();
    const start = (service: Service, index: number) => {
      const child = spawn(tsx, ['src/index.ts'], { cwd: service.dir, env: service.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      startedAt.set(service.name, Date.now());
      deaths.delete(service.name);
      service.child = child;
      service.exited = new Promise((resolve) => {
        // 'close', not 'exit': the last lines of its output are printed by then.
        child.once('close', (code, signal) => {
          const how = signal ? `signal ${signal}` : `exit code ${code}`;
          deaths.set(service.name, how);
          resolve();
          // In a cluster the other replica carries on while this one starts again; one that
          // dies within a minute of starting is broken, not unlucky, and stops everything.
          if (!stopping && layout && Date.now() - (startedAt.get(service.name) ?? 0) > RESTART_AFTER_CRASH_MS) {
            log.error(`${service.name} exited unexpectedly (${how}); the other replica carries on behind HAProxy. Starting it again.`);
            const at = running.indexOf(service);
            if (at >= 0) running.splice(at, 1);
            start(service, index);
            return;
          }
          if (!stopping) {
            log.error(`${service.name} exited unexpectedly (${how}); stopping everything.`);
            void stopEverything(1);
          }
        });
      });
      running.push(service);
      pipeOutput(service, child, index, values['raw-logs']);
    };

    // Subgraphs first: the gateway composes nothing at runtime, but its readiness checks them.
    // With --cluster, one replica of each at a time (a wave per replica number): the first wave
    // compiles every module cold, the next ones start from tsx's cache, and two cores are not
    // asked to start ten processes at once.
    const subgraphs = services.filter((service) => !isGateway(service));
    const waves = layout ? layout.replicas.gateway.map((_, replica) => subgraphs.filter((service) => service.name.endsWith(`-${replica + 1}`))) : [subgraphs];
    for (const wave of waves) {
      wave.forEach((service) => start(service, services.indexOf(service)));
      await Promise.all(wave.map((service) => waitUntilReady(service, () => deaths.get(service.name))));
    }
    if (layout) {
      // Before the gateways, which reach the subgraphs through it (their readiness asks them).
      haproxy = await startHaproxy(layout, null);
      pipeOutput({ name: 'haproxy' }, haproxy.process, services.length, values['raw-logs']);
      haproxy.process.once('exit', (code, signal) => {
        if (stopping) return;
        log.error(`HAProxy exited by itself (${signal ?? `code ${code}`}); its output is above. Stopping everything.`);
        void stopEverything(1);
      });
    }
    const gateways = services.filter(isGateway);
    if (gateways.length === 0) throw new Error('No gateway service defined.');
    gateways.forEach((gateway) => start(gateway, services.indexOf(gateway)));
    await Promise.all(gateways.map((gateway) => waitUntilReady(gateway, () => deaths.get(gateway.name))));
    // Every replica in rotation (two health checks in a row) before the first request through it.
    await haproxy?.waitUntilAllUp();

    let seeded: SeedResult | undefined;
    if (!values['no-seed']) {
      try {
        seeded = await seedDemoCity(`http://127.0.0.1:${config.GATEWAY_PORT}/graphql`, config.JWT_SECRET, scriptLog('seed'));
      } catch (err) {
        log.warn(`The demo city could not be seeded: ${messageOf(err)}. The platform runs without it; try \`pnpm seed\`.`);
      }
    }
    if (stopping) return;
    printBanner(config, services, kafka, seeded, haproxy);
  } catch (err) {
    log.error(messageOf(err));
    await stopEverything(1);
  }
}

function printBanner(
  config: { PUBLIC_URL: string; DB_PREFIX: string; REDIS_URL: string; KAFKA_BROKERS: string[]; KAFKA_TOPIC_PREFIX: string; ADMIN_HOST: string },
  services: Service[],
  kafka: KafkaBroker,
  seeded: SeedResult | undefined,
  haproxy?: RunningHaproxy,
): void {
  const publicUrl = config.PUBLIC_URL.replace(/\/$/, '');
  const redis = new URL(config.REDIS_URL);
  const lines = [
    '',
    'waimai is up.',
    '',
    `  GraphQL + GraphiQL      ${publicUrl}/graphql`,
    `  Subscriptions (ws)      ${publicUrl.replace(/^http/, 'ws')}/graphql`,
    `  Payment webhook         ${publicUrl}/webhooks/payments/sandbox`,
    `  Operations console      ${publicUrl}/console  (an OPERATOR or ADMIN token; \`pnpm simulate\` makes the city live)`,
    ...(haproxy
      ? [
          `  Load balancer           HAProxy on ${publicUrl} (gateways) and the subgraphs' usual ports; deploy/haproxy/haproxy.cfg`,
          `    stats, metrics        ${haproxy.adminUrl}/stats  ${haproxy.adminUrl}/metrics`,
        ]
      : []),
    '  Health (public)',
    ...services.map((service) =>
      `    ${service.name.padEnd(labelWidth + 1)} ${service.name === 'gateway' ? publicUrl : `http://localhost:${service.port}`}/healthz`,
    ),
    `  Readiness, metrics (internal admin ports on ${config.ADMIN_HOST})`,
    ...services.map((service) => `    ${service.name.padEnd(labelWidth + 1)} ${service.adminUrl}/readyz  ${service.adminUrl}/metrics`),
    `  MySQL databases         ${SUBGRAPH_NAMES.map((name) => databaseName(config.DB_PREFIX, name)).join(', ')}`,
    `  Redis                   ${redis.hostname}:${redis.port || 6379}`,
    `  Kafka                   ${config.KAFKA_BROKERS.join(',')} ${kafka.started ? '(started here; stops with Ctrl-C)' : '(already running)'}`,
    '',
  ];
  if (seeded) {
    lines.push(
      `Demo city: ${seeded.merchants.map((merchant) => merchant.name).join('、')} around People's Square (31.2304, 121.4737)` +
        `${'online' in seeded.riders ? `, ${seeded.riders.online} riders online` : ', no riders'}.`,
      'Demo tokens (12 h):',
      describeTokens(seeded.tokens),
      '',
    );
  }
  lines.push(
    'A token of your own:',
    '  pnpm -s token --sub alice --roles CUSTOMER',
    `  curl -s ${publicUrl}/graphql -H 'content-type: application/json' \\`,
    '    -H "authorization: Bearer $(pnpm -s token --sub alice --roles CUSTOMER)" \\',
    `    -d '{"query":"{ myOrders(first: 5) { edges { node { id status } } } }"}'`,
    '',
    'Ctrl-C stops everything.',
    '',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * --cluster without KAFKA_BROKERS: the local 3-node Kafka cluster (scripts/lib/kafka-cluster.ts,
 * topics on all three brokers), already running or started now; every process is told its
 * brokers and the replication factor.
 */
async function kafkaClusterFor(config: { KAFKA_BROKERS: string[]; KAFKA_REPLICATION_FACTOR: number }, services: Service[]): Promise<KafkaBroker> {
  const cluster = await ensureStartCluster(log);
  config.KAFKA_BROKERS = cluster.brokers;
  config.KAFKA_REPLICATION_FACTOR = Math.min(3, cluster.brokers.length);
  const kafkaEnv = { KAFKA_BROKERS: cluster.brokers.join(','), KAFKA_REPLICATION_FACTOR: String(config.KAFKA_REPLICATION_FACTOR) };
  for (const service of services) service.env = { ...(service.env ?? process.env), ...kafkaEnv };
  return { brokers: cluster.brokers, started: cluster.started, managed: cluster.started, stop: () => cluster.stop() };
}

// 60 s: a replica that dies sooner after starting is crash-looping; --cluster stops rather than restart it forever.
const RESTART_AFTER_CRASH_MS = 60_000;

const isGateway = (service: Pick<Service, 'dir'>) => path.basename(service.dir) === 'gateway';

type PortsConfig = { GATEWAY_PORT: number; GATEWAY_ADMIN_PORT: number } & { [K in (typeof SUBGRAPHS)[number]['portKey' | 'adminPortKey']]: number };

/** --cluster's ports: HAProxy on the usual ones, replica i on the usual + 100 * i (haproxy.cfg's defaults). */
function clusterLayout(config: PortsConfig): LoadBalancerLayout {
  const subgraphs = Object.fromEntries(
    SUBGRAPHS.map(({ name, portKey, adminPortKey }) => [name, { port: config[portKey], adminPort: config[adminPortKey] }]),
  ) as Parameters<typeof defaultClusterLayout>[0]['subgraphs'];
  return defaultClusterLayout({ gatewayPort: config.GATEWAY_PORT, gatewayAdminPort: config.GATEWAY_ADMIN_PORT, subgraphs });
}

/**
 * Each service of `single` as its replicas: `products-1`, `products-2`, ... on the layout's
 * ports, every subgraph reached through HAProxy (its <NAME>_URL), the gateways trusting
 * HAProxy's X-Forwarded-For.
 */
function clusterReplicas(single: Service[], layout: LoadBalancerLayout, config: { ADMIN_HOST: string }): Service[] {
  const shared: NodeJS.ProcessEnv = { ...process.env, TRUST_PROXY_HOPS: '1' };
  for (const { name, urlKey } of SUBGRAPHS) shared[urlKey] = `http://127.0.0.1:${layout.subgraphPorts[name]}`;
  return single.flatMap((service) => {
    const subgraph = SUBGRAPHS.find((each) => each.name === service.name);
    const [portKey, adminPortKey] = subgraph ? [subgraph.portKey, subgraph.adminPortKey] : ['GATEWAY_PORT', 'GATEWAY_ADMIN_PORT'];
    return layout.replicas[subgraph ? subgraph.name : 'gateway'].map(({ port, adminPort }, index) => ({
      ...service,
      name: `${service.name}-${index + 1}`,
      port,
      adminPort,
      adminUrl: localUrl(config.ADMIN_HOST, adminPort),
      env: { ...shared, [portKey]: String(port), [adminPortKey]: String(adminPort) },
    }));
  });
}

main().catch((err: unknown) => {
  log.error(messageOf(err));
  process.exit(1);
});
