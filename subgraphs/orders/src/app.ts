import path from 'node:path';
import { campaignsApi, createInternalClient, ridersApi, startSubgraphService, stockApi, Topics, typeDefsFrom, worker, type ConnectOptions, type Logger, type OutboxRelayOptions, type RunningSubgraphService } from '@waimai/platform';
import type { OrdersConfig } from './env';
import { createContext } from './context';
import { ordersSchema } from './db/schema';
import { createOrderStore } from './db/order-store';
import { createOrderService, type OrderService } from './domain/orders';
import { paymentEventsConsumer } from './events/payment-consumer';
import { riderEventsConsumer } from './events/rider-consumer';
import { startScheduler } from './jobs/scheduler';
import { mountOrdersApi } from './internal/orders-api';
import { resolvers } from './resolvers';

const typeDefs = typeDefsFrom(path.join(__dirname, 'schema.graphql'));

export type RunningOrders = RunningSubgraphService<{
  service: OrderService;
}>;

export interface OrdersOptions extends ConnectOptions {
  /** Test hook: a throw here is a relay dying after publishing and before marking rows sent. */
  afterOutboxPublish?: OutboxRelayOptions['afterPublish'];
}

/**
 * Starts the orders subgraph: the GraphQL API, the internal API, the outbox relay, the
 * payment-events and rider-events consumers and the timer sweeps.
 */
export async function startOrdersSubgraph(config: OrdersConfig, logger: Logger, options: OrdersOptions = {}): Promise<RunningOrders> {
  return startSubgraphService('orders', config, logger, async (scope) => {
    const { signer } = scope;
    const database = scope.database(ordersSchema, options);
    const bus = await scope.bus([Topics.orderEvents, Topics.paymentEvents, Topics.riderEvents]);
    const store = createOrderStore(database.db, database.primary);
    const relay = scope.relay(database, bus, { afterPublish: options.afterOutboxPublish });
    const stock = createInternalClient(stockApi, { baseUrl: config.PRODUCTS_URL, caller: 'orders', signer, timeoutMs: config.STOCK_API_TIMEOUT_MS });
    const riders = createInternalClient(ridersApi, { baseUrl: config.RIDERS_URL, caller: 'orders', signer, timeoutMs: config.RIDERS_API_TIMEOUT_MS });
    const campaigns = createInternalClient(campaignsApi, { baseUrl: config.OPERATIONS_URL, caller: 'orders', signer, timeoutMs: config.CAMPAIGNS_API_TIMEOUT_MS });
    const service = createOrderService({ store, stock, riders, campaigns, relay, policy: config, logger });
    return {
      subgraph: {
        typeDefs,
        resolvers,
        context: (caller) => createContext(caller, store, service),
        routes: (app) => mountOrdersApi(app, store, service, signer, logger),
      },
      workers: [
        paymentEventsConsumer(bus, service, logger),
        riderEventsConsumer(bus, store, logger),
        worker('scheduler', () => startScheduler(store, service, config.SCHEDULER_INTERVAL_MS, logger)),
      ],
      exposes: { service },
    };
  });
}
