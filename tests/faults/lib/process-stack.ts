import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, kafkaConfig, mysqlConfig, parseConfig, perSubgraph, SUBGRAPHS, subgraphNamed, type SubgraphName } from '@waimai/platform';
import { ensureRunIsolation, freePorts, spawnService, TEST_BUDGETS, waitUntilReady, type ServiceProcess } from '@waimai/testkit';
import { LB_REPLICAS, startHaproxy, type LoadBalancerLayout, type RunningHaproxy } from '../../../scripts/lib/haproxy';
import { createAllTopics, migrateAll } from '../../../scripts/lib/migrate-all';

/** The platform's timers in seconds instead of minutes, so that a short fault run sees every one fire. */
export const FAULT_TIMERS: Readonly<Record<string, string>> = {
  OFFER_SECONDS: '15',
  DELIVERY_BASE_MINUTES: '0.5',
  DELIVERY_METERS_PER_MINUTE: '1000000',
  CLOSE_AFTER_SECONDS: '2',
  PAYMENT_WINDOW_SECONDS: '900',
  SCHEDULER_INTERVAL_MS: '500',
  RIDER_LOCATION_TTL_SECONDS: '3600',
  DISPATCH_EMPTY_ROUND_RETRY_SECONDS: '2',
  DISPATCH_GIVE_UP_SECONDS: '120',
  // Holds left by a createOrder that died are released within seconds, not minutes.
  STOCK_HOLD_ORPHAN_SECONDS: '5',
  STOCK_HOLD_SWEEP_INTERVAL_MS: '1000',
  LOG_LEVEL: 'warn',
};

/** Every subgraph of the registry, then the gateway: the processes the suite runs and kills. */
export type ServiceName = SubgraphName | 'gateway';
export const SERVICE_NAMES: readonly ServiceName[] = [...SUBGRAPHS.map((subgraph) => subgraph.name), 'gateway'];

export interface ProcessStackOptions {
  /**
   * Replicas of every service behind HAProxy (deploy/haproxy/haproxy.cfg): clients reach the
   * gateways through its public port, gateways and services reach the subgraphs through its
   * internal ones. 1 (the default) runs one process per service and no load balancer.
   */
  replicas?: 1 | typeof LB_REPLICAS;
}

/**
 * The platform as production runs it, every service its own OS process, on this test run's
 * databases, keys and topics (a tag of its own inside the run's, removed by the run's
 * teardown), so that a service can be killed with SIGKILL and started again on its ports.
 * Replicas are numbered from 1; with one replica per service, replica 1 is the service.
 */
export interface ProcessStack {
  env: Record<string, string>;
  /** Where clients connect: the gateway, or HAProxy in front of the gateways. */
  gatewayUrl: string;
  graphqlUrl: string;
  wsUrl: string;
  logDir: string;
  replicas: number;
  /** The load balancer, when there are replicas. */
  loadBalancer?: RunningHaproxy;
  service(name: ServiceName, replica?: number): ServiceProcess;
  /** SIGKILL, then (unless `restart` is false) the same process started again at once. */
  crash(name: ServiceName, restart?: boolean, replica?: number): Promise<void>;
  /**
   * Waits until every replica of `name` but `replica` is in the load balancer's rotation, so
   * that killing `replica` never takes a service's last one (no-op with one replica).
   */
  untilOtherReplicasUp(name: ServiceName, replica: number, timeoutMs?: number): Promise<void>;
  /** Starts every replica of a service that is down, and waits until all are ready. */
  revive(name: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

export async function startProcessStack(overrides: Record<string, string>, options: ProcessStackOptions = {}): Promise<ProcessStack> {
  ensureRunIsolation();
  const replicas = options.replicas ?? 1;
  const clustered = replicas > 1;
  const tag = `f${randomBytes(3).toString('hex')}`;
  // Two ports per replica (public, admin); behind a load balancer, also its public, admin and one per subgraph.
  const lbPortCount = clustered ? 2 + SUBGRAPHS.length : 0;
  const ports = await freePorts(2 * SERVICE_NAMES.length * replicas + lbPortCount);
  const slot = (name: ServiceName, replica: number) => (SERVICE_NAMES.indexOf(name) * replicas + replica - 1) * 2;
  const replicaPorts = (name: ServiceName, replica: number) => ({
    port: ports[slot(name, replica)] as number,
    adminPort: ports[slot(name, replica) + 1] as number,
  });
  const lbPorts = ports.slice(2 * SERVICE_NAMES.length * replicas);
  const layout: LoadBalancerLayout | undefined = clustered
    ? {
        publicPort: lbPorts[0] as number,
        bindAddress: '127.0.0.1',
        adminPort: lbPorts[1] as number,
        subgraphPorts: perSubgraph((subgraph) => lbPorts[2 + SUBGRAPHS.indexOf(subgraph)] as number),
        replicas: {
          ...perSubgraph(({ name }) => Array.from({ length: replicas }, (_, index) => replicaPorts(name, index + 1))),
          gateway: Array.from({ length: replicas }, (_, index) => replicaPorts('gateway', index + 1)),
        },
      }
    : undefined;
  // Where the gateway and every service reach a subgraph, and clients the gateway.
  const entry = (name: ServiceName) => (layout ? (name === 'gateway' ? layout.publicPort : layout.subgraphPorts[name]) : replicaPorts(name, 1).port);

  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, TEST_BUDGETS, {
    DB_PREFIX: `${process.env.DB_PREFIX}_${tag}`,
    REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}${tag}:`,
    KAFKA_TOPIC_PREFIX: `${process.env.KAFKA_TOPIC_PREFIX}${tag}-`,
    PUBLIC_URL: `http://127.0.0.1:${entry('gateway')}`,
    ADMIN_HOST: '127.0.0.1',
    // Behind HAProxy, the client's address is the last X-Forwarded-For hop.
    ...(clustered ? { TRUST_PROXY_HOPS: '1' } : {}),
    ...overrides,
  });
  const envOf = (name: ServiceName, replica: number) => {
    const own = replicaPorts(name, replica);
    const result = { ...env };
    result.GATEWAY_PORT = String(name === 'gateway' ? own.port : entry('gateway'));
    result.GATEWAY_ADMIN_PORT = String(name === 'gateway' ? own.adminPort : replicaPorts('gateway', 1).adminPort);
    for (const { name: subgraph, portKey, adminPortKey, urlKey } of SUBGRAPHS) {
      const ports = subgraph === name ? own : replicaPorts(subgraph, 1);
      result[portKey] = String(ports.port);
      result[adminPortKey] = String(ports.adminPort);
      result[urlKey] = `http://127.0.0.1:${entry(subgraph)}`;
    }
    return result;
  };
  Object.assign(env, envOf('gateway', 1), { GATEWAY_PORT: String(entry('gateway')) });

  await Promise.all([
    migrateAll(parseConfig(mysqlConfig, env)),
    createAllTopics(parseConfig(kafkaConfig, env), createLogger('faults', 'warn')),
  ]);

  const logDir = path.join(os.tmpdir(), `waimai-faults-${tag}`);
  mkdirSync(logDir, { recursive: true });
  const key = (name: ServiceName, replica: number) => `${name}#${replica}`;
  const running = new Map<string, ServiceProcess>();
  const replicaNumbers = Array.from({ length: replicas }, (_, index) => index + 1);
  const spawn = (name: ServiceName, replica: number) => {
    const { port, adminPort } = replicaPorts(name, replica);
    const started = spawnService({
      name: clustered ? `${name}-${replica}` : name,
      dir: name === 'gateway' ? 'gateway' : subgraphNamed(name).folder,
      port,
      adminPort,
      env: envOf(name, replica),
      logDir,
    });
    running.set(key(name, replica), started);
    return started;
  };
  let loadBalancer: RunningHaproxy | undefined;
  const stopAll = async () => {
    // Clients first, then the gateways, then what they call.
    await loadBalancer?.stop();
    await Promise.all(replicaNumbers.map((replica) => running.get(key('gateway', replica))?.stop()));
    await Promise.all([...running.values()].map((service) => service.stop()));
  };

  try {
    if (layout) loadBalancer = await startHaproxy(layout, path.join(logDir, 'haproxy.log'));
    const subgraphs = SERVICE_NAMES.filter((name) => name !== 'gateway');
    // One replica of each at a time: the first wave compiles every module cold, the next ones
    // start from tsx's cache instead of ten processes compiling at once on two cores.
    for (const replica of replicaNumbers) await Promise.all(subgraphs.map((name) => waitUntilReady(spawn(name, replica))));
    await Promise.all(replicaNumbers.map((replica) => waitUntilReady(spawn('gateway', replica))));
    // Every replica in rotation before the first client request.
    await loadBalancer?.waitUntilAllUp();
  } catch (err) {
    await stopAll();
    throw err;
  }

  const gatewayUrl = env.PUBLIC_URL as string;
  return {
    env,
    gatewayUrl,
    graphqlUrl: `${gatewayUrl}/graphql`,
    wsUrl: `${gatewayUrl.replace(/^http/, 'ws')}/graphql`,
    logDir,
    replicas,
    loadBalancer,
    service(name, replica = 1) {
      const service = running.get(key(name, replica));
      if (!service) throw new Error(`${name} replica ${replica} was never started.`);
      return service;
    },
    async crash(name, restart = true, replica = 1) {
      await running.get(key(name, replica))?.kill();
      if (restart) spawn(name, replica);
    },
    // 300 s: a restarted gateway joins Kafka and passes /readyz twice; on the shared 2-core
    // machine under other runs' load that took over 120 s.
    async untilOtherReplicasUp(name, replica, timeoutMs = 300_000) {
      if (!loadBalancer) return;
      const backend = name === 'gateway' ? 'gateways' : name;
      const others = replicaNumbers.filter((each) => each !== replica).map((each) => `${backend}/${name}-${each}`);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await loadBalancer.serverStates().catch(() => ({}) as Record<string, string>);
        if (others.every((server) => states[server] === 'UP')) return;
        if (Date.now() > deadline) throw new Error(`${others.join(', ')} not back in rotation within ${timeoutMs / 1000} s: ${JSON.stringify(states)}`);
        await sleep(250);
      }
    },
    async revive(name) {
      await Promise.all(
        replicaNumbers.map(async (replica) => {
          const current = running.get(key(name, replica));
          if (!current || current.exitReason() !== undefined) await waitUntilReady(spawn(name, replica));
          else await waitUntilReady(current);
        }),
      );
    },
    stop: stopAll,
  };
}
