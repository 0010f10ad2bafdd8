import path from 'node:path';
import {
  connectDatabase,
  createInternalClient,
  createInternalSigner,
  createKafkaEventBus,
  migrateDatabase,
  ridersApi,
  startOutboxRelay,
  startSubgraphService,
  stockApi,
  Topics,
  typeDefsFrom,
  worker,
  type ConnectOptions,
  type EventBus,
  type Logger,
  type OutboxRelayOptions,
  type RunningSubgraphService,
} from '@waimai/platform';
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

export const MIGRATIONS_FOLDER = path.resolve(__dirname, '..', 'drizzle');
const typeDefs = typeDefsFrom(path.join(__dirname, 'schema.graphql'));

export async function migrateOrders(config: OrdersConfig): Promise<void> {
  await migrateDatabase(config, 'orders', MIGRATIONS_FOLDER);
}

export type RunningOrders = RunningSubgraphService<{
  service: OrderService;
  bus: EventBus;
  /** Publishes every pending outbox row (tests, shutdown). */
  drainOutbox(): Promise<void>;
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
  return startSubgraphService('orders', logger, async ({ own }) => {
    const database = own(connectDatabase(config, 'orders', ordersSchema, options), (database) => database.close());
    const bus = own(createKafkaEventBus(config, 'orders', logger), (bus) => bus.close());
    await bus.ensureTopics([Topics.orderEvents, Topics.paymentEvents, Topics.riderEvents]);
    const store = createOrderStore(database.db, database.primary);
    const relay = own(
      startOutboxRelay({ service: 'orders', db: database.primary, bus, logger, intervalMs: 250, afterPublish: options.afterOutboxPublish }),
      (relay) => relay.stop(),
    );
    const signer = createInternalSigner(config.INTERNAL_SECRET);
    const stock = createInternalClient(stockApi, { baseUrl: config.PRODUCTS_URL, caller: 'orders', signer, timeoutMs: config.STOCK_API_TIMEOUT_MS });
    const riders = createInternalClient(ridersApi, { baseUrl: config.RIDERS_URL, caller: 'orders', signer, timeoutMs: config.RIDERS_API_TIMEOUT_MS });
    const service = createOrderService({ store, stock, riders, relay, policy: config, logger });
    return {
      subgraph: {
        typeDefs,
        resolvers,
        port: config.ORDERS_PORT,
        admin: { port: config.ORDERS_ADMIN_PORT, host: config.ADMIN_HOST },
        signer,
        readiness: { mysql: () => database.ping() },
        context: (caller) => createContext(caller, store, service),
        routes: (app) => mountOrdersApi(app, store, service, signer, logger),
      },
      workers: [
        paymentEventsConsumer(bus, service, logger),
        riderEventsConsumer(bus, store, logger),
        worker('scheduler', () => startScheduler(store, service, config.SCHEDULER_INTERVAL_MS, logger)),
      ],
      exposes: { service, bus, drainOutbox: () => relay.drain() },
    };
  });
}
