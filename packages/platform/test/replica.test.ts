import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { mysqlTable, varchar } from 'drizzle-orm/mysql-core';
import mysql from 'mysql2/promise';
import { connectDatabase, gtidIncludes, isPlainRead, mysqlReads, parseGtidPosition, type ServiceDatabase } from '../src';
import { eventually, freePorts } from '@waimai/testkit';
import { startReplicaPair, type ReplicaPair } from '../../../scripts/lib/mariadb-replica';

/**
 * The replica routing of platform's connectDatabase against a real MariaDB primary and replica
 * (scripts/lib/mariadb-replica.ts), started once for this file. Which server answered is told
 * twice: by what the read returns while the replica's SQL thread is stopped (it cannot have the
 * newest rows), and by waimai_mysql_routed_reads_total.
 */
const notes = mysqlTable('notes', {
  id: varchar('id', { length: 32 }).primaryKey(),
  body: varchar('body', { length: 200 }).notNull(),
});
const schema = { notes };
const SERVICE = 'replicatest';
const PREFIX = 'rt';

let pair: ReplicaPair;
let primaryAdmin: mysql.Connection;
let replicaAdmin: mysql.Connection;
const opened: Array<ServiceDatabase<typeof schema>> = [];

beforeAll(async () => {
  const [primaryPort, replicaPort] = await freePorts(2);
  pair = await startReplicaPair({ name: `test-${process.pid}-${randomBytes(3).toString('hex')}`, primaryPort: primaryPort ?? 0, replicaPort: replicaPort ?? 0 });
  primaryAdmin = await mysql.createConnection({ uri: pair.primary.adminUrl, multipleStatements: true });
  replicaAdmin = await mysql.createConnection({ uri: pair.replica.adminUrl });
  await primaryAdmin.query(
    `CREATE DATABASE ${PREFIX}_${SERVICE}; CREATE TABLE ${PREFIX}_${SERVICE}.notes (id VARCHAR(32) PRIMARY KEY, body VARCHAR(200) NOT NULL);`,
  );
}, 120_000);

afterAll(async () => {
  // Whatever fails closing, the pair stops: its mariadbd processes would keep jest from exiting.
  await Promise.allSettled([...opened.map((database) => database.close()), primaryAdmin?.end(), replicaAdmin?.end()]);
  await pair?.stop();
}, 90_000);

afterEach(async () => {
  // Every test leaves replication running (unless it killed the replica).
  if (pair.replica.running()) await replicaAdmin.query('START SLAVE SQL_THREAD');
});

/** A database of the service with the replica, checked every 100 ms; serving once the first check has seen it caught up. */
async function connect(bounds: { maxLagMs: number; waitMs?: number }): Promise<ServiceDatabase<typeof schema>> {
  const database = connectDatabase(
    {
      MYSQL_URL: pair.primary.url,
      MYSQL_REPLICA_URLS: [pair.replica.url],
      DB_PREFIX: PREFIX,
      MYSQL_POOL_SIZE: 4,
      MYSQL_REPLICA_MAX_LAG_MS: bounds.maxLagMs,
      MYSQL_REPLICA_CHECK_INTERVAL_MS: 100,
      MYSQL_REPLICA_WAIT_MS: bounds.waitMs ?? 300,
    },
    SERVICE,
    schema,
  );
  opened.push(database);
  await eventually(() => database.replicas()[0]?.serving, { timeoutMs: 30_000, what: 'the replica serving reads' });
  return database;
}

/** Routed reads of this file's service so far, by server and reason. */
async function reads(): Promise<Record<string, number>> {
  const { values } = await mysqlReads.get();
  return Object.fromEntries(values.filter((value) => value.labels.service === SERVICE).map((value) => [`${value.labels.server}/${value.labels.reason}`, value.value]));
}

async function readsSince(before: Record<string, number>): Promise<Record<string, number>> {
  const now = await reads();
  return Object.fromEntries(Object.entries(now).filter(([key, value]) => value !== (before[key] ?? 0)).map(([key, value]) => [key, value - (before[key] ?? 0)]));
}

const aNote = (body: string) => ({ id: randomBytes(8).toString('hex'), body });
const bodyOf = async (db: ServiceDatabase<typeof schema>['db'], id: string) => (await db.select().from(notes).where(eq(notes.id, id)))[0]?.body;

/** Stops applying events on the replica (it still fetches them): it falls behind by every later write. */
const pauseReplica = () => replicaAdmin.query('STOP SLAVE SQL_THREAD');
const resumeReplica = () => replicaAdmin.query('START SLAVE SQL_THREAD');

test('a GTID position includes another only when it has reached it in every domain of it', () => {
  const replica = parseGtidPosition('0-1-120,1-2-7');
  expect(gtidIncludes(replica, parseGtidPosition('0-1-120'))).toBe(true);
  expect(gtidIncludes(replica, parseGtidPosition('0-1-119,1-2-7'))).toBe(true);
  expect(gtidIncludes(replica, parseGtidPosition('0-1-121'))).toBe(false);
  expect(gtidIncludes(replica, parseGtidPosition('0-1-1,2-3-1'))).toBe(false);
  expect(gtidIncludes(replica, parseGtidPosition(''))).toBe(true);
  expect(gtidIncludes(parseGtidPosition(''), parseGtidPosition('0-1-1'))).toBe(false);
});

test('only plain SELECTs may go to a replica: writes and locking reads go to the primary', () => {
  expect(isPlainRead('select `id` from `notes` where `id` = ?')).toBe(true);
  expect(isPlainRead('(select 1) union (select 2)')).toBe(true);
  expect(isPlainRead('with recent as (select 1) select * from recent')).toBe(true);
  expect(isPlainRead('select * from `notes` where `id` = ? for update')).toBe(false);
  expect(isPlainRead('SELECT * FROM notes LOCK IN SHARE MODE')).toBe(false);
  expect(isPlainRead('insert into `notes` values (?, ?)')).toBe(false);
  expect(isPlainRead('update `notes` set `body` = ?')).toBe(false);
});

test('a stale-ok read is answered by the replica: a write the replica has not applied is not seen', async () => {
  const database = await connect({ maxLagMs: 60_000 });
  const applied = aNote('applied');
  await database.primary.insert(notes).values(applied);
  await eventually(async () => (await bodyOf(database.db, applied.id)) === 'applied', { what: 'the first note on the replica' });

  await pauseReplica();
  const unapplied = aNote('not applied yet');
  await database.primary.insert(notes).values(unapplied);
  const before = await reads();
  expect(await bodyOf(database.db, unapplied.id)).toBeUndefined();
  expect(await bodyOf(database.db, applied.id)).toBe('applied');
  expect(await readsSince(before)).toEqual({ 'replica/stale_ok': 2 });

  await resumeReplica();
  await eventually(async () => (await bodyOf(database.db, unapplied.id)) === 'not applied yet', { what: 'the replica catching up' });
});

test('writes through the stale-ok handle go to the primary (the replica is read-only to the application)', async () => {
  const database = await connect({ maxLagMs: 60_000 });
  const note = aNote('written through db');
  await database.db.insert(notes).values(note);
  expect(await bodyOf(database.primary, note.id)).toBe('written through db');
  await expect(mysql.createConnection(pair.replica.url).then(async (reader) => {
    try {
      return await reader.query(`INSERT INTO ${PREFIX}_${SERVICE}.notes VALUES ('x', 'y')`);
    } finally {
      await reader.end();
    }
  })).rejects.toThrow(/read-only|denied/i);
});

test("a read after the caller's own write sees it while the replica lags: on the primary when the replica does not catch up in time", async () => {
  const database = await connect({ maxLagMs: 60_000, waitMs: 300 });
  await pauseReplica();
  const mine = aNote('my own write');
  await database.primary.insert(notes).values(mine);
  const position = await database.writePosition();

  const before = await reads();
  expect(await bodyOf(database.readAfter(position), mine.id)).toBe('my own write');
  expect(await readsSince(before)).toEqual({ 'primary/not_caught_up': 1 });
  // The same read as a stale-ok one does not see it: the replica really lags.
  expect(await bodyOf(database.db, mine.id)).toBeUndefined();
});

test("a read after the caller's own write waits for the replica to apply it and is then answered there", async () => {
  const database = await connect({ maxLagMs: 60_000, waitMs: 30_000 });
  await pauseReplica();
  const mine = aNote('waited for');
  await database.primary.insert(notes).values(mine);
  const position = await database.writePosition();

  const before = await reads();
  const read = bodyOf(database.readAfter(position), mine.id);
  // The read is waiting in MASTER_GTID_WAIT on the replica; applying the write releases it.
  await eventually(async () => {
    const [rows] = await replicaAdmin.query("SELECT COUNT(*) AS waiting FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT MASTER_GTID_WAIT%'");
    return (rows as Array<{ waiting: number }>)[0]?.waiting === 1;
  }, { what: 'the read waiting on the replica' });
  await resumeReplica();
  expect(await read).toBe('waited for');
  expect(await readsSince(before)).toEqual({ 'replica/caught_up': 1 });
});

test('a replica lagging past the bound takes no reads: they go to the primary until it has caught up', async () => {
  const database = await connect({ maxLagMs: 1_000 });
  await pauseReplica();
  const late = aNote('behind the bound');
  await database.primary.insert(notes).values(late);
  await eventually(() => database.replicas()[0]?.serving === false, { what: 'the replica past the lag bound' });
  expect(database.replicas()[0]).toMatchObject({ reachable: true, serving: false });
  expect(database.replicas()[0]?.lagMs).toBeGreaterThan(1_000);

  const before = await reads();
  expect(await bodyOf(database.db, late.id)).toBe('behind the bound');
  expect(await readsSince(before)).toEqual({ 'primary/no_replica_serving': 1 });

  await resumeReplica();
  await eventually(() => database.replicas()[0]?.serving, { what: 'the replica serving again' });
  const after = await reads();
  expect(await bodyOf(database.db, late.id)).toBe('behind the bound');
  expect(await readsSince(after)).toEqual({ 'replica/stale_ok': 1 });
});

test('a read that fails on the replica is answered by the primary, with no error to the caller', async () => {
  const database = await connect({ maxLagMs: 60_000 });
  // A table only the primary has (kept out of the binlog): the replica answers "no such table".
  await primaryAdmin.query(`SET SESSION sql_log_bin = 0; CREATE TABLE ${PREFIX}_${SERVICE}.primary_only (id VARCHAR(32) PRIMARY KEY); INSERT INTO ${PREFIX}_${SERVICE}.primary_only VALUES ('only-here'); SET SESSION sql_log_bin = 1;`);
  const primaryOnly = mysqlTable('primary_only', { id: varchar('id', { length: 32 }).primaryKey() });

  const before = await reads();
  expect(await database.db.select().from(primaryOnly)).toEqual([{ id: 'only-here' }]);
  expect(await readsSince(before)).toEqual({ 'primary/replica_failed': 1 });
  // A statement error is not a dead replica: it keeps serving.
  expect(database.replicas()[0]?.serving).toBe(true);
});

// Last: the replica does not come back.
test('a killed replica: stale-ok reads are answered by the primary, no error reaches the caller', async () => {
  const database = await connect({ maxLagMs: 60_000 });
  const note = aNote('still readable');
  await database.primary.insert(notes).values(note);
  await eventually(async () => (await bodyOf(database.db, note.id)) === 'still readable', { what: 'the note on the replica' });

  await pair.replica.kill();
  const before = await reads();
  for (let read = 0; read < 5; read += 1) expect(await bodyOf(database.db, note.id)).toBe('still readable');
  const routed = await readsSince(before);
  expect(Object.keys(routed).every((key) => key.startsWith('primary/'))).toBe(true);
  expect((routed['primary/replica_failed'] ?? 0) + (routed['primary/no_replica_serving'] ?? 0)).toBe(5);
  await eventually(() => database.replicas()[0]?.reachable === false, { what: 'the check noticing the replica gone' });
  expect(database.replicas()[0]).toMatchObject({ reachable: false, serving: false, lagMs: null });
});
