import mysql from 'mysql2/promise';
import { createLogger, databaseName, Topics, type AuditRecordedData, type Identity } from '@waimai/platform';
import { aPlace, ensureRunIsolation, openMerchant, serviceCaller, subgraphCaller } from '@waimai/testkit';
import { loadProductsConfig } from '../src/env';
import { startProductsSubgraph } from '../src/app';
import { productsService } from '../src/index';

/** The products subgraph alone, in-process on a free port, on this run's own database; `env` overrides (another MySQL, say). */
export async function startProducts(env: Record<string, string> = {}) {
  ensureRunIsolation();
  const config = loadProductsConfig({ ...process.env, ...env, PRODUCTS_PORT: '0' });
  await productsService.migrate(config);
  const queries: string[] = [];
  const service = await startProductsSubgraph(config, createLogger('products', process.env.LOG_LEVEL ?? 'warn'), {
    logQuery: (query) => queries.push(query),
  });
  // Reads products' database as it is (the outbox a change wrote to, EXPLAIN); opened on first use.
  let connection: Promise<mysql.Connection> | null = null;
  const sql = () => (connection ??= mysql.createConnection({ uri: config.MYSQL_URL, database: databaseName(config.DB_PREFIX, 'products'), timezone: 'Z' }));
  return {
    service,
    sql,
    /** Stops the subgraph and closes the harness's own connection. */
    async stop() {
      if (connection) await (await connection).end();
      await service.stop();
    },
    /** The audit events products' outbox holds for `targetId`, oldest first, and whether each was published. */
    async auditEventsOf(targetId: string): Promise<Array<AuditRecordedData & { published: boolean }>> {
      const [rows] = (await (await sql()).query('SELECT payload, published_at FROM outbox WHERE aggregate_id = ? AND topic = ? ORDER BY seq', [targetId, Topics.auditEvents])) as unknown as [
        Array<{ payload: string; published_at: Date | null }>,
      ];
      return rows.map((row) => ({ ...(JSON.parse(row.payload) as { data: AuditRecordedData }).data, published: row.published_at !== null }));
    },
    /** Every SQL statement the subgraph sent, in order. */
    queries,
    config,
    call: subgraphCaller(service.baseUrl, config.INTERNAL_SECRET),
    stockApi: serviceCaller(service.baseUrl, config.INTERNAL_SECRET, 'orders'),
  };
}
export type ProductsHarness = Awaited<ReturnType<typeof startProducts>>;

/** A point in its own corner of the map, so tests of one run never see each other's shops. */
export const somewhere = aPlace;

export const merchantOwner = (sub = `merchant-${Math.random().toString(36).slice(2, 10)}`): Identity => ({ sub, roles: ['MERCHANT'] });

export async function aMerchant(h: ProductsHarness, owner = merchantOwner(), location = somewhere()) {
  const merchant = await openMerchant(h.call, owner, { name: '测试小馆', location });
  return { id: merchant.id, owner, location };
}

export async function aProduct(h: ProductsHarness, merchant: { id: string; owner: Identity }, fields: { stock?: number; priceCents?: number; name?: string } = {}) {
  const result = await h.call<{ publishProduct: { id: string } }>(
    'mutation($input: PublishProductInput!) { publishProduct(input: $input) { id } }',
    { input: { merchantId: merchant.id, name: fields.name ?? '宫保鸡丁', priceCents: fields.priceCents ?? 2800, stock: fields.stock ?? 10 } },
    merchant.owner,
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return { id: result.data.publishProduct.id };
}
