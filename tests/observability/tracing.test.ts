import { randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTelemetry, type Telemetry } from '@waimai/platform';
import { aMerchant, anActor, aRiderAt, eventually, payOrder, startStack, type Stack } from '@waimai/testkit';
import { instrumentJestModules } from './jest-instrumentation';

// Every service runs in this process: one tracer provider, spans kept in memory.
const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
let stack: Stack;
beforeAll(async () => {
  telemetry = startTelemetry({ service: 'waimai-test', spanProcessors: [new SimpleSpanProcessor(exporter)] })!;
  instrumentJestModules(telemetry);
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
  await telemetry?.shutdown();
});

const portOf = (url: string | undefined) => Number(new URL(url!).port);
const inTrace = (traceId: string) => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
const describeSpans = (spans: ReadableSpan[]) => spans.map((span) => `${SpanKind[span.kind]} ${span.name} ${String(span.attributes['server.port'] ?? span.attributes['messaging.consumer.group.name'] ?? '')}`).join('\n');

/** The HTTP server spans of the trace, by the port they served on. */
const serverPorts = (spans: ReadableSpan[]) => new Set(spans.filter((span) => span.kind === SpanKind.SERVER && span.attributes['http.request.method']).map((span) => Number(span.attributes['server.port'])));
const consumedBy = (spans: ReadableSpan[], group: string, topic: string) =>
  spans.some((span) => span.kind === SpanKind.CONSUMER && span.attributes['messaging.consumer.group.name'] === group && span.attributes['messaging.destination.name'] === topic);

const CREATE_ORDER = 'mutation CreateOrder($input: CreateOrderInput!) { createOrder(input: $input) { id } }';

describe('one trace follows a request through the gateway, the subgraphs, MySQL, Redis and Kafka', () => {
  test('createOrder is one trace: the gateway, the orders and products subgraphs, their MySQL queries, Redis, and the products consumer of its event', async () => {
    const merchant = await aMerchant(stack);
    const customer = await anActor('CUSTOMER');
    const requestId = `trace-test-${randomUUID()}`;

    const response = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${customer.token}`, 'x-request-id': requestId },
      body: JSON.stringify({ query: CREATE_ORDER, variables: { input: { items: [{ productId: merchant.products[0]!.id, quantity: 1 }], deliveryAddress: '人民路100号', deliveryLocation: merchant.location } } }),
    });
    const body = (await response.json()) as { data?: { createOrder: { id: string } } };
    expect(body.data?.createOrder.id).toBeDefined();

    // The gateway's server span names the client's request id; its trace is the one to follow.
    const gatewaySpan = exporter
      .getFinishedSpans()
      .find((span) => span.kind === SpanKind.SERVER && span.attributes['http.request.header.x-request-id']?.toString() === requestId && Number(span.attributes['server.port']) === portOf(stack.gatewayUrl));
    expect(gatewaySpan).toBeDefined();
    const traceId = gatewaySpan!.spanContext().traceId;

    const spans = await eventually(
      async () => {
        const found = inTrace(traceId);
        return consumedBy(found, 'products.stock', 'orders.events') ? found : null;
      },
      20_000,
      'the products consumer of the order event, in the request trace',
    );
    expect([...serverPorts(spans)].sort()).toEqual(expect.arrayContaining([portOf(stack.gatewayUrl), portOf(stack.subgraphUrls.orders), portOf(stack.subgraphUrls.products)]));
    // The subgraphs' server spans got the gateway's request id too.
    const subgraphSpans = spans.filter((span) => span.kind === SpanKind.SERVER && Number(span.attributes['server.port']) === portOf(stack.subgraphUrls.orders));
    expect(subgraphSpans.map((span) => span.attributes['http.request.header.x-request-id']?.toString())).toContain(requestId);
    const databases = new Set(spans.filter((span) => span.attributes['db.system.name'] === 'mysql').map((span) => String(span.attributes['db.namespace']).replace(/^.*_/, '')));
    expect([...databases]).toEqual(expect.arrayContaining(['orders', 'products']));
    expect(spans.some((span) => span.attributes['db.system.name'] === 'redis')).toBe(true);
    // The event left through the outbox relay's publish span, in the same trace.
    expect(spans.some((span) => span.kind === SpanKind.PRODUCER && span.name === 'orders.events publish')).toBe(true);
    // No literal of the statements (addresses, phone numbers) reaches a span.
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain('人民路100号');
  });

  test("a paid order's trace goes from the provider's webhook through the payment consumer to the dispatcher and its offers", async () => {
    const merchant = await aMerchant(stack);
    await aRiderAt(stack, merchant.location);
    const customer = await anActor('CUSTOMER');
    const created = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${customer.token}` },
      body: JSON.stringify({ query: CREATE_ORDER, variables: { input: { items: [{ productId: merchant.products[0]!.id, quantity: 1 }], deliveryAddress: '人民路100号', deliveryLocation: merchant.location } } }),
    });
    const orderId = ((await created.json()) as { data: { createOrder: { id: string } } }).data.createOrder.id;

    await payOrder(stack, orderId, customer.token);

    const webhook = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER && span.attributes['url.path'] === '/webhooks/payments/sandbox' && Number(span.attributes['server.port']) === portOf(stack.gatewayUrl));
    expect(webhook).toBeDefined();
    const traceId = webhook!.spanContext().traceId;
    // The dispatcher tells orders about its rounds in one notifyRounds call per batch.
    const offersCall = (spans: ReadableSpan[]) => spans.some((span) => span.kind === SpanKind.SERVER && span.attributes['url.path'] === '/internal/orders/offers');
    const spans = await eventually(
      async () => {
        const found = inTrace(traceId);
        return consumedBy(found, 'orders.payments', 'payments.events') && consumedBy(found, 'riders.dispatch', 'orders.events') && offersCall(found) ? found : null;
      },
      20_000,
      'the payment consumer, the dispatcher and the offers in the webhook trace',
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\nThe trace has:\n${describeSpans(inTrace(traceId))}`);
    });
    // The webhook served by the gateway and, behind its proxy, by payments (which keeps the Host, hence the gateway's port).
    expect(spans.filter((span) => span.kind === SpanKind.SERVER && span.attributes['url.path'] === '/webhooks/payments/sandbox')).toHaveLength(2);
    expect(serverPorts(spans)).toContain(portOf(stack.subgraphUrls.orders));
  });
});
