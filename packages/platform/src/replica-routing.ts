import type mysql from 'mysql2/promise';
import { mysqlReads, mysqlReplicaLag, mysqlReplicaServing } from './metrics';

/**
 * Which server answers a read. A stale-ok read (browsing, staff search, analytics) goes to a
 * replica that is reachable and less than `maxLagMs` behind, else to the primary; a read after
 * a write position goes to a replica once it has applied that position, else to the primary.
 * Writes, transactions and locking reads always go to the primary.
 *
 * Lag is measured per process, every `checkIntervalMs`: the primary's @@gtid_binlog_pos is
 * sampled, and a replica is as far behind as the oldest sample its @@gtid_slave_pos does not
 * include yet (counted from the sample before it, so the figure errs on the long side by at
 * most one interval). Seconds_Behind_Master is not used: it is whole seconds, and 0 while the
 * replica's SQL thread waits for events its IO thread has not fetched.
 */
export interface ReplicaRoutingOptions {
  /** A replica further behind than this takes no stale-ok reads until it has caught up. */
  maxLagMs: number;
  /** How often each replica's position is compared with the primary's. */
  checkIntervalMs: number;
  /** How long a read after a write waits (MASTER_GTID_WAIT) for a replica before reading on the primary. */
  readAfterWriteWaitMs: number;
}

/** One replica as this process last saw it. */
export interface ReplicaStatus {
  name: string;
  reachable: boolean;
  /** How far behind the primary it is, in ms; null until measured and while unreachable. */
  lagMs: number | null;
  /** Reachable and within the bound: it takes stale-ok reads. */
  serving: boolean;
  checkedAt: Date | null;
}

/** A MariaDB GTID position (`domain-server-seq,...`) as the highest sequence number per domain. */
export type GtidPosition = ReadonlyMap<number, number>;

export function parseGtidPosition(text: string): GtidPosition {
  const position = new Map<number, number>();
  for (const part of text.split(',')) {
    const [domain, , seq] = part.trim().split('-');
    if (domain === undefined || seq === undefined) continue;
    position.set(Number(domain), Math.max(Number(seq), position.get(Number(domain)) ?? 0));
  }
  return position;
}

/** Whether a server at `have` has applied every transaction of `wanted`. */
export function gtidIncludes(have: GtidPosition, wanted: GtidPosition): boolean {
  for (const [domain, seq] of wanted) if ((have.get(domain) ?? 0) < seq) return false;
  return true;
}

interface Replica {
  name: string;
  pool: mysql.Pool;
  reachable: boolean;
  lagMs: number | null;
  position: GtidPosition | null;
  checkedAt: Date | null;
}

// Errors after which the replica's connections are gone: it takes no reads until a check reaches it.
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN']);
// One hour of samples at 1 s: a replica further behind than that is far past any bound anyway.
const MAX_SAMPLES = 3600;

const statementOf = (args: unknown[]): string => {
  const first = args[0];
  return typeof first === 'string' ? first : ((first as { sql?: string } | undefined)?.sql ?? '');
};

/** A plain SELECT (or WITH ... SELECT): not a write, not a locking read. */
export function isPlainRead(statement: string): boolean {
  return /^\s*\(?\s*(select|with)\b/i.test(statement) && !/\bfor\s+(update|share)\b|\block\s+in\s+share\s+mode\b/i.test(statement);
}

export interface ReplicaRouter {
  /** A mysql2 pool stand-in for drizzle: stale-ok reads to a serving replica, the rest to the primary. */
  staleOkClient: mysql.Pool;
  /** The same, for reads that must include `position` (a write's GTID position on the primary). */
  clientAfter(position: string): mysql.Pool;
  statuses(): ReplicaStatus[];
  /** Compares every replica with the primary now (the timer does it every checkIntervalMs). */
  check(): Promise<void>;
  /** Stops the checks; resolves once the one under way (if any) has ended. */
  stop(): Promise<void>;
}

// Several databases of one service may be open in one process (tests): each router is its own metrics source.
let routerSequence = 0;

export function createReplicaRouter(
  service: string,
  primary: mysql.Pool,
  replicaPools: Array<{ name: string; pool: mysql.Pool }>,
  options: ReplicaRoutingOptions,
  onChange?: (status: ReplicaStatus, before: ReplicaStatus) => void,
): ReplicaRouter {
  const replicas: Replica[] = replicaPools.map(({ name, pool }) => ({ name, pool, reachable: false, lagMs: null, position: null, checkedAt: null }));
  const samples: Array<{ at: number; position: GtidPosition }> = [];
  let next = 0;

  const statusOf = (replica: Replica): ReplicaStatus => ({
    name: replica.name,
    reachable: replica.reachable,
    lagMs: replica.lagMs,
    serving: replica.reachable && replica.lagMs !== null && replica.lagMs <= options.maxLagMs,
    checkedAt: replica.checkedAt,
  });
  const serving = (replica: Replica) => statusOf(replica).serving;

  function update(replica: Replica, change: Partial<Replica>): void {
    const before = statusOf(replica);
    Object.assign(replica, change);
    const after = statusOf(replica);
    if (before.serving !== after.serving || before.reachable !== after.reachable) onChange?.(after, before);
  }

  /** The serving replicas in turn, so that reads spread over them. */
  function pick(accept: (replica: Replica) => boolean = serving): Replica | undefined {
    for (let tried = 0; tried < replicas.length; tried += 1) {
      const replica = replicas[(next + tried) % replicas.length];
      if (replica && accept(replica)) {
        next = (next + tried + 1) % replicas.length;
        return replica;
      }
    }
    return undefined;
  }

  function failed(replica: Replica, err: unknown): void {
    const code = (err as { code?: string }).code;
    if ((err as { fatal?: boolean }).fatal || (code && CONNECTION_ERRORS.has(code))) update(replica, { reachable: false, lagMs: null });
  }

  async function positionOf(pool: mysql.Pool, variable: 'gtid_binlog_pos' | 'gtid_slave_pos'): Promise<GtidPosition> {
    const [rows] = await pool.query(`SELECT @@GLOBAL.${variable} AS position`);
    return parseGtidPosition(String((rows as Array<{ position: string | null }>)[0]?.position ?? ''));
  }

  /** The oldest sample `position` lacks decides the lag; samples every replica has are dropped. */
  function lagOf(position: GtidPosition, now: number): { lagMs: number; firstMissing: number } {
    const firstMissing = samples.findIndex((sample) => !gtidIncludes(position, sample.position));
    if (firstMissing === -1) return { lagMs: 0, firstMissing: samples.length };
    const since = firstMissing > 0 ? (samples[firstMissing - 1]?.at ?? now) : (samples[0]?.at ?? now) - options.checkIntervalMs;
    return { lagMs: Math.max(0, now - since), firstMissing };
  }

  let checking: Promise<void> | undefined;
  async function checkOnce(): Promise<void> {
    const now = Date.now();
    let primaryPosition: GtidPosition;
    try {
      primaryPosition = await positionOf(primary, 'gtid_binlog_pos');
    } catch {
      // Without the primary's position no lag can be measured; the replicas keep their last state.
      return;
    }
    samples.push({ at: now, position: primaryPosition });
    if (samples.length > MAX_SAMPLES) samples.shift();
    let keepFrom = samples.length - 1;
    await Promise.all(
      replicas.map(async (replica) => {
        try {
          const position = await withTimeout(positionOf(replica.pool, 'gtid_slave_pos'), Math.max(options.checkIntervalMs, 1000));
          const { lagMs, firstMissing } = lagOf(position, Date.now());
          keepFrom = Math.min(keepFrom, Math.max(0, firstMissing - 1));
          update(replica, { reachable: true, lagMs, position, checkedAt: new Date() });
        } catch {
          update(replica, { reachable: false, lagMs: null, checkedAt: new Date() });
        }
      }),
    );
    if (replicas.every((replica) => replica.reachable)) samples.splice(0, keepFrom);
  }
  const check = () => (checking ??= checkOnce().finally(() => (checking = undefined)));

  const timer = replicas.length ? setInterval(() => void check(), options.checkIntervalMs) : undefined;
  timer?.unref();
  if (replicas.length) void check();

  const untrack = [
    mysqlReplicaLag.track(`${service}/${++routerSequence}`, () =>
      replicas.filter((replica) => replica.lagMs !== null).map((replica) => ({ labels: { service, replica: replica.name }, value: (replica.lagMs ?? 0) / 1000 })),
    ),
    mysqlReplicaServing.track(`${service}/${routerSequence}`, () =>
      replicas.map((replica) => ({ labels: { service, replica: replica.name }, value: serving(replica) ? 1 : 0 })),
    ),
  ];

  type Method = 'query' | 'execute';
  const onPrimary = (method: Method, args: unknown[]) => (primary[method] as (...a: unknown[]) => Promise<unknown>)(...args);
  const onReplica = (replica: Replica, method: Method, args: unknown[]) => (replica.pool[method] as (...a: unknown[]) => Promise<unknown>)(...args);

  /** Runs a read on `replica`; any failure there is retried on the primary, so the caller sees no replica error. */
  async function readOn(replica: Replica, method: Method, args: unknown[], reason: string): Promise<unknown> {
    try {
      const result = await onReplica(replica, method, args);
      mysqlReads.inc({ service, server: 'replica', reason });
      return result;
    } catch (err) {
      failed(replica, err);
      mysqlReads.inc({ service, server: 'primary', reason: 'replica_failed' });
      return onPrimary(method, args);
    }
  }

  /** Waits (MASTER_GTID_WAIT) for a serving replica to reach `wanted`; undefined when none does in time. */
  async function replicaAt(wanted: string, parsed: GtidPosition): Promise<Replica | undefined> {
    const known = pick((replica) => serving(replica) && replica.position !== null && gtidIncludes(replica.position, parsed));
    if (known) return known;
    const replica = pick();
    if (!replica) return undefined;
    try {
      const [rows] = await replica.pool.query('SELECT MASTER_GTID_WAIT(?, ?) AS waited', [wanted, options.readAfterWriteWaitMs / 1000]);
      return (rows as Array<{ waited: number | null }>)[0]?.waited === 0 ? replica : undefined;
    } catch (err) {
      failed(replica, err);
      return undefined;
    }
  }

  function client(route: (method: Method, args: unknown[]) => Promise<unknown>): mysql.Pool {
    const stand = {
      query: (...args: unknown[]) => route('query', args),
      execute: (...args: unknown[]) => route('execute', args),
      // drizzle's transactions take a connection: always the primary's.
      getConnection: () => primary.getConnection(),
    };
    return stand as unknown as mysql.Pool;
  }

  return {
    staleOkClient: client(async (method, args) => {
      if (!isPlainRead(statementOf(args))) return onPrimary(method, args);
      const replica = pick();
      if (replica) return readOn(replica, method, args, 'stale_ok');
      mysqlReads.inc({ service, server: 'primary', reason: 'no_replica_serving' });
      return onPrimary(method, args);
    }),
    clientAfter(position) {
      const parsed = parseGtidPosition(position);
      return client(async (method, args) => {
        if (!isPlainRead(statementOf(args))) return onPrimary(method, args);
        const replica = await replicaAt(position, parsed);
        if (replica) return readOn(replica, method, args, 'caught_up');
        mysqlReads.inc({ service, server: 'primary', reason: 'not_caught_up' });
        return onPrimary(method, args);
      });
    },
    statuses: () => replicas.map(statusOf),
    check,
    async stop() {
      if (timer) clearInterval(timer);
      for (const stop of untrack) stop();
      await checking;
    },
  };
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
