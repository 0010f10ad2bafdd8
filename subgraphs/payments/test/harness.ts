import { and, asc, eq, isNotNull } from 'drizzle-orm';
import {
  connectDatabase,
  createInternalClient,
  createInternalSigner,
  createKafkaEventBus,
  createLogger,
  eventEnvelopeSchema,
  newId,
  ordersApi,
  SIGNATURE_HEADER,
  signCallback,
  Topics,
  type EventEnvelope,
  type Identity,
} from '@waimai/platform';
import { ensureRunIsolation, startStack, subgraphCaller, unreachableUrl } from '@waimai/testkit';
import { loadPaymentsConfig } from '../src/env';
import { startPaymentsSubgraph } from '../src/app';
import { paymentsService } from '../src/index';
import { createPaymentStore } from '../src/db/payment-store';
import { outbox, paymentEvents, payments, paymentsSchema, refunds, type PaymentMethod } from '../src/db/schema';
import { createPaymentService, type RefundPayoutPolicy } from '../src/domain/payments';
import type { PaymentProvider } from '../src/providers';
import { createSandboxProvider } from '../src/providers/sandbox';

export { eventually } from '@waimai/testkit';

/**
 * The payments subgraph alone, in-process, on this run's own database and topics. Its
 * PUBLIC_URL is its own address, so the sandbox pay page calls this very service back, as
 * the gateway would forward it. `env` adds to (or overrides) the configuration.
 */
export async function startPayments(env: Record<string, string> = {}) {
  ensureRunIsolation();
  // A port free a moment ago: the sandbox's callback URL must be known before the service starts.
  const port = new URL(await unreachableUrl()).port;
  const config = loadPaymentsConfig({ ...process.env, PAYMENTS_PORT: port, PUBLIC_URL: `http://127.0.0.1:${port}`, ...env });
  await paymentsService.migrate(config);
  const logger = createLogger('payments', process.env.LOG_LEVEL ?? 'warn');
  const bus = createKafkaEventBus(config, 'payments-test', logger);
  await bus.ensureTopics([Topics.orderEvents, Topics.paymentEvents]);
  const queries: string[] = [];
  const service = await startPaymentsSubgraph(config, logger, { logQuery: (query) => queries.push(query) });
  const database = connectDatabase(config, 'payments', paymentsSchema);
  const sandbox = createSandboxProvider({ publicUrl: config.PUBLIC_URL });
  const db = database.primary;

  return {
    service,
    config,
    bus,
    /** Every SQL statement the subgraph sent, in order. */
    queries,
    call: subgraphCaller(service.baseUrl, config.INTERNAL_SECRET),

    /**
     * A pending sandbox payment for an order the orders service is not asked about (the
     * order is made up here), exactly as initiatePayment would store it.
     */
    async aPendingPayment(fields: { orderId?: string; customerId?: string; amountCents?: number; method?: PaymentMethod; startedAt?: Date } = {}) {
      const order = { id: fields.orderId ?? newId(), customerId: fields.customerId ?? `customer-${newId()}`, totalCents: fields.amountCents ?? 4200, paymentDueAt: null };
      const result = await service.payments.openPayment({
        order,
        method: fields.method ?? 'ALIPAY',
        // The sandbox even when PAYMENT_PROVIDER=none: a payment made before the provider was switched off.
        provider: sandbox,
        ...(fields.startedAt ? { now: fields.startedAt } : {}),
      });
      return result.payment;
    },

    /** POSTs a provider callback to the webhook; signed with the configured secret unless told otherwise. */
    async deliver(body: unknown, options: { signature?: string | null; secret?: string; signedAt?: Date; rawBody?: string } = {}) {
      const raw = options.rawBody ?? JSON.stringify(body);
      const signature = options.signature === undefined ? signCallback(options.secret ?? config.PAYMENT_WEBHOOK_SECRET, raw, options.signedAt) : options.signature;
      const response = await fetch(`${service.baseUrl}/webhooks/payments/sandbox`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature === null ? {} : { [SIGNATURE_HEADER]: signature }) },
        body: raw,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },

    async paymentRow(id: string) {
      const [row] = await db.select().from(payments).where(eq(payments.id, id));
      return row;
    },

    async paymentsOfOrder(orderId: string) {
      return db.select().from(payments).where(eq(payments.orderId, orderId)).orderBy(asc(payments.createdAt));
    },

    async eventRecords(paymentId: string) {
      return db.select().from(paymentEvents).where(eq(paymentEvents.paymentId, paymentId));
    },

    /** The order's refunds the provider paid out (a row without a provider refund id is only claimed so far). */
    async refundsOf(orderId: string) {
      return db
        .select()
        .from(refunds)
        .where(and(eq(refunds.orderId, orderId), isNotNull(refunds.providerRefundId)));
    },

    /** A sandbox payment the provider reported paid. */
    async aPaidPayment(fields: { orderId?: string; customerId?: string; amountCents?: number } = {}) {
      const payment = await this.aPendingPayment(fields);
      const result = await this.deliver(callbackFor(payment, 'SUCCESS'));
      if (result.status !== 200) throw new Error(`The success callback answered ${result.status}.`);
      return payment;
    },

    /** Every refund of the order, paid out or only claimed, oldest first. */
    async allRefundsOf(orderId: string) {
      return db.select().from(refunds).where(eq(refunds.orderId, orderId)).orderBy(asc(refunds.createdAt), asc(refunds.id));
    },

    async refundRow(id: string) {
      const [row] = await db.select().from(refunds).where(eq(refunds.id, id));
      return row;
    },

    /**
     * The payment use cases on this run's database with `provider` in place of the sandbox
     * adapter (a provider whose refunds fail, as a real one's can): what the service does
     * around the provider, with everything else real.
     */
    paymentsWithProvider(provider: PaymentProvider, payouts: RefundPayoutPolicy = { attentionAfterFailures: 5, retrySeconds: 30 }) {
      const store = createPaymentStore(db, db);
      const providers = {
        current: provider,
        has: (name: string) => name === provider.name,
        byName: (name: string) => (name === provider.name ? provider : undefined),
      };
      const orders = createInternalClient(ordersApi, { baseUrl: config.ORDERS_URL, caller: 'payments', signer: createInternalSigner(config.INTERNAL_SECRET), timeoutMs: 1000 });
      // The running service's relay publishes what this one enqueues (same outbox); nothing to kick here.
      const relay = { kick: () => undefined };
      return createPaymentService({ store, orders, providers, relay, paymentWindowSeconds: config.PAYMENT_WINDOW_SECONDS, payouts, logger });
    },

    /** The events this service's outbox holds for an order, oldest first. */
    async outboxOf(orderId: string): Promise<EventEnvelope[]> {
      const rows = await db.select().from(outbox).where(eq(outbox.aggregateId, orderId)).orderBy(asc(outbox.seq));
      return rows.map((row) => eventEnvelopeSchema.parse(JSON.parse(row.payload)));
    },

    async stop() {
      await service.stop();
      await bus.close();
      await database.close();
    },
  };
}
export type PaymentsHarness = Awaited<ReturnType<typeof startPayments>>;

/** The types of outbox events, in order. */
export const typesIn = (events: readonly EventEnvelope[]) => events.map((event) => event.type);

/** The contract's callback body for `payment`. */
export function callbackFor(
  payment: { id: string; orderId: string; amountCents: number },
  paymentStatus: 'SUCCESS' | 'FAILURE',
  overrides: Record<string, unknown> = {},
) {
  return {
    eventId: `evt_${newId().replace(/-/g, '')}`,
    paymentId: payment.id,
    orderId: payment.orderId,
    paymentStatus,
    amountCents: payment.amountCents,
    providerTxnId: `txn_${newId().slice(0, 8)}`,
    ...overrides,
  };
}

export const aCustomer = (sub = `customer-${newId()}`): Identity => ({ sub, roles: ['CUSTOMER'] });
export const anOperator = (): Identity => ({ sub: `operator-${newId()}`, roles: ['OPERATOR'] });

/**
 * Products and orders started by testkit's stack (its own databases and topics), and
 * payments in-process on the same ones, wired to orders' real address: initiatePayment reads
 * real orders, and orders reads payments' events.
 */
export async function startPaymentsWithOrders() {
  const stack = await startStack({ subgraphs: ['products', 'orders'] });
  const { products, orders } = stack.subgraphUrls;
  if (!products || !orders) throw new Error('The stack started without products or orders.');
  // The stack's environment (its prefixes, secrets and orders' URL), except the public URL:
  // payments' own address stays its PUBLIC_URL, so the sandbox pay page calls it back.
  const env = Object.fromEntries(
    Object.entries(stack.env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[0] !== 'PUBLIC_URL'),
  );
  const payments = await startPayments({ ...env, ORDERS_URL: orders });
  const callProducts = subgraphCaller(products, payments.config.INTERNAL_SECRET);
  const callOrders = subgraphCaller(orders, payments.config.INTERNAL_SECRET);

  return {
    ...payments,
    callOrders,

    /** A new merchant with one dish, and a PENDING_PAYMENT order of `quantity` of it by `customer`. */
    async anOrder(customer: Identity, dish: { priceCents: number; quantity: number } = { priceCents: 2800, quantity: 2 }) {
      const owner: Identity = { sub: `merchant-${newId()}`, roles: ['MERCHANT'] };
      const location = { lat: 30 + Math.random() * 5, lng: 100 + Math.random() * 5 };
      const merchant = await callProducts<{ createMerchant: { id: string } }>(
        'mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }',
        { input: { name: '付款测试店', address: '支付路1号', location, deliveryRadiusMeters: 5000 } },
        owner,
      );
      const product = await callProducts<{ publishProduct: { id: string } }>(
        'mutation($input: PublishProductInput!) { publishProduct(input: $input) { id } }',
        { input: { merchantId: merchant.data?.createMerchant.id, name: '红烧肉', priceCents: dish.priceCents, stock: 50 } },
        owner,
      );
      const order = await callOrders<{ createOrder: { id: string; status: string; totalCents: number } }>(
        'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id status totalCents } }',
        {
          input: {
            items: [{ productId: product.data?.publishProduct.id, quantity: dish.quantity }],
            deliveryAddress: '收货路2号',
            deliveryLocation: { lat: location.lat + 0.001, lng: location.lng },
          },
        },
        customer,
      );
      if (!order.data) throw new Error(`createOrder failed: ${JSON.stringify(order.errors)}`);
      return order.data.createOrder;
    },

    async orderStatus(orderId: string, customer: Identity): Promise<string | undefined> {
      const result = await callOrders<{ order: { status: string } | null }>('query($id: ID!) { order(id: $id) { status } }', { id: orderId }, customer);
      return result.data?.order?.status;
    },

    async stop() {
      await payments.stop();
      await stack.stop();
    },
  };
}
export type PaymentsWithOrdersHarness = Awaited<ReturnType<typeof startPaymentsWithOrders>>;
