import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';

/**
 * Kill -9 and immediate restart of one waimai process, timed: how long until it answers HTTP,
 * until its consumer group processes a new event again, until /readyz answers 200.
 * Self-contained (node, kafkajs, fetch) so the fault suite can reuse it as it is.
 */

const ROOT = path.resolve(__dirname, '..', '..', '..');

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

export interface RunningProcess {
  name: string;
  pid: number;
  baseUrl: string;
  adminUrl: string;
  logFile: string;
  exitReason(): string | undefined;
  /** SIGKILL, resolved once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM, then SIGKILL after 15 s; resolved once the process is gone. */
  stop(): Promise<void>;
}

/** Two ports free a moment ago. */
export async function twoFreePorts(): Promise<[number, number]> {
  const servers = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port) as [number, number];
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

/** `node --import tsx src/index.ts` in the target's folder, so the pid is the service itself (a kill -9 reaches it, not a wrapper). */
export function startProcess(target: RecoveryTarget, env: NodeJS.ProcessEnv, ports: [number, number], logFile: string): RunningProcess {
  const [port, adminPort] = ports;
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: path.join(ROOT, target.dir),
    env: { ...env, [`${target.envName}_PORT`]: String(port), [`${target.envName}_ADMIN_PORT`]: String(adminPort), ADMIN_HOST: '127.0.0.1' },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  let reason: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      reason = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    });
    child.once('error', (err) => {
      reason = err.message;
      resolve();
    });
  });
  return {
    name: target.name,
    pid: child.pid ?? -1,
    baseUrl: `http://127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    logFile,
    exitReason: () => reason,
    async kill9() {
      if (reason === undefined) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (reason !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
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
  logFile: string;
  /** 90 s: a cold tsx start on a busy 2-core machine plus a consumer group rebalance. */
  timeoutMs?: number;
}

/** Whether the process has joined: a probe published now is processed (subgraphs) or the event feed reads (gateway). */
async function consumerWorks(run: RecoveryRun, proc: RunningProcess, timeoutMs: number, from: number): Promise<number> {
  const { target, probe } = run;
  if (!target.consumer) {
    return timeUntil(`${target.name}'s event feed reading`, async () => (await getJson(`${proc.adminUrl}/readyz`))?.checks.events === 'ok', timeoutMs, from);
  }
  const { groupId, topic } = target.consumer;
  const at = await probe.publish(topic);
  return timeUntil(`${target.name}'s consumer processing a probe`, () => probe.processed(groupId, topic, at), timeoutMs, from);
}

async function readyAgain(run: RecoveryRun, proc: RunningProcess, timeoutMs: number, from: number): Promise<number> {
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
export async function killAndRestart(run: RecoveryRun): Promise<{ figures: RecoveryFigures; process: RunningProcess; processes: RunningProcess[] }> {
  const timeoutMs = run.timeoutMs ?? 90_000;
  const ports = await twoFreePorts();
  const first = startProcess(run.target, run.env, ports, run.logFile);
  const processes = [first];
  try {
    await consumerWorks(run, first, timeoutMs, Date.now());
    await readyAgain(run, first, timeoutMs, Date.now());
    const killedAt = Date.now();
    await first.kill9();
    const second = startProcess(run.target, run.env, ports, run.logFile);
    processes.push(second);
    const [httpMs, consumerMs, readyMs] = await Promise.all([
      timeUntil(`${run.target.name} answering HTTP`, async () => (await fetch(`${second.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined))?.ok === true, timeoutMs, killedAt),
      consumerWorks(run, second, timeoutMs, killedAt),
      readyAgain(run, second, timeoutMs, killedAt),
    ]);
    return { figures: { service: run.target.name, httpMs, consumerMs, readyMs }, process: second, processes };
  } catch (err) {
    await Promise.all(processes.map((each) => each.kill9()));
    throw err;
  }
}
