import { randomUUID } from 'node:crypto';
import { IDENTITY_HEADER } from '@waimai/platform';
import { contractOperation } from '@waimai/testkit/contract';
import { CITY_CENTER, moved, randomSource } from '../lib/city';
import { SETUP_CONCURRENCY, type BenchContext, type Scenario, type ScenarioOutcome } from '../lib/context';
import { anActor, aShop, type Actor, type Shop } from '../lib/fixtures';
import { mapLimit, type HttpResult } from '../lib/http';
import { identityForwarder } from '../lib/identity';
import { closedLoop, openLoop, platformCores, platformCpuSeconds, round, type LoadRequest, type LoadResult, type OpenLoopResult } from '../lib/load';
import { emptyCounts, hopLines, hopsPer } from '../lib/hops';
import { coresLine } from '../lib/machine';
import { perOrder, statementKinds, type StatementCounts } from '../lib/mysql-status';
import { LATENCY_HEADER, latencyRows, table } from '../lib/stats';

const CREATE_ORDER = contractOperation('CreateOrder');
/**
 * What the gateway sends to orders for the contract's CreateOrder (the first fetch of its query
 * plan): the same fields less the shop's and the dishes' names, which the gateway then fetches
 * from products. The direct side sends this, so the ratio is the gateway's whole share: its own
 * work plus the products fetch its plan adds.
 */
const CREATE_ORDER_IN_ORDERS = `mutation CreateOrder($input: CreateOrderInput!) {
  createOrder(input: $input) {
    id
    status
    totalCents
    deadlineAt
    merchant { id }
    items { product { id } productName unitPriceCents quantity subtotalCents }
    deliveryAddress
    deliveryLocation { lat lng }
  }
}`;
// 16 keep-alive connections: as the autocannon figures.
const CLIENTS = 16;
// 250 orders/s for 20 s: the open-loop aim (p99 ≤ 100 ms).
const OPEN_RATE = 250;
const OPEN_SECONDS = 20;
// 80 km east of the city: no rider of another scenario near, and none of these orders is paid.
const DISTRICT = moved(CITY_CENTER, 0, 80_000);
// 1,000,000 per dish (the most PublishProduct takes): far more than any run places.
const STOCK = 1_000_000;

interface Closed extends LoadResult {
  /** All processes' CPU (gateway, subgraphs, MariaDB, Redis, Kafka; not the generator) per order placed in the window, ms. */
  cpuMsPerOrder: number;
  platformCores: number;
  generatorCores: number;
}

function withCpu(result: LoadResult): Closed {
  return {
    ...result,
    cpuMsPerOrder: round((platformCpuSeconds(result.cpu) * 1000) / Math.max(1, result.ok), 2),
    platformCores: round(platformCores(result.cpu), 2),
    generatorCores: result.cpu?.['bench (load generator)']?.cores ?? NaN,
  };
}

const statementsPer = (counts: StatementCounts | null, orders: number) => (counts ? perOrder(counts, orders) : null);

/** MySQL statements per placed order of a closed loop, as dispatch prints them per paid order. */
function statementsLine(label: string, counts: StatementCounts | null): string {
  if (!counts) return '';
  return `MySQL statements per order placed ${label}, over the same time: ${statementKinds(counts)}`;
}

async function run(context: BenchContext): Promise<ScenarioOutcome> {
  const { client, platform, quick, say } = context;
  const secret = platform.config.JWT_SECRET;
  const shopCount = quick ? 4 : 20;
  const dishes = 5;
  const warmupMs = quick ? 1_000 : 3_000;
  const measureMs = quick ? 3_000 : 10_000;
  const openRate = quick ? 50 : OPEN_RATE;
  const openSeconds = quick ? 4 : OPEN_SECONDS;
  const orders = platform.services.find((service) => service.name === 'orders');
  if (!orders) throw new Error('No orders process.');

  say(`Orders: ${shopCount} shops with ${dishes} dishes each (stock ${STOCK.toLocaleString('en-US')}), 500 customers.`);
  const places = Array.from({ length: shopCount }, (_, n) => moved(DISTRICT, (n % 5) * 2000, Math.floor(n / 5) * 2000));
  const shops: Shop[] = await mapLimit(places, Math.max(1, Math.floor(SETUP_CONCURRENCY / 4)), (place) => aShop(client, secret, place, dishes, STOCK));
  const customers: Actor[] = await Promise.all(Array.from({ length: 500 }, () => anActor(secret, 'CUSTOMER')));
  const forwardedIdentity = identityForwarder(platform.config.INTERNAL_SECRET);
  const random = randomSource(303);

  /** A basket as a customer's app sends it: one or two dishes of one shop, delivered 500 m from it, with its own idempotency key. */
  const orderInput = () => {
    const shop = shops[Math.floor(random() * shops.length)] as Shop;
    const first = Math.floor(random() * shop.productIds.length);
    const items = [{ productId: shop.productIds[first] as string, quantity: 1 }];
    if (random() < 0.5) items.push({ productId: shop.productIds[(first + 1) % shop.productIds.length] as string, quantity: 1 });
    return { items, deliveryAddress: '人民路100号', deliveryLocation: moved(shop.location, 500, 0), idempotencyKey: randomUUID() };
  };
  const throughGateway = (n: number): LoadRequest => {
    const customer = customers[n % customers.length] as Actor;
    return {
      path: '/graphql',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${customer.token}` },
      body: JSON.stringify({ query: CREATE_ORDER, operationName: 'CreateOrder', variables: { input: orderInput() } }),
    };
  };
  const straightAtOrders = async (n: number): Promise<LoadRequest> => {
    const customer = customers[n % customers.length] as Actor;
    const identity = await forwardedIdentity({ sub: customer.sub, roles: ['CUSTOMER'] });
    return {
      path: '/graphql',
      headers: { 'content-type': 'application/json', accept: 'application/json', [IDENTITY_HEADER]: identity },
      body: JSON.stringify({ query: CREATE_ORDER_IN_ORDERS, operationName: 'CreateOrder', variables: { input: orderInput() } }),
    };
  };
  const check = (result: HttpResult) =>
    result.status === 200 && result.body.includes('"createOrder":{"id"') && !result.body.includes('"errors"') ? null : (/"code":"([A-Z_]+)"/.exec(result.body)?.[1] ?? `HTTP_${result.status}`);

  // Both ways answer one order before anything is timed.
  for (const [label, url, request] of [
    ['the gateway', platform.gatewayUrl, throughGateway(0)],
    ['orders', orders.baseUrl, await straightAtOrders(0)],
  ] as const) {
    const response = await fetch(`${url}${request.path}`, { method: 'POST', headers: request.headers, body: request.body });
    const text = await response.text();
    if (check({ status: response.status, body: text, ms: 0 }) !== null) throw new Error(`createOrder through ${label} failed: HTTP ${response.status} ${text.slice(0, 300)}`);
  }

  say(`createOrder through the gateway, closed loop: ${CLIENTS} clients, ${warmupMs / 1000} s warm-up, ${measureMs / 1000} s measured.`);
  const gateway = withCpu(await closedLoop({ baseUrl: platform.gatewayUrl, clients: CLIENTS, warmupMs, measureMs, request: throughGateway, check, measure: () => context.measure() }));
  const profiles = context.takeProfiles();
  const gatewayHops = hopsPer(context.takeHops() ?? emptyCounts(), gateway.ok);
  const gatewayStatements = statementsPer(context.takeStatements(), gateway.ok);

  say(`createOrder straight at orders (signed identity), closed loop: ${CLIENTS} clients, ${warmupMs / 1000} s warm-up, ${measureMs / 1000} s measured.`);
  const direct = withCpu(await closedLoop({ baseUrl: orders.baseUrl, clients: CLIENTS, warmupMs, measureMs, request: straightAtOrders, check, measure: () => context.measure() }));
  context.takeProfiles();
  const directHops = hopsPer(context.takeHops() ?? emptyCounts(), direct.ok);
  const directStatements = statementsPer(context.takeStatements(), direct.ok);

  say(`createOrder through the gateway, open loop: ${openRate}/s for ${openSeconds} s.`);
  const open: OpenLoopResult = await openLoop({ baseUrl: platform.gatewayUrl, rate: openRate, durationMs: openSeconds * 1000, maxSockets: 2_000, request: throughGateway, check, measure: () => context.measure() });
  context.takeProfiles();
  const openErrors = Object.values(open.errors).reduce((sum, n) => sum + n, 0);
  // Kept up: every order placed, none sent late by more than 10 ms, and the last answer within a second of the last send.
  const keptUp = openErrors === 0 && open.ok === open.scheduled && open.sendLagMs.p99 <= 10 && open.lastAnswerAfterLastSendMs <= 1_000;

  const ratio = { throughput: round(gateway.okPerSecond / Math.max(1e-9, direct.okPerSecond), 2), p50: round(gateway.latencyMs.p50 / Math.max(1e-9, direct.latencyMs.p50), 2) };
  const errorCount = (result: { errors: Record<string, number> }) => Object.values(result.errors).reduce((sum, n) => sum + n, 0);
  const printed = [
    table([
      ['closed loop, 16 clients', 'orders/s', 'p50 ms', 'p99 ms', 'errors', 'CPU ms/order (all processes)', 'platform cores'],
      ['through the gateway', gateway.okPerSecond, gateway.latencyMs.p50, gateway.latencyMs.p99, errorCount(gateway), gateway.cpuMsPerOrder, gateway.platformCores],
      ['straight at orders (signed identity)', direct.okPerSecond, direct.latencyMs.p50, direct.latencyMs.p99, errorCount(direct), direct.cpuMsPerOrder, direct.platformCores],
    ]),
    `gateway / straight at orders: ${ratio.throughput}× the throughput, ${ratio.p50}× the p50`,
    '',
    statementsLine('through the gateway', gatewayStatements),
    statementsLine('straight at orders', directStatements),
    hopLines(gatewayHops, 'order placed through the gateway'),
    `  straight at orders, per order: relay batches ${directHops.totals.relayBatches}, consumer fetches ${directHops.totals.fetches}, fetched batches ${directHops.totals.consumedBatches}, internal API calls ${directHops.totals.internalCalls}`,
    '',
    `open loop through the gateway, ${openRate}/s for ${openSeconds} s: ${open.ok} of ${open.scheduled} placed, ${openErrors} errors, ${keptUp ? 'kept up' : 'did NOT keep up'} (most in flight ${open.maxInFlight}, last answer ${open.lastAnswerAfterLastSendMs} ms after the last send, send lag p99 ${open.sendLagMs.p99} ms, ${open.achievedPerSecond}/s achieved)`,
    table([LATENCY_HEADER, ...latencyRows('createOrder, from its scheduled send', open.latencyMs)]),
    open.cpu ? `CPU during the open loop (cores busy): ${coresLine(open.cpu)}` : '',
    [gateway, direct, open].some((result) => errorCount(result)) ? `errors: gateway ${JSON.stringify(gateway.errors)}, direct ${JSON.stringify(direct.errors)}, open loop ${JSON.stringify(open.errors)}` : '',
    '(CPU below: the closed loop through the gateway)',
  ]
    .filter(Boolean)
    .join('\n');
  return {
    parameters: { shops: shopCount, dishesPerShop: dishes, customers: customers.length, clients: CLIENTS, warmupMs, measureMs, openRatePerSecond: openRate, openSeconds, basket: '1 or 2 dishes of one shop, quantity 1' },
    figures: {
      closedLoopGateway: { ...gateway, hopsPerOrder: gatewayHops, statementsPerOrder: gatewayStatements },
      closedLoopStraightAtOrders: { ...direct, hopsPerOrder: directHops, statementsPerOrder: directStatements },
      gatewayToDirect: ratio,
      openLoopGateway: { ...open, keptUp },
    },
    cpu: gateway.cpu,
    profiles,
    printed,
  };
}

export const ordersScenario: Scenario = {
  name: 'orders',
  what: 'createOrder (the contract\'s CreateOrder) from 500 customers: closed loop from 16 clients through the gateway and straight at orders, and open loop at 250/s for 20 s through the gateway',
  aim: '≥ 500 orders/s closed loop; p99 ≤ 100 ms at 250/s open loop; ≤ 4 ms CPU per placed order, all processes together',
  run,
};
