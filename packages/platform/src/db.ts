import type { PoolConnection as CoreConnection } from 'mysql2';
import mysql from 'mysql2/promise';
import { getTableColumns, sql, type InferSelectModel, type SQL } from 'drizzle-orm';
import type { MySqlColumn, MySqlTable } from 'drizzle-orm/mysql-core';
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import { mysqlConfig } from './config';
import { mysqlPool } from './metrics';
import { createReplicaRouter, type ReplicaStatus } from './replica-routing';

export interface MysqlOptions {
  MYSQL_URL: string;
  MYSQL_REPLICA_URLS: string[];
  DB_PREFIX: string;
  MYSQL_POOL_SIZE: number;
  /** The replica routing's bounds (docs/replica.md); mysqlConfig's defaults when left out. */
  MYSQL_REPLICA_MAX_LAG_MS?: number;
  MYSQL_REPLICA_CHECK_INTERVAL_MS?: number;
  MYSQL_REPLICA_WAIT_MS?: number;
  /** mysql2's `trace`: capture the caller's stack before each statement (mysqlConfig's default, false, when left out). */
  MYSQL_CALLER_STACKS?: boolean;
  /** The outbox relay's fallback poll, ms (mysqlConfig's default, 1 000, when left out). */
  OUTBOX_POLL_MS?: number;
}

const mysqlDefaults = mysqlConfig.parse({});

/** Database per service: `<prefix>_<service>`, e.g. `waimai_orders`. */
export function databaseName(prefix: string, service: string): string {
  return `${prefix}_${service}`;
}

function poolFor(url: string, database: string | undefined, size: number, { connectTimeout, callerStacks = mysqlDefaults.MYSQL_CALLER_STACKS }: { connectTimeout?: number; callerStacks?: boolean } = {}) {
  return mysql.createPool({
    uri: url,
    database,
    connectionLimit: size,
    // mysql2's default (true) runs Error.captureStackTrace before every statement, so that an
    // error's stack shows the caller: about 3% of a busy service's CPU. Off, the stack shows
    // mysql2's frames, and drizzle's error still names the query that failed.
    trace: callerStacks,
    ...(connectTimeout ? { connectTimeout } : {}),
    // Every DATETIME is UTC; the contract's times are ISO-8601 UTC.
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    enableKeepAlive: true,
  });
}

export async function ensureDatabase(url: string, database: string): Promise<void> {
  const connection = await mysql.createConnection({ uri: url });
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
    );
  } finally {
    await connection.end();
  }
}

export async function dropDatabase(url: string, database: string): Promise<void> {
  const connection = await mysql.createConnection({ uri: url });
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await connection.end();
  }
}

export type Database<TSchema extends Record<string, unknown>> = MySql2Database<TSchema>;

export interface ServiceDatabase<TSchema extends Record<string, unknown>> {
  /**
   * For reads that may be stale (browsing, staff search, analytics): a replica that is
   * reachable and within MYSQL_REPLICA_MAX_LAG_MS answers them, else the primary; a read that
   * fails on a replica is retried on the primary. Writes and transactions go to the primary.
   * The primary alone when no replica is configured.
   */
  db: MySql2Database<TSchema>;
  /** The primary alone: reads that follow the caller's own write, and reads a write decides on. */
  primary: MySql2Database<TSchema>;
  /**
   * The primary's GTID position now: it includes every write committed before the call.
   * Hand it to `readAfter` (later, in this process or another) to read those writes back.
   */
  writePosition(): Promise<string>;
  /**
   * Reads that must see every write up to `position` (from `writePosition`): a replica that
   * has applied it answers, after waiting up to MYSQL_REPLICA_WAIT_MS (MASTER_GTID_WAIT) when
   * it has not yet; otherwise the primary. The primary alone when no replica is configured.
   */
  readAfter(position: string): MySql2Database<TSchema>;
  /** Each replica as this process last checked it (empty without replicas). */
  replicas(): ReplicaStatus[];
  /** Checks every replica now instead of at the next interval. */
  checkReplicas(): Promise<void>;
  /**
   * A READ COMMITTED transaction on a connection of its own, for the outbox relay: the session
   * is READ COMMITTED with autocommit off, so a transaction is its statements and COMMIT, with
   * no SET TRANSACTION and BEGIN before them (two of the five round trips of a relay batch).
   * One connection, opened at the first call; `work` must not run transactions of its own.
   */
  outboxTransaction: OutboxTransaction;
  name: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Runs `work` as one READ COMMITTED transaction; it commits when `work` resolves, rolls back when it throws. */
export type OutboxTransaction = <T>(work: (tx: MySql2Database<Record<string, unknown>>) => Promise<T>) => Promise<T>;

export interface ConnectOptions {
  /** Sees every SQL statement drizzle sends (debug logging, query counting in tests). */
  logQuery?: (query: string, params: unknown[]) => void;
  /** Told when a replica stops or starts taking reads (unreachable, past the lag bound, back). */
  onReplicaChange?: (status: ReplicaStatus) => void;
}

// 2 s: a replica that does not answer a connect within this is skipped; its read goes to the primary.
const REPLICA_CONNECT_TIMEOUT_MS = 2_000;

export function connectDatabase<TSchema extends Record<string, unknown>>(
  options: MysqlOptions,
  service: string,
  schema: TSchema,
  connectOptions: ConnectOptions = {},
): ServiceDatabase<TSchema> {
  const name = databaseName(options.DB_PREFIX, service);
  const primaryPool = poolFor(options.MYSQL_URL, name, options.MYSQL_POOL_SIZE, { callerStacks: options.MYSQL_CALLER_STACKS });
  const replicaPools = options.MYSQL_REPLICA_URLS.map((url, index) => ({
    name: `replica-${index + 1}`,
    pool: poolFor(url, name, options.MYSQL_POOL_SIZE, { connectTimeout: REPLICA_CONNECT_TIMEOUT_MS, callerStacks: options.MYSQL_CALLER_STACKS }),
  }));
  const logger = connectOptions.logQuery ? { logQuery: connectOptions.logQuery } : undefined;
  const primary = drizzle({ client: primaryPool, schema, mode: 'default', logger });
  const untrackPools = [
    trackPool(service, 'primary', primaryPool),
    ...replicaPools.map(({ name: replica, pool }) => trackPool(service, replica, pool)),
  ];
  const router = replicaPools.length
    ? createReplicaRouter(
        service,
        primaryPool,
        replicaPools,
        {
          maxLagMs: options.MYSQL_REPLICA_MAX_LAG_MS ?? mysqlDefaults.MYSQL_REPLICA_MAX_LAG_MS,
          checkIntervalMs: options.MYSQL_REPLICA_CHECK_INTERVAL_MS ?? mysqlDefaults.MYSQL_REPLICA_CHECK_INTERVAL_MS,
          readAfterWriteWaitMs: options.MYSQL_REPLICA_WAIT_MS ?? mysqlDefaults.MYSQL_REPLICA_WAIT_MS,
        },
        connectOptions.onReplicaChange,
      )
    : undefined;
  const routed = (client: mysql.Pool) => drizzle({ client, schema, mode: 'default', logger });
  const outbox = outboxSession(options.MYSQL_URL, name, service, options.MYSQL_CALLER_STACKS, logger);
  return {
    outboxTransaction: outbox.transaction,
    db: router ? routed(router.staleOkClient) : primary,
    primary,
    async writePosition() {
      const [rows] = await primaryPool.query('SELECT @@GLOBAL.gtid_binlog_pos AS position');
      return String((rows as Array<{ position: string | null }>)[0]?.position ?? '');
    },
    readAfter: (position) => (router ? routed(router.clientAfter(position)) : primary),
    replicas: () => router?.statuses() ?? [],
    checkReplicas: async () => router?.check(),
    name,
    async ping() {
      await primaryPool.query('SELECT 1');
    },
    async close() {
      await router?.stop();
      for (const untrack of untrackPools) untrack();
      // A replica that is down fails its pool's end (a connection it was opening is refused): nothing is left to close then.
      await Promise.all([primaryPool.end(), outbox.close(), ...replicaPools.map(({ pool }) => pool.end().catch(() => undefined))]);
    },
  };
}

/**
 * ServiceDatabase.outboxTransaction: a pool of one connection whose session is READ COMMITTED
 * with autocommit off (set as each connection opens, before it is handed out), opened at the
 * first transaction. A connection whose rollback fails is destroyed, not reused.
 */
function outboxSession(url: string, database: string, service: string, callerStacks: boolean | undefined, logger: { logQuery: ConnectOptions['logQuery'] & {} } | undefined) {
  let pool: mysql.Pool | null = null;
  let untrack: (() => void) | null = null;
  const open = () => {
    if (pool) return pool;
    const opened = poolFor(url, database, 1, { callerStacks });
    // mysql2 runs a connection's commands in order: these precede anything the relay sends on it.
    // One that cannot be set up is destroyed: the relay's next query on it fails, and the batch is retried.
    // The promise pool hands its 'connection' listeners the callback connection underneath.
    const core = (opened as unknown as { pool: { on(event: 'connection', listener: (connection: CoreConnection) => void): void } }).pool;
    core.on('connection', (connection) => {
      const failed = (err: unknown) => {
        if (err) connection.destroy();
      };
      connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', failed);
      connection.query('SET autocommit = 0', failed);
    });
    untrack = trackPool(service, 'outbox', opened);
    pool = opened;
    return opened;
  };
  return {
    transaction: (async <T>(work: (tx: MySql2Database<Record<string, unknown>>) => Promise<T>): Promise<T> => {
      const connection = await open().getConnection();
      const client = drizzle({ client: connection as unknown as mysql.Pool, mode: 'default', logger });
      try {
        const result = await work(client);
        await connection.commit();
        connection.release();
        return result;
      } catch (err) {
        try {
          await connection.rollback();
          connection.release();
        } catch {
          connection.destroy();
        }
        throw err;
      }
    }) as OutboxTransaction,
    async close() {
      untrack?.();
      await pool?.end();
    },
  };
}

/** What mysql2's pool keeps about its connections (no public API reads these counts). */
interface PoolInternals {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
  config?: { connectionLimit?: number };
}

// Several databases of one service may be open in one process (tests): each pool is its own source.
let poolSequence = 0;

/** Samples the pool's connections in use, idle, and the requests waiting for one, when /metrics is scraped. */
function trackPool(service: string, pool: string, promisePool: mysql.Pool): () => void {
  const core = (promisePool as unknown as { pool: PoolInternals }).pool;
  return mysqlPool.track(`${service}/${pool}/${++poolSequence}`, () => {
    const all = core._allConnections?.length ?? 0;
    const idle = core._freeConnections?.length ?? 0;
    return [
      { labels: { service, pool, state: 'in_use' }, value: all - idle },
      { labels: { service, pool, state: 'idle' }, value: idle },
      { labels: { service, pool, state: 'waiting' }, value: core._connectionQueue?.length ?? 0 },
      { labels: { service, pool, state: 'limit' }, value: core.config?.connectionLimit ?? 0 },
    ];
  });
}

/** Creates the service's database when missing and applies its committed drizzle-kit migrations. */
export async function migrateDatabase(options: MysqlOptions, service: string, migrationsFolder: string): Promise<void> {
  const name = databaseName(options.DB_PREFIX, service);
  await ensureDatabase(options.MYSQL_URL, name);
  const pool = poolFor(options.MYSQL_URL, name, 1);
  try {
    await migrate(drizzle({ client: pool }), { migrationsFolder });
  } finally {
    await pool.end();
  }
}

/** MySQL's duplicate-key error, for idempotent inserts. */
export function isDuplicateKey(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string }; code?: string }) ?? {};
  return cause.code === 'ER_DUP_ENTRY' || cause.cause?.code === 'ER_DUP_ENTRY';
}

/** Rows touched by an UPDATE/DELETE through drizzle's mysql2 driver. */
export function affectedRows(result: unknown): number {
  const header = Array.isArray(result) ? result[0] : result;
  return (header as { affectedRows?: number }).affectedRows ?? 0;
}

/**
 * The SET of one UPDATE that gives each row its own changes: for every column some row
 * changes, `CASE id WHEN <row> THEN <its value> ... ELSE column END` (values bound as the
 * column maps them, dates included). The caller's WHERE names the rows, each with its own
 * conditions; a row whose changes lack a column keeps its value.
 */
export function setEachById<TTable extends MySqlTable>(
  table: TTable,
  id: MySqlColumn,
  updates: ReadonlyArray<{ id: string; changes: Partial<InferSelectModel<TTable>> }>,
): Record<string, SQL> {
  const columns = getTableColumns(table) as Record<string, MySqlColumn>;
  const names = [...new Set(updates.flatMap(({ changes }) => Object.keys(changes)))];
  return Object.fromEntries(
    names.map((name) => {
      const column = columns[name];
      if (!column) throw new Error(`${name} is not a column of the table.`);
      const cases = updates
        .filter(({ changes }) => Object.hasOwn(changes, name))
        .map(({ id: rowId, changes }) => sql`WHEN ${rowId} THEN ${sql.param((changes as Record<string, unknown>)[name], column)}`);
      return [name, sql`CASE ${id} ${sql.join(cases, sql` `)} ELSE ${column} END`];
    }),
  );
}
