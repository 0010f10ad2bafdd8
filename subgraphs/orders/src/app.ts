import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import {
  connectDatabase,
  createInternalClient,
  createInternalSigner,
  createKafkaEventBus,
  migrateDatabase,
  stockApi,
  startOutboxRelay,
  startSubgraph,
  Topics,
  type ConnectOptions,
  type EventBus,
  type Logger,
  type OutboxRelayOptions,
  type RunningService,
} from '@waimai/platform';
import type { OrdersConfig } from './env';
import { createContext, type Context } from './context';
import { ordersSchema } from './db/schema';
import { createOrderStore } from './db/order-store';
import { createOrderService, type OrderService } from './domain/orders';
import { paymentEventsConsumer } from './events/payment-consumer';
import { startScheduler } from './jobs/scheduler';
import { mountOrdersApi } from './internal/orders-api';
import { resolvers } from './resolvers';

export const MIGRATIONS_FOLDER = path.resolve(__dirname, '..', 'drizzle');
const typeDefs = parse(readFileSync(path.join(__dirname, 'schema.graphql'), 'utf8'));

export async function migrateOrders(config: OrdersConfig): Promise<void> {
  await migrateDatabase(config, 'orders', MIGRATIONS_FOLDER);
}

export interface RunningOrders extends RunningService {
  service: OrderService;
  bus: EventBus;
  /** Publishes every pending outbox row (tests, shutdown). */
  drainOutbox(): Promise<void>;
}

/**
 * Starts the orders subgraph: the GraphQL API, the internal API, the outbox relay, the
 * payment-events consumer and the timer sweeps.
 */
export interface OrdersOptions extends ConnectOptions {
  /** Test hook: a throw here is a relay dying after publishing and before marking rows sent. */
  afterOutboxPublish?: OutboxRelayOptions['afterPublish'];
}

export async function startOrdersSubgraph(config: OrdersConfig, logger: Logger, options: OrdersOptions = {}): Promise<RunningOrders> {
  const database = connectDatabase(config, 'orders', ordersSchema, options);
  const bus = createKafkaEventBus(config, 'orders', logger);
  await bus.ensureTopics([Topics.orderEvents, Topics.paymentEvents]);
  const store = createOrderStore(database.db, database.primary);
  const relay = startOutboxRelay({ service: 'orders', db: database.primary, bus, logger, intervalMs: 250, afterPublish: options.afterOutboxPublish });
  const signer = createInternalSigner(config.INTERNAL_SECRET);
  const stock = createInternalClient(stockApi, { baseUrl: config.PRODUCTS_URL, caller: 'orders', signer, timeoutMs: config.STOCK_API_TIMEOUT_MS });
  const service = createOrderService({ store, stock, relay, policy: config, logger });

  const subgraph = await startSubgraph<Context>({
    name: 'orders',
    typeDefs,
    // Codegen's resolver types are stricter than buildSubgraphSchema's map; they describe the same object.
    resolvers: resolvers as never,
    port: config.ORDERS_PORT,
    admin: { port: config.ORDERS_ADMIN_PORT, host: config.ADMIN_HOST },
    signer,
    logger,
    readiness: { mysql: () => database.ping() },
    context: (caller) => createContext(caller, store, service),
    routes: (app) => mountOrdersApi(app, store, service, signer, logger),
  });
  const payments = paymentEventsConsumer(bus, service, logger);
  await payments.start();
  const scheduler = startScheduler(store, service, config.SCHEDULER_INTERVAL_MS, logger);

  return {
    name: 'orders',
    port: subgraph.port,
    baseUrl: `http://127.0.0.1:${subgraph.port}`,
    adminUrl: subgraph.adminUrl,
    service,
    bus,
    drainOutbox: () => relay.drain(),
    async stop() {
      await subgraph.stop();
      await scheduler.stop();
      await payments.stop();
      await relay.stop();
      await bus.close();
      await database.close();
    },
  };
}
