import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import {
  connectDatabase,
  createInternalClient,
  createInternalSigner,
  createKafkaEventBus,
  Topics,
  migrateDatabase,
  ordersApi,
  startSubgraph,
  type ConnectOptions,
  type Logger,
  type RunningService,
} from '@waimai/platform';
import type { ProductsConfig } from './env';
import { createContext, type Context } from './context';
import { productsSchema } from './db/schema';
import { createMerchantStore } from './db/merchant-store';
import { createProductStore } from './db/product-store';
import { createStockStore } from './db/stock-store';
import { mountStockApi } from './internal/stock-api';
import { stockReleaseConsumer } from './events/order-consumer';
import { createOrphanHoldSweep, startOrphanHoldSweep } from './jobs/orphan-hold-sweep';
import { resolvers } from './resolvers';

export const MIGRATIONS_FOLDER = path.resolve(__dirname, '..', 'drizzle');
const typeDefs = parse(readFileSync(path.join(__dirname, 'schema.graphql'), 'utf8'));

export async function migrateProducts(config: ProductsConfig): Promise<void> {
  await migrateDatabase(config, 'products', MIGRATIONS_FOLDER);
}

/** Starts the products subgraph (merchants, products, stock) on PRODUCTS_PORT, the stock-release consumer and the orphan-hold sweep. */
export async function startProductsSubgraph(
  config: ProductsConfig,
  logger: Logger,
  options: ConnectOptions = {},
): Promise<RunningService> {
  const database = connectDatabase(config, 'products', productsSchema, options);
  const stores = {
    merchants: createMerchantStore(database.db),
    products: createProductStore(database.db, database.primary),
  };
  const stock = createStockStore(database.primary);
  const signer = createInternalSigner(config.INTERNAL_SECRET);
  const bus = createKafkaEventBus(config, 'products', logger);
  await bus.ensureTopics([Topics.orderEvents]);

  const subgraph = await startSubgraph<Context>({
    name: 'products',
    typeDefs,
    // Codegen's resolver types are stricter than buildSubgraphSchema's map; they describe the same object.
    resolvers: resolvers as never,
    port: config.PRODUCTS_PORT,
    admin: { port: config.PRODUCTS_ADMIN_PORT, host: config.ADMIN_HOST },
    signer,
    logger,
    readiness: { mysql: () => database.ping() },
    context: (caller) => createContext(caller, stores),
    routes: (app) => mountStockApi(app, stock, signer, logger),
  });
  const releases = stockReleaseConsumer(bus, stock, logger);
  await releases.start();
  const orphanHolds = startOrphanHoldSweep(
    createOrphanHoldSweep({ stock, orders: createInternalClient(ordersApi, { baseUrl: config.ORDERS_URL, caller: 'products', signer, timeoutMs: config.ORDERS_API_TIMEOUT_MS }), orphanSeconds: config.STOCK_HOLD_ORPHAN_SECONDS, logger }),
    config.STOCK_HOLD_SWEEP_INTERVAL_MS,
    logger,
  );

  return {
    name: 'products',
    port: subgraph.port,
    baseUrl: `http://127.0.0.1:${subgraph.port}`,
    adminUrl: subgraph.adminUrl,
    async stop() {
      await subgraph.stop();
      await orphanHolds.stop();
      await releases.stop();
      await bus.close();
      await database.close();
    },
  };
}
