import { contractOperation, subscribe, type GraphQLSubscription, type SubscriptionEnd, type SubscriptionPayload } from '@waimai/testkit/client';
import type { CityApi } from './api';
import { distanceMeters, gridRoute, somewhereAround, stepTowards, type GeoPoint } from './geo';
import type { CityCounters } from './stats';

/** What a rider needs of the city around it. */
export interface RiderWorld {
  api: CityApi;
  counters: CityCounters;
  random: () => number;
  /** Resolves true after `ms` of real time, or false at once when the city stops. */
  pause(ms: number): Promise<boolean>;
  running(): boolean;
  timeScale: number;
  /** Share of offers a rider lets pass without answering. */
  missShare: number;
  /** Share of offers a rider thinks about, possibly until the offer has expired. */
  hesitateShare: number;
  /** Share of deliveries a rider dawdles on until past the promised deadline. */
  lateShare: number;
  reportEveryMs: number;
  center: GeoPoint;
  cityRadiusMeters: number;
  /** Where idle riders like to wait: the shops. */
  hotspots(): readonly GeoPoint[];
  sockets: ConnectPacer;
  /** An order a rider was offered (counted once per order by the city). */
  offered(orderId: string): void;
  delivered(orderId: string, late: boolean): void;
}

/**
 * Spaces websocket upgrades so that riders coming online together stay inside the gateway's
 * RATE_LIMIT_WS_CONNECT (30 a minute per IP by default): at most `perMinute` in any 60 s.
 */
export class ConnectPacer {
  private readonly recent: number[] = [];

  constructor(private readonly perMinute: number) {}

  /** Waits for a free slot; false when the city stopped meanwhile. */
  async slot(pause: (ms: number) => Promise<boolean>): Promise<boolean> {
    // Bounded: each wait lasts until the oldest upgrade leaves the window, so at most perMinute waits.
    for (let attempt = 0; attempt <= this.perMinute; attempt += 1) {
      const now = Date.now();
      while (this.recent.length && this.recent[0]! <= now - 60_000) this.recent.shift();
      if (this.recent.length < this.perMinute) {
        this.recent.push(now);
        return true;
      }
      if (!(await pause(this.recent[0]! + 60_000 - now + 10))) return false;
    }
    return false;
  }
}

interface OfferFrame {
  orderOffers: { id: string; distanceMeters: number; expiresAt: string; order: { id: string; status: string } | null } | null;
}
interface PendingOffers {
  pendingOrderOffers: Array<{ id: string; expiresAt: string; order: { id: string; status: string } | null }>;
}
interface OrderForRider {
  order: {
    id: string;
    status: string;
    deadlineAt: string | null;
    pickedUpAt: string | null;
    deliveryLocation: GeoPoint;
    merchant: { location: GeoPoint };
    rider: { id: string } | null;
  } | null;
}

const ORDER_OFFERS = contractOperation('OrderOffers');
const GRABBABLE = new Set(['CREATED', 'NOTIFIED']);
// The order was taken away (reassigned: FORBIDDEN), cancelled or marked delivered by staff: the rider drops it.
const STAFF_STEPPED_IN = new Set(['FORBIDDEN', 'INVALID_STATE_TRANSITION']);
const ON_THE_WAY = new Set(['DELIVERING', 'OVERTIME']);
// A rider app buffers a GPS fix each second and sends at most 100 (the contract's batch limit).
const FIX_EVERY_MS = 1000;
const MAX_BATCH = 100;
// A late rider arrives this long after the promised deadline, so the platform sees it late.
const LATE_MARGIN_MS = 3000;
// 2 s between a socket closing and the next attempt (beside the upgrade pacing).
const RECONNECT_PAUSE_MS = 2000;
// 15 s after an upgrade answered 429: the gateway's window is a minute.
const RATE_LIMITED_RECONNECT_MS = 15_000;

export type RiderState = 'starting' | 'idle' | 'delivering' | 'stopped';

interface Route {
  corners: GeoPoint[];
  /** Speed in simulated meters per second (multiplied by the time scale when moving). */
  metersPerSecond: number;
  arrived(ok: boolean): void;
}

/**
 * A rider app with a rider on an e-bike: registers, goes online, reports buffered GPS fixes
 * in batches (ReportLocations), listens for offers over graphql-ws (OrderOffers, catching up
 * with PendingOrderOffers after each connect), grabs some of them (some hesitate, some let
 * them pass), rides along the street grid to the shop, picks up, rides to the customer and
 * delivers; now and then late.
 */
export class SimulatedRider {
  state: RiderState = 'starting';
  position: GeoPoint;
  connected = false;
  /** Simulated cruising speed: 15–25 km/h. */
  readonly metersPerSecond: number;
  private route: Route | null = null;
  private readonly fixes: Array<{ lat: number; lng: number; recordedAt: string }> = [];
  private lastFixAt = 0;
  private nextReportAt: number;
  private reporting: Promise<void> | null = null;
  private subscription: GraphQLSubscription<OfferFrame> | null = null;
  /** The offer being thought about and grabbed, one at a time. */
  private deciding: Promise<void> | null = null;
  private readonly jobs: string[] = [];
  private working: Promise<void> | null = null;
  private connecting: Promise<void> | null = null;

  constructor(
    readonly id: string,
    readonly name: string,
    private readonly token: string,
    start: GeoPoint,
    private readonly world: RiderWorld,
  ) {
    this.position = start;
    this.metersPerSecond = (15 + world.random() * 10) / 3.6;
    this.nextReportAt = Date.now() + world.random() * world.reportEveryMs;
  }

  /** Registers (the same rider again on later runs), goes online, reports where it is, takes up orders it still carries, and starts listening. */
  async start(): Promise<boolean> {
    const { api } = this.world;
    const phone = `+86139${String(Math.abs(hash(this.id)) % 100_000_000).padStart(8, '0')}`;
    if (!(await api.expect('RegisterRider', { input: { name: this.name, phone, vehicle: '电动车' } }, this.token))) return false;
    const online = await api.call('GoOnline', {}, this.token);
    // Already online, or still out with an order from an earlier run: working either way.
    if (!online.ok && online.code !== 'INVALID_STATE_TRANSITION') {
      api.unexpected('GoOnline', online);
      return false;
    }
    this.fix(Date.now());
    await this.report();
    const profile = await api.expect<{ rider: { activeOrders: Array<{ id: string; status: string }> } | null }>('RiderProfile', { id: this.id }, this.token);
    for (const order of profile?.rider?.activeOrders ?? []) if (ON_THE_WAY.has(order.status)) this.jobs.push(order.id);
    this.state = 'idle';
    this.work();
    this.connecting = this.listen();
    return true;
  }

  /** Moves the rider by `elapsedMs` of real time, keeps a fix each second, and sends the buffer when due. */
  tick(now: number, elapsedMs: number): void {
    if (this.isStopped() || this.state === 'starting') return;
    if (!this.route && this.state === 'idle') this.wander();
    const route = this.route;
    if (route) {
      let meters = (route.metersPerSecond * this.world.timeScale * elapsedMs) / 1000;
      while (meters > 0 && route.corners.length) {
        const corner = route.corners[0]!;
        const left = distanceMeters(this.position, corner);
        this.position = stepTowards(this.position, corner, meters);
        meters -= left;
        if (meters >= 0) route.corners.shift();
      }
      if (!route.corners.length) {
        this.route = null;
        route.arrived(true);
      }
    }
    if (now - this.lastFixAt >= FIX_EVERY_MS) this.fix(now);
    if (now >= this.nextReportAt && !this.reporting) {
      this.nextReportAt = now + this.world.reportEveryMs;
      this.reporting = this.report().finally(() => {
        this.reporting = null;
      });
    }
  }

  /** Stops listening and riding, and goes offline unless out with an order (kept for the next run). */
  async stop(): Promise<void> {
    const started = this.state !== 'starting';
    this.state = 'stopped';
    this.route?.arrived(false);
    this.route = null;
    await this.subscription?.close();
    await Promise.all([this.connecting, this.reporting, this.deciding]);
    // After the grab in flight, which may have queued an order.
    await this.working;
    if (started) await this.goOffline();
  }

  /**
   * GoOffline, refused while the platform still has the rider DELIVERING: right after a
   * delivery the rider turns IDLE only once riders has read the order's event, so a rider with
   * no active order tries again (300 ms apart, for up to 15 s: on a loaded machine that event
   * can take seconds); one with an order stays on it.
   */
  private async goOffline(): Promise<void> {
    const { api } = this.world;
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const offline = await api.call('GoOffline', {}, this.token);
      if (offline.ok) return;
      if (offline.code !== 'INVALID_STATE_TRANSITION') {
        api.unexpected('GoOffline', offline);
        return;
      }
      const profile = await api.expect<{ rider: { activeOrders: unknown[] } | null }>('RiderProfile', { id: this.id }, this.token);
      if (!profile?.rider || profile.rider.activeOrders.length) return;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  /** A method, not a comparison, so TypeScript does not narrow `state` across awaits. */
  private isStopped(): boolean {
    return this.state === 'stopped';
  }

  private fix(now: number): void {
    this.lastFixAt = now;
    this.fixes.push({ lat: this.position.lat, lng: this.position.lng, recordedAt: new Date(now).toISOString() });
    if (this.fixes.length > MAX_BATCH) this.fixes.shift();
  }

  private async report(): Promise<void> {
    const points = this.fixes.splice(0);
    if (!points.length) return;
    const result = await this.world.api.expect<{ reportLocations: { accepted: number } }>('ReportLocations', { points }, this.token);
    if (!result) return;
    this.world.counters.locations.batches += 1;
    this.world.counters.locations.points += result.reportLocations.accepted;
  }

  /** An idle rider drifts slowly around the neighbourhood or towards a shop, staying in the city. */
  private wander(): void {
    const { random, center, cityRadiusMeters } = this.world;
    const shops = this.world.hotspots();
    const shop = random() < 0.3 ? shops[Math.floor(random() * shops.length)] : undefined;
    let target = shop ? somewhereAround(shop, 20, 400, random) : somewhereAround(this.position, 50, 300, random);
    if (distanceMeters(target, center) > cityRadiusMeters) target = somewhereAround(center, 0, cityRadiusMeters / 2, random);
    this.route = { corners: gridRoute(this.position, target, random), metersPerSecond: this.metersPerSecond * 0.3, arrived: () => undefined };
  }

  private rideTo(target: GeoPoint, metersPerSecond: number): Promise<boolean> {
    this.route?.arrived(false);
    if (this.isStopped()) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.route = { corners: gridRoute(this.position, target, this.world.random), metersPerSecond, arrived: resolve };
    });
  }

  /** The offers socket, opened again whenever it closes while the city runs. */
  private async listen(): Promise<void> {
    const { api, counters } = this.world;
    while (this.world.running() && !this.isStopped()) {
      if (!(await this.world.sockets.slot(this.world.pause))) return;
      if (this.isStopped()) return;
      const subscription = subscribe<OfferFrame>(api.wsUrl, this.token, ORDER_OFFERS);
      this.subscription = subscription;
      let end: SubscriptionEnd | null = null;
      void subscription.ended.then((how) => {
        end = how;
      });
      this.connected = true;
      // What was offered before the socket listened (and after the last one closed).
      const pending = await api.expect<PendingOffers>('PendingOrderOffers', {}, this.token);
      for (const offer of pending?.pendingOrderOffers ?? []) if (offer.order) this.consider(offer.order, offer.expiresAt);
      // Bounded by the city's duration: each wait lasts at most a second.
      while (!end && !this.isStopped()) {
        let payload: SubscriptionPayload<OfferFrame>;
        try {
          payload = await subscription.next(1000);
        } catch {
          continue;
        }
        this.onFrame(payload);
      }
      this.connected = false;
      await subscription.close();
      if (this.isStopped()) return;
      const how = end as SubscriptionEnd | null;
      // The upgrade refused over RATE_LIMIT_WS_CONNECT (other clients of this IP used the budget): try again later.
      if (how?.kind === 'closed' && how.code === 0 && /\b429\b/.test(how.reason)) {
        counters.errors.retried += 1;
        if (!(await this.world.pause(RATE_LIMITED_RECONNECT_MS))) return;
        continue;
      }
      const detail = how?.kind === 'closed' ? `closed ${how.code} ${how.reason}` : how?.kind === 'error' ? JSON.stringify(how.errors).slice(0, 200) : 'completed';
      counters.error('OrderOffers', how?.kind === 'error' ? (how.errors[0]?.extensions?.code ?? 'SUBSCRIPTION_ERROR') : 'SOCKET_CLOSED', detail);
      if (!(await this.world.pause(RECONNECT_PAUSE_MS))) return;
    }
  }

  private onFrame(payload: SubscriptionPayload<OfferFrame>): void {
    if (payload.errors?.length) {
      const [error] = payload.errors;
      this.world.counters.error('OrderOffers', error?.extensions?.code ?? 'SUBSCRIPTION_ERROR', error?.message ?? '');
      return;
    }
    const offer = payload.data?.orderOffers;
    // No order: withdrawn, or the rider may no longer see it.
    if (!offer?.order) return;
    if (GRABBABLE.has(offer.order.status)) this.consider(offer.order, offer.expiresAt, offer.distanceMeters);
    // An order handed to this rider by staff (reassignOrder): take it up when it is really ours.
    else if (ON_THE_WAY.has(offer.order.status)) this.take(offer.order.id);
  }

  /**
   * An offer: let it pass (busy, or one of those not answering, more often the farther the
   * shop: +10 points of share per km), grab it at once, or think first (sometimes past its expiry).
   */
  private consider(order: { id: string; status: string }, expiresAt: string, distanceMeters = 0): void {
    const { counters, random } = this.world;
    if (!GRABBABLE.has(order.status)) return;
    counters.offer('received');
    this.world.offered(order.id);
    const passes = random() < this.world.missShare + distanceMeters / 10_000;
    if (this.state !== 'idle' || this.deciding || this.jobs.length || passes) {
      counters.offer('ignored');
      return;
    }
    this.deciding = this.tryToGrab(order.id, expiresAt).finally(() => {
      this.deciding = null;
    });
  }

  private async tryToGrab(orderId: string, expiresAt: string): Promise<void> {
    const { api, counters, random } = this.world;
    const untilExpiry = Math.max(0, Date.parse(expiresAt) - Date.now());
    const delay = random() < this.world.hesitateShare ? random() * 1.3 * untilExpiry : (200 + random() * 1300) / this.world.timeScale;
    if (!(await this.world.pause(delay)) || this.state !== 'idle') return;
    counters.offer('grabAttempts');
    const grabbed = await api.call('GrabOrder', { orderId }, this.token);
    if (grabbed.ok) {
      counters.offer('grabsWon');
      counters.order('grabbed');
      this.take(orderId);
    } else if (grabbed.code === 'ORDER_ALREADY_TAKEN') counters.offer('grabsLost');
    // No live offer any more: it expired while the rider hesitated, or the order left dispatch (cancelled by staff).
    else if (grabbed.code === 'FORBIDDEN' || grabbed.code === 'INVALID_STATE_TRANSITION') counters.offer('grabsTooLate');
    else api.unexpected('GrabOrder', grabbed);
  }

  private take(orderId: string): void {
    if (!this.jobs.includes(orderId)) this.jobs.push(orderId);
    this.work();
  }

  private work(): void {
    if (this.working || !this.jobs.length) return;
    this.working = (async () => {
      // Bounded: one pass per queued order, and the queue only grows by grabs.
      while (this.jobs.length && !this.isStopped()) await this.deliver(this.jobs.shift()!);
      if (this.state === 'delivering') this.state = 'idle';
    })().finally(() => {
      this.working = null;
    });
  }

  /** Rides to the shop, picks up, rides to the customer (slowly, when late this time) and delivers. */
  private async deliver(orderId: string): Promise<void> {
    const { api, counters, random } = this.world;
    const info = await api.expect<OrderForRider>('OrderInfo', { id: orderId }, this.token);
    const order = info?.order;
    // Taken away meanwhile (staff reassigned or cancelled it): nothing to do.
    if (!order || order.rider?.id !== this.id || !ON_THE_WAY.has(order.status) || this.isStopped()) return;
    this.state = 'delivering';
    this.route = null;
    if (!order.pickedUpAt) {
      if (!(await this.rideTo(order.merchant.location, this.metersPerSecond))) return;
      const picked = await api.call('PickUpOrder', { orderId }, this.token);
      if (!picked.ok) {
        if (!STAFF_STEPPED_IN.has(picked.code)) api.unexpected('PickUpOrder', picked);
        return;
      }
      counters.order('pickedUp');
    }
    let speed = this.metersPerSecond;
    if (order.deadlineAt && random() < this.world.lateShare) {
      // Stuck in traffic: arrive a little after the promise, however far it is.
      const secondsLeft = Math.max(1, (Date.parse(order.deadlineAt) + LATE_MARGIN_MS - Date.now()) / 1000);
      speed = Math.max(0.1, Math.min(speed, distanceMeters(this.position, order.deliveryLocation) / secondsLeft / this.world.timeScale));
      if (!(await this.rideTo(order.deliveryLocation, speed))) return;
      // At the door before the promise ran out (the streets were shorter than planned): wait until it has.
      const rest = Date.parse(order.deadlineAt) + LATE_MARGIN_MS - Date.now();
      if (rest > 0 && !(await this.world.pause(rest))) return;
    } else if (!(await this.rideTo(order.deliveryLocation, speed))) return;
    const delivered = await api.call<{ deliverOrder: { wasOvertime: boolean } }>('DeliverOrder', { orderId }, this.token);
    if (!delivered.ok) {
      if (!STAFF_STEPPED_IN.has(delivered.code)) api.unexpected('DeliverOrder', delivered);
      return;
    }
    counters.order('delivered');
    if (delivered.data.deliverOrder.wasOvertime) counters.order('late');
    this.world.delivered(orderId, delivered.data.deliverOrder.wasOvertime);
  }
}

function hash(text: string): number {
  let h = 0;
  for (const char of text) h = (Math.imul(h, 31) + char.charCodeAt(0)) | 0;
  return h;
}
