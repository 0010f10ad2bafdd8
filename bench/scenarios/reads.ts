import path from 'node:path';
import { IDENTITY_HEADER } from '@waimai/platform';
import { contractOperation } from '@waimai/testkit/contract';
import { freePorts, spawnService, waitUntilReady, type ServiceProcess } from '@waimai/testkit';
import { ROOT } from '../../scripts/lib/paths';
import { CITY_CENTER, moved, randomSource } from '../lib/city';
import { SETUP_CONCURRENCY, type BenchContext, type Scenario, type ScenarioOutcome } from '../lib/context';
import { anActor, aShop } from '../lib/fixtures';
import { mapLimit } from '../lib/http';
import { identityForwarder } from '../lib/identity';
import { closedLoop, round, type LoadRequest, type LoadResult } from '../lib/load';
import { cpuWindow, metricsPage, metricSum } from '../lib/machine';
import { table } from '../lib/stats';

const PRODUCT_INFO = contractOperation('ProductInfo');
// 16 keep-alive connections: as the autocannon figures.
const CLIENTS = 16;
// 80 km west of the city: no other scenario's shop or rider near.
const DISTRICT = moved(CITY_CENTER, 0, -80_000);

type SideName = 'direct' | 'apollo' | 'hive';
type Mode = 'distinct' | 'identical';

const SIDES: ReadonlyArray<{ name: SideName; label: string }> = [
  { name: 'direct', label: 'straight at products (signed identity)' },
  { name: 'apollo', label: 'through our @apollo/gateway' },
  { name: 'hive', label: 'through Hive Gateway (peer)' },
];

interface SideResult extends LoadResult {
  /** Requests products answered (its operation counter) per request the side sent, warm-up included. */
  subgraphCallsPerRequest: number;
  subgraphCalls: number;
  /** CPU ms of the side's own process (the gateway, or nothing for direct) per answered request. */
  gatewayCpuMsPerRequest: number | null;
}

/** Every operation products answered so far (waimai_graphql_operations_total, any type and outcome). */
async function productsCalls(adminUrl: string): Promise<number> {
  return metricSum(await metricsPage(adminUrl), 'waimai_graphql_operations_total', 'service="products"');
}

/** The peer gateway: Hive Gateway's runtime in a process of its own on the same supergraph and subgraphs (hive-gateway/src/index.ts). */
async function startHiveGateway(context: BenchContext): Promise<ServiceProcess> {
  const { platform } = context;
  const [port, adminPort] = (await freePorts(2)) as [number, number];
  const hive = spawnService({
    name: 'hive-gateway',
    dir: 'bench/hive-gateway',
    port,
    adminPort,
    env: {
      ...platform.env,
      HIVE_GATEWAY_PORT: String(port),
      HIVE_GATEWAY_ADMIN_PORT: String(adminPort),
      SUPERGRAPH_PATH: platform.env.SUPERGRAPH_PATH ?? path.join(ROOT, 'schema', 'supergraph.graphql'),
    },
    logDir: platform.logDir,
  });
  try {
    await waitUntilReady(hive);
  } catch (err) {
    await hive.stop();
    throw err;
  }
  return hive;
}

async function run(context: BenchContext): Promise<ScenarioOutcome> {
  const { client, platform, quick, say } = context;
  const secret = platform.config.JWT_SECRET;
  const shops = quick ? 4 : 20;
  const perShop = quick ? 25 : 50;
  const warmupMs = quick ? 1_000 : 2_000;
  const measureMs = quick ? 3_000 : 10_000;
  const products = platform.services.find((service) => service.name === 'products');
  if (!products) throw new Error('No products process.');

  say(`Reads: ${shops} shops with ${perShop} dishes each (${shops * perShop} products to read).`);
  const places = Array.from({ length: shops }, (_, n) => moved(DISTRICT, (n % 5) * 1000, Math.floor(n / 5) * 1000));
  const seeded = await mapLimit(places, Math.max(1, Math.floor(SETUP_CONCURRENCY / 4)), (place) => aShop(client, secret, place, perShop, 100));
  const productIds = seeded.flatMap((shop) => shop.productIds);
  const customer = await anActor(secret, 'CUSTOMER');
  const forwardedIdentity = identityForwarder(platform.config.INTERNAL_SECRET);
  const caller = { sub: customer.sub, roles: ['CUSTOMER' as const] };

  say('Starting Hive Gateway (the peer) on the same supergraph, as a process of its own.');
  const hive = await startHiveGateway(context);
  try {
    const urls: Record<SideName, string> = { direct: products.baseUrl, apollo: platform.gatewayUrl, hive: hive.baseUrl };
    const requestFor = (side: SideName, id: string): LoadRequest | Promise<LoadRequest> => {
      const body = JSON.stringify({ query: PRODUCT_INFO, operationName: 'ProductInfo', variables: { id } });
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      if (side !== 'direct') return { path: '/graphql', headers: { ...headers, authorization: `Bearer ${customer.token}` }, body };
      return forwardedIdentity(caller).then((identity) => ({ path: '/graphql', headers: { ...headers, [IDENTITY_HEADER]: identity }, body }));
    };
    const check = (body: string) => (body.includes('"product":{"id"') && !body.includes('"errors"') ? null : (/"code":"([A-Z_]+)"/.exec(body)?.[1] ?? 'NO_PRODUCT'));

    // Each side answers one read with the product and its shop before anything is timed.
    for (const side of SIDES) {
      const id = productIds[0] as string;
      const request = await requestFor(side.name, id);
      const probe = await fetch(`${urls[side.name]}/graphql`, { method: 'POST', headers: request.headers, body: request.body });
      const text = await probe.text();
      if (check(text) !== null || !text.includes('"merchant":{"id"')) throw new Error(`${side.label} did not answer ProductInfo: HTTP ${probe.status} ${text.slice(0, 300)}`);
    }

    const processes = [...context.processes(), { name: 'hive-gateway', pid: hive.pid }];
    const ownProcess: Record<SideName, string | null> = { direct: null, apollo: 'gateway', hive: 'hive-gateway' };
    const results: Record<Mode, Partial<Record<SideName, SideResult>>> = { distinct: {}, identical: {} };
    let profiles: ScenarioOutcome['profiles'] = {};
    // Distinct reads walk the products in a shuffled order: random ids, and never the same one twice among the requests in flight.
    const random = randomSource(101);
    const shuffled = [...productIds];
    for (let i = shuffled.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as string, shuffled[i] as string];
    }
    const one = productIds[Math.floor(productIds.length / 2)] as string;
    for (const mode of ['distinct', 'identical'] as const) {
      for (const side of SIDES) {
        say(`ProductInfo, ${mode} reads, ${side.label}: ${CLIENTS} clients, ${warmupMs / 1000} s warm-up, ${measureMs / 1000} s measured.`);
        const callsBefore = await productsCalls(products.adminUrl);
        const result = await closedLoop({
          baseUrl: urls[side.name],
          clients: CLIENTS,
          warmupMs,
          measureMs,
          request: (n) => requestFor(side.name, mode === 'identical' ? one : (shuffled[n % shuffled.length] as string)),
          check: (answer) => (answer.status === 200 ? check(answer.body) : `HTTP_${answer.status}`),
          // CPU of every process, the peer's too (context.measure() knows the platform's only);
          // context.measure() beside it runs the --cpu-prof profilers over the same window.
          measure: async () => {
            const profiled = await context.measure();
            const window = cpuWindow(processes);
            return {
              end: async (extra) => {
                // The scenario's own window first: stopping the profilers is not the timed part's CPU.
                const shares = await window.end(extra);
                await profiled.end(extra);
                return shares;
              },
            };
          },
        });
        // The profiles worth reading are the gateway's distinct reads; the others are dropped.
        const taken = context.takeProfiles();
        if (mode === 'distinct' && side.name === 'apollo') profiles = taken;
        const calls = (await productsCalls(products.adminUrl)) - callsBefore;
        const own = ownProcess[side.name];
        const ownSeconds = own ? result.cpu?.[own]?.seconds : undefined;
        results[mode][side.name] = {
          ...result,
          subgraphCalls: calls,
          subgraphCallsPerRequest: round(calls / Math.max(1, result.sentInAll), 3),
          gatewayCpuMsPerRequest: ownSeconds === undefined ? null : round((ownSeconds * 1000) / Math.max(1, result.measured), 3),
        };
      }
    }

    const ratios = (mode: Mode) => {
      const direct = results[mode].direct as SideResult;
      const of = (side: SideResult) => ({
        throughput: round(side.okPerSecond / Math.max(1e-9, direct.okPerSecond), 2),
        p50: round(side.latencyMs.p50 / Math.max(1e-9, direct.latencyMs.p50), 2),
      });
      return { apollo: of(results[mode].apollo as SideResult), hive: of(results[mode].hive as SideResult) };
    };
    const figures = {
      distinct: { ...results.distinct, ratiosToDirect: ratios('distinct') },
      identical: { ...results.identical, ratiosToDirect: ratios('identical') },
    };
    const rows: Array<Array<string | number>> = [['mode', 'side', 'req/s', 'p50 ms', 'p99 ms', 'errors', '× direct req/s', '× direct p50', 'products calls/req', 'gateway CPU ms/req']];
    for (const mode of ['distinct', 'identical'] as const) {
      const ratio = ratios(mode);
      for (const side of SIDES) {
        const result = results[mode][side.name] as SideResult;
        const errors = Object.values(result.errors).reduce((sum, n) => sum + n, 0);
        const r = side.name === 'direct' ? null : ratio[side.name];
        rows.push([mode, side.label, result.okPerSecond, result.latencyMs.p50, result.latencyMs.p99, errors, r ? r.throughput : '-', r ? r.p50 : '-', result.subgraphCallsPerRequest, result.gatewayCpuMsPerRequest ?? '-']);
      }
    }
    const errorKinds = Object.fromEntries(
      (['distinct', 'identical'] as const).flatMap((mode) => SIDES.map((side) => [`${mode} ${side.name}`, (results[mode][side.name] as SideResult).errors] as const)).filter(([, errors]) => Object.keys(errors).length),
    );
    return {
      parameters: { query: 'ProductInfo (contract): product(id) with its shop, one subgraph (products)', products: productIds.length, clients: CLIENTS, warmupMs, measureMs, hiveGateway: '@graphql-hive/gateway-runtime 2.12.1 (Hive Gateway 2.15.1), defaults, identity forwarded by bench/hive-gateway' },
      figures,
      profiles,
      printed: [table(rows), Object.keys(errorKinds).length ? `errors: ${JSON.stringify(errorKinds)}` : ''].filter(Boolean).join('\n'),
    };
  } finally {
    await hive.stop();
  }
}

export const readsScenario: Scenario = {
  name: 'reads',
  what: 'ProductInfo (product(id), one subgraph), closed loop from 16 clients: straight at products with a signed identity, through @apollo/gateway, through Hive Gateway; distinct ids and one id read by all',
  aim: 'gateway ≥ 0.75× the throughput and ≤ 1.5× the p50 of straight at the subgraph',
  run,
};
