import path from 'node:path';
import { adCounters, connectRedis, createInternalClient, Topics, ordersApi, startSubgraphService, typeDefsFrom, worker, type ConnectOptions, type Logger, type RunningSubgraphService } from '@waimai/platform';
import type { ProductsConfig } from './env';
import { createContext } from './context';
import { productsSchema } from './db/schema';
import { createCatalogStore } from './db/catalog-store';
import { createAdPlacementStore } from './db/ad-placement-store';
import { createMerchantStore } from './db/merchant-store';
import { createProductStore } from './db/product-store';
import { createStockStore } from './db/stock-store';
import { createCatalogService } from './domain/catalog';
import { createStockService, type StockService } from './domain/stock';
import { createNearbyShops } from './domain/sponsored';
import { mountMerchantsApi } from './internal/merchants-api';
import { mountStockApi } from './internal/stock-api';
import { adPlacementsConsumer } from './events/ad-placements-consumer';
import { stockReleaseConsumer } from './events/order-consumer';
import { startOrphanHoldSweep } from './jobs/orphan-hold-sweep';
import { resolvers } from './resolvers';

const typeDefs = typeDefsFrom(path.join(__dirname, 'schema.graphql'));

export type RunningProducts = RunningSubgraphService<{
  stock: StockService;
}>;

/**
 * Starts the products subgraph (merchants, products, stock) on PRODUCTS_PORT, the outbox relay
 * (audit events of staff changes), the stock-release consumer and the orphan-hold sweep.
 */
export async function startProductsSubgraph(config: ProductsConfig, logger: Logger, options: ConnectOptions = {}): Promise<RunningProducts> {
  return startSubgraphService('products', config, logger, async (scope) => {
    const { signer } = scope;
    const database = scope.database(productsSchema, options);
    const reads = {
      browse: { merchants: createMerchantStore(database.db), products: createProductStore(database.db) },
      own: { merchants: createMerchantStore(database.primary), products: createProductStore(database.primary) },
    };
    const stock = createStockService({
      store: createStockStore(database.primary),
      orders: createInternalClient(ordersApi, { baseUrl: config.ORDERS_URL, caller: 'products', signer, timeoutMs: config.ORDERS_API_TIMEOUT_MS }),
      orphanSeconds: config.STOCK_HOLD_ORPHAN_SECONDS,
      logger,
    });
    const redis = scope.own(connectRedis(config, 'products'), (client) => client.quit());
    const adPlacements = createAdPlacementStore(database.db);
    const nearbyShops = createNearbyShops({
      merchants: reads.browse.merchants,
      placements: adPlacements,
      counters: adCounters(redis),
      maxSponsored: config.ADS_MAX_SPONSORED,
      frequencyCap: config.ADS_FREQUENCY_CAP,
      logger,
    });
    const bus = await scope.bus([Topics.orderEvents, Topics.auditEvents, Topics.adEvents]);
    const relay = scope.relay(database, bus);
    const catalog = createCatalogService({ store: createCatalogStore(database.primary), relay });
    return {
      subgraph: {
        typeDefs,
        resolvers,
        context: (caller) => createContext(caller, catalog, reads, nearbyShops),
        routes: (app) => {
          mountStockApi(app, stock, signer, logger);
          mountMerchantsApi(app, reads.own.merchants, signer, logger);
        },
      },
      workers: [
        stockReleaseConsumer(bus, stock, logger),
        adPlacementsConsumer(bus, createAdPlacementStore(database.primary), logger),
        worker('orphan-hold sweep', () => startOrphanHoldSweep(stock, config.STOCK_HOLD_SWEEP_INTERVAL_MS, logger)),
      ],
      exposes: { stock },
    };
  });
}
