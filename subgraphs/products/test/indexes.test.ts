import mysql from 'mysql2/promise';
import { connectDatabase, databaseName, newId, type Keyset, type ServiceDatabase } from '@waimai/platform';
import { ensureRunIsolation, queryPlanProbe, uniqueId } from '@waimai/testkit';
import { productsService } from '../src/index';
import { createMerchantStore, type MerchantSearchFilter } from '../src/db/merchant-store';
import { merchants, productsSchema, type ProductsSchema } from '../src/db/schema';
import { loadProductsConfig } from '../src/env';

/*
 * The back office polls searchMerchants: each of its paths must walk an index, never the
 * table. The merchants table gets 3000 shops over 125 days spread over a wide area, one in
 * twenty suspended, so that a circle or the suspended shops are a small part of it and the
 * optimizer's choice is the one production sees.
 */
let database: ServiceDatabase<ProductsSchema>;
let connection: mysql.Connection;
const plans = queryPlanProbe((sql, params) => connection.query(sql, params));
const start = Date.UTC(2026, 0, 1);
const centre = { lat: 31.2, lng: 121.4 };

beforeAll(async () => {
  ensureRunIsolation();
  // A database of its own: the plans must not depend on what other tests of the run wrote.
  const config = loadProductsConfig({ ...process.env, DB_PREFIX: `${process.env.DB_PREFIX}_${uniqueId('ix').replace(/-/g, '_')}` });
  await productsService.migrate(config);
  database = connectDatabase(config, 'products', productsSchema, { logQuery: plans.logQuery });
  connection = await mysql.createConnection({ uri: config.MYSQL_URL, database: databaseName(config.DB_PREFIX, 'products'), timezone: 'Z' });
  await database.primary.insert(merchants).values(
    Array.from({ length: 3000 }, (_, index) => ({
      id: newId(),
      ownerId: `owner-${index % 700}`,
      name: `小馆 ${index}`,
      address: '测试路1号',
      // A 60 x 50 grid of about 10 km steps (a country, not a city): the nearby search's 50 km
      // box holds a few dozen shops, a staff search's circle a handful.
      lat: centre.lat + (Math.floor(index / 50) - 30) * 0.09,
      lng: centre.lng + ((index % 50) - 25) * 0.105,
      deliveryRadiusMeters: 5000,
      createdAt: new Date(start + index * 3_600_000),
      suspended: index % 20 === 0,
      suspendedReason: index % 20 === 0 ? 'checks' : null,
    })),
  );
  await connection.query('ANALYZE TABLE merchants');
}, 60_000);

afterAll(async () => {
  await connection?.end();
  await database?.close();
});

const planOf = plans.planOf;

const store = () => createMerchantStore(database.primary);
const page = (filter: MerchantSearchFilter, after: Keyset | null = null) => () => store().search(filter, after, 21);
// A cursor in the middle of the table, as the console sends for its next pages.
const middle: Keyset = { sortKey: new Date(start + 1500 * 3_600_000).toISOString(), id: 'ffffffff-ffff-ffff-ffff-ffffffffffff' };

describe('the indexes of searchMerchants', () => {
  test.each([
    ['no filter, first page', 'merchants_created', {}, null],
    ['no filter, a later page', 'merchants_created', {}, middle],
    ['only a name (no B-tree serves it: the newest-first walk stops after a page of matches)', 'merchants_created', { nameContains: '小馆 1' }, null],
    ['suspended shops, first page', 'merchants_suspended_created', { suspended: true }, null],
    ['suspended shops, a later page', 'merchants_suspended_created', { suspended: true }, middle],
    ['active shops with a name, a later page', 'merchants_suspended_created', { suspended: false, nameContains: '小馆' }, middle],
    ['within a circle', 'merchants_lat_lng', { within: { near: centre, radiusMeters: 20_000 } }, null],
    ['suspended shops within a circle', 'merchants_suspended_lat_lng', { suspended: true, within: { near: centre, radiusMeters: 20_000 } }, null],
    ['active shops within a circle', 'merchants_suspended_lat_lng', { suspended: false, within: { near: centre, radiusMeters: 20_000 } }, null],
  ] as Array<[string, string, MerchantSearchFilter, Keyset | null]>)('%s: walks %s, never the whole table', async (_name, index, filter, after) => {
    const plan = await planOf(page(filter, after));
    expect(plan.key).toBe(index);
    expect(plan.type).not.toBe('ALL');
  });

  test('merchantsNearby, which leaves suspended shops out, ranges over the active shops of its box', async () => {
    const plan = await planOf(() => store().deliveringTo(centre, 20));
    expect(plan).toEqual({ key: 'merchants_suspended_lat_lng', type: 'range' });
  });

  test('the searches return what the plans promise: newest first, within the filters', async () => {
    const found = await store().search({ suspended: true }, null, 5);
    expect(found.every((merchant) => merchant.suspended)).toBe(true);
    expect(found.map((merchant) => merchant.createdAt.getTime())).toEqual([...found.map((merchant) => merchant.createdAt.getTime())].sort((a, b) => b - a));
  });
});
