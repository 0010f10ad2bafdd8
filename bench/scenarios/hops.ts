import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import { Agent, request } from 'undici';
import { databaseName } from '@waimai/platform';
import { ROOT } from '../../scripts/lib/paths';
import type { BenchContext, Scenario, ScenarioOutcome } from '../lib/context';
import { cpuWindow, infrastructurePids, type CpuShare } from '../lib/machine';
import { round } from '../lib/load';
import { summarize, table, type LatencySummary } from '../lib/stats';

/**
 * What one hop costs on this machine, below any code of ours: the CPU of both ends (and of
 * MariaDB or Kafka) per HTTP call, per MySQL statement, per write transaction and per Kafka
 * message produced and consumed. With the hops an order travels (the orders and dispatch
 * scenarios count them), it gives the floor under an order's CPU that the design's hops set
 * (docs/performance/hops.md). The platform the bench started stays idle meanwhile; the idle
 * CPU of MariaDB and Kafka, read just before, is taken off theirs.
 */

// Each unit runs this long, closed loop; quick runs are short.
const MEASURE_MS = 8_000;
const QUICK_MS = 2_000;
// As the services: 16 requests in flight (the bench's clients), a pool of 10 MySQL connections.
const CONCURRENCY = 16;
const POOL = 10;
// A produced message reaches its first group within milliseconds; this long means it never will.
const CONSUME_TIMEOUT_MS = 10_000;
// A body the size of an internal call's (a stock reserve: a few lines).
const BODY = JSON.stringify({ id: 'x'.repeat(36), items: Array.from({ length: 3 }, (_, i) => ({ productId: `p${i}`.padEnd(36, '0'), quantity: 1, unitPriceCents: 1200 })) });
const EVENT = JSON.stringify({ id: 'e'.repeat(36), type: 'OrderStatusChanged', aggregateId: 'o'.repeat(36), occurredAt: new Date().toISOString(), data: { orderId: 'o'.repeat(36), from: 'PENDING_PAYMENT', to: 'CREATED', version: 2, merchantId: 'm'.repeat(36) } });

interface Unit {
  /** What one unit is. */
  label: string;
  units: number;
  seconds: number;
  /** CPU ms per unit: each side, and all of them. */
  msPer: Record<string, number>;
  totalMsPer: number;
  latencyMs: LatencySummary;
}

/** Runs `once` from `concurrency` loops for `ms`, counting units and their latency. */
async function closed(concurrency: number, ms: number, one: () => Promise<void>): Promise<{ units: number; latencies: number[] }> {
  const until = performance.now() + ms;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        await one();
        latencies.push(performance.now() - started);
      }
    }),
  );
  return { units: latencies.length, latencies };
}

/** CPU seconds per second each infrastructure process burns with nothing of this scenario running. */
async function idleRates(processes: ReadonlyArray<{ name: string; pid: number }>, ms: number): Promise<Record<string, number>> {
  const window = cpuWindow(processes);
  await sleep(ms);
  const shares = window.end();
  return Object.fromEntries(processes.map(({ name }) => [name, shares[name]?.cores ?? 0]));
}

/** A unit's figures from its CPU window: the idle share of the infrastructure taken off, 'everything else' left out. */
function unitOf(label: string, run: { units: number; latencies: number[] }, shares: Record<string, CpuShare>, seconds: number, sides: Record<string, string>, idle: Record<string, number>): Unit {
  const msPer: Record<string, number> = {};
  for (const [process, side] of Object.entries(sides)) {
    const used = Math.max(0, (shares[process]?.seconds ?? 0) - (idle[process] ?? 0) * seconds);
    msPer[side] = round((used * 1000) / Math.max(1, run.units), 3);
  }
  return { label, units: run.units, seconds: round(seconds, 1), msPer, totalMsPer: round(Object.values(msPer).reduce((sum, value) => sum + value, 0), 3), latencyMs: summarize(run.latencies) };
}

async function httpHop(ms: number): Promise<Unit> {
  const child: ChildProcess = fork(path.join(__dirname, 'hops-server.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const [{ port }] = (await once(child, 'message')) as [{ port: number }];
    const agent = new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000 });
    const call = async () => {
      const answer = await request(`http://127.0.0.1:${port}/call`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: BODY });
      JSON.parse(await answer.body.text());
    };
    await closed(CONCURRENCY, 500, call);
    const window = cpuWindow([{ name: 'server', pid: child.pid! }]);
    const started = performance.now();
    const run = await closed(CONCURRENCY, ms, call);
    const seconds = (performance.now() - started) / 1000;
    const unit = unitOf('HTTP call between two node processes (undici keep-alive → node:http, JSON both ways)', run, window.end(), seconds, { 'bench (load generator)': 'client', server: 'server' }, {});
    await agent.close();
    return unit;
  } finally {
    child.kill();
  }
}

async function mysqlHops(url: string, database: string, ms: number, infra: ReadonlyArray<{ name: string; pid: number }>, idle: Record<string, number>): Promise<Unit[]> {
  const admin = await mysql.createConnection({ uri: url });
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
  await admin.query(`CREATE TABLE IF NOT EXISTS \`${database}\`.hop_rows (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, cents INT NOT NULL, at DATETIME(3) NOT NULL)`);
  await admin.query(`CREATE TABLE IF NOT EXISTS \`${database}\`.hop_writes (seq BIGINT AUTO_INCREMENT PRIMARY KEY, id CHAR(36) NOT NULL, payload TEXT NOT NULL, at DATETIME(3) NOT NULL)`);
  await admin.query(`INSERT IGNORE INTO \`${database}\`.hop_rows (id, name, cents, at) VALUES ${Array.from({ length: 1000 }, (_, i) => `(${i}, 'dish ${i}', ${i * 10}, NOW(3))`).join(',')}`);
  await admin.end();
  const pool = mysql.createPool({ uri: url, database, connectionLimit: POOL, timezone: 'Z' });
  const sides = { 'bench (load generator)': 'client', mysql: 'mysql' };
  try {
    let n = 0;
    const select = async () => {
      n += 1;
      await pool.query('SELECT id, name, cents, at FROM hop_rows WHERE id = ?', [n % 1000]);
    };
    const transaction = async () => {
      const connection = await pool.getConnection();
      try {
        await connection.query('BEGIN');
        await connection.query('INSERT INTO hop_writes (id, payload, at) VALUES (?, ?, ?)', ['x'.repeat(36), EVENT, new Date()]);
        await connection.query('COMMIT');
      } finally {
        connection.release();
      }
    };
    const units: Unit[] = [];
    for (const [label, one] of [
      ['MySQL statement (a primary-key SELECT through a mysql2 pool)', select],
      ['MySQL write transaction (BEGIN, one INSERT, COMMIT: three statements, the commit flushed to disk)', transaction],
    ] as const) {
      await closed(CONCURRENCY, 500, one);
      const window = cpuWindow(infra);
      const started = performance.now();
      const run = await closed(CONCURRENCY, ms, one);
      const seconds = (performance.now() - started) / 1000;
      units.push(unitOf(label, run, window.end(), seconds, sides, idle));
    }
    return units;
  } finally {
    await pool.end();
  }
}

async function kafkaHops(brokers: string[], prefix: string, ms: number, infra: ReadonlyArray<{ name: string; pid: number }>, idle: Record<string, number>): Promise<Unit[]> {
  const kafka = new Kafka({ clientId: 'bench-hops', brokers, logLevel: logLevel.NOTHING });
  const topic = `${prefix}hops`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
  await admin.disconnect();
  // As the relays publish: idempotent, every replica acknowledging, one request per batch (here a batch of one).
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const units: Unit[] = [];
  try {
    // No group first: what producing alone costs; then what each group's fetch adds.
    for (const groups of [0, 1, 3]) {
      const waiting = new Map<string, () => void>();
      const consumers = await Promise.all(
        Array.from({ length: groups }, async (_, g) => {
          // As a consumer someone waits on: the broker answers a fetch as soon as one event is there.
          const consumer = kafka.consumer({ groupId: `${prefix}hops-${groups}-${g}`, minBytes: 1, maxWaitTimeInMs: 1_000 });
          await consumer.connect();
          await consumer.subscribe({ topic, fromBeginning: false });
          let joined: () => void = () => undefined;
          const ready = new Promise<void>((resolve) => (joined = resolve));
          consumer.on(consumer.events.GROUP_JOIN, () => joined());
          await consumer.run({
            eachBatch: async ({ batch }) => {
              for (const message of batch.messages) {
                JSON.parse(message.value!.toString('utf8'));
                // The first group's consumer tells the sender its message went through.
                if (g === 0) waiting.get(message.key!.toString('utf8'))?.();
              }
            },
          });
          await ready;
          return consumer;
        }),
      );
      await sleep(1_000);
      let n = 0;
      // Four senders, each awaiting its message on the far side: about as many hops in flight as a paid order's path has.
      const one = async () => {
        const key = `k${(n += 1)}`;
        // A message the group never sees fails the run instead of holding a sender forever.
        let timer: NodeJS.Timeout | undefined;
        const consumed = groups
          ? new Promise<void>((resolve, reject) => {
              timer = setTimeout(() => reject(new Error(`Message ${key} did not reach the consumer group within ${CONSUME_TIMEOUT_MS / 1000} s.`)), CONSUME_TIMEOUT_MS);
              waiting.set(key, resolve);
            })
          : undefined;
        try {
          await producer.send({ topic, acks: -1, messages: [{ key, value: EVENT }] });
          await consumed;
        } finally {
          clearTimeout(timer);
          waiting.delete(key);
        }
      };
      await closed(4, 500, one);
      const window = cpuWindow(infra);
      const started = performance.now();
      const run = await closed(4, ms, one);
      const seconds = (performance.now() - started) / 1000;
      await Promise.all(consumers.map((consumer) => consumer.disconnect()));
      units.push(
        unitOf(
          groups ? `Kafka message produced (idempotent, acks all, one a request) and fetched by ${groups} consumer group${groups === 1 ? '' : 's'} (minBytes 1)` : 'Kafka message produced (idempotent, acks all, one a request), nobody reading',
          run,
          window.end(),
          seconds,
          { 'bench (load generator)': 'client', kafka: 'kafka' },
          idle,
        ),
      );
    }
  } finally {
    await producer.disconnect();
  }
  return units;
}

async function run(context: BenchContext): Promise<ScenarioOutcome> {
  const { platform, quick, say } = context;
  const ms = quick ? QUICK_MS : MEASURE_MS;
  const infra = infrastructurePids().filter((entry) => entry.name === 'mysql' || entry.name === 'kafka');
  say('Hops: the idle CPU of MariaDB and Kafka first, then each hop closed loop.');
  const idle = await idleRates(infra, quick ? 2_000 : 5_000);
  const database = databaseName(platform.config.DB_PREFIX, 'hops');
  const units: Unit[] = [];
  units.push(await httpHop(ms));
  try {
    units.push(...(await mysqlHops(platform.config.MYSQL_URL, database, ms, infra, idle)));
  } finally {
    const admin = await mysql.createConnection({ uri: platform.config.MYSQL_URL });
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  }
  units.push(...(await kafkaHops(platform.config.KAFKA_BROKERS, platform.config.KAFKA_TOPIC_PREFIX, ms, infra, idle)));
  const [, , , produced, oneGroup, threeGroups] = units;
  // What a produce request costs, and what each group's fetch of it adds (the two groups more of the last unit).
  const perExtraGroup = oneGroup && threeGroups ? round((threeGroups.totalMsPer - oneGroup.totalMsPer) / 2, 3) : null;
  const perProduce = produced ? produced.totalMsPer : null;
  const printed = [
    table([
      ['one unit', 'units', 'per s', 'client ms', 'server ms', 'total CPU ms', 'p50 ms', 'p99 ms'],
      ...units.map((unit) => {
        const [client = 0, server = 0] = Object.values(unit.msPer);
        return [unit.label, unit.units, round(unit.units / unit.seconds, 0), client, server, unit.totalMsPer, unit.latencyMs.p50, unit.latencyMs.p99];
      }),
    ]),
    perProduce === null || perExtraGroup === null ? '' : `a produce request: ${perProduce} ms of CPU; each consumer group fetching the message: ${perExtraGroup} ms more`,
    `idle CPU taken off (cores): ${Object.entries(idle).map(([name, cores]) => `${name} ${cores}`).join(', ')}`,
  ]
    .filter(Boolean)
    .join('\n');
  return {
    parameters: { measureMs: ms, httpConcurrency: CONCURRENCY, mysqlPool: POOL, kafkaSenders: 4, bodyBytes: BODY.length, eventBytes: EVENT.length },
    figures: { units, perProduceMs: perProduce, perExtraConsumerGroupMs: perExtraGroup, idleCores: idle },
    printed,
  };
}

export const hopsScenario: Scenario = {
  name: 'hops',
  what: 'what one hop costs on this machine, both ends and the infrastructure: an HTTP call between node processes, a MySQL statement, a write transaction, a Kafka message produced and consumed',
  aim: 'none: the unit costs under the floor of every other aim (docs/performance/hops.md)',
  run,
};
