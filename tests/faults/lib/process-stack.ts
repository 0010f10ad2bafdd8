import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, kafkaConfig, mysqlConfig, parseConfig, SUBGRAPHS, subgraphNamed, type SubgraphName } from '@waimai/platform';
import { ensureRunIsolation, freePorts, spawnService, TEST_BUDGETS, waitUntilReady, type ServiceProcess } from '@waimai/testkit';
import { createAllTopics, migrateAll } from '../../../scripts/lib/migrate-all';

/** Every subgraph of the registry, then the gateway: the processes the suite runs and kills. */
export type ServiceName = SubgraphName | 'gateway';
export const SERVICE_NAMES: readonly ServiceName[] = [...SUBGRAPHS.map((subgraph) => subgraph.name), 'gateway'];

/**
 * The platform as production runs it, every service its own OS process, on this test run's
 * databases, keys and topics (a tag of its own inside the run's, removed by the run's
 * teardown), so that a service can be killed with SIGKILL and started again on its ports.
 */
export interface ProcessStack {
  env: Record<string, string>;
  gatewayUrl: string;
  graphqlUrl: string;
  logDir: string;
  service(name: ServiceName): ServiceProcess;
  /** SIGKILL, then (unless `restart` is false) the same process started again at once. */
  crash(name: ServiceName, restart?: boolean): Promise<void>;
  /** Starts a service that is down, and waits until it is ready. */
  revive(name: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

export async function startProcessStack(overrides: Record<string, string>): Promise<ProcessStack> {
  ensureRunIsolation();
  const tag = `f${randomBytes(3).toString('hex')}`;
  const ports = await freePorts(2 * SERVICE_NAMES.length);
  const port = (name: ServiceName) => ports[SERVICE_NAMES.indexOf(name)] as number;
  const adminPort = (name: ServiceName) => ports[SERVICE_NAMES.length + SERVICE_NAMES.indexOf(name)] as number;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, TEST_BUDGETS, {
    DB_PREFIX: `${process.env.DB_PREFIX}_${tag}`,
    REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}${tag}:`,
    KAFKA_TOPIC_PREFIX: `${process.env.KAFKA_TOPIC_PREFIX}${tag}-`,
    PUBLIC_URL: `http://127.0.0.1:${port('gateway')}`,
    ADMIN_HOST: '127.0.0.1',
    ...overrides,
  });
  env.GATEWAY_PORT = String(port('gateway'));
  env.GATEWAY_ADMIN_PORT = String(adminPort('gateway'));
  for (const { name, portKey, adminPortKey, urlKey } of SUBGRAPHS) {
    env[portKey] = String(port(name));
    env[adminPortKey] = String(adminPort(name));
    env[urlKey] = `http://127.0.0.1:${port(name)}`;
  }

  await Promise.all([
    migrateAll(parseConfig(mysqlConfig, env)),
    createAllTopics(parseConfig(kafkaConfig, env), createLogger('faults', 'warn')),
  ]);

  const logDir = path.join(os.tmpdir(), `waimai-faults-${tag}`);
  mkdirSync(logDir, { recursive: true });
  const running = new Map<ServiceName, ServiceProcess>();
  const spawn = (name: ServiceName) => {
    const started = spawnService({
      name,
      dir: name === 'gateway' ? 'gateway' : subgraphNamed(name).folder,
      port: port(name),
      adminPort: adminPort(name),
      env,
      logDir,
    });
    running.set(name, started);
    return started;
  };
  const stopAll = async () => {
    await running.get('gateway')?.stop();
    await Promise.all([...running.values()].map((service) => service.stop()));
  };

  try {
    await Promise.all(SERVICE_NAMES.filter((name) => name !== 'gateway').map((name) => waitUntilReady(spawn(name))));
    await waitUntilReady(spawn('gateway'));
  } catch (err) {
    await stopAll();
    throw err;
  }

  return {
    env,
    gatewayUrl: env.PUBLIC_URL as string,
    graphqlUrl: `${env.PUBLIC_URL}/graphql`,
    logDir,
    service(name) {
      const service = running.get(name);
      if (!service) throw new Error(`${name} was never started.`);
      return service;
    },
    async crash(name, restart = true) {
      await running.get(name)?.kill();
      if (restart) spawn(name);
    },
    async revive(name) {
      const current = running.get(name);
      if (!current || current.exitReason() !== undefined) await waitUntilReady(spawn(name));
      else await waitUntilReady(current);
    },
    stop: stopAll,
  };
}
