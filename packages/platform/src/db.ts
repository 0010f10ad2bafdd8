import mysql from 'mysql2/promise';
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import { withReplicas } from 'drizzle-orm/mysql-core';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import { mysqlPool } from './metrics';

export interface MysqlOptions {
  MYSQL_URL: string;
  MYSQL_REPLICA_URLS: string[];
  DB_PREFIX: string;
  MYSQL_POOL_SIZE: number;
}

/** Database per service: `<prefix>_<service>`, e.g. `waimai_orders`. */
export function databaseName(prefix: string, service: string): string {
  return `${prefix}_${service}`;
}

function poolFor(url: string, database: string | undefined, size: number) {
  return mysql.createPool({
    uri: url,
    database,
    connectionLimit: size,
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
  /** Reads go to a replica when replicas are configured; writes and transactions to the primary. */
  db: MySql2Database<TSchema>;
  /** The primary alone, for reads that must see the caller's own writes. */
  primary: MySql2Database<TSchema>;
  name: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Sees every SQL statement drizzle sends (debug logging, query counting in tests). */
  logQuery?: (query: string, params: unknown[]) => void;
}

export function connectDatabase<TSchema extends Record<string, unknown>>(
  options: MysqlOptions,
  service: string,
  schema: TSchema,
  connectOptions: ConnectOptions = {},
): ServiceDatabase<TSchema> {
  const name = databaseName(options.DB_PREFIX, service);
  const primaryPool = poolFor(options.MYSQL_URL, name, options.MYSQL_POOL_SIZE);
  const replicaPools = options.MYSQL_REPLICA_URLS.map((url) => poolFor(url, name, options.MYSQL_POOL_SIZE));
  const logger = connectOptions.logQuery ? { logQuery: connectOptions.logQuery } : undefined;
  const primary = drizzle({ client: primaryPool, schema, mode: 'default', logger });
  const replicas = replicaPools.map((pool) => drizzle({ client: pool, schema, mode: 'default', logger }));
  const untrackPools = [
    trackPool(service, 'primary', primaryPool),
    ...replicaPools.map((pool, index) => trackPool(service, `replica-${index + 1}`, pool)),
  ];
  const [firstReplica, ...otherReplicas] = replicas;
  const db = firstReplica
    ? (withReplicas(primary, [firstReplica, ...otherReplicas]) as unknown as MySql2Database<TSchema>)
    : primary;
  return {
    db,
    primary,
    name,
    async ping() {
      await primaryPool.query('SELECT 1');
    },
    async close() {
      for (const untrack of untrackPools) untrack();
      await Promise.all([primaryPool.end(), ...replicaPools.map((pool) => pool.end())]);
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
