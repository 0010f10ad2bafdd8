import mysql from 'mysql2/promise';
import { connectDatabase, databaseName, decodeCursor, encodeCursor, type ServiceDatabase } from '@waimai/platform';
import { ensureRunIsolation, uniqueId } from '@waimai/testkit';
import { ridersService } from '../src/index';
import { createRiderStore, type RiderSearch } from '../src/db/rider-store';
import { riders, ridersSchema, riderStatuses, type RidersSchema } from '../src/db/schema';
import { loadRidersConfig, type RidersConfig } from '../src/env';

/*
 * A staff console polls searchRiders: each filter must walk its index, never the table. The
 * table gets 30,000 riders registered over 146 days, spread over a city, one in fifty
 * suspended and most offline, so that each filter matches a small part of it and the
 * optimizer's choice is the one production sees (with a few thousand rows MariaDB sorts the
 * whole table for an unfiltered page, which is cheaper at that size).
 */
let config: RidersConfig;
let database: ServiceDatabase<RidersSchema>;
let connection: mysql.Connection;
const captured: Array<{ query: string; params: unknown[] }> = [];
const start = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const RIDERS = 30_000;
const center = { lat: 31.2, lng: 121.45 };

beforeAll(async () => {
  ensureRunIsolation();
  config = loadRidersConfig({ ...process.env, DB_PREFIX: `${process.env.DB_PREFIX}_${uniqueId('rix').replace(/-/g, '_')}` });
  await ridersService.migrate(config);
  database = connectDatabase(config, 'riders', ridersSchema, { logQuery: (query, params) => captured.push({ query, params }) });
  connection = await mysql.createConnection({ uri: config.MYSQL_URL, database: databaseName(config.DB_PREFIX, 'riders'), timezone: 'Z' });
  const rows = Array.from({ length: RIDERS }, (_, index) => ({
    id: `rider-${String(index).padStart(5, '0')}`,
    name: '骑手',
    phone: '13800138000',
    vehicle: null,
    // Mostly offline, as a city's registered riders are at any one hour.
    status: index % 10 === 0 ? ('IDLE' as const) : index % 10 === 1 ? ('DELIVERING' as const) : ('OFFLINE' as const),
    statusVersion: 0,
    lat: center.lat + ((index % 60) - 30) * 0.01,
    lng: center.lng + ((Math.floor(index / 60) % 50) - 25) * 0.01,
    locationUpdatedAt: new Date(start + index * 7 * MINUTE),
    suspended: index % 50 === 0,
    suspendedReason: index % 50 === 0 ? '投诉' : null,
    createdAt: new Date(start + index * 7 * MINUTE),
  }));
  for (let at = 0; at < rows.length; at += 3000) await database.primary.insert(riders).values(rows.slice(at, at + 3000));
  await connection.query('ANALYZE TABLE riders');
}, 60_000);

afterAll(async () => {
  await connection?.end();
  await database?.close();
});

/** The plan of the one statement a search sends: the key of its table and its access type. */
async function planOf(filter: RiderSearch, after: string | null = null): Promise<{ key: string | null; type: string }> {
  const store = createRiderStore(database.primary);
  captured.length = 0;
  await store.search(filter, decodeCursor(after), 21);
  expect(captured).toHaveLength(1);
  const [plan] = (await connection.query(`EXPLAIN ${captured[0]!.query}`, captured[0]!.params)) as unknown as [Array<{ key: string | null; type: string }>];
  return { key: plan[0]!.key, type: plan[0]!.type };
}

const cursor = encodeCursor({ sortKey: new Date(start + 15_000 * 7 * MINUTE).toISOString(), id: 'rider-15000' });

describe('each searchRiders filter a console polls uses its index', () => {
  test.each<[string, RiderSearch, string]>([
    ['no filter: newest registered first', {}, 'riders_created'],
    ['by status', { statuses: ['IDLE'] }, 'riders_status_created'],
    // Several statuses cannot be read from (status, created_at) in created order: the registration
    // index is read newest first and each row's status checked, stopping at a page.
    ['by several statuses', { statuses: ['IDLE', 'DELIVERING'] }, 'riders_created'],
    ['by status and suspension', { statuses: ['IDLE'], suspended: false }, 'riders_status_created'],
    ['suspended riders', { suspended: true }, 'riders_suspended_created'],
    ['last seen within a day', { lastSeenFrom: new Date(start + 1000 * HOUR), lastSeenTo: new Date(start + 1024 * HOUR) }, 'riders_location_updated'],
    ['within 1 km of a point', { near: { center, radiusMeters: 1000 } }, 'riders_lat_lng'],
  ])('%s', async (_name, filter, index) => {
    const first = await planOf(filter);
    const next = await planOf(filter, cursor);

    expect(first.key).toBe(index);
    expect(first.type).not.toBe('ALL');
    expect(next.key).toBe(index);
    expect(next.type).not.toBe('ALL');
  });

  test('the seeded table has every status and both suspensions, so each filter picks a part of it', async () => {
    const [rows] = (await connection.query('SELECT status, suspended, COUNT(*) AS n FROM riders GROUP BY status, suspended')) as unknown as [Array<{ status: string; n: number }>];
    expect(new Set(rows.map((row) => row.status))).toEqual(new Set(riderStatuses));
    expect(rows.length).toBeGreaterThanOrEqual(4);
  });
});
