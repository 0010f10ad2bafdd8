import { loadGatewayConfig, startGateway, type RunningGateway } from '@waimai/gateway';
import { createLogger } from '@waimai/platform';
import { gatewayEventsReady, gql, startStack, unreachableUrl, type Stack } from '@waimai/testkit';

interface Readiness {
  status: string;
  service: string;
  checks: Record<string, string>;
}

async function readiness(baseUrl: string): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${baseUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

describe('health, readiness and metrics', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ subgraphs: ['products'] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('/healthz answers while the process lives', async () => {
    const response = await fetch(`${stack.gatewayUrl}/healthz`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', service: 'gateway' });
  });

  it('/readyz is 503 and names the subgraphs that do not answer', async () => {
    const { status, body } = await readiness(stack.gatewayUrl);

    expect(status).toBe(503);
    expect(body.checks).toEqual({
      supergraph: 'ok',
      products: 'ok',
      orders: expect.stringMatching(/^not reachable/),
      payments: expect.stringMatching(/^not reachable/),
      riders: expect.stringMatching(/^not reachable/),
      events: 'ok',
    });
  });

  it('/metrics counts the operations the gateway served, in Prometheus text', async () => {
    await gql(stack.graphqlUrl, 'query Ping { __typename }');

    const response = await fetch(`${stack.gatewayUrl}/metrics`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/^waimai_graphql_operations_total\{service="gateway",type="query",outcome="ok"\} [1-9]\d*$/m);
    expect(text).toContain('process_cpu_seconds_total');
  });
});

describe('readiness when every subgraph answers', () => {
  let stack: Stack;
  let gateway: RunningGateway;
  beforeAll(async () => {
    stack = await startStack({ subgraphs: ['products'] });
    // Every subgraph URL at a live /healthz: the products service stands in for the others.
    const url = stack.subgraphUrls.products ?? '';
    gateway = await startGateway(
      loadGatewayConfig({ ...stack.env, GATEWAY_PORT: '0', PRODUCTS_URL: url, ORDERS_URL: url, PAYMENTS_URL: url, RIDERS_URL: url }),
      createLogger('gateway', 'warn'),
    );
    await gatewayEventsReady(gateway);
  });
  afterAll(async () => {
    await gateway?.stop();
    await stack?.stop();
  });

  it('/readyz is 200', async () => {
    const { status, body } = await readiness(gateway.baseUrl);

    expect({ status, body }).toEqual({
      status: 200,
      body: { status: 'ready', service: 'gateway', checks: { supergraph: 'ok', products: 'ok', orders: 'ok', payments: 'ok', riders: 'ok', events: 'ok' } },
    });
  });
});

describe('readiness without Kafka', () => {
  let stack: Stack;
  let gateway: RunningGateway;
  beforeAll(async () => {
    stack = await startStack({ subgraphs: ['products'] });
    const noBroker = new URL(await unreachableUrl()).host;
    gateway = await startGateway(loadGatewayConfig({ ...stack.env, GATEWAY_PORT: '0', KAFKA_BROKERS: noBroker }), createLogger('gateway', 'silent'));
  });
  afterAll(async () => {
    await gateway?.stop();
    await stack?.stop();
  });

  it('/readyz is 503 while the subscription event consumers cannot read, naming each topic', async () => {
    const { status, body } = await readiness(gateway.baseUrl);

    expect(status).toBe(503);
    expect(body.checks.events).toMatch(/^dispatch\.offers: .+; orders\.events: .+$/);
  });
});
