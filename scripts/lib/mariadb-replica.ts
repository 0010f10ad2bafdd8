import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { CACHE_DIR } from './paths';
import { watchExit } from './child-exit';

/**
 * A MariaDB primary and one replica of it, each its own `mariadbd` process with its data,
 * socket, pid file and error log under `.cache/mariadb-replica/<name>/`. The system MariaDB
 * (127.0.0.1:3306) is never touched.
 *
 * The primary writes a ROW binlog with GTIDs (`gtid_strict_mode`); the replica follows it
 * with `MASTER_USE_GTID=slave_pos` and is `read_only`. Applications reach the replica as
 * `waimai_reader`, who may only SELECT, so a write routed there by mistake fails instead of
 * forking the data. Both start from a copy of one installed data directory (installed once
 * per checkout), so a pair starts in about as long as two server boots.
 */
export const REPLICA_ROOT = path.join(CACHE_DIR, 'mariadb-replica');
const TEMPLATE_DIR = path.join(REPLICA_ROOT, 'template');
const OWNER_FILE = 'owner.pid';
const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = 'mariadb-install-db';
/** The account applications read the replica with: SELECT only (created on the replica alone). */
export const REPLICA_READER = 'waimai_reader';
const REPLICATION_USER = 'waimai_replication';
// 60 s: a cold mariadbd with InnoDB recovery on a loaded 2-core runner.
const START_TIMEOUT_MS = 60_000;
// 30 s: a clean shutdown flushes the buffer pool; then SIGKILL.
const STOP_TIMEOUT_MS = 30_000;
// Unix socket paths are limited to 107 bytes.
const MAX_SOCKET_PATH = 100;
// Small on purpose: several pairs may run beside the system MariaDB on one developer machine.
const SERVER_FLAGS = [
  '--no-defaults',
  '--bind-address=127.0.0.1',
  '--skip-name-resolve',
  '--performance-schema=OFF',
  '--innodb-buffer-pool-size=32M',
  '--innodb-log-file-size=8M',
  // Test and demo data: losing the last second on a crash is fine, fsync per commit is not needed.
  '--innodb-flush-log-at-trx-commit=2',
  '--sync-binlog=0',
  '--max-connections=300',
  '--character-set-server=utf8mb4',
  '--collation-server=utf8mb4_bin',
];

export interface ProgressLogger {
  info(message: string): void;
}

export interface MariadbNode {
  role: 'primary' | 'replica';
  port: number;
  /** Where applications connect: root on the primary, the SELECT-only reader on the replica. */
  url: string;
  /** root over TCP, for administration (STOP SLAVE, ...). */
  adminUrl: string;
  pid: number;
  dir: string;
  errorLog: string;
  /** Whether the mariadbd process is still running. */
  running(): boolean;
  /** SIGTERM, a clean shutdown; SIGKILL after 30 s. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash. Resolves once the process is gone. */
  kill(): Promise<void>;
}

export interface ReplicaPair {
  primary: MariadbNode;
  replica: MariadbNode;
  /** Stops both servers (replica first) and, unless `keepData`, removes the pair's directory. */
  stop(): Promise<void>;
}

export interface StartReplicaPairOptions {
  /** The pair's folder under .cache/mariadb-replica/, e.g. `start` or `test-<pid>-<random>`. */
  name: string;
  /** The ports to listen on; pick them with freePorts() in tests. */
  primaryPort: number;
  replicaPort: number;
  /** Leave the data directory on stop (default: removed). */
  keepData?: boolean;
  logger?: ProgressLogger;
}

/** mariadbd refuses to run as root unless told to; as anyone else it runs as itself. */
function userFlags(): string[] {
  return process.getuid?.() === 0 ? ['--user=root'] : [];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Installs the system tables once per checkout into .cache/mariadb-replica/template;
 * concurrent callers each install into a scratch folder and the first rename wins.
 */
function ensureTemplate(logger?: ProgressLogger): void {
  if (existsSync(path.join(TEMPLATE_DIR, 'mysql'))) return;
  mkdirSync(REPLICA_ROOT, { recursive: true });
  const scratch = `${TEMPLATE_DIR}.${process.pid}-${randomBytes(4).toString('hex')}`;
  logger?.info(`Installing a MariaDB data directory template in ${path.relative(process.cwd(), TEMPLATE_DIR)}.`);
  const result = spawnSync(
    INSTALL_DB,
    [
      '--no-defaults',
      `--datadir=${scratch}`,
      ...userFlags(),
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--innodb-log-file-size=8M',
      '--innodb-buffer-pool-size=32M',
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (result.error || result.status !== 0) {
    rmSync(scratch, { recursive: true, force: true });
    const why = result.error?.message ?? `exit code ${result.status}`;
    throw new Error(`${INSTALL_DB} failed (${why}): ${(result.stderr || result.stdout || '').slice(-2000)}`);
  }
  try {
    renameSync(scratch, TEMPLATE_DIR);
  } catch (err) {
    rmSync(scratch, { recursive: true, force: true });
    if (!existsSync(path.join(TEMPLATE_DIR, 'mysql'))) throw err;
  }
}

/**
 * Stops the mariadbd processes of pairs whose owner (the node process that started them) is
 * gone without stopping them (a test run killed mid-way), and removes their folders.
 */
function sweepAbandonedPairs(): void {
  if (!existsSync(REPLICA_ROOT)) return;
  for (const name of readdirSync(REPLICA_ROOT)) {
    const dir = path.join(REPLICA_ROOT, name);
    const ownerFile = path.join(dir, OWNER_FILE);
    if (!existsSync(ownerFile)) continue;
    const owner = Number(readFileSync(ownerFile, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) continue;
    for (const role of ['replica', 'primary']) {
      const pidFile = path.join(dir, role, 'mariadbd.pid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function socketPath(dir: string, role: string): string {
  const inDir = path.join(dir, role, 'mariadbd.sock');
  if (inDir.length <= MAX_SOCKET_PATH) return inDir;
  // A deep checkout: the socket goes to the temp folder (nothing here connects through it).
  return path.join(os.tmpdir(), `waimai-mariadb-${process.pid}-${randomBytes(4).toString('hex')}-${role}.sock`);
}

async function connectWhenUp(url: string, child: ChildProcess, errorLog: string, exitReason: () => string | undefined) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const dead = exitReason();
    if (dead) throw new Error(`mariadbd (pid ${child.pid}) exited while starting (${dead}); see ${errorLog}:\n${tail(errorLog)}`);
    try {
      return await mysql.createConnection({ uri: url, connectTimeout: 2_000, multipleStatements: true });
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`mariadbd (pid ${child.pid}) did not accept connections within ${START_TIMEOUT_MS / 1000} s (${last}); see ${errorLog}.`);
}

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-15).join('\n') : '(no log)';
}

interface StartedNode {
  node: MariadbNode;
  admin: mysql.Connection;
}

async function startNode(
  role: 'primary' | 'replica',
  pairDir: string,
  port: number,
  roleFlags: string[],
): Promise<StartedNode> {
  const dir = path.join(pairDir, role);
  const dataDir = path.join(dir, 'data');
  cpSync(TEMPLATE_DIR, dataDir, { recursive: true });
  const errorLog = path.join(dir, 'error.log');
  const out = openSync(path.join(dir, 'mariadbd.out'), 'a');
  const child = spawn(
    MARIADBD,
    [
      ...SERVER_FLAGS,
      ...userFlags(),
      `--datadir=${dataDir}`,
      `--port=${port}`,
      `--socket=${socketPath(pairDir, role)}`,
      `--pid-file=${path.join(dir, 'mariadbd.pid')}`,
      `--log-error=${errorLog}`,
      ...roleFlags,
    ],
    { stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const watched = watchExit(child);
  const exitReason = watched.reason;
  const adminUrl = `mysql://root@127.0.0.1:${port}`;
  const node: MariadbNode = {
    role,
    port,
    url: role === 'primary' ? adminUrl : `mysql://${REPLICA_READER}@127.0.0.1:${port}`,
    adminUrl,
    pid: child.pid ?? -1,
    dir,
    errorLog,
    running: () => exitReason() === undefined,
    stop: () => watched.stop(STOP_TIMEOUT_MS),
    kill: () => watched.kill(),
  };
  try {
    const admin = await connectWhenUp(adminUrl, child, errorLog, exitReason);
    return { node, admin };
  } catch (err) {
    await node.kill();
    throw err;
  }
}

/** Polls SHOW SLAVE STATUS until both replication threads run; bounded by START_TIMEOUT_MS. */
async function waitForReplication(replica: mysql.Connection): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = 'no status yet';
  while (Date.now() < deadline) {
    const [rows] = await replica.query('SHOW SLAVE STATUS');
    const status = (rows as Array<Record<string, unknown>>)[0];
    if (status?.Slave_IO_Running === 'Yes' && status.Slave_SQL_Running === 'Yes') return;
    last = status ? `IO ${String(status.Slave_IO_Running)}, SQL ${String(status.Slave_SQL_Running)}: ${String(status.Last_IO_Error || status.Last_SQL_Error || '')}` : 'not configured';
    await sleep(100);
  }
  throw new Error(`The replica did not start replicating within ${START_TIMEOUT_MS / 1000} s (${last}).`);
}

/**
 * Starts a primary with a GTID binlog and a read-only replica following it, both on
 * 127.0.0.1, and waits until the replica's IO and SQL threads run.
 */
export async function startReplicaPair(options: StartReplicaPairOptions): Promise<ReplicaPair> {
  const { name, primaryPort, replicaPort, keepData = false, logger } = options;
  sweepAbandonedPairs();
  ensureTemplate(logger);
  const pairDir = path.join(REPLICA_ROOT, name);
  rmSync(pairDir, { recursive: true, force: true });
  mkdirSync(path.join(pairDir, 'primary'), { recursive: true });
  mkdirSync(path.join(pairDir, 'replica'), { recursive: true });
  writeFileSync(path.join(pairDir, OWNER_FILE), `${process.pid}\n`);
  const replicationPassword = randomBytes(12).toString('hex');
  const started: MariadbNode[] = [];
  const connections: mysql.Connection[] = [];
  try {
    const nodes = await Promise.allSettled([
      startNode('primary', pairDir, primaryPort, ['--server-id=1', '--log-bin=mysql-bin', '--binlog-format=ROW', '--gtid-strict-mode=1']),
      startNode('replica', pairDir, replicaPort, [
        '--server-id=2',
        '--read-only=1',
        '--gtid-strict-mode=1',
        '--relay-log=relay-bin',
        // Configured below, once the primary has its replication account.
        '--skip-slave-start',
      ]),
    ]);
    for (const result of nodes) {
      if (result.status !== 'fulfilled') continue;
      started.push(result.value.node);
      connections.push(result.value.admin);
    }
    const [primary, replica] = nodes.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    }) as [StartedNode, StartedNode];
    // Accounts are local to each server: sql_log_bin=0 keeps them out of the replicated stream.
    await primary.admin.query(
      `SET SESSION sql_log_bin = 0;
       CREATE USER '${REPLICATION_USER}'@'127.0.0.1' IDENTIFIED BY '${replicationPassword}';
       GRANT REPLICATION SLAVE ON *.* TO '${REPLICATION_USER}'@'127.0.0.1';`,
    );
    await replica.admin.query(
      `CREATE USER '${REPLICA_READER}'@'127.0.0.1';
       GRANT SELECT ON *.* TO '${REPLICA_READER}'@'127.0.0.1';
       CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${primaryPort}, MASTER_USER = '${REPLICATION_USER}',
         MASTER_PASSWORD = '${replicationPassword}', MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1;
       START SLAVE;`,
    );
    await waitForReplication(replica.admin);
    logger?.info(`MariaDB primary on 127.0.0.1:${primaryPort} (pid ${primary.node.pid}), replica on 127.0.0.1:${replicaPort} (pid ${replica.node.pid}).`);
    return {
      primary: primary.node,
      replica: replica.node,
      async stop() {
        await replica.node.stop();
        await primary.node.stop();
        if (!keepData) rmSync(pairDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const node of started) await node.kill();
    if (!keepData) rmSync(pairDir, { recursive: true, force: true });
    throw err;
  } finally {
    await Promise.all(connections.map((connection) => connection.end().catch(() => undefined)));
  }
}

/** Two ports that were free a moment ago on 127.0.0.1 (listened on together, so they differ). */
async function twoFreePorts(): Promise<[number, number]> {
  const servers = [net.createServer(), net.createServer()];
  await Promise.all(servers.map((server) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  })));
  const [first, second] = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return [first ?? 0, second ?? 0];
}

/**
 * `pnpm start --replica`: a fresh pair in .cache/mariadb-replica/start on free ports, and
 * `config` and the environment the services inherit pointed at it (MYSQL_URL: the primary,
 * MYSQL_REPLICA_URLS: the replica). Both servers are sent SIGTERM when this process exits,
 * however it exits, and shut down cleanly by themselves; the next start wipes their data.
 */
export async function useLocalReplica(
  config: { MYSQL_URL: string; MYSQL_REPLICA_URLS: string[] },
  logger: ProgressLogger,
): Promise<ReplicaPair> {
  const [primaryPort, replicaPort] = await twoFreePorts();
  const pair = await startReplicaPair({ name: 'start', primaryPort, replicaPort, keepData: true, logger });
  process.once('exit', () => {
    for (const node of [pair.replica, pair.primary]) if (node.running()) process.kill(node.pid, 'SIGTERM');
  });
  config.MYSQL_URL = pair.primary.url;
  config.MYSQL_REPLICA_URLS = [pair.replica.url];
  process.env.MYSQL_URL = pair.primary.url;
  process.env.MYSQL_REPLICA_URLS = pair.replica.url;
  logger.info(`--replica: the services write to ${pair.primary.url} and read what may be stale from ${pair.replica.url} (docs/replica.md).`);
  return pair;
}
