import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { CACHE_DIR, ROOT, fromRoot } from './paths';

/**
 * What running Apache Kafka on this machine takes, shared by the single local broker
 * (kafka-broker.ts) and the local multi-node cluster (kafka-cluster.ts): the jars from Maven
 * Central, Java, a node's configuration files, formatting its storage, its JVM, stopping it.
 */

/** Anything that can tell a person what is happening: a pino logger or `console`. */
export interface ProgressLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** Kafka cannot be reached and cannot be started here; the message says what to do. */
export class KafkaUnavailableError extends Error {
  override name = 'KafkaUnavailableError';
}

const LIBS_DIR = path.join(CACHE_DIR, 'kafka', 'libs');
/** Every jar of the broker's runtime, as a `java -cp` entry. */
export const KAFKA_CLASSPATH = path.join(LIBS_DIR, '*');
const POM = path.join(ROOT, 'infra', 'kafka', 'pom.xml');

export function kafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM, 'utf8'));
  if (!match?.[1]) throw new Error(`${fromRoot(POM)} does not set <kafka.version>.`);
  return match[1].trim();
}

function jarsPresent(version: string): boolean {
  return ['kafka_2.13', 'kafka-clients', 'kafka-server', 'kafka-metadata', 'kafka-raft', 'kafka-storage', 'kafka-tools'].every(
    (artifact) => existsSync(path.join(LIBS_DIR, `${artifact}-${version}.jar`)),
  );
}

/**
 * Downloads the broker's runtime classpath once with Maven into .cache/kafka/libs. Two
 * processes may do it at once (the local broker and a cluster starting side by side): each
 * downloads into a folder of its own, and a complete classpath is never replaced by a partial one.
 */
export async function ensureKafkaJars(version: string, logger: ProgressLogger): Promise<void> {
  if (jarsPresent(version)) return;
  const partial = `${LIBS_DIR}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  logger.info(`Downloading Apache Kafka ${version} from Maven Central into ${fromRoot(LIBS_DIR)} (about 60 MB, once).`);
  const args = ['-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`, '-DincludeScope=runtime'];
  let downloaded = 0;
  const tail: string[] = [];
  const ticker = setInterval(() => logger.info(`Still fetching Kafka's jars: ${downloaded} downloaded from Maven Central so far.`), 10_000);
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
        `Maven could not download Apache Kafka ${version} (exit ${exit}); it needs to reach Maven Central once. ` + `Last lines:\n${tail.join('\n')}`,
      );
    }
  } finally {
    clearInterval(ticker);
  }
  // Another process may have finished the same download meanwhile: its copy is as good.
  if (jarsPresent(version)) {
    rmSync(partial, { recursive: true, force: true });
    return;
  }
  // Swapped in whole, so an interrupted download never looks like a complete classpath.
  rmSync(LIBS_DIR, { recursive: true, force: true });
  renameSync(partial, LIBS_DIR);
  logger.info(
    `Kafka ${version} is in ${fromRoot(LIBS_DIR)} (${downloaded ? `${downloaded} files downloaded` : 'all from the local Maven repository'}).`,
  );
}

/** Throws, saying what to install, unless `java` runs and is new enough for Kafka 3.9 (11+). */
export async function requireJava(java: string, where: string): Promise<void> {
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

/** Where one Kafka node keeps its configuration, data and logs: `<dir>/server.properties`, `<dir>/data`, ... */
export interface KafkaNodeFiles {
  dir: string;
  serverProperties: string;
  log4jProperties: string;
  dataDir: string;
  /** Kafka's own log (warnings and errors). */
  log: string;
  /** The JVM's stdout and stderr. */
  out: string;
}

export function kafkaNodeFiles(dir: string): KafkaNodeFiles {
  return {
    dir,
    serverProperties: path.join(dir, 'server.properties'),
    log4jProperties: path.join(dir, 'log4j.properties'),
    dataDir: path.join(dir, 'data'),
    log: path.join(dir, 'broker.log'),
    out: path.join(dir, 'broker.out'),
  };
}

export interface KafkaNodeConfig {
  /** Why this node exists, as the comment heading its server.properties. */
  purpose: string;
  nodeId: number;
  port: number;
  controllerPort: number;
  /** `controller.quorum.voters`: `<id>@127.0.0.1:<controller port>` of every controller. */
  voters: string;
  /** Settings that differ between one node and a cluster (replication of internal topics, ...). */
  settings: ReadonlyArray<readonly [key: string, value: string | number]>;
}

/**
 * Writes a node's server.properties (a combined broker and KRaft controller on 127.0.0.1)
 * and its log4j.properties, on every start: edits are overwritten.
 */
export function writeKafkaNodeConfig(files: KafkaNodeFiles, config: KafkaNodeConfig): void {
  mkdirSync(files.dataDir, { recursive: true });
  const server = [
    '# Written by scripts/lib/kafka-runtime.ts on every start; edits are overwritten.',
    `# ${config.purpose}`,
    'process.roles=broker,controller',
    `node.id=${config.nodeId}`,
    `controller.quorum.voters=${config.voters}`,
    `listeners=PLAINTEXT://127.0.0.1:${config.port},CONTROLLER://127.0.0.1:${config.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${config.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${files.dataDir}`,
    // 0 ms: a test's consumer group starts consuming at once instead of after 3 s.
    'group.initial.rebalance.delay.ms=0',
    // Topics are created explicitly, with partitions from KAFKA_TOPIC_PARTITIONS.
    'auto.create.topics.enable=false',
    'num.partitions=3',
    ...config.settings.map(([key, value]) => `${key}=${value}`),
    '',
  ].join('\n');
  writeFileSync(files.serverProperties, server);
  const log4j = [
    '# Kafka logs warnings and errors here; the console stays quiet.',
    'log4j.rootLogger=WARN, file',
    'log4j.appender.file=org.apache.log4j.RollingFileAppender',
    `log4j.appender.file.File=${files.log}`,
    'log4j.appender.file.MaxFileSize=10MB',
    'log4j.appender.file.MaxBackupIndex=2',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    '',
  ].join('\n');
  writeFileSync(files.log4jProperties, log4j);
}

function storageTool(files: KafkaNodeFiles): string[] {
  return ['-cp', KAFKA_CLASSPATH, `-Dlog4j.configuration=file:${files.log4jProperties}`, 'kafka.tools.StorageTool'];
}

/** A new cluster id (22 characters, base64 of a UUID), from Kafka's own tool. */
export async function newKafkaClusterId(java: string, files: KafkaNodeFiles): Promise<string> {
  const lines: string[] = [];
  const exit = await runProcess(java, [...storageTool(files), 'random-uuid'], (line) => lines.push(line));
  const clusterId = lines.map((line) => line.trim()).find((line) => /^[A-Za-z0-9_-]{22}$/.test(line));
  if (exit !== 0 || !clusterId) throw new Error(`kafka.tools.StorageTool random-uuid failed (exit ${exit}): ${lines.join('\n')}`);
  return clusterId;
}

export function kafkaStorageFormatted(files: KafkaNodeFiles): boolean {
  return existsSync(path.join(files.dataDir, 'meta.properties'));
}

/** Formats a node's data directory as a node of cluster `clusterId`. */
export async function formatKafkaStorage(java: string, files: KafkaNodeFiles, clusterId: string): Promise<void> {
  const lines: string[] = [];
  const exit = await runProcess(java, [...storageTool(files), 'format', '-t', clusterId, '-c', files.serverProperties], (line) => lines.push(line));
  if (exit !== 0) throw new Error(`kafka.tools.StorageTool format failed (exit ${exit}):\n${lines.join('\n')}`);
}

export interface LaunchedKafkaNode {
  child: ChildProcess;
  pid: number;
  /** Resolves once the JVM ended, with how (`exit code 1`, `signal SIGKILL`). */
  exited: Promise<string>;
}

/**
 * Starts a node's JVM, its output appended to `files.out`. `detached`: in its own process
 * group, so that a Ctrl-C meant for the command that started it does not reach it.
 */
export async function launchKafkaNode(
  java: string,
  files: KafkaNodeFiles,
  options: { heap: string; detached: boolean; jvmFlags?: readonly string[] },
): Promise<LaunchedKafkaNode> {
  const out = openSync(files.out, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      java,
      [
        `-Xmx${options.heap}`,
        ...(options.jvmFlags ?? []),
        '-Djava.awt.headless=true',
        `-Dlog4j.configuration=file:${files.log4jProperties}`,
        '-cp',
        KAFKA_CLASSPATH,
        'kafka.Kafka',
        files.serverProperties,
      ],
      { cwd: files.dir, stdio: ['ignore', out, out], detached: options.detached },
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
  return { child, pid, exited };
}

/**
 * Waits until `brokers` answer with at least `minBrokers` brokers in the cluster (then warms
 * up the group coordinator), or throws when a JVM ends or `timeoutMs` passes first; `gone()`
 * says how a JVM ended, if one did.
 */
export async function waitUntilKafkaAnswers(
  brokers: string[],
  gone: () => string | undefined,
  timeoutMs: number,
  files: readonly KafkaNodeFiles[],
  minBrokers = 1,
): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const dead = gone();
    if (dead !== undefined) throw new Error(`Kafka stopped while starting (${dead}).\n${kafkaLogTail(files)}`);
    if (await brokersAnswer(brokers, 2_000, minBrokers)) {
      await warmUpGroupCoordinator(brokers);
      return;
    }
    await sleep(500);
  }
  throw new Error(`Kafka did not answer at ${brokers.join(',')} within ${timeoutMs / 1000} s of starting.\n${kafkaLogTail(files)}`);
}

/**
 * Whether kafkajs can connect to `brokers` and describe the cluster, within a few seconds, and
 * the cluster counts at least `minBrokers` brokers.
 */
export async function brokersAnswer(brokers: string[], timeoutMs = 4_000, minBrokers = 1): Promise<boolean> {
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
    return await withTimeout(
      (async () => {
        await admin.connect();
        return (await admin.describeCluster()).brokers.length >= minBrokers;
      })(),
      timeoutMs,
    );
  } catch {
    return false;
  } finally {
    await withTimeout(admin.disconnect(), 1_000).catch(() => undefined);
  }
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

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, but another user's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGTERM, then SIGKILL after 30 s: a controlled shutdown of one node takes a few seconds. */
export async function terminateKafkaNode(pid: number, child: ChildProcess | undefined, logger: ProgressLogger): Promise<void> {
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

/** The last lines of each node's output and log, for a message about a node that failed. */
export function kafkaLogTail(nodes: readonly KafkaNodeFiles[]): string {
  const files = nodes.flatMap((node) => [node.out, node.log]);
  const lines = files.flatMap((file) =>
    existsSync(file) ? [`  ${fromRoot(file)}:`, ...readFileSync(file, 'utf8').trimEnd().split('\n').slice(-15).map((line) => `    ${line}`)] : [],
  );
  return lines.length ? `Last lines of the broker's output and log:\n${lines.join('\n')}` : '';
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

export function portTaken(port: number): Promise<boolean> {
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

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
