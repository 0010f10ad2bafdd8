import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { freePorts, spawnService, type ServiceProcess } from '@waimai/testkit';

/**
 * Kill -9 and immediate restart of one waimai process, timed: how long until it answers HTTP,
 * until its consumer group processes a new event again, until /readyz answers 200.
 * Processes are testkit's (spawnService), so the fault suite's and these are started alike.
 */

export type RecoveryTargetName = 'orders' | 'riders' | 'payments' | 'products' | 'gateway';

export interface RecoveryTarget {
  name: RecoveryTargetName;
  /** Package folder whose src/index.ts is the process. */
  dir: string;
  /** Prefix of its port variables: ORDERS_PORT, ORDERS_ADMIN_PORT. */
  envName: string;
  /** A subgraph's consumer group (logical id, before KAFKA_TOPIC_PREFIX) and the topic it reads; the gateway's groups are per process. */
  consumer?: { groupId: string; topic: string };
}

export const RECOVERY_TARGETS: Readonly<Record<RecoveryTargetName, RecoveryTarget>> = {
  orders: { name: 'orders', dir: 'subgraphs/orders', envName: 'ORDERS', consumer: { groupId: 'orders.payments', topic: 'payments.events' } },
  riders: { name: 'riders', dir: 'subgraphs/riders', envName: 'RIDERS', consumer: { groupId: 'riders.dispatch', topic: 'orders.events' } },
  payments: { name: 'payments', dir: 'subgraphs/payments', envName: 'PAYMENTS', consumer: { groupId: 'payments', topic: 'orders.events' } },
  products: { name: 'products', dir: 'subgraphs/products', envName: 'PRODUCTS', consumer: { groupId: 'products.stock', topic: 'orders.events' } },
  gateway: { name: 'gateway', dir: 'gateway', envName: 'GATEWAY' },
};

/**
 * The target as its own process (testkit's spawnService: `node --import tsx src/index.ts`, so a
 * kill reaches the service itself), on `ports`, logging to `<logDir>/<name>.log`.
 */
export function startProcess(target: RecoveryTarget, env: NodeJS.ProcessEnv, ports: readonly number[], logDir: string): ServiceProcess {
  const [port = 0, adminPort = 0] = ports;
  const serviceEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) serviceEnv[key] = value;
  Object.assign(serviceEnv, { [`${target.envName}_PORT`]: String(port), [`${target.envName}_ADMIN_PORT`]: String(adminPort), ADMIN_HOST: '127.0.0.1' });
  return spawnService({ name: target.name, dir: target.dir, port, adminPort, env: serviceEnv, logDir });
}

export interface ReadyzAnswer {
  status: number;
  checks: Record<string, string>;
}

async function getJson(url: string): Promise<ReadyzAnswer | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json().catch(() => ({}))) as { checks?: Record<string, string> };
    return { status: response.status, checks: body.checks ?? {} };
  } catch {
    return undefined;
  }
}

/** Polls `condition` every 50 ms until it holds; the time it took, or throws after `timeoutMs`. */
export async function timeUntil(what: string, condition: () => Promise<boolean>, timeoutMs: number, from = Date.now()): Promise<number> {
  const deadline = from + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return Date.now() - from;
    await sleep(50);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
}

/** Publishes events the services ignore (a type no consumer handles) and reads consumer groups' committed offsets. */
export class ConsumerProbe {
  private readonly kafka: Kafka;
  private producer?: Producer;
  private admin?: Admin;

  constructor(
    brokers: string[],
    private readonly topicPrefix: string,
  ) {
    this.kafka = new Kafka({ clientId: 'recovery-probe', brokers, logLevel: logLevel.NOTHING });
  }

  async connect(): Promise<void> {
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
    this.admin = this.kafka.admin();
    await Promise.all([this.producer.connect(), this.admin.connect()]);
  }

  get kafkaAdmin(): Admin {
    if (!this.admin) throw new Error('ConsumerProbe.connect() first.');
    return this.admin;
  }

  /** One probe event on `topic`; where it landed. */
  async publish(topic: string): Promise<{ partition: number; offset: string }> {
    if (!this.producer) throw new Error('ConsumerProbe.connect() first.');
    const aggregateId = `probe-${randomBytes(6).toString('hex')}`;
    const event = { id: `probe-${randomBytes(8).toString('hex')}`, type: 'RecoveryProbe', version: 1, aggregateId, occurredAt: new Date().toISOString(), data: {} };
    const [meta] = await this.producer.send({ topic: `${this.topicPrefix}${topic}`, acks: -1, messages: [{ key: aggregateId, value: JSON.stringify(event) }] });
    if (!meta || meta.baseOffset === undefined) throw new Error('The probe was not acknowledged.');
    return { partition: meta.partition, offset: meta.baseOffset };
  }

  /** Whether the group has committed past `at` (processed it). */
  async processed(groupId: string, topic: string, at: { partition: number; offset: string }): Promise<boolean> {
    const [offsets] = await this.kafkaAdmin.fetchOffsets({ groupId: `${this.topicPrefix}${groupId}`, topics: [`${this.topicPrefix}${topic}`] });
    const committed = offsets?.partitions.find((each) => each.partition === at.partition)?.offset ?? '-1';
    return BigInt(committed) > BigInt(at.offset);
  }

  async disconnect(): Promise<void> {
    await Promise.all([this.producer?.disconnect(), this.admin?.disconnect()]);
  }
}

export interface RecoveryFigures {
  service: RecoveryTargetName;
  /** kill -9 → the restarted process answers GET /healthz on its public port (webhooks, requests). */
  httpMs: number;
  /** kill -9 → its consumer processed an event published right after the kill (gateway: its feed reads again). */
  consumerMs: number;
  /** kill -9 → /readyz 200 (for the gateway: once its event feed reads; its other checks need the subgraphs). */
  readyMs: number;
}

export interface RecoveryRun {
  target: RecoveryTarget;
  env: NodeJS.ProcessEnv;
  probe: ConsumerProbe;
  /** Where each process logs, as `<name>.log`. */
  logDir: string;
  /** 90 s: a cold tsx start on a busy 2-core machine plus a consumer group rebalance. */
  timeoutMs?: number;
}

/** Whether the process has joined: a probe published now is processed (subgraphs) or the event feed reads (gateway). */
async function consumerWorks(run: RecoveryRun, proc: ServiceProcess, timeoutMs: number, from: number): Promise<number> {
  const { target, probe } = run;
  if (!target.consumer) {
    return timeUntil(`${target.name}'s event feed reading`, async () => (await getJson(`${proc.adminUrl}/readyz`))?.checks.events === 'ok', timeoutMs, from);
  }
  const { groupId, topic } = target.consumer;
  const at = await probe.publish(topic);
  return timeUntil(`${target.name}'s consumer processing a probe`, () => probe.processed(groupId, topic, at), timeoutMs, from);
}

async function readyAgain(run: RecoveryRun, proc: ServiceProcess, timeoutMs: number, from: number): Promise<number> {
  return timeUntil(
    `${run.target.name} ready`,
    async () => {
      const answer = await getJson(`${proc.adminUrl}/readyz`);
      if (!answer) return false;
      // The gateway's readiness also pings the subgraphs, which a lone-process measurement does not run.
      if (run.target.name === 'gateway') return answer.checks.events === 'ok' && answer.checks.supergraph === 'ok';
      return answer.status === 200;
    },
    timeoutMs,
    from,
  );
}

/**
 * Starts the target, waits until its consumer works, kills it with SIGKILL, restarts it at
 * once on the same ports and times its recovery. Returns the restarted process (the caller
 * stops it) and the figures.
 */
export async function killAndRestart(run: RecoveryRun): Promise<{ figures: RecoveryFigures; process: ServiceProcess; processes: ServiceProcess[] }> {
  const timeoutMs = run.timeoutMs ?? 90_000;
  const ports = await freePorts(2);
  const first = startProcess(run.target, run.env, ports, run.logDir);
  const processes = [first];
  try {
    await consumerWorks(run, first, timeoutMs, Date.now());
    await readyAgain(run, first, timeoutMs, Date.now());
    const killedAt = Date.now();
    await first.kill();
    const second = startProcess(run.target, run.env, ports, run.logDir);
    processes.push(second);
    const [httpMs, consumerMs, readyMs] = await Promise.all([
      timeUntil(`${run.target.name} answering HTTP`, async () => (await fetch(`${second.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined))?.ok === true, timeoutMs, killedAt),
      consumerWorks(run, second, timeoutMs, killedAt),
      readyAgain(run, second, timeoutMs, killedAt),
    ]);
    return { figures: { service: run.target.name, httpMs, consumerMs, readyMs }, process: second, processes };
  } catch (err) {
    await Promise.all(processes.map((each) => each.kill()));
    throw err;
  }
}
