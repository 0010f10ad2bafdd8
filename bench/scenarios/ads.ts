import { performance } from 'node:perf_hooks';
import { contractOperation } from '@waimai/testkit/contract';
import { CITY_CENTER, cluster, moved, randomSource } from '../lib/city';
import { SETUP_CONCURRENCY, type BenchContext, type Scenario, type ScenarioOutcome } from '../lib/context';
import { aMerchant, anActor, type Actor } from '../lib/fixtures';
import { dataOf, HttpClient, mapLimit } from '../lib/http';
import { LATENCY_HEADER, latencyRows, summarize, table, type LatencySummary } from '../lib/stats';

const NEARBY = contractOperation('NearbyMerchantsWithAds');
const BUY = contractOperation('BuyAdPlacement');
// Two districts 60 km south of the city (no other scenario's shops near), 20 km apart, each
// with the same layout of shops: the first inside four placements' areas, the second in none.
const WITH_ADS = moved(CITY_CENTER, -60_000, 0);
const WITHOUT_ADS = moved(WITH_ADS, 0, 20_000);
const SHOPS_PER_DISTRICT = 40;
const PAGE = 10;
const CLIENTS = 16;

interface Side {
  latency: LatencySummary;
  perSecond: number;
  errors: number;
  /** Share of answers that carried at least one sponsored shop. */
  withSponsored: number;
}

/** What one stretch of load measured, before it is merged with the other stretches of its side. */
interface Stretch {
  latencies: number[];
  measureMs: number;
  errors: number;
  sponsored: number;
}

/** Closed loop: CLIENTS keep-alive connections ask merchantsNearby at `near` as fast as answers come, as rotating customers. */
async function drive(context: BenchContext, near: { lat: number; lng: number }, customers: readonly Actor[], warmupMs: number, measureMs: number): Promise<Stretch> {
  const http = new HttpClient(context.platform.gatewayUrl, CLIENTS);
  await http.warm(CLIENTS);
  const latencies: number[] = [];
  let errors = 0;
  let sponsored = 0;
  const measureFrom = performance.now() + warmupMs;
  const measureUntil = measureFrom + measureMs;
  const body = JSON.stringify({ query: NEARBY, operationName: 'NearbyMerchantsWithAds', variables: { near, first: PAGE } });
  const client = async (k: number) => {
    for (let n = k; ; n += CLIENTS) {
      const sentAt = performance.now();
      if (sentAt >= measureUntil) return;
      const customer = customers[n % customers.length]!;
      const result = await http.request('POST', '/graphql', { 'content-type': 'application/json', authorization: `Bearer ${customer.token}` }, body);
      if (sentAt < measureFrom) continue;
      latencies.push(result.ms);
      if (result.status !== 200 || result.body.includes('"errors"')) errors += 1;
      else if (result.body.includes('"sponsored":true')) sponsored += 1;
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, k) => client(k)));
  http.close();
  return { latencies, measureMs, errors, sponsored };
}

function sideOf(stretches: readonly Stretch[]): Side {
  const latencies = stretches.flatMap((stretch) => stretch.latencies);
  const measuredMs = stretches.reduce((sum, stretch) => sum + stretch.measureMs, 0);
  const sponsored = stretches.reduce((sum, stretch) => sum + stretch.sponsored, 0);
  return {
    latency: summarize(latencies),
    perSecond: latencies.length / (measuredMs / 1000),
    errors: stretches.reduce((sum, stretch) => sum + stretch.errors, 0),
    withSponsored: latencies.length ? sponsored / latencies.length : 0,
  };
}

/**
 * The two sides in ABBA order, in ROUNDS stretches each: whichever side ran second used to
 * come out faster (the processes warm up as they go), which read as ads costing less than nothing.
 */
const ROUNDS = 4;

async function run(context: BenchContext): Promise<ScenarioOutcome> {
  const { client, platform, quick, say } = context;
  const secret = platform.config.JWT_SECRET;
  const warmupMs = quick ? 1_000 : 3_000;
  const measureMs = quick ? 4_000 : 10_000;
  say(`Ads: ${SHOPS_PER_DISTRICT} shops in each of two districts; four placements over the first; merchantsNearby (first ${PAGE}) from ${CLIENTS} clients.`);
  const layout = cluster({ lat: 0, lng: 0 }, 1500, SHOPS_PER_DISTRICT, randomSource(23));
  const place = (district: { lat: number; lng: number }, offset: { lat: number; lng: number }) => ({ lat: district.lat + offset.lat, lng: district.lng + offset.lng });
  const withShops = await mapLimit(layout, SETUP_CONCURRENCY, (offset) => aMerchant(client, secret, place(WITH_ADS, offset), 100));
  await mapLimit(layout, SETUP_CONCURRENCY, (offset) => aMerchant(client, secret, place(WITHOUT_ADS, offset), 100));
  // The four farthest shops of the first district are sponsored: never on the organic page of 10, so they are served.
  const operator = await anActor(secret, 'OPERATOR');
  const distance = (shop: { location: { lat: number; lng: number } }) => Math.hypot(shop.location.lat - WITH_ADS.lat, shop.location.lng - WITH_ADS.lng);
  const sponsored = [...withShops].sort((a, b) => distance(b) - distance(a)).slice(0, 4);
  const now = Date.now();
  for (const shop of sponsored) {
    dataOf(
      await client.graphql(
        BUY,
        { input: { merchantId: shop.id, center: WITH_ADS, radiusMeters: 3000, startsAt: new Date(now - 60_000).toISOString(), endsAt: new Date(now + 86_400_000).toISOString(), dailyBudgetCents: 100_000_000, cpcCents: 1 } },
        operator.token,
        'BuyAdPlacement',
      ),
      'buyAdPlacement',
    );
  }
  // 2,000 customers: with 20 pages per customer and placement a day (the frequency cap) they are never capped here.
  const customers = await Promise.all(Array.from({ length: 2000 }, () => anActor(secret, 'CUSTOMER')));
  // Until products has the placements (ads.events): a page in the first district shows a sponsored shop.
  for (let tries = 0; ; tries += 1) {
    const page = dataOf(await client.graphql<{ merchantsNearby: Array<{ sponsored: boolean }> }>(NEARBY, { near: WITH_ADS, first: PAGE }, undefined, 'NearbyMerchantsWithAds'), 'merchantsNearby');
    if (page.merchantsNearby.some((row) => row.sponsored)) break;
    if (tries > 300) throw new Error('The placements never reached products.');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const stretches = { without: [] as Stretch[], withAds: [] as Stretch[] };
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 === 0 ? (['without', 'withAds'] as const) : (['withAds', 'without'] as const);
    for (const side of order) {
      stretches[side].push(await drive(context, side === 'without' ? WITHOUT_ADS : WITH_ADS, customers, warmupMs / ROUNDS, measureMs / ROUNDS));
    }
  }
  const without = sideOf(stretches.without);
  const withAds = sideOf(stretches.withAds);
  const added = { p50Ms: withAds.latency.p50 - without.latency.p50, p90Ms: withAds.latency.p90 - without.latency.p90, p99Ms: withAds.latency.p99 - without.latency.p99 };
  const printed = [
    table([
      ['', 'requests/s', 'errors', 'pages with a sponsored shop'],
      ['without ads (no placement covers the spot)', without.perSecond.toFixed(0), without.errors, `${(without.withSponsored * 100).toFixed(0)}%`],
      ['with ads (4 placements cover the spot)', withAds.perSecond.toFixed(0), withAds.errors, `${(withAds.withSponsored * 100).toFixed(0)}%`],
    ]),
    '',
    table([LATENCY_HEADER, ...latencyRows('merchantsNearby without ads', without.latency), ...latencyRows('merchantsNearby with ads', withAds.latency)]),
    '',
    `added by the ads per request: p50 ${added.p50Ms.toFixed(2)} ms, p90 ${added.p90Ms.toFixed(2)} ms, p99 ${added.p99Ms.toFixed(2)} ms; throughput ${(((withAds.perSecond - without.perSecond) / without.perSecond) * 100).toFixed(1)}%`,
  ].join('\n');
  return {
    parameters: { shopsPerDistrict: SHOPS_PER_DISTRICT, placements: sponsored.length, page: PAGE, clients: CLIENTS, customers: customers.length, warmupMs, measureMs },
    figures: { without, withAds, addedMs: added },
    printed,
  };
}

export const adsScenario: Scenario = {
  name: 'ads',
  what: 'merchantsNearby (first 10) through the gateway, closed loop from 16 clients, at a spot no placement covers and at one four placements cover (sponsored shops chosen, impressions counted in Redis)',
  aim: 'the ads add little per request (one indexed query beside the organic one, one Redis script when a placement covers the spot)',
  run,
};
