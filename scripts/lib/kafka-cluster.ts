import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
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
  type KafkaNodeFiles,
  type LaunchedKafkaNode,
  type ProgressLogger,
} from './kafka-runtime';
import { CACHE_DIR, fromRoot } from './paths';

/**
 * A local Apache Kafka cluster of several combined broker + KRaft controller nodes, the way
 * production runs Kafka (3 brokers, every partition on all of them, writes acknowledged by 2):
 * for the tests that kill a broker, and for `pnpm start --cluster`. See docs/kafka-cluster.md.
 */

export interface KafkaClusterOptions {
  /** Nodes, each a broker and a controller; 3 unless told (a controller quorum wants an odd number). */
  size?: number;
  logger?: ProgressLogger;
  java?: string;
  /** The brokers' ports; free ones chosen now when absent. */
  ports?: readonly number[];
  /** The controllers' ports; free ones chosen now when absent. */
  controllerPorts?: readonly number[];
  /** The folder under .cache/kafka-cluster/; a new one per call when absent. */
  name?: string;
  /** Keep the nodes' data when stopped, to start with it again (a named cluster); removed otherwise. */
  keepData?: boolean;
  /** Each node's JVM heap; 384 MB is plenty for test traffic, and three nodes share a small machine. */
  heap?: string;
  /** How long the nodes may take to form the cluster; 180 s covers three cold JVMs on a loaded 2-core runner (90 s seen). */
  startTimeoutMs?: number;
}

export interface KafkaCluster {
  /** KAFKA_BROKERS, `127.0.0.1:<port>` of node 0, 1, 2, ... */
  brokers: string[];
  /** Kafka's node id of node `i` (the broker id in metadata): i + 1. */
  nodeId(i: number): number;
  /** The node's index for a broker id in metadata (a partition's leader). */
  indexOf(nodeId: number): number;
  /** Where the nodes keep their data and logs. */
  dir: string;
  /** True when this call started the nodes (false: a cluster already answered on the fixed ports). */
  started: boolean;
  isRunning(i: number): boolean;
  /** SIGKILL node `i` and wait until its JVM is gone: no controlled shutdown, no flush. */
  kill(i: number): Promise<void>;
  /** Start node `i` again on its data, and wait until it is back among the cluster's brokers. */
  restart(i: number): Promise<void>;
  /** Stop every node (SIGTERM, then SIGKILL after 30 s); the data goes too unless `keepData`. */
  stop(): Promise<void>;
}

const CLUSTERS_DIR = path.join(CACHE_DIR, 'kafka-cluster');
/**
 * Three JVMs share a small machine: the client compiler only (a node starts on a fraction of
 * the CPU the optimising compiler spends warming up; test traffic never needs its code) and
 * the serial collector (no GC threads per core).
 */
const CLUSTER_JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];
const OWNER_FILE = 'owner.pid';
const CLUSTER_ID_FILE = 'cluster-id';

/** What `pnpm start --cluster` runs: fixed ports, data kept in .cache/kafka-cluster/start/ between runs. */
export const START_CLUSTER = {
  name: 'start',
  ports: [19092, 19093, 19094],
  controllerPorts: [19192, 19193, 19194],
  keepData: true,
} as const;

/**
 * The broker settings that make a cluster of `size` nodes lose nothing acknowledged while one
 * node is down: every partition on 3 nodes (fewer when the cluster is smaller), a write
 * acknowledged once 2 of them have it.
 */
export function clusterSettings(size: number): Array<readonly [string, string | number]> {
  const replicas = Math.min(3, size);
  const minInSync = Math.min(2, replicas);
  return [
    ['default.replication.factor', replicas],
    ['min.insync.replicas', minInSync],
    ['offsets.topic.replication.factor', replicas],
    // 12 partitions of __consumer_offsets instead of 50: the same guarantees, a quarter of the
    // replicas to create and follow on a small machine.
    ['offsets.topic.num.partitions', 12],
    ['transaction.state.log.replication.factor', replicas],
    ['transaction.state.log.min.isr', minInSync],
    // An out-of-sync replica never becomes leader: that would drop acknowledged writes.
    ['unclean.leader.election.enable', 'false'],
    // 6 s (Kafka's default is 9 s): how long after a killed node's last heartbeat the controller
    // fences it and moves its partitions' leadership; heartbeats every 1 s (default 2 s).
    ['broker.session.timeout.ms', 6000],
    ['broker.heartbeat.interval.ms', 1000],
  ];
}

/**
 * Starts a cluster of `size` nodes on 127.0.0.1 and waits until every broker has joined it.
 * The nodes are this process's children: they end with it (SIGKILL on exit) if stop() is never called.
 */
export async function startKafkaCluster(options: KafkaClusterOptions = {}): Promise<KafkaCluster> {
  const { size = 3, logger = console, java = 'java', heap = '384m', startTimeoutMs = 180_000, keepData = false } = options;
  if (size < 1) throw new Error(`A Kafka cluster needs at least one node (size ${size}).`);
  const [ports, controllerPorts] = await nodePorts(size, options.ports, options.controllerPorts);
  const brokers = ports.map((port) => `127.0.0.1:${port}`);
  const where = brokers.join(',');

  removeAbandonedClusters();
  const name = options.name ?? `run-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const dir = path.join(CLUSTERS_DIR, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, OWNER_FILE), `${process.pid}\n`);

  let nodes: KafkaNodeFiles[];
  let version: string;
  try {
    ({ nodes, version } = await prepareNodes({ java, logger, size, dir, ports, controllerPorts, where }));
  } catch (err) {
    if (!keepData) rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const running: Array<LaunchedKafkaNode | undefined> = nodes.map(() => undefined);
  const ended: Array<string | undefined> = nodes.map(() => undefined);
  const launch = async (i: number) => {
    const node = await launchKafkaNode(java, nodes[i] as KafkaNodeFiles, { heap, detached: false, jvmFlags: CLUSTER_JVM_FLAGS });
    running[i] = node;
    ended[i] = undefined;
    void node.exited.then((how) => {
      if (running[i] === node) ended[i] = how;
    });
  };
  const alive = (i: number) => {
    const node = running[i];
    return node !== undefined && node.child.exitCode === null && node.child.signalCode === null;
  };
  // A test that fails without stop() must not leave JVMs behind.
  const killOnExit = () => {
    for (const node of running) if (node && node.child.exitCode === null) node.child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const stopAll = async () => {
    process.removeListener('exit', killOnExit);
    await Promise.all(
      running.map(async (node, i) => {
        if (!node || !alive(i)) return;
        // Data that is thrown away needs no controlled shutdown.
        if (keepData) await terminateKafkaNode(node.pid, node.child, logger);
        else {
          node.child.kill('SIGKILL');
          await node.exited;
        }
      }),
    );
    if (!keepData) rmSync(dir, { recursive: true, force: true });
    else rmSync(path.join(dir, OWNER_FILE), { force: true });
  };

  logger.info(`Starting a ${size}-node Kafka ${version} cluster (KRaft) at ${where}; data and logs in ${fromRoot(dir)}.`);
  const started = Date.now();
  try {
    for (let i = 0; i < size; i += 1) await launch(i);
    const gone = () => ended.find((how) => how !== undefined);
    await waitUntilKafkaAnswers(brokers, gone, startTimeoutMs, nodes, size);
  } catch (err) {
    await stopAll();
    throw err;
  }
  logger.info(`The Kafka cluster is ready at ${where} (${((Date.now() - started) / 1000).toFixed(1)} s).`);

  const checkIndex = (i: number) => {
    if (!Number.isInteger(i) || i < 0 || i >= size) throw new Error(`The cluster has nodes 0 to ${size - 1}, not ${i}.`);
  };
  return {
    brokers,
    dir,
    started: true,
    nodeId: (i) => i + 1,
    indexOf: (nodeId) => nodeId - 1,
    isRunning: (i) => alive(i),
    async kill(i) {
      checkIndex(i);
      const node = running[i];
      if (!node || !alive(i)) return;
      node.child.kill('SIGKILL');
      await node.exited;
      logger.info(`Killed Kafka node ${i + 1} (${brokers[i]}) with SIGKILL.`);
    },
    async restart(i) {
      checkIndex(i);
      if (alive(i)) throw new Error(`Kafka node ${i + 1} is running; kill it first.`);
      const at = Date.now();
      await launch(i);
      // Asked through its own port: the cluster may still list a killed node until it is fenced.
      await waitUntilKafkaAnswers([brokers[i] as string], () => ended[i], startTimeoutMs, [nodes[i] as KafkaNodeFiles], size);
      logger.info(`Kafka node ${i + 1} (${brokers[i]}) is back in the cluster (${((Date.now() - at) / 1000).toFixed(1)} s).`);
    },
    stop: stopAll,
  };
}

/**
 * The cluster `pnpm start --cluster` uses: the one already answering on START_CLUSTER's ports
 * (left running by another command; never stopped from here), or one started now on the data
 * kept in .cache/kafka-cluster/start/.
 */
export async function ensureStartCluster(logger: ProgressLogger): Promise<KafkaCluster> {
  const brokers = START_CLUSTER.ports.map((port) => `127.0.0.1:${port}`);
  if (await brokersAnswer(brokers, 4_000, START_CLUSTER.ports.length)) {
    logger.info(`Using the Kafka cluster already running at ${brokers.join(',')}.`);
    const notOurs = async () => {
      throw new Error('This Kafka cluster was started by another command; stop it there.');
    };
    return {
      brokers,
      dir: path.join(CLUSTERS_DIR, START_CLUSTER.name),
      started: false,
      nodeId: (i) => i + 1,
      indexOf: (nodeId) => nodeId - 1,
      isRunning: () => true,
      kill: notOurs,
      restart: notOurs,
      stop: async () => undefined,
    };
  }
  return startKafkaCluster({ ...START_CLUSTER, size: START_CLUSTER.ports.length, logger });
}

interface PrepareNodesOptions {
  java: string;
  logger: ProgressLogger;
  size: number;
  dir: string;
  ports: number[];
  controllerPorts: number[];
  where: string;
}

/** Checks the ports and Java, fetches the jars, writes each node's configuration and formats its storage (once). */
async function prepareNodes({ java, logger, size, dir, ports, controllerPorts, where }: PrepareNodesOptions): Promise<{ nodes: KafkaNodeFiles[]; version: string }> {
  const busy = (await Promise.all([...ports, ...controllerPorts].map(portTaken))).some(Boolean);
  if (busy) {
    throw new KafkaUnavailableError(
      `A port of the Kafka cluster (${[...ports, ...controllerPorts].join(', ')}) on 127.0.0.1 is already in use, ` +
        `so the cluster cannot start there (nor does a ${size}-broker cluster answer there). Find the process with \`ss -ltnp\` and stop it, or choose other ports.`,
    );
  }
  await requireJava(java, where);
  const version = kafkaVersion();
  await ensureKafkaJars(version, logger);

  const voters = controllerPorts.map((port, i) => `${i + 1}@127.0.0.1:${port}`).join(',');
  const nodes: KafkaNodeFiles[] = ports.map((port, i) => {
    const files = kafkaNodeFiles(path.join(dir, `node-${i}`));
    writeKafkaNodeConfig(files, {
      purpose: `Node ${i + 1} of ${size} of a local Kafka cluster (scripts/lib/kafka-cluster.ts), broker and KRaft controller.`,
      nodeId: i + 1,
      port,
      controllerPort: controllerPorts[i] as number,
      voters,
      settings: clusterSettings(size),
    });
    return files;
  });
  const clusterId = await clusterIdOf(java, dir, nodes[0] as KafkaNodeFiles);
  await Promise.all(nodes.filter((files) => !kafkaStorageFormatted(files)).map((files) => formatKafkaStorage(java, files, clusterId)));
  return { nodes, version };
}

async function nodePorts(size: number, ports?: readonly number[], controllerPorts?: readonly number[]): Promise<[number[], number[]]> {
  for (const [what, given] of [['ports', ports], ['controllerPorts', controllerPorts]] as const) {
    if (given && given.length !== size) throw new Error(`A ${size}-node Kafka cluster needs ${size} ${what}, got ${given.length}.`);
  }
  const free = await portsBelowEphemeralRange(2 * size);
  return [ports ? [...ports] : free.slice(0, size), controllerPorts ? [...controllerPorts] : free.slice(size)];
}

/**
 * `count` free ports below the kernel's ephemeral range. Not port 0's choice (testkit's
 * freePorts): a JVM binds seconds after the choice, and a restarted node binds again after
 * being down, and meanwhile any outgoing connection on this machine may be given an
 * ephemeral port; one outside that range is taken only by something listening on purpose.
 */
async function portsBelowEphemeralRange(count: number): Promise<number[]> {
  let ceiling = 32_768;
  try {
    ceiling = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || ceiling;
  } catch {
    // Not Linux: Linux's default range.
  }
  // 20 000 and up: clear of the well-known services and of START_CLUSTER's 19 092-19 194.
  const floor = 20_000;
  const chosen: number[] = [];
  for (let attempt = 0; chosen.length < count && attempt < 200; attempt += 1) {
    const port = floor + Math.floor(Math.random() * Math.max(1, ceiling - floor));
    if (!chosen.includes(port) && (await canListen(port))) chosen.push(port);
  }
  if (chosen.length < count) throw new Error(`Found only ${chosen.length} of ${count} free ports between ${floor} and ${ceiling}.`);
  return chosen;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** One id for every node of the cluster: kept in the cluster's folder, so that a kept cluster starts again as itself. */
async function clusterIdOf(java: string, dir: string, first: KafkaNodeFiles): Promise<string> {
  const file = path.join(dir, CLUSTER_ID_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const clusterId = await newKafkaClusterId(java, first);
  writeFileSync(file, `${clusterId}\n`);
  return clusterId;
}

/** Removes the folders of clusters whose process died without stop() (a killed test run); kept clusters stay. */
function removeAbandonedClusters(): void {
  if (!existsSync(CLUSTERS_DIR)) return;
  for (const name of readdirSync(CLUSTERS_DIR)) {
    if (name === START_CLUSTER.name) continue;
    const folder = path.join(CLUSTERS_DIR, name);
    const owner = path.join(folder, OWNER_FILE);
    // A folder without its owner file may be one another process is creating this instant: left for an hour.
    if (!existsSync(owner)) {
      if (Date.now() - statSync(folder).mtimeMs > 3_600_000) rmSync(folder, { recursive: true, force: true });
      continue;
    }
    const pid = Number(readFileSync(owner, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) rmSync(folder, { recursive: true, force: true });
  }
}
