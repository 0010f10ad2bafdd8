import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CITY_CENTER, cluster, moved, randomSource } from '../lib/city';
import { SETUP_CONCURRENCY, waitForSubscriptions, type BenchContext, type Scenario, type ScenarioOutcome } from '../lib/context';
import { aMerchant, anActor, aPayableOrder, onlineRiders, reportLocation, sendPaymentSucceeded, type Rider } from '../lib/fixtures';
import { dataOf, errorCodeOf, HttpClient, mapLimit } from '../lib/http';
import { metricsPage, metricValue } from '../lib/machine';
import { OfferSocket } from '../lib/offer-socket';
import { LATENCY_HEADER, latencyRows, summarize, table } from '../lib/stats';

const GRAB_ORDER = 'mutation GrabOrder($orderId: ID!) { grabOrder(orderId: $orderId) { id status grabbedAt rider { id name } } }';
// 60 km north of the city: no rider of another scenario is ever within a dispatch radius of it.
const SHOP = moved(CITY_CENTER, 60_000, 0);
// Riders report again when their last report is older than this (they leave the index after 60 s).
const REFRESH_AFTER_MS = 30_000;

interface Grab {
  rider: Rider;
  ms: number;
  outcome: 'won' | 'taken' | string;
}

async function run(context: BenchContext): Promise<ScenarioOutcome> {
  const { client, platform, quick, say } = context;
  const holders = quick ? 20 : 100;
  const orderCount = quick ? 3 : 20;
  const secret = platform.config.JWT_SECRET;

  // One spare rider per order: each winner is busy delivering afterwards, and every order must still reach `holders` idle riders.
  const riderCount = holders + orderCount;
  say(`Grab: a shop with ${riderCount} riders within 400 m; ${orderCount} orders, each offered to ${holders} riders who all grab it at once.`);
  const merchant = await aMerchant(client, secret, SHOP, 1_000_000);
  const riders = await onlineRiders(client, secret, cluster(SHOP, 400, riderCount, randomSource(11)), SETUP_CONCURRENCY);
  let lastReport = performance.now();
  const customer = await anActor(secret, 'CUSTOMER');
  const orders = await mapLimit(Array.from({ length: orderCount }, (_, n) => n), 8, () => aPayableOrder(client, customer, merchant));

  const offers = new Map<string, Set<Rider>>();
  const problems = new Map<string, number>();
  const subscribedBefore = metricValue(await metricsPage(platform.gatewayAdminUrl), 'waimai_gateway_subscriptions', 'field="orderOffers"') ?? 0;
  const sockets = riders.map(
    (rider) =>
      new OfferSocket(platform.wsUrl, rider.token, {
        offer(frame) {
          const set = offers.get(frame.orderId) ?? new Set<Rider>();
          set.add(rider);
          offers.set(frame.orderId, set);
        },
        problem(kind) {
          problems.set(kind, (problems.get(kind) ?? 0) + 1);
        },
      }),
  );
  // Enough keep-alive connections for every rider to grab at once, opened before the clock starts.
  const grabClient = new HttpClient(platform.gatewayUrl, holders * 2);
  try {
    await mapLimit(sockets, 50, (socket) => socket.open());
    await waitForSubscriptions(platform.gatewayAdminUrl, subscribedBefore + riders.length, 30_000);

    const perOrder: Array<{ orderId: string; holders: number; won: number; taken: number; other: Record<string, number>; riderOnOrder: string | null; winnerMatches: boolean }> = [];
    const all: Grab[] = [];
    const busy = new Set<string>();
    for (const order of orders) {
      if (performance.now() - lastReport > REFRESH_AFTER_MS) {
        await mapLimit(riders.filter((rider) => !busy.has(rider.sub)), SETUP_CONCURRENCY, (rider) => reportLocation(client, rider.token, rider.home));
        lastReport = performance.now();
      }
      const expected = Math.min(holders, riders.length - busy.size);
      const sent = sendPaymentSucceeded(client, platform.config.PAYMENT_WEBHOOK_SECRET, order);
      const response = await sent.result;
      if (response.status >= 300) throw new Error(`The payment callback answered ${response.status}: ${response.body.slice(0, 200)}`);
      // Every offered rider's socket has the offer, or no new one came for 2 s (20 s at most).
      const deadline = performance.now() + 20_000;
      let seen = 0;
      let lastChange = performance.now();
      for (;;) {
        const now = offers.get(order.orderId)?.size ?? 0;
        if (now !== seen) {
          seen = now;
          lastChange = performance.now();
        }
        if (seen >= expected || performance.now() > deadline || (seen > 0 && performance.now() - lastChange > 2_000)) break;
        await sleep(10);
      }
      const holding = [...(offers.get(order.orderId) ?? [])];
      if (holding.length === 0) throw new Error(`No rider received an offer for order ${order.orderId} within 20 s.`);

      // Connections used a moment ago (none idle long enough to be closing), then all at once:
      // every request is written in this one loop, before any answer is read.
      await grabClient.warm(holding.length);
      const bodies = holding.map((rider) => ({ rider, body: JSON.stringify({ query: GRAB_ORDER, variables: { orderId: order.orderId }, operationName: 'GrabOrder' }) }));
      const grabs = await Promise.all(
        bodies.map(async ({ rider, body }): Promise<Grab> => {
          const result = await grabClient.request('POST', '/graphql', { 'content-type': 'application/json', authorization: `Bearer ${rider.token}` }, body);
          let parsed: { data?: { grabOrder?: { rider?: { id?: string } } } | null; errors?: Array<{ extensions?: { code?: string } }> };
          try {
            parsed = JSON.parse(result.body) as typeof parsed;
          } catch {
            return { rider, ms: result.ms, outcome: `HTTP_${result.status}` };
          }
          if (parsed.data?.grabOrder?.rider?.id === rider.sub && !parsed.errors?.length) return { rider, ms: result.ms, outcome: 'won' };
          const code = errorCodeOf({ status: result.status, errors: parsed.errors?.map((error) => ({ message: '', ...error })), ms: result.ms });
          return { rider, ms: result.ms, outcome: code === 'ORDER_ALREADY_TAKEN' ? 'taken' : code };
        }),
      );
      all.push(...grabs);
      const winners = grabs.filter((grab) => grab.outcome === 'won');
      for (const winner of winners) busy.add(winner.rider.sub);
      const other: Record<string, number> = {};
      for (const grab of grabs) if (grab.outcome !== 'won' && grab.outcome !== 'taken') other[grab.outcome] = (other[grab.outcome] ?? 0) + 1;
      // The order itself, as its customer sees it: its rider must be the one winner.
      const info = dataOf(
        await client.graphql<{ order: { status: string; rider: { id: string } | null } | null }>('query OrderInfo($id: ID!) { order(id: $id) { status rider { id } } }', { id: order.orderId }, customer.token),
        'order',
      );
      const riderOnOrder = info.order?.rider?.id ?? null;
      perOrder.push({
        orderId: order.orderId,
        holders: holding.length,
        won: winners.length,
        taken: grabs.filter((grab) => grab.outcome === 'taken').length,
        other,
        riderOnOrder,
        winnerMatches: winners.length === 1 && winners[0]?.rider.sub === riderOnOrder,
      });
    }

    const wonTotal = perOrder.reduce((sum, entry) => sum + entry.won, 0);
    const takenTotal = perOrder.reduce((sum, entry) => sum + entry.taken, 0);
    const otherTotal = all.length - wonTotal - takenTotal;
    const exactlyOne = perOrder.filter((entry) => entry.won === 1 && entry.winnerMatches).length;
    const latency = summarize(all.map((grab) => grab.ms));
    const winnerLatency = summarize(all.filter((grab) => grab.outcome === 'won').map((grab) => grab.ms));
    const loserLatency = summarize(all.filter((grab) => grab.outcome === 'taken').map((grab) => grab.ms));
    const printed = [
      `${orderCount} orders, each grabbed at once by the riders holding its offer (${summarize(perOrder.map((entry) => entry.holders)).min}..${summarize(perOrder.map((entry) => entry.holders)).max} per order)`,
      table([
        ['orders', 'exactly one winner', 'won', 'ORDER_ALREADY_TAKEN', 'other'],
        [String(orderCount), exactlyOne, wonTotal, takenTotal, otherTotal],
      ]),
      '',
      table([LATENCY_HEADER, ...latencyRows('grabOrder (all)', latency), ...latencyRows('grabOrder (winner)', winnerLatency), ...latencyRows('grabOrder (ORDER_ALREADY_TAKEN)', loserLatency)]),
      problems.size ? `socket problems: ${JSON.stringify(Object.fromEntries(problems))}` : '',
    ]
      .filter(Boolean)
      .join('\n');
    return {
      parameters: { ridersHoldingEachOffer: holders, orders: orderCount, riders: riders.length },
      figures: { ordersWithExactlyOneWinner: exactlyOne, won: wonTotal, orderAlreadyTaken: takenTotal, other: otherTotal, latencyMs: latency, winnerLatencyMs: winnerLatency, loserLatencyMs: loserLatency, perOrder },
      printed,
    };
  } finally {
    grabClient.close();
    await Promise.all(sockets.map((socket) => socket.close()));
  }
}

export const grabScenario: Scenario = {
  name: 'grab',
  what: '100 riders holding a live offer for one order grab it at once through the gateway, over 20 orders',
  aim: 'exactly 1 winner per order, the rest ORDER_ALREADY_TAKEN; grab latency reported',
  run,
};
