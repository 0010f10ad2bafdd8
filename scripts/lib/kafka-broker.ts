import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { CACHE_DIR, ROOT, fromRoot } from './paths';

/** Anything that can tell a person what is happening: a pino logger or `console`. */
export interface ProgressLogger {
  info(message: string): void;
  warn(message: string): void;
}

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

/** Kafka cannot be reached and cannot be started here; the message says what to do. */
export class KafkaUnavailableError extends Error {
  override name = 'KafkaUnavailableError';
}

const KAFKA_DIR = path.join(CACHE_DIR, 'kafka');
const LIBS_DIR = path.join(KAFKA_DIR, 'libs');
const DATA_DIR = path.join(KAFKA_DIR, 'data');
const SERVER_PROPERTIES = path.join(KAFKA_DIR, 'server.properties');
const LOG4J_PROPERTIES = path.join(KAFKA_DIR, 'log4j.properties');
const BROKER_LOG = path.join(KAFKA_DIR, 'broker.log');
const BROKER_OUT = path.join(KAFKA_DIR, 'broker.out');
const PID_FILE = path.join(KAFKA_DIR, 'broker.pid');
/** One file per process using a broker that ensureKafka started: `<pid>-<random>`. */
const LEASES_DIR = path.join(KAFKA_DIR, 'leases');
/** Held while one process downloads, formats and starts the broker; holds its pid. */
const START_LOCK = path.join(KAFKA_DIR, 'start.lock');
const POM = path.join(ROOT, 'infra', 'kafka', 'pom.xml');
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

      const javaMajor = await javaMajorVersion(java);
      if (javaMajor === undefined) {
        throw new KafkaUnavailableError(
          `No Kafka broker answers at ${where}, and Java is not installed (\`${java}\` is not on PATH), so none can be started here. ` +
            `Either install Java 17 (Debian/Ubuntu: \`apt-get install openjdk-17-jre-headless\`; a single-node Kafka then starts by itself), ` +
            `or set KAFKA_BROKERS=host:port[,host:port] to a Kafka broker that is running.`,
        );
      }
      if (javaMajor < 11) {
        throw new KafkaUnavailableError(
          `No Kafka broker answers at ${where}, and the Java found (\`${java}\`, version ${javaMajor}) is too old to run Kafka 3.9. ` +
            `Install Java 17, or set KAFKA_BROKERS to a Kafka broker that is running.`,
        );
      }

      const version = kafkaVersion();
      await ensureKafkaJars(version, logger);
      writeBrokerConfig(local.port, controllerPort);
      const classpath = path.join(LIBS_DIR, '*');
      await formatStorageOnce(java, classpath, logger);
      return await startBroker({ java, classpath, brokers, port: local.port, version, startTimeoutMs, lease, logger });
    } finally {
      unlock();
    }
  } catch (err) {
    lease.release();
    throw err;
  }
}

/** Whether kafkajs can connect to `brokers` and describe the cluster, within a few seconds. */
export async function brokersAnswer(brokers: string[], timeoutMs = 4_000): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'waimai-probe',
    brokers,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await withTimeout(
      (async () => {
        await admin.connect();
        await admin.describeCluster();
      })(),
      timeoutMs,
    );
    return true;
  } catch {
    return false;
  } finally {
    await withTimeout(admin.disconnect(), 1_000).catch(() => undefined);
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, but another user's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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
  if (!commandLineOf(pid).includes(SERVER_PROPERTIES)) return undefined;
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
  await terminate(pid, child, logger);
  rmSync(PID_FILE, { force: true });
  logger.info('Stopped Kafka: no other command is using it.');
}

/** SIGTERM, then SIGKILL after 30 s: a controlled shutdown of one node takes a few seconds. */
async function terminate(pid: number, child: ChildProcess | undefined, logger: ProgressLogger): Promise<void> {
  const gone = () => (child ? child.exitCode !== null || child.signalCode !== null : !isAlive(pid));
  const waitGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (!gone() && Date.now() < deadline) await sleep(100);
    return gone();
  };
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitGone(30_000)) return;
  logger.warn('Kafka did not stop within 30 s of SIGTERM; killing it.');
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitGone(5_000);
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

function kafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM, 'utf8'));
  if (!match?.[1]) throw new Error(`${fromRoot(POM)} does not set <kafka.version>.`);
  return match[1].trim();
}

function jarsPresent(version: string): boolean {
  return ['kafka_2.13', 'kafka-clients', 'kafka-server', 'kafka-metadata', 'kafka-raft', 'kafka-storage', 'kafka-tools'].every(
    (artifact) => existsSync(path.join(LIBS_DIR, `${artifact}-${version}.jar`)),
  );
}

/** Downloads the broker's runtime classpath once with Maven into .cache/kafka/libs. */
async function ensureKafkaJars(version: string, logger: ProgressLogger): Promise<void> {
  if (jarsPresent(version)) return;
  const partial = `${LIBS_DIR}.partial`;
  rmSync(partial, { recursive: true, force: true });
  logger.info(`Downloading Apache Kafka ${version} from Maven Central into ${fromRoot(LIBS_DIR)} (about 60 MB, once).`);
  const args = [
    '-B',
    '-f',
    POM,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${partial}`,
    '-DincludeScope=runtime',
  ];
  let downloaded = 0;
  const tail: string[] = [];
  const ticker = setInterval(
    () => logger.info(`Still fetching Kafka's jars: ${downloaded} downloaded from Maven Central so far.`),
    10_000,
  );
  try {
    const exit = await runProcess('mvn', args, (line) => {
      if (line.includes('Downloaded from')) downloaded += 1;
      tail.push(line);
      if (tail.length > 40) tail.shift();
    });
    if (exit === 'ENOENT') {
      throw new KafkaUnavailableError(
        `Kafka's jars are not in ${fromRoot(LIBS_DIR)} and Maven (\`mvn\`) is not installed to download them. ` +
          `Install Maven once (Debian/Ubuntu: \`apt-get install maven\`), or set KAFKA_BROKERS to a Kafka broker that is running.`,
      );
    }
    if (exit !== 0) {
      throw new KafkaUnavailableError(
        `Maven could not download Apache Kafka ${version} (exit ${exit}); it needs to reach Maven Central once. ` +
          `Last lines:\n${tail.join('\n')}`,
      );
    }
  } finally {
    clearInterval(ticker);
  }
  // Swapped in whole, so an interrupted download never looks like a complete classpath.
  rmSync(LIBS_DIR, { recursive: true, force: true });
  renameSync(partial, LIBS_DIR);
  logger.info(
    `Kafka ${version} is in ${fromRoot(LIBS_DIR)} (${downloaded ? `${downloaded} files downloaded` : 'all from the local Maven repository'}).`,
  );
}

function writeBrokerConfig(port: number, controllerPort: number): void {
  mkdirSync(DATA_DIR, { recursive: true });
  const server = [
    '# Written by scripts/lib/kafka-broker.ts on every start; edits are overwritten.',
    '# One node that is both broker and KRaft controller, for development and tests.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${DATA_DIR}`,
    // A single broker cannot hold more than one replica; without these consumer groups never become ready.
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    // 0 ms: a test's consumer group starts consuming at once instead of after 3 s.
    'group.initial.rebalance.delay.ms=0',
    // Topics are created explicitly, with partitions from KAFKA_TOPIC_PARTITIONS.
    'auto.create.topics.enable=false',
    'num.partitions=3',
    '',
  ].join('\n');
  writeFileSync(SERVER_PROPERTIES, server);
  const log4j = [
    '# Kafka logs warnings and errors here; the console stays quiet.',
    'log4j.rootLogger=WARN, file',
    'log4j.appender.file=org.apache.log4j.RollingFileAppender',
    `log4j.appender.file.File=${BROKER_LOG}`,
    'log4j.appender.file.MaxFileSize=10MB',
    'log4j.appender.file.MaxBackupIndex=2',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    '',
  ].join('\n');
  writeFileSync(LOG4J_PROPERTIES, log4j);
}

async function formatStorageOnce(java: string, classpath: string, logger: ProgressLogger): Promise<void> {
  if (existsSync(path.join(DATA_DIR, 'meta.properties'))) return;
  const tool = ['-cp', classpath, `-Dlog4j.configuration=file:${LOG4J_PROPERTIES}`, 'kafka.tools.StorageTool'];
  const uuidLines: string[] = [];
  const uuidExit = await runProcess(java, [...tool, 'random-uuid'], (line) => uuidLines.push(line));
  const clusterId = uuidLines.map((line) => line.trim()).find((line) => /^[A-Za-z0-9_-]{22}$/.test(line));
  if (uuidExit !== 0 || !clusterId) {
    throw new Error(`kafka.tools.StorageTool random-uuid failed (exit ${uuidExit}): ${uuidLines.join('\n')}`);
  }
  const formatLines: string[] = [];
  const formatExit = await runProcess(java, [...tool, 'format', '-t', clusterId, '-c', SERVER_PROPERTIES], (line) =>
    formatLines.push(line),
  );
  if (formatExit !== 0) {
    throw new Error(`kafka.tools.StorageTool format failed (exit ${formatExit}):\n${formatLines.join('\n')}`);
  }
  logger.info(`Formatted ${fromRoot(DATA_DIR)} for a new single-node Kafka cluster (id ${clusterId}).`);
}

interface StartBrokerOptions {
  java: string;
  classpath: string;
  brokers: string[];
  port: number;
  version: string;
  startTimeoutMs: number;
  lease: Lease;
  logger: ProgressLogger;
}

async function startBroker({ java, classpath, brokers, port, version, startTimeoutMs, lease, logger }: StartBrokerOptions): Promise<KafkaBroker> {
  const where = brokers.join(',');
  logger.info(`Starting Kafka ${version} (KRaft, one node) at ${where}; its log is ${fromRoot(BROKER_LOG)}.`);
  const out = openSync(BROKER_OUT, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      java,
      [
        '-Xmx512m',
        '-Djava.awt.headless=true',
        `-Dlog4j.configuration=file:${LOG4J_PROPERTIES}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        SERVER_PROPERTIES,
      ],
      // Its own process group: a Ctrl-C meant for this command must not take down a broker
      // that other commands are using; stop() ends it when the last user is done.
      { cwd: KAFKA_DIR, stdio: ['ignore', out, out], detached: true },
    );
  } finally {
    closeSync(out);
  }
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`));
    child.once('error', (err) => resolve(err.message));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`Could not start ${java}: ${await exited}`);
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
  while (Date.now() - started < startTimeoutMs) {
    if (dead !== undefined) {
      process.removeListener('exit', stopOnExit);
      rmSync(PID_FILE, { force: true });
      throw new Error(`Kafka stopped while starting (${dead}).\n${brokerLogTail()}`);
    }
    if (await brokersAnswer(brokers, 2_000)) {
      await warmUpGroupCoordinator(brokers);
      logger.info(`Kafka is ready at ${where} (${((Date.now() - started) / 1000).toFixed(1)} s).`);
      return { brokers, started: true, managed: true, process: child, stop };
    }
    await sleep(500);
  }
  process.removeListener('exit', stopOnExit);
  await terminate(pid, child, logger);
  rmSync(PID_FILE, { force: true });
  throw new Error(`Kafka did not answer at ${where} within ${startTimeoutMs / 1000} s of starting.\n${brokerLogTail()}`);
}

/**
 * A fresh broker creates __consumer_offsets when the first group looks for its coordinator,
 * and answers the first idempotent producer's InitProducerId with "coordinator is loading";
 * until then kafkajs logs errors and restarts consumers. Going through both once here, with
 * retries, lets the first service or test connect cleanly.
 */
async function warmUpGroupCoordinator(brokers: string[]): Promise<void> {
  const kafka = new Kafka({
    clientId: 'waimai-warm-up',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    // 20 s: creating the 50 partitions of __consumer_offsets takes 1-3 s on one node.
    await withTimeout(
      (async () => {
        await admin.connect();
        await admin.describeGroups(['waimai-warm-up']);
        await producer.connect();
      })(),
      20_000,
    );
  } catch {
    // Best effort: clients retry on their own, only more noisily.
  } finally {
    await withTimeout(Promise.all([admin.disconnect(), producer.disconnect()]), 1_000).catch(() => undefined);
  }
}

function brokerLogTail(): string {
  const lines = [BROKER_OUT, BROKER_LOG].flatMap((file) =>
    existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-15).map((line) => `  ${line}`) : [],
  );
  return lines.length ? `Last lines of ${fromRoot(BROKER_OUT)} and ${fromRoot(BROKER_LOG)}:\n${lines.join('\n')}` : '';
}

async function javaMajorVersion(java: string): Promise<number | undefined> {
  const lines: string[] = [];
  const exit = await runProcess(java, ['-version'], (line) => lines.push(line));
  if (exit !== 0) return undefined;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(lines.join('\n'));
  if (!match) return undefined;
  const first = Number(match[1]);
  // Java 8 and older call themselves 1.x.
  return first === 1 ? Number(match[2]) : first;
}

/** Runs a command, handing each output line (stdout and stderr) to `onLine`; ENOENT when it is not installed. */
function runProcess(command: string, args: string[], onLine: (line: string) => void): Promise<number | 'ENOENT'> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) readline.createInterface({ input: stream }).on('line', onLine);
    child.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? resolve('ENOENT') : reject(err)));
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
