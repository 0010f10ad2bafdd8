import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  brokersAnswer,
  ensureKafkaJars,
  formatKafkaStorage,
  isAlive,
  kafkaNodeFiles,
  kafkaStorageFormatted,
  kafkaVersion,
  KafkaUnavailableError,
  launchKafkaNode,
  newKafkaClusterId,
  portTaken,
  requireJava,
  terminateKafkaNode,
  waitUntilKafkaAnswers,
  writeKafkaNodeConfig,
  type ProgressLogger,
} from './kafka-runtime';
import { CACHE_DIR, fromRoot } from './paths';

export { brokersAnswer, KafkaUnavailableError, type ProgressLogger } from './kafka-runtime';

export interface EnsureKafkaOptions {
  /** KAFKA_BROKERS, e.g. ['127.0.0.1:9092']. */
  brokers: string[];
  logger?: ProgressLogger;
  /** The Java launcher to use; `java` from PATH unless told otherwise. */
  java?: string;
  /** How long a started broker may take to answer; 60 s covers a cold JVM on a slow CI runner. */
  startTimeoutMs?: number;
  /** How long to give something already on the broker's port to answer as Kafka (it may be starting). */
  occupiedPortWaitMs?: number;
}

export interface KafkaBroker {
  brokers: string[];
  /** True when this call started the broker. */
  started: boolean;
  /**
   * True when the broker is this checkout's own (.cache/kafka), started by this call or by an
   * earlier command: it runs while any command holds it and stops with the last one.
   */
  managed: boolean;
  /** The broker's JVM when this call started it, to notice it dying. */
  process?: ChildProcess;
  /**
   * Done with Kafka. A broker that ensureKafka started (in this process or an earlier one)
   * stops when the last process using it calls stop(); a broker started by anything else
   * is never touched.
   */
  stop(): Promise<void>;
}

const KAFKA_DIR = path.join(CACHE_DIR, 'kafka');
/** server.properties, data/, broker.log, ... of the one local node. */
const NODE = kafkaNodeFiles(KAFKA_DIR);
const PID_FILE = path.join(KAFKA_DIR, 'broker.pid');
/** One file per process using a broker that ensureKafka started: `<pid>-<random>`. */
const LEASES_DIR = path.join(KAFKA_DIR, 'leases');
/** Held while one process downloads, formats and starts the broker; holds its pid. */
const START_LOCK = path.join(KAFKA_DIR, 'start.lock');
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);
const noop = async () => undefined;

/**
 * Makes sure a Kafka broker answers at `brokers`: uses it when it already does, otherwise
 * starts a single-node KRaft broker (Apache Kafka from Maven Central, run by the local
 * Java) on the configured local port.
 *
 * Several processes of one checkout (a developer's `pnpm start` and `pnpm test`, parallel
 * test runs) share one broker: one of them starts it, the others use it, and it stops when
 * the last of them is done.
 */
export async function ensureKafka(options: EnsureKafkaOptions): Promise<KafkaBroker> {
  const { brokers, logger = console, java = 'java', startTimeoutMs = 60_000, occupiedPortWaitMs = 15_000 } = options;
  const where = brokers.join(',');
  if (brokers.length === 0) {
    throw new KafkaUnavailableError('KAFKA_BROKERS is empty: name at least one broker, e.g. KAFKA_BROKERS=127.0.0.1:9092.');
  }
  // Taken before looking, so a process stopping the shared broker sees this one as a user.
  const lease = takeLease();
  try {
    const running = await useIfAnswering(brokers, lease, logger);
    if (running) return running;

    const local = brokers.length === 1 ? parseLocalBroker(brokers[0] ?? '') : undefined;
    if (!local) {
      throw new KafkaUnavailableError(
        `No Kafka broker answers at KAFKA_BROKERS=${where}. Only a single broker on this machine ` +
          `(127.0.0.1:<port> or localhost:<port>) is started automatically. Start the brokers you configured, ` +
          `or unset KAFKA_BROKERS to get a local one on 127.0.0.1:9092.`,
      );
    }

    const unlock = await acquireStartLock(brokers, logger);
    if (typeof unlock !== 'function') return await unlock.useRunning(lease);
    try {
      // Another process may have started it while this one waited for the lock.
      const startedMeanwhile = await useIfAnswering(brokers, lease, logger);
      if (startedMeanwhile) return startedMeanwhile;

      const controllerPort = local.port + 1;
      const taken = (await Promise.all([portTaken(local.port), portTaken(controllerPort)])).some(Boolean);
      if (taken) return await useOrRejectOccupant(brokers, local.port, controllerPort, occupiedPortWaitMs, lease, logger);

      await requireJava(java, where);

      const version = kafkaVersion();
      await ensureKafkaJars(version, logger);
      writeBrokerConfig(local.port, controllerPort);
      await formatStorageOnce(java, logger);
      return await startBroker({ java, brokers, port: local.port, version, startTimeoutMs, lease, logger });
    } finally {
      unlock();
    }
  } catch (err) {
    lease.release();
    throw err;
  }
}

interface Lease {
  release(): void;
}

function takeLease(): Lease {
  mkdirSync(LEASES_DIR, { recursive: true });
  const file = path.join(LEASES_DIR, `${process.pid}-${randomBytes(4).toString('hex')}`);
  writeFileSync(file, `${process.pid}\n`);
  return { release: () => rmSync(file, { force: true }) };
}

/** Leases of processes that are still alive; files of dead ones are removed. */
function liveLeaseCount(): number {
  if (!existsSync(LEASES_DIR)) return 0;
  let live = 0;
  for (const name of readdirSync(LEASES_DIR)) {
    const pid = Number(name.split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) live += 1;
    else rmSync(path.join(LEASES_DIR, name), { force: true });
  }
  return live;
}

/**
 * The broker this checkout started (.cache/kafka/broker.pid: pid and port) when it is
 * still alive, and serves `brokers` when those are given.
 */
function recordedBroker(brokers?: string[]): number | undefined {
  if (!existsSync(PID_FILE)) return undefined;
  const [pid = NaN, port = NaN] = readFileSync(PID_FILE, 'utf8').trim().split(/\s+/).map(Number);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  // The pid may have been reused by an unrelated process since the file was written.
  if (!commandLineOf(pid).includes(NODE.serverProperties)) return undefined;
  if (brokers) {
    const local = brokers.length === 1 ? parseLocalBroker(brokers[0] ?? '') : undefined;
    if (local?.port !== port) return undefined;
  }
  return pid;
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    const ps = spawnSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
    return ps.status === 0 ? ps.stdout : '';
  }
}

/** When a broker answers: a handle on it (stopping it last if this checkout started it). */
async function useIfAnswering(brokers: string[], lease: Lease, logger: ProgressLogger): Promise<KafkaBroker | undefined> {
  if (!(await brokersAnswer(brokers))) return undefined;
  const where = brokers.join(',');
  const pid = recordedBroker(brokers);
  if (pid === undefined) {
    // Not ours (a cluster, docker, a broker someone runs by hand): used, never stopped.
    lease.release();
    logger.info(`Using the Kafka broker at ${where}.`);
    return { brokers, started: false, managed: false, stop: noop };
  }
  logger.info(`Using the Kafka broker at ${where} that an earlier \`pnpm\` command started (pid ${pid}); it stops when the last command using it ends.`);
  return { brokers, started: false, managed: true, stop: () => releaseShared(lease, pid, undefined, logger) };
}

/**
 * Gives up this process's lease; the last process out stops the broker this checkout started.
 * `child` is set in the process that spawned it.
 */
async function releaseShared(lease: Lease, pid: number, child: ChildProcess | undefined, logger: ProgressLogger): Promise<void> {
  lease.release();
  const others = liveLeaseCount();
  if (others > 0) {
    logger.info(`Kafka keeps running for ${others} other process${others === 1 ? '' : 'es'} using it.`);
    // Leave it behind without holding this process open.
    child?.unref();
    return;
  }
  if (recordedBroker() !== pid) return;
  await terminateKafkaNode(pid, child, logger);
  rmSync(PID_FILE, { force: true });
  logger.info('Stopped Kafka: no other command is using it.');
}

/**
 * The right to start the broker, one process at a time (the first start may download ~60 MB).
 * Returns the unlock function, or a way to use the broker another process started meanwhile.
 */
async function acquireStartLock(
  brokers: string[],
  logger: ProgressLogger,
): Promise<(() => void) | { useRunning(lease: Lease): Promise<KafkaBroker> }> {
  mkdirSync(KAFKA_DIR, { recursive: true });
  // 10 min: the holder may be downloading Kafka on a slow link.
  const deadline = Date.now() + 600_000;
  let told = false;
  for (;;) {
    try {
      closeSync(openSync(START_LOCK, 'wx'));
      writeFileSync(START_LOCK, `${process.pid}\n`);
      return () => rmSync(START_LOCK, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: number;
    try {
      holder = Number(readFileSync(START_LOCK, 'utf8').trim());
    } catch {
      // Released between the two calls: try again.
      continue;
    }
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      // Left by a process that died while starting Kafka (or is writing its pid this instant).
      if (Number.isInteger(holder) && holder > 0) rmSync(START_LOCK, { force: true });
      await sleep(100);
      continue;
    }
    if (!told) {
      logger.info(`Another process (pid ${holder}) is starting Kafka; waiting for it.`);
      told = true;
    }
    if (await brokersAnswer(brokers, 1_000)) {
      return { useRunning: async (lease) => (await useIfAnswering(brokers, lease, logger)) ?? { brokers, started: false, managed: false, stop: noop } };
    }
    if (Date.now() > deadline) {
      throw new KafkaUnavailableError(
        `Process ${holder} has been starting Kafka for 10 minutes (${fromRoot(START_LOCK)}). Stop it, or set KAFKA_BROKERS to a running broker.`,
      );
    }
    await sleep(1_000);
  }
}

function parseLocalBroker(address: string): { host: string; port: number } | undefined {
  const match = /^([^:]+):(\d{1,5})$/.exec(address.trim());
  if (!match) return undefined;
  const host = match[1] ?? '';
  const port = Number(match[2]);
  // The controller listens on port + 1.
  if (!LOCAL_HOSTS.has(host) || port < 1 || port > 65_534) return undefined;
  return { host, port };
}

async function useOrRejectOccupant(
  brokers: string[],
  port: number,
  controllerPort: number,
  waitMs: number,
  lease: Lease,
  logger: ProgressLogger,
): Promise<KafkaBroker> {
  // It may be a broker that is still starting.
  logger.info(`Something listens on 127.0.0.1:${port} or :${controllerPort}; waiting up to ${waitMs / 1000} s for it to answer as Kafka.`);
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const running = await useIfAnswering(brokers, lease, logger);
    if (running) return running;
    await sleep(Math.min(1_000, waitMs));
  }
  const leftover = recordedBroker();
  const who =
    leftover === undefined
      ? ''
      : ` It is the broker an earlier run started, pid ${leftover} (from ${fromRoot(PID_FILE)}), and it is not answering; \`kill ${leftover}\` stops it.`;
  throw new KafkaUnavailableError(
    `Port ${port} or ${controllerPort} on 127.0.0.1 is already in use, but nothing there answers as a Kafka broker, ` +
      `so a local broker cannot start.${who} Find the process with \`ss -ltnp '( sport = :${port} or sport = :${controllerPort} )'\` (or \`lsof -i :${port}\`) ` +
      `and stop it, or set KAFKA_BROKERS to a broker that works (another local port works too, e.g. KAFKA_BROKERS=127.0.0.1:19092).`,
  );
}

function writeBrokerConfig(port: number, controllerPort: number): void {
  writeKafkaNodeConfig(NODE, {
    purpose: 'One node that is both broker and KRaft controller, for development and tests.',
    nodeId: 1,
    port,
    controllerPort,
    voters: `1@127.0.0.1:${controllerPort}`,
    // A single broker cannot hold more than one replica; without these consumer groups never become ready.
    settings: [
      ['offsets.topic.replication.factor', 1],
      ['transaction.state.log.replication.factor', 1],
      ['transaction.state.log.min.isr', 1],
    ],
  });
}

async function formatStorageOnce(java: string, logger: ProgressLogger): Promise<void> {
  if (kafkaStorageFormatted(NODE)) return;
  const clusterId = await newKafkaClusterId(java, NODE);
  await formatKafkaStorage(java, NODE, clusterId);
  logger.info(`Formatted ${fromRoot(NODE.dataDir)} for a new single-node Kafka cluster (id ${clusterId}).`);
}

interface StartBrokerOptions {
  java: string;
  brokers: string[];
  port: number;
  version: string;
  startTimeoutMs: number;
  lease: Lease;
  logger: ProgressLogger;
}

async function startBroker({ java, brokers, port, version, startTimeoutMs, lease, logger }: StartBrokerOptions): Promise<KafkaBroker> {
  const where = brokers.join(',');
  logger.info(`Starting Kafka ${version} (KRaft, one node) at ${where}; its log is ${fromRoot(NODE.log)}.`);
  // Its own process group: a Ctrl-C meant for this command must not take down a broker
  // that other commands are using; stop() ends it when the last user is done.
  const { child, pid, exited } = await launchKafkaNode(java, NODE, { heap: '512m', detached: true });
  writeFileSync(PID_FILE, `${pid} ${port}\n`);

  // If this process ends without calling stop() (a crash), the broker must not outlive its last user.
  const stopOnExit = () => {
    lease.release();
    if (liveLeaseCount() === 0 && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stopOnExit);
  const stop = async () => {
    process.removeListener('exit', stopOnExit);
    await releaseShared(lease, pid, child, logger);
  };

  const started = Date.now();
  let dead: string | undefined;
  void exited.then((how) => {
    dead = how;
  });
  try {
    await waitUntilKafkaAnswers(brokers, () => dead, startTimeoutMs, [NODE]);
  } catch (err) {
    process.removeListener('exit', stopOnExit);
    if (dead === undefined) await terminateKafkaNode(pid, child, logger);
    rmSync(PID_FILE, { force: true });
    throw err;
  }
  logger.info(`Kafka is ready at ${where} (${((Date.now() - started) / 1000).toFixed(1)} s).`);
  return { brokers, started: true, managed: true, process: child, stop };
}
