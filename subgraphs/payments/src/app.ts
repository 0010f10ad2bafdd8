import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import {
  connectDatabase,
  createInternalClient,
  createInternalSigner,
  createKafkaEventBus,
  migrateDatabase,
  ordersApi,
  startOutboxRelay,
  startSubgraph,
  Topics,
  type ConnectOptions,
  type Logger,
  type RunningService,
} from '@waimai/platform';
import type { PaymentsConfig } from './env';
import { createContext, type Context, type PaymentsServices } from './context';
import { paymentsSchema } from './db/schema';
import { createPaymentStore } from './db/payment-store';
import { refundConsumer } from './events/refund-consumer';
import { createProviders } from './providers';
import { SANDBOX_PROVIDER } from './providers/sandbox';
import { mountProviderCallback } from './webhooks/provider-callback';
import { mountSandboxPayPage } from './webhooks/sandbox-pay-page';
import { resolvers } from './resolvers';

export const MIGRATIONS_FOLDER = path.resolve(__dirname, '..', 'drizzle');
const typeDefs = parse(readFileSync(path.join(__dirname, 'schema.graphql'), 'utf8'));

export async function migratePayments(config: PaymentsConfig): Promise<void> {
  await migrateDatabase(config, 'payments', MIGRATIONS_FOLDER);
}

/**
 * Starts the payments subgraph on PAYMENTS_PORT: payments and refunds, the provider
 * webhook and the sandbox pay page, the outbox relay to payments.events and the refund
 * consumer on orders.events.
 */
export async function startPaymentsSubgraph(
  config: PaymentsConfig,
  logger: Logger,
  options: ConnectOptions = {},
): Promise<RunningService> {
  const database = connectDatabase(config, 'payments', paymentsSchema, options);
  const store = createPaymentStore(database.db, database.primary);
  const signer = createInternalSigner(config.INTERNAL_SECRET);
  const bus = createKafkaEventBus(config, 'payments', logger);
  const providers = createProviders(config);
  // Whatever started before a failure is stopped again, newest first.
  const started: Array<() => Promise<void>> = [() => database.close(), () => bus.close()];
  try {
    await bus.ensureTopics([Topics.orderEvents, Topics.paymentEvents]);
    const relay = startOutboxRelay({ service: 'payments', db: database.primary, bus, logger });
    started.push(() => relay.stop());
    const services: PaymentsServices = {
      stores: { payments: store },
      orders: createInternalClient(ordersApi, { baseUrl: config.ORDERS_URL, caller: 'payments', signer, timeoutMs: config.ORDERS_TIMEOUT_MS }),
      providers,
      paymentWindowSeconds: config.PAYMENT_WINDOW_SECONDS,
      eventsEnqueued: () => relay.kick(),
    };

    const subgraph = await startSubgraph<Context>({
      name: 'payments',
      typeDefs,
      // Codegen's resolver types are stricter than buildSubgraphSchema's map; they describe the same object.
      resolvers: resolvers as never,
      port: config.PAYMENTS_PORT,
      admin: { port: config.PAYMENTS_ADMIN_PORT, host: config.ADMIN_HOST },
      signer,
      logger,
      readiness: { mysql: () => database.ping() },
      context: (caller) => createContext(caller, services),
      routes: (app) => {
        // The sandbox's webhook and pay page exist only when PAYMENT_PROVIDER=sandbox was chosen;
        // otherwise nobody can pay or fail a payment through them: their paths answer JSON 404.
        if (!providers.has(SANDBOX_PROVIDER)) {
          app.use(`/webhooks/payments/${SANDBOX_PROVIDER}`, (_req, res) => {
            res.status(404).json({ error: 'Not found.' });
          });
          return;
        }
        mountProviderCallback(app, {
          provider: SANDBOX_PROVIDER,
          secret: config.PAYMENT_WEBHOOK_SECRET,
          store,
          eventsEnqueued: services.eventsEnqueued,
          logger,
        });
        mountSandboxPayPage(app, {
          store,
          secret: config.PAYMENT_WEBHOOK_SECRET,
          callbackUrl: config.SANDBOX_CALLBACK_URL,
          callbackTimeoutMs: config.SANDBOX_CALLBACK_TIMEOUT_MS,
          logger,
        });
      },
    });
    started.push(() => subgraph.stop());

    // After HTTP is open: webhooks only write rows and the outbox, so they are taken while the
    // refund consumer waits for its group (after a crash, until the dead member is dropped).
    const consumer = refundConsumer({ bus, store, providers, eventsEnqueued: services.eventsEnqueued, logger });
    await consumer.start();

    return {
      name: 'payments',
      port: subgraph.port,
      baseUrl: `http://127.0.0.1:${subgraph.port}`,
      adminUrl: subgraph.adminUrl,
      async stop() {
        // Requests first, then events, then the relay (rows it has not sent wait for the next start); pools last.
        await subgraph.stop();
        await consumer.stop();
        await relay.stop();
        await bus.close();
        await database.close();
      },
    };
  } catch (err) {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}
