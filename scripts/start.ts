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
import { ensureKafka, type KafkaBroker } from './lib/kafka-broker';
import { useLocalReplica } from './lib/mariadb-replica';
import { createAllTopics, migrateAll } from './lib/migrate-all';
import { ROOT, SUBGRAPHS, SUBGRAPH_NAMES, fromRoot } from './lib/paths';
import { preflight } from './lib/preflight';
import { configOrExit, loadDotEnv, messageOf, scriptLog } from './lib/script-env';
import { describeTokens, seedDemoCity, type SeedResult } from './seed';

const usage = `pnpm start [--replica] [--no-seed] [--raw-logs]

Brings the whole platform up on this machine: checks MySQL and Redis, makes sure Kafka runs
(starting a local broker when Java is there), migrates every service's database, creates
the topics, starts the subgraphs and the gateway, seeds the demo city and prints the
URLs. Ctrl-C stops everything it started.

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

function pipeOutput(service: Service, child: ChildProcess, index: number, raw: boolean): void {
  const label = service.name.padEnd(8);
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
  const services: Service[] = [
    ...SUBGRAPHS.map(({ name, folder, portKey, adminPortKey }) => {
      const [port, adminPort] = [config[portKey], config[adminPortKey]];
      return { name, dir: path.join(ROOT, folder), port, adminPort, adminUrl: adminUrl(adminPort) };
    }),
    { name: 'gateway', dir: path.join(ROOT, 'gateway'), port: config.GATEWAY_PORT, adminPort: config.GATEWAY_ADMIN_PORT, adminUrl: adminUrl(config.GATEWAY_ADMIN_PORT) },
  ];
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
  let stopping = false;
  let firstSignalAt = 0;
  const running: Service[] = [];

  async function stopEverything(code: number): Promise<never> {
    if (stopping) return new Promise<never>(() => undefined);
    stopping = true;
    if (running.length) log.info('Stopping the services.');
    // The gateway first, so it stops taking requests before the subgraphs behind it go.
    const gateway = running.filter((service) => service.name === 'gateway');
    await Promise.all(gateway.map(terminate));
    await Promise.all(running.filter((service) => service.name !== 'gateway').map(terminate));
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
    kafka = await ensureKafka({ brokers: config.KAFKA_BROKERS, logger: log });
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
    const start = (service: Service, index: number) => {
      const child = spawn(tsx, ['src/index.ts'], { cwd: service.dir, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      service.child = child;
      service.exited = new Promise((resolve) => {
        // 'close', not 'exit': the last lines of its output are printed by then.
        child.once('close', (code, signal) => {
          const how = signal ? `signal ${signal}` : `exit code ${code}`;
          deaths.set(service.name, how);
          resolve();
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
    const subgraphs = services.filter((service) => service.name !== 'gateway');
    subgraphs.forEach(start);
    await Promise.all(subgraphs.map((service) => waitUntilReady(service, () => deaths.get(service.name))));
    const gateway = services.find((service) => service.name === 'gateway');
    if (!gateway) throw new Error('No gateway service defined.');
    start(gateway, services.length - 1);
    await waitUntilReady(gateway, () => deaths.get(gateway.name));

    let seeded: SeedResult | undefined;
    if (!values['no-seed']) {
      try {
        seeded = await seedDemoCity(`http://127.0.0.1:${config.GATEWAY_PORT}/graphql`, config.JWT_SECRET, scriptLog('seed'));
      } catch (err) {
        log.warn(`The demo city could not be seeded: ${messageOf(err)}. The platform runs without it; try \`pnpm seed\`.`);
      }
    }
    if (stopping) return;
    printBanner(config, services, kafka, seeded);
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
    '  Health (public)',
    ...services.map((service) =>
      `    ${service.name.padEnd(9)} ${service.name === 'gateway' ? publicUrl : `http://localhost:${service.port}`}/healthz`,
    ),
    `  Readiness, metrics (internal admin ports on ${config.ADMIN_HOST})`,
    ...services.map((service) => `    ${service.name.padEnd(9)} ${service.adminUrl}/readyz  ${service.adminUrl}/metrics`),
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

main().catch((err: unknown) => {
  log.error(messageOf(err));
  process.exit(1);
});
