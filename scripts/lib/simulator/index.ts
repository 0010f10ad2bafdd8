import { setTimeout as sleep } from 'node:timers/promises';
import { authConfig, mintToken, parseConfig, paymentsConfig } from '@waimai/platform';
import { DEMO_CENTER, DEMO_USERS, seedDemoCity } from '../../seed';
import { CityApi } from './api';
import { Market, orderSomething, type CustomerWorld } from './customers';
import { randomSource, somewhereAround, type GeoPoint } from './geo';
import { ConnectPacer, SimulatedRider, type RiderWorld } from './riders';
import { CityCounters, type CityStats } from './stats';

export type { CityStats, OrderCounts, OfferCounts, RiderCounts, ErrorCounts, OrderStep } from './stats';
export { ORDER_STEPS } from './stats';

/*
 * The city simulator: customers, a payment provider and riders using the platform exactly as
 * real clients do, through the gateway's public API only (the contract's operations over HTTP
 * and graphql-ws, and the provider's signed webhook). `pnpm simulate` is its command line;
 * tests, `pnpm bench` and the browser test of the operations console start it with startCity.
 *
 * Stable API (others build on it): startCity(options) → City { stats(), stop(), finished,
 * riderIds, customerIds }. Fields may be added to CityOptions and CityStats; none is removed
 * or changes meaning.
 */

export interface CityOptions {
  /** The gateway's base URL (http://127.0.0.1:4000); only a loopback host is accepted. */
  gatewayUrl: string;
  /** Signs the customers', riders' and the shops' owner's tokens (the development path `pnpm token` takes). Default: JWT_SECRET of the environment. */
  jwtSecret?: string;
  /** Signs the payment provider's callbacks. Default: PAYMENT_WEBHOOK_SECRET of the environment. */
  webhookSecret?: string;
  /** New orders per minute, on average (Poisson arrivals). Default 4: about what 24 riders at 15–25 km/h carry. */
  ordersPerMinute?: number;
  /** Simulated riders. Default 24 (their sockets open within the first minute under the default RATE_LIMIT_WS_CONNECT). */
  riders?: number;
  /** Customers the orders are spread over (each may create about 10 orders a minute under the default RATE_LIMIT_EXPENSIVE). Default: 20, or one per 4 orders a minute when more. */
  customers?: number;
  /** The city stops by itself after this long. Default 1800 (30 min); at most 86400. */
  durationSeconds?: number;
  /** No new order after this many. Default 10000. */
  maxOrders?: number;
  /** Seeds every random choice (where riders start, who orders what, who hesitates). Default 1. */
  seed?: number;
  /**
   * Speeds up the simulated people: riders ride `timeScale` times faster than 15–25 km/h, customers
   * and riders decide faster. The platform's own timers (offer time, deadlines, payment window)
   * are the platform's: set them through its configuration. Default 1.
   */
  timeScale?: number;
  /** Share of orders whose first payment fails (then the customer cancels or pays again). Default 0.1. */
  paymentFailureShare?: number;
  /** Share of orders never paid (the payment window cancels them). Default 0.05. */
  abandonShare?: number;
  /** Share of offers a rider lets pass (more for far shops: +0.1 per km). Default 0.15. */
  missShare?: number;
  /** Share of offers a rider hesitates on, sometimes past the offer's expiry. Default 0.25. */
  hesitateShare?: number;
  /** Share of deliveries that arrive after the promised deadline (compensated by the platform). Default 0.1. */
  lateShare?: number;
  /** How often a rider app sends its buffered fixes (ReportLocations), in ms. Default 5000. */
  reportEveryMs?: number;
  /** Customers live at most this far from the shop they order from, in meters. Default 2000. */
  maxDeliveryMeters?: number;
  /** Riders start within this distance of the city centre, in meters; shops are taken within it too. Default 2000. */
  cityRadiusMeters?: number;
  /** Default: People's Square, the demo city's centre. */
  center?: GeoPoint;
  /** Riders are `<idPrefix>-rider-<n>`, customers `<idPrefix>-customer-<n>`. Default "sim". */
  idPrefix?: string;
  /** The shops' owner (MERCHANT), who tops up dishes running low. Default: the demo merchant. */
  merchantOwner?: string;
  /** When no shop is found around the centre, seed the demo city first (as `pnpm seed`). Default true. */
  seedIfEmpty?: boolean;
  /** Websocket upgrades per minute, under the gateway's RATE_LIMIT_WS_CONNECT (30/60 by default). Default 25. */
  socketsPerMinute?: number;
}

export interface City {
  /** A snapshot of the counters (cheap; call it as often as a display refreshes). */
  stats(): CityStats;
  /** Stops ordering and riding, closes every socket, sends idle riders offline; resolves when nothing of the city runs. Idempotent. */
  stop(): Promise<void>;
  /** Resolves once the city stopped (its duration ended, or stop()), with the last snapshot. */
  finished: Promise<CityStats>;
  /** The simulated riders' ids (their tokens' sub), e.g. for a staff query of their tracks. */
  riderIds: readonly string[];
  customerIds: readonly string[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
// 10 s for in-flight calls to answer on stop; then the city is reported stopped anyway.
const DRAIN_MS = 10_000;
// 30 s: how often customers' view of the shops (menus, stock) is read again.
const MARKET_REFRESH_MS = 30_000;
// 500 ms: riders move and keep fixes at this pace.
const TICK_MS = 500;
// A late order is read back (as its customer) every 3 s, for up to 10 minutes, until its refund shows.
const COMPENSATION_POLL_MS = 3000;
const COMPENSATION_POLLS = 200;

function share(value: number | undefined, fallback: number, name: string): number {
  const result = value ?? fallback;
  if (!(result >= 0 && result <= 1)) throw new Error(`${name} must be between 0 and 1.`);
  return result;
}

function positive(value: number | undefined, fallback: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  const result = value ?? fallback;
  if (!(result > 0 && result <= max)) throw new Error(`${name} must be above 0 and at most ${max}.`);
  return result;
}

/** Starts the city: seeds the demo shops when there are none, brings the riders online, and starts ordering. */
export async function startCity(options: CityOptions): Promise<City> {
  const gateway = new URL(options.gatewayUrl);
  if (!LOOPBACK.has(gateway.hostname)) throw new Error(`The simulator only talks to this machine (127.0.0.1); ${gateway.hostname} is not.`);
  const gatewayUrl = gateway.origin;
  const jwtSecret = options.jwtSecret ?? parseConfig(authConfig, process.env).JWT_SECRET;
  const webhookSecret = options.webhookSecret ?? parseConfig(paymentsConfig, process.env).PAYMENT_WEBHOOK_SECRET;
  const ordersPerMinute = positive(options.ordersPerMinute, 4, 'ordersPerMinute', 6000);
  const riderCount = Math.round(positive(options.riders, 24, 'riders', 1000));
  // One customer per 4 orders a minute at least: each then spends under half of RATE_LIMIT_EXPENSIVE's default 20 a minute.
  const customerCount = Math.round(positive(options.customers, Math.max(20, Math.ceil(ordersPerMinute / 4)), 'customers', 10_000));
  const durationMs = positive(options.durationSeconds, 1800, 'durationSeconds', 86_400) * 1000;
  const maxOrders = Math.round(positive(options.maxOrders, 10_000, 'maxOrders'));
  const timeScale = positive(options.timeScale, 1, 'timeScale', 1000);
  const center = options.center ?? DEMO_CENTER;
  const cityRadiusMeters = positive(options.cityRadiusMeters, 2000, 'cityRadiusMeters', 50_000);
  const idPrefix = options.idPrefix ?? 'sim';
  const random = randomSource(options.seed ?? 1);

  const counters = new CityCounters();
  const stopping = new AbortController();
  const running = () => !stopping.signal.aborted;
  const pause = async (ms: number): Promise<boolean> => {
    if (!running()) return false;
    try {
      await sleep(Math.max(0, ms), undefined, { signal: stopping.signal });
      return true;
    } catch {
      return false;
    }
  };
  const api = new CityApi(gatewayUrl, webhookSecret, counters, pause);
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  // The run and 5 minutes more, within the platform's JWT_MAX_LIFETIME_SECONDS (24 h by default).
  const tokenSeconds = Math.min(Math.ceil(durationMs / 1000) + 300, 86_400);
  const token = (sub: string, role: 'CUSTOMER' | 'RIDER' | 'MERCHANT') => mintToken(jwtSecret, { sub, roles: [role] }, `${tokenSeconds}s`);
  const customers = await Promise.all(
    Array.from({ length: customerCount }, async (_, index) => {
      const sub = `${idPrefix}-customer-${index + 1}`;
      return { sub, token: await token(sub, 'CUSTOMER') };
    }),
  );
  const market = new Market(api, center, cityRadiusMeters, customers[0]!.token, await token(options.merchantOwner ?? DEMO_USERS.merchant.sub, 'MERCHANT'));
  if (!(await market.refresh())) throw new Error(`The gateway at ${gatewayUrl} did not answer NearbyMerchants: ${counters.errors.recent.join('; ')}`);
  if (!market.shops.length && (options.seedIfEmpty ?? true)) {
    await seedDemoCity(`${gatewayUrl}/graphql`, jwtSecret, { info: () => undefined, warn: () => undefined, error: () => undefined });
    await market.refresh();
  }
  if (!market.shops.length) throw new Error(`No shop with dishes on sale within ${cityRadiusMeters} m of (${center.lat}, ${center.lng}); \`pnpm seed\` opens the demo shops.`);

  const customerOf = new Map<string, string>();
  const offeredOrders = new Set<string>();
  const customerWorld: CustomerWorld = {
    api,
    counters,
    random,
    pause,
    timeScale,
    paymentFailureShare: share(options.paymentFailureShare, 0.1, 'paymentFailureShare'),
    abandonShare: share(options.abandonShare, 0.05, 'abandonShare'),
    maxDeliveryMeters: positive(options.maxDeliveryMeters, 2000, 'maxDeliveryMeters', 10_000),
    placedOrder: (orderId, customerToken) => customerOf.set(orderId, customerToken),
  };
  const riderWorld: RiderWorld = {
    api,
    counters,
    random,
    pause,
    running,
    timeScale,
    missShare: share(options.missShare, 0.15, 'missShare'),
    hesitateShare: share(options.hesitateShare, 0.25, 'hesitateShare'),
    lateShare: share(options.lateShare, 0.1, 'lateShare'),
    reportEveryMs: positive(options.reportEveryMs, 5000, 'reportEveryMs', 60_000),
    center,
    cityRadiusMeters,
    hotspots: () => market.shops.map((shop) => shop.location),
    sockets: new ConnectPacer(Math.round(positive(options.socketsPerMinute, 25, 'socketsPerMinute', 100_000))),
    offered(orderId) {
      if (offeredOrders.has(orderId)) return;
      offeredOrders.add(orderId);
      counters.order('offered');
    },
    delivered(orderId, late) {
      const customerToken = customerOf.get(orderId);
      customerOf.delete(orderId);
      if (late && customerToken) track(watchCompensation(orderId, customerToken));
    },
  };

  async function watchCompensation(orderId: string, customerToken: string): Promise<void> {
    for (let poll = 0; poll < COMPENSATION_POLLS; poll += 1) {
      if (!(await pause(COMPENSATION_POLL_MS))) return;
      const info = await api.expect<{ order: { payment: { refundedCents: number } | null } | null }>('OrderInfo', { id: orderId }, customerToken);
      if ((info?.order?.payment?.refundedCents ?? 0) > 0) {
        counters.order('compensated');
        return;
      }
    }
  }

  const riders = await Promise.all(
    Array.from({ length: riderCount }, async (_, index) => {
      const sub = `${idPrefix}-rider-${index + 1}`;
      // Most riders wait near a shop, the others anywhere in the city.
      const shop = random() < 0.6 ? market.shops[Math.floor(random() * market.shops.length)] : undefined;
      const start = shop ? somewhereAround(shop.location, 20, 500, random) : somewhereAround(center, 0, cityRadiusMeters, random);
      return new SimulatedRider(sub, `模拟骑手${index + 1}`, await token(sub, 'RIDER'), start, riderWorld);
    }),
  );
  try {
    await Promise.all(riders.map((rider) => rider.start()));
  } catch (err) {
    // Riders that did start are listening already: stop them before giving up.
    stopping.abort();
    await Promise.all(riders.map((rider) => rider.stop()));
    throw err;
  }

  let lastTick = Date.now();
  const ticker = setInterval(() => {
    const now = Date.now();
    for (const rider of riders) rider.tick(now, now - lastTick);
    lastTick = now;
  }, TICK_MS);
  const refresher = setInterval(() => track(market.refresh()), MARKET_REFRESH_MS);

  // Customers: exponential gaps between orders, so the rate is an average as in a real city.
  const ordering = (async () => {
    for (let serial = 0; serial < maxOrders; serial += 1) {
      const gapMs = (-Math.log(1 - random()) * 60_000) / ordersPerMinute;
      if (!(await pause(gapMs))) return;
      track(orderSomething(customerWorld, market, customers[serial % customers.length]!, serial));
    }
  })();

  const snapshot = (): CityStats => ({
    running: running(),
    startedAt: counters.startedAt.toISOString(),
    elapsedSeconds: Math.round((Date.now() - counters.startedAt.getTime()) / 1000),
    orders: { ...counters.orders },
    lastMinute: counters.lastMinute(),
    offers: { ...counters.offers },
    riders: {
      total: riders.length,
      connected: riders.filter((rider) => rider.connected).length,
      idle: riders.filter((rider) => rider.state === 'idle').length,
      delivering: riders.filter((rider) => rider.state === 'delivering').length,
      locationBatches: counters.locations.batches,
      locationPoints: counters.locations.points,
    },
    errors: { ...counters.errors, byCode: { ...counters.errors.byCode }, recent: [...counters.errors.recent] },
  });

  let stopped: Promise<void> | undefined;
  let settleFinished: (stats: CityStats) => void = () => undefined;
  const finished = new Promise<CityStats>((resolve) => {
    settleFinished = resolve;
  });
  const stop = () =>
    (stopped ??= (async () => {
      clearTimeout(deadline);
      clearInterval(ticker);
      clearInterval(refresher);
      stopping.abort();
      const drained = Promise.all([ordering, ...inFlight, ...riders.map((rider) => rider.stop())]);
      let drainTimer: NodeJS.Timeout | undefined;
      await Promise.race([drained, new Promise((resolve) => (drainTimer = setTimeout(resolve, DRAIN_MS)))]);
      clearTimeout(drainTimer);
      settleFinished(snapshot());
    })());
  const deadline = setTimeout(() => void stop(), durationMs);

  return {
    stats: snapshot,
    stop,
    finished,
    riderIds: riders.map((rider) => rider.id),
    customerIds: customers.map((customer) => customer.sub),
  };
}
