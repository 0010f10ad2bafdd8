import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { databaseName, mysqlReads, type Identity } from '@waimai/platform';
import { eventually, freePorts } from '@waimai/testkit';
import { startReplicaPair, type ReplicaPair } from '../../../scripts/lib/mariadb-replica';
import { aMerchant, aProduct, startProducts, type ProductsHarness } from './harness';

/**
 * The products subgraph on a real MariaDB primary and replica (scripts/lib/mariadb-replica.ts):
 * a customer's browse is answered by the replica, while the merchant reads back and acts on
 * what they have just written even though the replica has not applied it.
 */
let pair: ReplicaPair;
let replicaAdmin: mysql.Connection;
let h: ProductsHarness;

beforeAll(async () => {
  const [primaryPort, replicaPort] = await freePorts(2);
  pair = await startReplicaPair({ name: `products-${process.pid}-${randomBytes(3).toString('hex')}`, primaryPort: primaryPort ?? 0, replicaPort: replicaPort ?? 0 });
  replicaAdmin = await mysql.createConnection({ uri: pair.replica.adminUrl });
  h = await startProducts({
    MYSQL_URL: pair.primary.url,
    MYSQL_REPLICA_URLS: pair.replica.url,
    // Never past the bound here: the replica answers every browse, however far behind.
    MYSQL_REPLICA_MAX_LAG_MS: '600000',
    MYSQL_REPLICA_CHECK_INTERVAL_MS: '200',
  });
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([h?.stop(), replicaAdmin?.end()]);
  await pair?.stop();
}, 90_000);

const customer: Identity = { sub: 'customer-replica', roles: ['CUSTOMER'] };
const MENU = 'query($id: ID!) { merchant(id: $id) { products(first: 50) { edges { node { id } } } } }';
const SET_STOCK = 'mutation($id: ID!, $stock: Int!) { updateProductStock(productId: $id, newStock: $stock) { id stock merchant { id } } }';

const menuOf = async (merchantId: string, caller: Identity) => {
  const result = await h.call<{ merchant: { products: { edges: Array<{ node: { id: string } }> } } | null }>(MENU, { id: merchantId }, caller);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data?.merchant?.products.edges.map((edge) => edge.node.id) ?? null;
};

/** Routed reads of products so far, by server and reason. */
async function reads(): Promise<Record<string, number>> {
  const { values } = await mysqlReads.get();
  return Object.fromEntries(values.filter((value) => value.labels.service === 'products').map((value) => [`${value.labels.server}/${value.labels.reason}`, value.value]));
}

/** Whether the replica has applied the product's row. */
async function onReplica(productId: string): Promise<boolean> {
  const [rows] = await replicaAdmin.query(`SELECT COUNT(*) AS n FROM ${databaseName(h.config.DB_PREFIX, 'products')}.products WHERE id = ?`, [productId]);
  return (rows as Array<{ n: number }>)[0]?.n === 1;
}

test("a customer's browse is answered by the replica; the merchant's own new product is read back and changed at once while the replica lags", async () => {
  const shop = await aMerchant(h);
  const first = await aProduct(h, shop);
  await eventually(() => onReplica(first.id), { what: 'the first product on the replica' });
  // The browse reaches the replica once its first check has seen it caught up.
  await eventually(async () => {
    const before = (await reads())['replica/stale_ok'] ?? 0;
    const menu = await menuOf(shop.id, customer);
    return menu?.includes(first.id) && ((await reads())['replica/stale_ok'] ?? 0) > before;
  }, { timeoutMs: 30_000, what: "a customer's menu read answered by the replica" });

  await replicaAdmin.query('STOP SLAVE SQL_THREAD');
  try {
    const second = await aProduct(h, shop);

    // The merchant's own menu, on the primary: the new dish is there.
    expect(await menuOf(shop.id, shop.owner)).toEqual(expect.arrayContaining([first.id, second.id]));
    // Acting on it: the check of who may change it reads the primary (a replica would say NOT_FOUND).
    const changed = await h.call<{ updateProductStock: { id: string; stock: number; merchant: { id: string } } }>(SET_STOCK, { id: second.id, stock: 3 }, shop.owner);
    expect(changed.errors).toBeUndefined();
    expect(changed.data?.updateProductStock).toEqual({ id: second.id, stock: 3, merchant: { id: shop.id } });

    // A customer browsing the same shop is answered by the replica, which has not applied it yet.
    const before = await reads();
    expect(await menuOf(shop.id, customer)).toEqual([first.id]);
    expect((await reads())['replica/stale_ok']).toBeGreaterThan(before['replica/stale_ok'] ?? 0);
    expect(await onReplica(second.id)).toBe(false);
  } finally {
    await replicaAdmin.query('START SLAVE SQL_THREAD');
  }
  await eventually(async () => (await menuOf(shop.id, customer))?.length === 2, { what: 'the replica catching up with the new dish' });
});
