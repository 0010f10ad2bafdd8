import { SUBGRAPH_NAMES } from '@waimai/platform';
import { aGrabbedOrder, aMerchant, anActor, contractOperation, eventually, gql, orderInfo, startStack, type Stack } from '@waimai/testkit';
import { deployedQueries, familiesOf, find, isExported, metricNamesIn, PROMETHEUS_OWN, samplesOf, type Sample } from './metrics-text';

let stack: Stack;
let grabbed: Awaited<ReturnType<typeof aGrabbedOrder>>;

beforeAll(async () => {
  stack = await startStack();
  await Promise.all(Object.values(stack.subgraphAdminUrls).map((adminUrl) => eventually(async () => (await fetch(`${adminUrl}/readyz`)).ok, 30_000, `${adminUrl}/readyz`)));
  // One whole journey: a shop opened, an order created, paid, offered and grabbed.
  grabbed = await aGrabbedOrder(stack);
});
afterAll(async () => {
  await stack?.stop();
});

/** Every process's admin URL, the gateway's first. */
const adminUrls = () => [stack.gateway.adminUrl, ...SUBGRAPH_NAMES.map((name) => stack.subgraphAdminUrls[name] ?? '')];

async function metricsText(adminUrl: string): Promise<string> {
  const response = await fetch(`${adminUrl}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

async function samples(adminUrl = stack.gateway.adminUrl): Promise<Sample[]> {
  return samplesOf(await metricsText(adminUrl));
}

const total = (found: readonly Sample[]) => found.reduce((sum, sample) => sum + sample.value, 0);

describe('metrics on the admin port', () => {
  it('times each operation under its contract name at the gateway and at the subgraph that served it, and any other name as other', async () => {
    await orderInfo(stack, grabbed.order.id, grabbed.order.customer.token);
    await gql(stack.graphqlUrl, 'query NotInTheContract { __typename }');
    const found = await samples();

    expect(total(find(found, 'waimai_graphql_operation_duration_seconds_count', { service: 'gateway', operation: 'OrderInfo', type: 'query' }))).toBeGreaterThanOrEqual(1);
    expect(total(find(found, 'waimai_graphql_operation_duration_seconds_count', { service: 'orders', operation: 'OrderInfo', type: 'query' }))).toBeGreaterThanOrEqual(1);
    expect(total(find(found, 'waimai_graphql_operation_duration_seconds_count', { service: 'gateway', operation: 'other' }))).toBeGreaterThanOrEqual(1);
    expect(find(found, 'waimai_graphql_operation_duration_seconds_count').filter((sample) => sample.labels.operation === 'NotInTheContract')).toEqual([]);
  });

  it('counts a refused operation by its name and contract error code', async () => {
    const customer = await anActor('CUSTOMER');
    const refused = await gql(stack.graphqlUrl, contractOperation('GrabOrder'), { orderId: grabbed.order.id }, customer.token);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const found = await samples();

    expect(total(find(found, 'waimai_graphql_operation_errors_total', { service: 'gateway', operation: 'GrabOrder', code: 'FORBIDDEN' }))).toBeGreaterThanOrEqual(1);
  });

  it('times the gateway\'s fetches from each subgraph by operation and outcome', async () => {
    await orderInfo(stack, grabbed.order.id, grabbed.order.customer.token);
    const found = await samples();

    expect(total(find(found, 'waimai_gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'orders', operation: 'OrderInfo', outcome: 'ok' }))).toBeGreaterThanOrEqual(1);
    expect(total(find(found, 'waimai_gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'products', operation: 'OrderInfo', outcome: 'ok' }))).toBeGreaterThanOrEqual(1);
  });

  it("counts the fetches a plan sent to one subgraph together in one batched request: the contract CreateOrder's shop and dishes from products", async () => {
    const before = total(find(await samples(), 'waimai_gateway_subgraph_fetches_batched_total', { subgraph: 'products' }));
    const merchant = await aMerchant(stack);
    const customer = await anActor('CUSTOMER');
    const placed = await gql<{ createOrder: { merchant: { name: string }; items: Array<{ product: { id: string; name: string } }> } }>(
      stack.graphqlUrl,
      contractOperation('CreateOrder'),
      { input: { items: [{ productId: merchant.products[0]!.id, quantity: 1 }], deliveryAddress: '人民路100号', deliveryLocation: merchant.location } },
      customer.token,
    );
    expect(placed.errors).toBeUndefined();
    expect(placed.data?.createOrder.items[0]?.product.id).toBe(merchant.products[0]!.id);

    // Its plan reads the shop's name and the dishes' names from products side by side: one request of two operations.
    const after = total(find(await samples(), 'waimai_gateway_subgraph_fetches_batched_total', { subgraph: 'products' }));
    expect(after - before).toBe(2);
  });

  it('reports each service\'s outbox backlog and the age of its oldest unsent row, 0 once everything is published', async () => {
    for (const name of SUBGRAPH_NAMES) {
      const found = await eventually(async () => {
        const read = await samples(stack.subgraphAdminUrls[name]);
        return find(read, 'waimai_outbox_backlog', { service: name })[0]?.value === 0 ? read : null;
      }, 15_000, `${name}'s outbox backlog at 0`);
      expect(find(found, 'waimai_outbox_oldest_unsent_seconds', { service: name }).map((sample) => sample.value)).toEqual([0]);
    }
  });

  it('reports every consumer group\'s lag per partition, which reaches 0 once the journey\'s events are read', async () => {
    const found = await eventually(async () => {
      const read = find(await samples(stack.subgraphAdminUrls.riders), 'waimai_kafka_consumer_lag', { service: 'riders', topic: 'orders.events' });
      return read.length > 0 && total(read) === 0 ? read : null;
    }, 20_000, 'the riders dispatcher\'s lag at 0');

    expect(new Set(found.map((sample) => sample.labels.partition)).size).toBe(Number(process.env.KAFKA_TOPIC_PARTITIONS ?? 6));
    for (const name of ['orders', 'products', 'payments', 'operations'] as const) {
      expect(find(await samples(stack.subgraphAdminUrls[name]), 'waimai_kafka_consumer_lag', { service: name }).length).toBeGreaterThan(0);
    }
  });

  it('reports each MySQL pool\'s connections in use, idle, waiting and its limit', async () => {
    const found = await samples(stack.subgraphAdminUrls.orders);

    expect(find(found, 'waimai_mysql_pool_connections', { service: 'orders', pool: 'primary', state: 'limit' }).map((sample) => sample.value)).toEqual([Number(stack.env.MYSQL_POOL_SIZE ?? 10)]);
    for (const state of ['in_use', 'idle', 'waiting']) {
      expect(find(found, 'waimai_mysql_pool_connections', { service: 'orders', pool: 'primary', state })).toHaveLength(1);
    }
  });

  it('times Redis commands by connection and command', async () => {
    const found = await samples(stack.subgraphAdminUrls.riders);

    expect(total(find(found, 'waimai_redis_command_duration_seconds_count', { connection: 'riders', outcome: 'ok' }))).toBeGreaterThanOrEqual(1);
    expect(total(find(found, 'waimai_redis_command_duration_seconds_count', { connection: 'gateway-rate-limits', outcome: 'ok' }))).toBeGreaterThanOrEqual(1);
  });

  it('counts the journey\'s business facts: the payment transition, the offer sent and the grab', async () => {
    const found = await eventually(async () => {
      const read = await samples();
      return total(find(read, 'waimai_dispatch_offers_total', { outcome: 'grabbed' })) >= 1 ? read : null;
    }, 15_000, 'the grab counted');

    expect(total(find(found, 'waimai_order_transitions_total', { step: 'pay', from: 'PENDING_PAYMENT', to: 'CREATED' }))).toBeGreaterThanOrEqual(1);
    expect(total(find(found, 'waimai_order_transitions_total', { step: 'grab', to: 'DELIVERING' }))).toBeGreaterThanOrEqual(1);
    expect(total(find(found, 'waimai_dispatch_offers_total', { outcome: 'sent' }))).toBeGreaterThanOrEqual(1);
  });
});

describe('readiness', () => {
  it('each subgraph\'s /readyz checks its MySQL, its Kafka producer and consumers, and Redis where it uses one', async () => {
    const checks: Record<string, Record<string, string>> = {};
    for (const name of SUBGRAPH_NAMES) {
      const response = await fetch(`${stack.subgraphAdminUrls[name]}/readyz`);
      expect(response.status).toBe(200);
      checks[name] = ((await response.json()) as { checks: Record<string, string> }).checks;
    }

    expect(checks).toEqual({
      products: { mysql: 'ok', kafka: 'ok', redis: 'ok' },
      orders: { mysql: 'ok', kafka: 'ok' },
      payments: { mysql: 'ok', kafka: 'ok' },
      riders: { mysql: 'ok', kafka: 'ok', redis: 'ok' },
      operations: { mysql: 'ok', kafka: 'ok', redis: 'ok' },
    });
  });
});

describe('dashboards and alerts', () => {
  it('query only metrics that the processes export', async () => {
    const families = new Map<string, string>();
    for (const adminUrl of adminUrls()) for (const [name, type] of familiesOf(await metricsText(adminUrl))) families.set(name, type);
    const queries = deployedQueries();

    const missing = queries.flatMap(({ where, expr }) =>
      metricNamesIn(expr)
        .filter((name) => !PROMETHEUS_OWN.has(name) && !isExported(name, families))
        .map((name) => `${where}: ${name}`),
    );

    expect(queries.length).toBeGreaterThan(30);
    expect(queries.filter(({ expr }) => metricNamesIn(expr).length === 0)).toEqual([]);
    expect(missing).toEqual([]);
  });

  it('name only operations of the contract in their operation matchers', () => {
    const named = deployedQueries().flatMap(({ where, expr }) =>
      [...expr.matchAll(/operation=~?"([^"]+)"/g)].flatMap((match) => match[1]!.split('|').map((name) => ({ where, name }))),
    );

    expect(named.length).toBeGreaterThan(0);
    expect(named.filter(({ name }) => name !== 'other' && !contractOperationExists(name))).toEqual([]);
  });
});

function contractOperationExists(name: string): boolean {
  try {
    contractOperation(name);
    return true;
  } catch {
    return false;
  }
}
