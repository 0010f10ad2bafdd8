import path from 'node:path';
import { createInternalClient, ordersApi, startSubgraphService, Topics, typeDefsFrom, worker, type ConnectOptions, type Logger, type RunningSubgraphService } from '@waimai/platform';
import type { PaymentsConfig } from './env';
import { createContext, type PaymentsServices } from './context';
import { paymentsSchema } from './db/schema';
import { createPaymentStore } from './db/payment-store';
import { createPaymentService, type PaymentService } from './domain/payments';
import { refundConsumer } from './events/refund-consumer';
import { startRefundPayouts } from './jobs/refund-payouts';
import { createProviders } from './providers';
import { SANDBOX_PROVIDER } from './providers/sandbox';
import { mountProviderCallback } from './webhooks/provider-callback';
import { mountSandboxPayPage } from './webhooks/sandbox-pay-page';
import { resolvers } from './resolvers';

const typeDefs = typeDefsFrom(path.join(__dirname, 'schema.graphql'));

/** The running service; `payments` is its use cases, for tests that open payments directly. */
export type RunningPayments = RunningSubgraphService<{ payments: PaymentService }>;

/**
 * Starts the payments subgraph on PAYMENTS_PORT: payments and refunds, the provider
 * webhook and the sandbox pay page, the outbox relay to payments.events, the refund
 * consumer on orders.events and the retries of refund payouts.
 */
export async function startPaymentsSubgraph(
  config: PaymentsConfig,
  logger: Logger,
  options: ConnectOptions = {},
): Promise<RunningPayments> {
  return startSubgraphService('payments', config, logger, async (scope) => {
    const { signer } = scope;
    const database = scope.database(paymentsSchema, options);
    const store = createPaymentStore(database.db, database.primary);
    const providers = createProviders(config);
    const bus = await scope.bus([Topics.orderEvents, Topics.paymentEvents, Topics.auditEvents]);
    const relay = scope.relay(database, bus);
    const payments = createPaymentService({
      store,
      orders: createInternalClient(ordersApi, { baseUrl: config.ORDERS_URL, caller: 'payments', signer, timeoutMs: config.ORDERS_TIMEOUT_MS }),
      providers,
      relay,
      paymentWindowSeconds: config.PAYMENT_WINDOW_SECONDS,
      payouts: { attentionAfterFailures: config.REFUND_ATTENTION_AFTER_FAILURES, retrySeconds: config.REFUND_RETRY_SECONDS },
      logger,
    });
    const services: PaymentsServices = { stores: { payments: store }, payments };

    return {
      subgraph: {
        typeDefs,
        resolvers,
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
            payments,
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
      },
      // After HTTP is open: webhooks only write rows and the outbox, so they are taken while the
      // refund consumer waits for its group (after a crash, until the dead member is dropped).
      workers: [
        refundConsumer({ bus, payments, logger }),
        worker('refund payouts', () => startRefundPayouts(payments, config.REFUND_PAYOUT_SWEEP_INTERVAL_MS, logger)),
      ],
      exposes: { payments },
    };
  });
}
