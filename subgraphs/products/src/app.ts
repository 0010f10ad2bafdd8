import path from 'node:path';
import {
  connectDatabase,
  createInternalClient,
  createInternalSigner,
  createKafkaEventBus,
  Topics,
  migrateDatabase,
  ordersApi,
  startOutboxRelay,
  startSubgraphService,
  typeDefsFrom,
  worker,
  type ConnectOptions,
  type Logger,
  type RunningSubgraphService,
} from '@waimai/platform';
import type { ProductsConfig } from './env';
import { createContext } from './context';
import { productsSchema } from './db/schema';
import { createCatalogStore } from './db/catalog-store';
import { createMerchantStore } from './db/merchant-store';
import { createProductStore } from './db/product-store';
import { createStockStore } from './db/stock-store';
import { createCatalogService } from './domain/catalog';
import { createStockService, type StockService } from './domain/stock';
import { mountStockApi } from './internal/stock-api';
import { stockReleaseConsumer } from './events/order-consumer';
import { startOrphanHoldSweep } from './jobs/orphan-hold-sweep';
import { resolvers } from './resolvers';

export const MIGRATIONS_FOLDER = path.resolve(__dirname, '..', 'drizzle');
const typeDefs = typeDefsFrom(path.join(__dirname, 'schema.graphql'));

export async function migrateProducts(config: ProductsConfig): Promise<void> {
  await migrateDatabase(config, 'products', MIGRATIONS_FOLDER);
}

export type RunningProducts = RunningSubgraphService<{
  stock: StockService;
  /** Publishes every pending outbox row (tests, shutdown). */
  drainOutbox(): Promise<void>;
}>;

/**
 * Starts the products subgraph (merchants, products, stock) on PRODUCTS_PORT, the outbox relay
 * (audit events of staff changes), the stock-release consumer and the orphan-hold sweep.
 */
export async function startProductsSubgraph(config: ProductsConfig, logger: Logger, options: ConnectOptions = {}): Promise<RunningProducts> {
  return startSubgraphService('products', logger, async ({ own }) => {
    const database = own(connectDatabase(config, 'products', productsSchema, options), (database) => database.close());
    const stores = {
      merchants: createMerchantStore(database.db),
      products: createProductStore(database.db),
    };
    const signer = createInternalSigner(config.INTERNAL_SECRET);
    const stock = createStockService({
      store: createStockStore(database.primary),
      orders: createInternalClient(ordersApi, { baseUrl: config.ORDERS_URL, caller: 'products', signer, timeoutMs: config.ORDERS_API_TIMEOUT_MS }),
      orphanSeconds: config.STOCK_HOLD_ORPHAN_SECONDS,
      logger,
    });
    const bus = own(createKafkaEventBus(config, 'products', logger), (bus) => bus.close());
    await bus.ensureTopics([Topics.orderEvents, Topics.auditEvents]);
    const relay = own(startOutboxRelay({ service: 'products', db: database.primary, bus, logger, intervalMs: 250 }), (relay) => relay.stop());
    const catalog = createCatalogService({ store: createCatalogStore(database.primary), relay });
    return {
      subgraph: {
        typeDefs,
        resolvers,
        port: config.PRODUCTS_PORT,
        admin: { port: config.PRODUCTS_ADMIN_PORT, host: config.ADMIN_HOST },
        signer,
        readiness: { mysql: () => database.ping() },
        context: (caller) => createContext(caller, catalog, stores),
        routes: (app) => mountStockApi(app, stock, signer, logger),
      },
      workers: [
        stockReleaseConsumer(bus, stock, logger),
        worker('orphan-hold sweep', () => startOrphanHoldSweep(stock, config.STOCK_HOLD_SWEEP_INTERVAL_MS, logger)),
      ],
      exposes: { stock, drainOutbox: () => relay.drain() },
    };
  });
}
