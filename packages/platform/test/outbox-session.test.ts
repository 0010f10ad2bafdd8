import { sql } from 'drizzle-orm';
import mysql from 'mysql2/promise';
import { ensureRunIsolation, testInfraConfig } from '@waimai/testkit';
import { connectDatabase, databaseName, dropDatabase, ensureDatabase, type ServiceDatabase } from '../src';

/**
 * ServiceDatabase.outboxTransaction against the real MariaDB: the relay's transactions on a
 * connection of their own, READ COMMITTED with autocommit off, so that a batch is its statements
 * and COMMIT.
 */
const SERVICE = 'outboxsession';
let config: ReturnType<typeof testInfraConfig>;
let database: ServiceDatabase<Record<string, never>>;
let other: mysql.Connection;
const statements: string[] = [];

beforeAll(async () => {
  ensureRunIsolation();
  config = testInfraConfig();
  const name = databaseName(config.DB_PREFIX, SERVICE);
  await ensureDatabase(config.MYSQL_URL, name);
  database = connectDatabase({ ...config, MYSQL_POOL_SIZE: 2 }, SERVICE, {}, { logQuery: (query) => statements.push(query) });
  other = await mysql.createConnection({ uri: config.MYSQL_URL, database: name });
  await other.query('CREATE TABLE rows_to_send (seq BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, sent_at DATETIME NULL, KEY unsent (sent_at, seq))');
  await other.query('INSERT INTO rows_to_send (sent_at) VALUES (NULL), (NULL), (NULL)');
});
afterAll(async () => {
  await other?.end();
  await database?.close();
  if (config) await dropDatabase(config.MYSQL_URL, databaseName(config.DB_PREFIX, SERVICE));
});

const unsent = async () => Number(((await other.query('SELECT COUNT(*) AS n FROM rows_to_send WHERE sent_at IS NULL')) as unknown as [Array<{ n: number }>])[0][0]!.n);

describe('the outbox relay’s transactions', () => {
  test('a batch is its statements and COMMIT: no SET TRANSACTION, no BEGIN; its effect is there once it resolves', async () => {
    const before = statements.length;

    const locked = await database.outboxTransaction(async (tx) => {
      const [rows] = (await tx.execute(sql`SELECT seq FROM rows_to_send WHERE sent_at IS NULL ORDER BY seq LIMIT 2 FOR UPDATE`)) as unknown as [Array<{ seq: number }>];
      await tx.execute(sql`UPDATE rows_to_send SET sent_at = NOW() WHERE seq IN (${sql.join(rows.map((row) => sql`${row.seq}`), sql`, `)})`);
      return rows.length;
    });

    expect(locked).toBe(2);
    expect(await unsent()).toBe(1);
    expect(statements.slice(before).map((statement) => statement.split(' ')[0]!.toLowerCase())).toEqual(['select', 'update']);
  });

  test('while a batch holds its rows, others insert new rows without waiting (READ COMMITTED takes no gap locks), and a second batch waits for the rows', async () => {
    await other.query('SET SESSION innodb_lock_wait_timeout = 2');
    let release: () => void = () => {};
    const holding = new Promise<void>((resolve) => (release = resolve));
    let started: () => void = () => {};
    const locking = new Promise<void>((resolve) => (started = resolve));
    const batch = database.outboxTransaction(async (tx) => {
      await tx.execute(sql`SELECT seq FROM rows_to_send WHERE sent_at IS NULL ORDER BY seq FOR UPDATE`);
      started();
      await holding;
    });
    await locking;

    // A service committing an outbox row meanwhile.
    await other.query('INSERT INTO rows_to_send (sent_at) VALUES (NULL)');
    // Another relay (another replica) asking for the rows waits for the batch.
    const [waited] = await Promise.allSettled([other.query('SELECT seq FROM rows_to_send WHERE sent_at IS NULL ORDER BY seq LIMIT 1 FOR UPDATE')]);
    release();
    await batch;

    expect(waited.status).toBe('rejected');
    expect(String((waited as PromiseRejectedResult).reason)).toMatch(/Lock wait timeout/);
    expect(await unsent()).toBe(2);
  });

  test('a batch that throws changes nothing, and the next one goes on', async () => {
    const failing = database.outboxTransaction(async (tx) => {
      await tx.execute(sql`UPDATE rows_to_send SET sent_at = NOW() WHERE sent_at IS NULL`);
      throw new Error('the broker refused the batch');
    });

    await expect(failing).rejects.toThrow('the broker refused the batch');
    expect(await unsent()).toBe(2);
    await database.outboxTransaction((tx) => tx.execute(sql`UPDATE rows_to_send SET sent_at = NOW() WHERE sent_at IS NULL`));
    expect(await unsent()).toBe(0);
  });
});
