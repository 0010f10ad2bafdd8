import net from 'node:net';
import { loadGatewayConfig, startGateway, type RunningGateway } from '@waimai/gateway';
import { createLogger } from '@waimai/platform';
import { gatewayEventsReady, gql, startStack, unreachableUrl, type Stack } from '@waimai/testkit';

interface Readiness {
  status: string;
  service: string;
  checks: Record<string, string>;
}

async function readiness(adminUrl: string): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${adminUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

/** The same port on another loopback address: a server bound to 127.0.0.1 alone is not there. */
const onOtherLoopbackAddress = (url: string) => url.replace('//127.0.0.1:', '//127.0.0.2:');

/** What a new TCP connection to the URL's address meets: 'connected', or the error code (ECONNREFUSED: nothing listens). */
function connectionTo(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('health, readiness and metrics', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ subgraphs: ['products'] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('/healthz answers on the public port while the process lives', async () => {
    const response = await fetch(`${stack.gatewayUrl}/healthz`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', service: 'gateway' });
  });

  it('the public ports of the gateway and of a subgraph answer /readyz and /metrics with a JSON 404', async () => {
    const answers = [];
    for (const base of [stack.gatewayUrl, stack.subgraphUrls.products ?? '']) {
      for (const path of ['/readyz', '/metrics']) {
        const response = await fetch(`${base}${path}`);
        answers.push({ path, status: response.status, type: response.headers.get('content-type'), body: await response.json() });
      }
    }

    expect(answers).toEqual(
      [...Array(2)].flatMap(() => [
        { path: '/readyz', status: 404, type: expect.stringMatching(/^application\/json/), body: { error: 'Not found.' } },
        { path: '/metrics', status: 404, type: expect.stringMatching(/^application\/json/), body: { error: 'Not found.' } },
      ]),
    );
  });

  it('/readyz on the admin port is 503 and names the subgraphs that do not answer', async () => {
    const { status, body } = await readiness(stack.gateway.adminUrl);

    expect(status).toBe(503);
    expect(body.checks).toEqual({
      supergraph: 'ok',
      products: 'ok',
      orders: expect.stringMatching(/^not reachable/),
      payments: expect.stringMatching(/^not reachable/),
      riders: expect.stringMatching(/^not reachable/),
      operations: expect.stringMatching(/^not reachable/),
      events: 'ok',
      redis: 'ok',
    });
  });

  it('/metrics on the admin port counts the operations the gateway served, in Prometheus text', async () => {
    await gql(stack.graphqlUrl, 'query Ping { __typename }');

    const response = await fetch(`${stack.gateway.adminUrl}/metrics`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/^waimai_graphql_operations_total\{service="gateway",type="query",outcome="ok"\} [1-9]\d*$/m);
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('a subgraph serves /readyz and /metrics on its own admin port', async () => {
    const adminUrl = stack.subgraphAdminUrls.products ?? '';
    const metrics = await fetch(`${adminUrl}/metrics`);

    expect(await readiness(adminUrl)).toEqual({ status: 200, body: { status: 'ready', service: 'products', checks: { mysql: 'ok', redis: 'ok', kafka: 'ok' } } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('process_cpu_seconds_total');
    expect(new URL(adminUrl).port).not.toBe(new URL(stack.subgraphUrls.products ?? '').port);
  });

  it('the admin ports listen on 127.0.0.1 alone by default, the public port on every address', async () => {
    const publicAnswer = await fetch(`${onOtherLoopbackAddress(stack.gatewayUrl)}/healthz`);

    expect(publicAnswer.status).toBe(200);
    expect(await connectionTo(onOtherLoopbackAddress(stack.gateway.adminUrl))).toBe('ECONNREFUSED');
    expect(await connectionTo(onOtherLoopbackAddress(stack.subgraphAdminUrls.products ?? ''))).toBe('ECONNREFUSED');
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
      loadGatewayConfig({ ...stack.env, GATEWAY_PORT: '0', PRODUCTS_URL: url, ORDERS_URL: url, PAYMENTS_URL: url, RIDERS_URL: url, OPERATIONS_URL: url }),
      createLogger('gateway', 'warn'),
    );
    await gatewayEventsReady(gateway);
  });
  afterAll(async () => {
    await gateway?.stop();
    await stack?.stop();
  });

  it('/readyz on the admin port is 200', async () => {
    const { status, body } = await readiness(gateway.adminUrl);

    expect({ status, body }).toEqual({
      status: 200,
      body: { status: 'ready', service: 'gateway', checks: { supergraph: 'ok', products: 'ok', orders: 'ok', payments: 'ok', riders: 'ok', operations: 'ok', events: 'ok', redis: 'ok' } },
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

  it('/readyz is 503 while the subscription event consumer cannot read, naming the topics it reads', async () => {
    const { status, body } = await readiness(gateway.adminUrl);

    expect(status).toBe(503);
    // One consumer reads every topic the subscriptions need (one group per process).
    expect(body.checks.events).toMatch(/^[a-z.]+(, [a-z.]+)*: .+$/);
    expect(body.checks.events).toContain('dispatch.offers');
    expect(body.checks.events).toContain('orders.events');
  });

  it('a gateway that has stopped no longer listens on its admin port', async () => {
    const noBroker = new URL(await unreachableUrl()).host;
    const stopped = await startGateway(loadGatewayConfig({ ...stack.env, GATEWAY_PORT: '0', KAFKA_BROKERS: noBroker }), createLogger('gateway', 'silent'));
    const whileRunning = await connectionTo(stopped.adminUrl);

    await stopped.stop();

    expect(whileRunning).toBe('connected');
    expect(await connectionTo(stopped.adminUrl)).toBe('ECONNREFUSED');
  });
});
