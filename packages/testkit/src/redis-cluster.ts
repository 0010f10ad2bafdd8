import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import path from 'node:path';
import { connectRedis, type Redis } from '@waimai/platform';
import { eventually } from './eventually';
import { freePorts } from './processes';
import { watchExit } from '../../../scripts/lib/child-exit';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** A real Redis Cluster of local `redis-server` processes, masters only. */
export interface RedisClusterHandle {
  /** host:port of every master: what REDIS_CLUSTER_NODES takes. */
  nodes: string[];
  /** Its data and log files: .cache/redis-cluster/<run>/. */
  dir: string;
  /** Stops every node (SIGTERM, then SIGKILL after 10 s) and removes the directory. */
  stop(): Promise<void>;
}

// 10 s: a redis-server with nothing to save stops within milliseconds of SIGTERM.
const KILL_AFTER_MS = 10_000;
// 60 s: three nodes agreeing on the slot map over the cluster bus, on 2 busy cores.
const CLUSTER_OK_TIMEOUT_MS = 60_000;

interface Node {
  port: number;
  exitReason(): string | undefined;
  /** SIGTERM, then SIGKILL after `killAfterMs`. */
  stop(killAfterMs: number): Promise<void>;
}

/**
 * Starts `masters` (3 by default) `redis-server --cluster-enabled yes` on free ports (client
 * and cluster-bus ports both chosen free), joins them with `redis-cli --cluster create`
 * (16384 slots spread evenly, no replicas, no persistence) and waits until every node says
 * cluster_state:ok. Call `stop()` in afterAll; a failed start stops what it started.
 */
export async function startRedisCluster({ masters = 3 } = {}): Promise<RedisClusterHandle> {
  const run = `${process.env.WAIMAI_TEST_RUN ?? 'local'}-${randomBytes(3).toString('hex')}`;
  const dir = path.join(ROOT, '.cache', 'redis-cluster', run);
  mkdirSync(dir, { recursive: true });
  const ports = await freePorts(masters * 2);
  const nodes: Node[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => stopNode(node)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i += 1) nodes.push(startNode(dir, ports[i]!, ports[masters + i]!));
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    for (const node of nodes) await eventually(() => answersPing(node), { timeoutMs: CLUSTER_OK_TIMEOUT_MS, what: `redis-server on ${node.port} answering` });
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: CLUSTER_OK_TIMEOUT_MS });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed (${create.error?.message ?? `exit ${create.status}`}): ${create.stdout}${create.stderr}`);
    for (const node of nodes) await eventually(() => clusterOk(node), { timeoutMs: CLUSTER_OK_TIMEOUT_MS, what: `cluster_state:ok on ${node.port}` });
    return { nodes: addresses, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function startNode(dir: string, port: number, busPort: number): Node {
  const nodeDir = path.join(dir, String(port));
  mkdirSync(nodeDir, { recursive: true });
  const out = openSync(path.join(nodeDir, 'redis.log'), 'a');
  const child = spawn(
    'redis-server',
    [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--cluster-enabled', 'yes',
      '--cluster-port', String(busPort),
      '--cluster-config-file', path.join(nodeDir, 'nodes.conf'),
      '--cluster-node-timeout', '5000',
      '--dir', nodeDir,
      '--save', '',
      '--appendonly', 'no',
    ],
    { stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const watched = watchExit(child);
  return { port, exitReason: watched.reason, stop: watched.stop };
}

async function stopNode(node: Node): Promise<void> {
  await node.stop(KILL_AFTER_MS);
}

async function withNode<T>(node: Node, ask: (client: Redis) => Promise<T>): Promise<T> {
  const dead = node.exitReason();
  if (dead) throw new Error(`redis-server on ${node.port} exited (${dead}).`);
  const client = connectRedis({ REDIS_URL: `redis://127.0.0.1:${node.port}`, REDIS_KEY_PREFIX: '' }, 'test-redis-cluster');
  try {
    return await ask(client);
  } finally {
    client.disconnect();
  }
}

const answersPing = (node: Node) => withNode(node, async (client) => (await client.ping()) === 'PONG');
const clusterOk = (node: Node) => withNode(node, async (client) => ((await client.cluster('INFO')) as string).includes('cluster_state:ok'));

export interface MultiKeyCommand {
  command: string;
  keys: string[];
}

/**
 * Records every command `client` sends with at least `minKeys` keys (2 by default: scripts,
 * multi-key commands), with its keys as sent, key prefix included: what a test hands to
 * `keySlots` to show that each one stays in one hash slot.
 */
export function recordMultiKeyCommands(client: Redis, { minKeys = 2 } = {}): MultiKeyCommand[] {
  const recorded: MultiKeyCommand[] = [];
  type Sent = { name: string; getKeys(): Array<string | Buffer> };
  const target = client as unknown as { sendCommand(command: Sent, ...rest: unknown[]): unknown };
  const send = target.sendCommand.bind(client);
  target.sendCommand = (command, ...rest) => {
    const keys = command.getKeys();
    if (keys.length >= minKeys) recorded.push({ command: command.name, keys: keys.map(String) });
    return send(command, ...rest);
  };
  return recorded;
}

/** The hash slot of each key as the cluster itself computes it (CLUSTER KEYSLOT). */
export async function keySlots(client: Redis, keys: readonly string[]): Promise<number[]> {
  return Promise.all(keys.map(async (key) => Number(await client.cluster('KEYSLOT', key))));
}
