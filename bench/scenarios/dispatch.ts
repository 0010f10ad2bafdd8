import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { distanceMeters, type GeoPoint } from '@waimai/platform';
import { moved, randomSource } from '../lib/city';
import { SETUP_CONCURRENCY, waitForSubscriptions, type BenchContext, type Scenario, type ScenarioOutcome } from '../lib/context';
import { aMerchant, anActor, aPayableOrder, reportLocation, sendPaymentSucceeded, type Actor, type Merchant, type PayableOrder } from '../lib/fixtures';
import { HttpClient, mapLimit, type HttpResult } from '../lib/http';
import { coresLine, cpuWindow, type CpuShare } from '../lib/machine';
import { noStatements, perOrder, statementKinds, type StatementCounts } from '../lib/mysql-status';
import { platformCores, platformCpuSeconds, round } from '../lib/load';
import type { ProfileSummary } from '../lib/profile';
import { OfferSocket, type OfferFrame } from '../lib/offer-socket';
import { stageReport, type OrderTimes } from '../lib/stages';
import { emptyCounts, hopLines, hopsPer, type HopCounts } from '../lib/hops';
import { LATENCY_HEADER, latencyRows, summarize, table } from '../lib/stats';

// The dispatch radius the services run with (SERVICE_OVERRIDES): merchants are placed where it finds riders.
const DISPATCH_RADIUS_METERS = 600;
// 3..10 riders within the radius: "a handful" per order, never none.
const MIN_NEARBY = 3;
const MAX_NEARBY = 10;
// Up to 2 minutes after the last callback for offers still on their way (an overloaded run
// builds a backlog): every order's true latency is measured, and no backlog runs on into the
// next scenario. Beyond that an order counts as not offered.
const DRAIN_MS = 120_000;
// 10 s of nothing happening by default (--idle), to tell the platform's idle CPU from what the orders cost.
export const DEFAULT_IDLE_SECONDS = 10;

interface Paid {
  order: PayableOrder;
  sentAt: number;
  sentAtWall: number;
  /** How late the send was against its schedule (open-loop generator), ms. */
  lag: number;
  response: Promise<HttpResult | Error>;
}

/** Shops where MIN..MAX riders are within the dispatch radius (placed by rejection sampling, deterministic). */
function merchantPlaces(count: number, riders: readonly GeoPoint[], center: GeoPoint, sideMeters: number): GeoPoint[] {
  const random = randomSource(7);
  const places: GeoPoint[] = [];
  for (let attempt = 0; places.length < count && attempt < count * 200; attempt += 1) {
    // The inner 80%: a shop at the edge would have riders on one side only.
    const candidate = moved(center, (random() - 0.5) * sideMeters * 0.8, (random() - 0.5) * sideMeters * 0.8);
    const nearby = riders.filter((rider) => distanceMeters(rider, candidate) <= DISPATCH_RADIUS_METERS - 20).length;
    if (nearby >= MIN_NEARBY && nearby <= MAX_NEARBY) places.push(candidate);
  }
  if (places.length < count) throw new Error(`Found only ${places.length} of ${count} shop places with ${MIN_NEARBY}..${MAX_NEARBY} riders nearby.`);
  return places;
}

/** One stretch of paying at a fixed rate, with orders of its own. */
export interface DispatchStage {
  /** Payment callbacks per second. */
  rate: number;
  /** Seconds of paying at that rate. */
  durationSeconds: number;
}

export interface DispatchOptions {
  /** Run one after the other, each with fresh orders (default: 5/s for 20 s, unloaded, then 100/s for 60 s). */
  stages: readonly DispatchStage[];
  /** Seconds of nothing happening, riders connected, before the warm-up (default DEFAULT_IDLE_SECONDS; a longer window reads the idle CPU more steadily). */
  idleSeconds?: number;
}

export const DEFAULT_DISPATCH_STAGES: readonly DispatchStage[] = [
  { rate: 5, durationSeconds: 20 },
  { rate: 100, durationSeconds: 60 },
];

interface StageResult {
  figures: Record<string, unknown>;
  profiles: Record<string, ProfileSummary>;
  printed: string;
}

/** What one stage measured: per order, from its callback to the first offer frame for it, and per rider to each frame; where the time went; CPU per paid order. */
async function stageResult(
  context: BenchContext,
  stage: DispatchStage,
  timed: readonly Paid[],
  responses: ReadonlyArray<HttpResult | Error>,
  frames: ReadonlyMap<string, OfferFrame[]>,
  problems: ReadonlyMap<string, number>,
  window: { lastSent: number; allOfferedAt: number; cpuShares: Record<string, CpuShare>; statements: StatementCounts; hops: HopCounts; profiles: Record<string, ProfileSummary>; idleCpu: Record<string, CpuShare> },
): Promise<StageResult> {
  const { platform } = context;
  const riders = (await context.cityRiders()).riders;
  const firstFrame: number[] = [];
  // Every paid order, those never offered within the window as Infinity: no survivor bias in the percentiles.
  const firstFrameAll: number[] = [];
  const eachFrame: number[] = [];
  const times = new Map<string, OrderTimes>();
  let offersReceived = 0;
  let lastFirstFrame = -Infinity;
  for (const entry of timed) {
    const list = frames.get(entry.order.orderId) ?? [];
    offersReceived += list.length;
    const latencies = list.map((frame) => frame.at - entry.sentAt);
    eachFrame.push(...latencies);
    const first = latencies.length ? Math.min(...latencies) : null;
    if (first !== null) {
      firstFrame.push(first);
      lastFirstFrame = Math.max(lastFirstFrame, entry.sentAt + first);
    }
    firstFrameAll.push(first ?? Infinity);
    times.set(entry.order.orderId, { sentAtWall: entry.sentAtWall, firstFrameWall: first === null ? null : entry.sentAtWall + first });
  }
  const webhookOk = responses.filter((response) => !(response instanceof Error) && response.status >= 200 && response.status < 300).length;
  const webhookMs = responses.flatMap((response) => (response instanceof Error ? [] : [response.ms]));
  const webhookStatuses: Record<string, number> = {};
  for (const response of responses) {
    const key = response instanceof Error ? response.message.slice(0, 60) : String(response.status);
    webhookStatuses[key] = (webhookStatuses[key] ?? 0) + 1;
  }
  const lags = timed.map((entry) => entry.lag);
  const sendWindowS = (window.lastSent - (timed[0]?.sentAt ?? window.lastSent)) / 1000;
  const stages = await stageReport(platform.config.MYSQL_URL, platform.config.DB_PREFIX, times);

  const first = summarize(firstFrame);
  const firstAll = summarize(firstFrameAll);
  const each = summarize(eachFrame);
  const webhook = summarize(webhookMs);
  const allOffered = firstFrame.length === timed.length;
  // How long after the last payment the last first offer arrived: the backlog left when paying stopped (null: some never within the window).
  const lastFirstOfferAfterLastPaymentMs = allOffered ? Math.round(Math.max(0, lastFirstFrame - window.lastSent)) : null;
  const timedSeconds = (window.allOfferedAt - (timed[0]?.sentAt ?? window.allOfferedAt)) / 1000;
  const platformSeconds = platformCpuSeconds(window.cpuShares);
  const idleSeconds = platformCores(window.idleCpu) * timedSeconds;
  const cpuPerPaidOrder = {
    // All processes (gateway, subgraphs, MariaDB, Redis, Kafka; not the generator) from the first callback until every order had its first offer (or the window closed).
    ms: round((platformSeconds * 1000) / Math.max(1, timed.length), 1),
    // The same less what the platform burns idle over that time: what the orders themselves cost.
    aboveIdleMs: round((Math.max(0, platformSeconds - idleSeconds) * 1000) / Math.max(1, timed.length), 1),
    platformCores: round(platformCores(window.cpuShares), 2),
    seconds: round(timedSeconds, 1),
  };
  // Every statement the MySQL server ran over the same window as the CPU, per paid order.
  const statementsPerPaidOrder = perOrder(window.statements, timed.length);
  const hopsPerPaidOrder = hopsPer(window.hops, timed.length);
  const counts = {
    ordersPaid: timed.length,
    webhook2xx: webhookOk,
    webhookStatuses,
    ordersOffered: firstFrame.length,
    offersWritten: stages.offersWritten,
    offersReceived,
    offersPerOrder: Math.round((offersReceived / Math.max(1, firstFrame.length)) * 10) / 10,
    socketProblems: Object.fromEntries(problems),
  };
  const achieved = Math.round((timed.length / Math.max(sendWindowS, 1e-9)) * 10) / 10;
  const printed = [
    `-- ${timed.length} orders paid at ${stage.rate}/s for ${stage.durationSeconds} s (achieved ${achieved.toFixed(1)}/s, send lag p99 ${summarize(lags).p99} ms), ${riders.length} riders connected`,
    table([
      LATENCY_HEADER,
      ...latencyRows('webhook sent → first offer frame (per order)', first),
      ...(firstFrame.length < timed.length ? latencyRows(`  the same over all ${timed.length} paid orders ('-': not offered in time)`, firstAll) : []),
      ...latencyRows('webhook sent → offer frame (per rider)', each),
      ...latencyRows('webhook HTTP response', webhook),
    ]),
    '',
    `orders paid ${counts.ordersPaid} (webhook answers ${JSON.stringify(webhookStatuses)}), orders offered ${counts.ordersOffered} (within ${(DRAIN_MS + 2_000) / 1000} s of the last callback), offers written ${counts.offersWritten}, offers received ${counts.offersReceived} (${counts.offersPerOrder} per order), socket problems ${JSON.stringify(counts.socketProblems)}`,
    `backlog: the last first offer ${lastFirstOfferAfterLastPaymentMs === null ? `never came for ${timed.length - firstFrame.length} orders within ${DRAIN_MS / 1000} s` : `came ${lastFirstOfferAfterLastPaymentMs} ms`} after the last payment`,
    `CPU per paid order, all processes, offers included: ${cpuPerPaidOrder.ms} ms (${cpuPerPaidOrder.aboveIdleMs} ms above idle; ${cpuPerPaidOrder.platformCores} cores busy over ${cpuPerPaidOrder.seconds} s)`,
    `MySQL statements per paid order, over the same time: ${statementKinds(statementsPerPaidOrder)}`,
    hopLines(hopsPerPaidOrder, 'paid order'),
    '',
    'where the time goes (per order, from the services\' own timestamps, ms resolution)',
    table([LATENCY_HEADER, ...Object.entries(stages.stages).flatMap(([label, summary]) => latencyRows(label, summary))]),
    '',
    `CPU during the timed part (cores busy of ${os.cpus().length}): ${coresLine(window.cpuShares)}`,
  ].join('\n');
  return {
    figures: {
      ratePerSecond: stage.rate,
      durationSeconds: stage.durationSeconds,
      firstOfferMs: first,
      // null: above the window (the order was not offered within it).
      firstOfferAllPaidOrdersMs: firstAll,
      offerWindowAfterLastCallbackMs: DRAIN_MS + 2_000,
      eachOfferMs: each,
      webhookResponseMs: webhook,
      sendLagMs: summarize(lags),
      achievedRatePerSecond: achieved,
      allOffered,
      allOfferedAfterLastSendMs: Math.round(window.allOfferedAt - window.lastSent),
      lastFirstOfferAfterLastPaymentMs,
      cpuPerPaidOrder,
      statementsPerPaidOrder,
      hopsPerPaidOrder,
      ...counts,
      stagesMs: stages.stages,
      cpuCoresBusy: window.cpuShares,
    },
    profiles: window.profiles,
    printed,
  };
}

async function run(context: BenchContext, options: DispatchOptions): Promise<ScenarioOutcome> {
  const { client, platform, quick, say } = context;
  const stages = options.stages.map((stage) => (quick ? { rate: Math.min(stage.rate, 10), durationSeconds: Math.min(stage.durationSeconds, 5) } : stage));
  const warmupRate = Math.min(10, ...stages.map((stage) => stage.rate));
  const idleMs = (options.idleSeconds ?? DEFAULT_IDLE_SECONDS) * 1000;
  const warmupOrders = quick ? 10 : 50;
  const merchantCount = quick ? 8 : 40;
  const timedOrders = stages.reduce((sum, stage) => sum + stage.rate * stage.durationSeconds, 0);
  const secret = platform.config.JWT_SECRET;

  const city = await context.cityRiders();
  const riders = city.riders;

  say(`Opening ${merchantCount} shops, each with ${MIN_NEARBY}..${MAX_NEARBY} riders within ${DISPATCH_RADIUS_METERS} m.`);
  const places = merchantPlaces(merchantCount, riders.map((rider) => rider.home), city.center, city.sideMeters);
  const merchants: Merchant[] = await mapLimit(places, 8, (place) => aMerchant(client, secret, place, 1_000_000));

  say(`Connecting ${riders.length} rider sockets (graphql-ws, connection_init with the rider's token, OrderOffers).`);
  const frames = new Map<string, OfferFrame[]>();
  const problems = new Map<string, number>();
  const sockets = riders.map(
    (rider) =>
      new OfferSocket(platform.wsUrl, rider.token, {
        offer(frame) {
          const list = frames.get(frame.orderId);
          if (list) list.push(frame);
          else frames.set(frame.orderId, [frame]);
        },
        problem(kind) {
          problems.set(kind, (problems.get(kind) ?? 0) + 1);
        },
      }),
  );
  let providerClient: HttpClient | undefined;
  try {
    await mapLimit(sockets, 100, (socket) => socket.open());
    await waitForSubscriptions(platform.gatewayAdminUrl, riders.length, 60_000);

    say(`Placing ${warmupOrders + timedOrders} orders and initiating their payments (before the clock starts).`);
    const customers: Actor[] = await Promise.all(Array.from({ length: 50 }, () => anActor(secret, 'CUSTOMER')));
    const orders = await mapLimit(
      Array.from({ length: warmupOrders + timedOrders }, (_, n) => n),
      SETUP_CONCURRENCY,
      (n) => aPayableOrder(client, customers[n % customers.length] as Actor, merchants[n % merchants.length] as Merchant),
    );

    // Riders silent for RIDER_LOCATION_TTL_SECONDS (60 s) leave the index: report again, as their apps would.
    say('Refreshing every rider\'s location.');
    await mapLimit(riders, SETUP_CONCURRENCY, (rider) => reportLocation(client, rider.token, rider.home));
    // The provider's own connections: busy all along the timed part, so none sits idle long enough to be closed under a request.
    // As many connections as callbacks in flight: a provider does not hold callbacks back, so neither does this one.
    const provider = new HttpClient(platform.gatewayUrl, 2_000);
    providerClient = provider;
    await provider.warm(8);

    const pay = (order: PayableOrder, due: number): Paid => {
      const sent = sendPaymentSucceeded(provider, platform.config.PAYMENT_WEBHOOK_SECRET, order);
      return { order, sentAt: sent.sentAt, sentAtWall: sent.sentAtWall, lag: sent.sentAt - due, response: sent.result.catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))) };
    };
    /** Pays `list` at `perSecond`, open loop: each callback at its scheduled time, whatever the previous ones are doing. */
    const payAtRate = async (list: readonly PayableOrder[], perSecond: number): Promise<Paid[]> => {
      const interval = 1000 / perSecond;
      const start = performance.now() + 5;
      const paid: Paid[] = [];
      for (const [index, order] of list.entries()) {
        const due = start + index * interval;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        paid.push(pay(order, due));
      }
      return paid;
    };
    const allOffered = async (paid: readonly Paid[], deadline: number) => {
      while (performance.now() < deadline && paid.some((entry) => !frames.has(entry.order.orderId))) await sleep(20);
    };

    // What the platform burns with the riders connected and nothing happening (consumers polling, timers, pings).
    say(`Idle for ${idleMs / 1000} s (riders connected, nobody ordering), measuring CPU.`);
    const idleWindow = cpuWindow(context.processes());
    await sleep(idleMs);
    const idleCpu = idleWindow.end();

    say(`Warm-up: ${warmupOrders} orders at ${warmupRate}/s, not counted.`);
    const warm = await payAtRate(orders.slice(0, warmupOrders), warmupRate);
    await allOffered(warm, performance.now() + 30_000);
    await Promise.all(warm.map((entry) => entry.response));
    await sleep(1_000);

    const results: StageResult[] = [];
    let next = warmupOrders;
    for (const stage of stages) {
      const stageOrders = orders.slice(next, next + stage.rate * stage.durationSeconds);
      next += stageOrders.length;
      problems.clear();
      say(`Timed: ${stageOrders.length} payment callbacks at ${stage.rate}/s for ${stage.durationSeconds} s.`);
      const measurement = await context.measure();
      const timed = await payAtRate(stageOrders, stage.rate);
      const lastSent = performance.now();
      await allOffered(timed, lastSent + DRAIN_MS);
      const allOfferedAt = performance.now();
      const cpuShares = await measurement.end();
      const statements = context.takeStatements() ?? noStatements();
      const hops = context.takeHops() ?? emptyCounts();
      const profiles = context.takeProfiles();
      // Other riders' frames of the last orders: a moment more.
      await sleep(2_000);
      const responses = await Promise.all(timed.map((entry) => entry.response));
      results.push(await stageResult(context, stage, timed, responses, frames, problems, { lastSent, allOfferedAt, cpuShares, statements, hops, profiles, idleCpu }));
    }

    const printed = [
      ...results.map((result) => result.printed),
      `CPU while idle before the warm-up, ${riders.length} riders connected, nothing happening, ${idleMs / 1000} s (cores busy of ${os.cpus().length}): ${coresLine(idleCpu)}`,
      `the platform's processes idle: ${round(platformCores(idleCpu), 2)} cores`,
    ].join('\n\n');
    const last = results[results.length - 1];
    return {
      parameters: { riders: riders.length, citySideKm: Math.round(city.sideMeters / 100) / 10, merchants: merchants.length, stages, warmupOrders, dispatchRadiusMeters: DISPATCH_RADIUS_METERS, idleSeconds: idleMs / 1000 },
      figures: {
        stages: results.map((result) => result.figures),
        idleCpuCoresBusy: idleCpu,
        idlePlatformCores: round(platformCores(idleCpu), 2),
      },
      // Each stage's CPU is in its figures (cpuCoresBusy) and printed with it.
      profiles: last?.profiles ?? {},
      printed,
    };
  } finally {
    providerClient?.close();
    await Promise.all(sockets.map((socket) => socket.close()));
  }
}

export function dispatchScenario(options: DispatchOptions): Scenario {
  return {
    name: 'dispatch',
    what: `paid order → offer frame on a rider's websocket, 2,000 riders connected over graphql-ws, orders paid at ${options.stages.map((stage) => `${stage.rate}/s for ${stage.durationSeconds} s`).join(', then ')}; the platform's CPU idle`,
    aim: 'p99 ≤ 50 ms at 5/s (unloaded); 100/s sustained for 60 s with p99 ≤ 150 ms and no backlog; ≤ 15 ms CPU per paid order, offers included; ≤ 0.1 core idle',
    run: (context) => run(context, options),
  };
}
