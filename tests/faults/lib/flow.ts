import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { mintToken, paymentsConfig, parseConfig, authConfig, type Role } from '@waimai/platform';
import { SIGNATURE_HEADER, signCallback } from '@waimai/platform';
import { providerCallbackBody, subscribe } from '@waimai/testkit';
import type { ProcessStack, ServiceName } from './process-stack';

/**
 * The order flow at a steady rate through the gateway, as apps and a payment provider drive
 * it, while services are killed: customers order (retrying with their idempotency key) and
 * pay (failed and duplicated callbacks included, the provider retrying until it gets a 2xx),
 * riders poll their offers, grab, pick up and deliver (some late). Every request and answer
 * is recorded for the checks.
 */
export interface Exchange {
  at: number;
  ms: number;
  actor: string;
  op: string;
  variables: Record<string, unknown>;
  /** HTTP status, or 0 when no answer came (connection refused, reset, timed out). */
  status: number;
  data?: Record<string, unknown> | null;
  codes: string[];
}

export interface Fault {
  kind: string;
  service: ServiceName;
  /** Which replica was killed (1 when each service runs once). */
  replica: number;
  at: number;
}

/** A rider's websocket that closed while the rider was working (not closed by the rider). */
export interface SocketDrop {
  rider: string;
  at: number;
  /** The close code the client saw (1006: the connection went away without a close frame). */
  code: number;
}

/** The pendingOrderOffers read a rider app makes after its socket reconnected, and what it listed. */
export interface ReconnectRead {
  rider: string;
  sentAt: number;
  answeredAt: number;
  offerIds: string[];
}

export interface FlowRecord {
  exchanges: Exchange[];
  faults: Fault[];
  /** Payment ids whose SUCCESS callback the provider got a 2xx for, with when. */
  acknowledgedPayments: Map<string, { orderId: string; at: number }>;
  /** When a rider first saw each order among its offers. */
  firstOffered: Map<string, number>;
  /** The rider each successful grab answer named, per order: more than one is a double grab. */
  grabWinners: Map<string, Set<string>>;
  /** Orders a customer created (ids the API answered with). */
  createdOrders: Set<string>;
  products: Array<{ id: string; initialStock: number }>;
  /** Riders on websockets: every socket that dropped under them, and what each reconnect read. */
  socketDrops: SocketDrop[];
  reconnectReads: ReconnectRead[];
  /** Offers riders learned of from a subscription frame (the rest from pendingOrderOffers). */
  offersBySubscription: number;
}

interface Actor {
  sub: string;
  token: string;
}

export interface FlowOptions {
  stack: ProcessStack;
  /** Orders started per second, over all customers. */
  ordersPerSecond: number;
  /** How long faults and new orders go on. */
  seconds: number;
  /** Time between two faults. */
  faultEverySeconds: number;
  log: (message: string) => void;
  /**
   * How riders learn of offers: `polling` pendingOrderOffers once a second (an app whose
   * websocket is down; the default), or `websocket`: the orderOffers subscription through
   * the stack's entry, pendingOrderOffers read only on each (re)connect, as the app does.
   */
  riders?: 'polling' | 'websocket';
  /** The faults to run, one every ~faultEverySeconds, in this order, once each; without it, the default plan in turn. */
  faults?: ReadonlyArray<{ kind: string; service: ServiceName; replica: number }>;
}

const CREATE_ORDER = `mutation CreateOrder($input: CreateOrderInput!) { createOrder(input: $input) { id status totalCents } }`;
const INITIATE_PAYMENT = `mutation InitiatePayment($orderId: ID!, $paymentMethod: PaymentMethod!) { initiatePayment(orderId: $orderId, paymentMethod: $paymentMethod) { id amountCents } }`;
const PENDING_OFFERS = `query PendingOrderOffers { pendingOrderOffers { id expiresAt order { id status } } }`;
const GRAB = `mutation GrabOrder($orderId: ID!) { grabOrder(orderId: $orderId) { id status rider { id } } }`;
const PICK_UP = `mutation PickUpOrder($orderId: ID!) { pickUpOrder(orderId: $orderId) { id status pickedUpAt } }`;
const DELIVER = `mutation DeliverOrder($orderId: ID!) { deliverOrder(orderId: $orderId) { id status wasOvertime } }`;
const ORDER_STATUS = `query OrderStatus($id: ID!) { order(id: $id) { id status } }`;
const OFFER_FRAMES = `subscription OrderOffers { orderOffers { id status order { id } } }`;

interface OfferFrame {
  orderOffers: { id: string; status: string; order: { id: string } | null };
}

// 10 s: longer than any answer of a healthy gateway; a request into a dead service fails sooner.
const REQUEST_TIMEOUT_MS = 10_000;

export class OrderFlow {
  readonly record: FlowRecord = {
    exchanges: [],
    faults: [],
    acknowledgedPayments: new Map(),
    firstOffered: new Map(),
    grabWinners: new Map(),
    createdOrders: new Set(),
    products: [],
    socketDrops: [],
    reconnectReads: [],
    offersBySubscription: 0,
  };
  private stopOrdering = 0;
  private ridersDone = false;
  private armedGrabFault: ServiceName | null = null;
  private merchants: Array<{ id: string; location: { lat: number; lng: number }; products: string[] }> = [];
  private customers: Actor[] = [];
  private riders: Actor[] = [];
  private readonly secrets: { JWT_SECRET: string; PAYMENT_WEBHOOK_SECRET: string };
  /** Orders whose rider was told to arrive late (after the deadline). */
  private readonly late = new Set<string>();
  private readonly riderLoops: Promise<void>[] = [];
  /** Journeys a fault started; they finish (retrying) while the fault loop goes on. */
  private readonly background: Promise<void>[] = [];

  constructor(private readonly options: FlowOptions) {
    this.secrets = { ...parseConfig(authConfig, options.stack.env), ...parseConfig(paymentsConfig, options.stack.env) };
  }

  private async actor(role: Role, sub = `${role.toLowerCase()}-${randomUUID().slice(0, 8)}`): Promise<Actor> {
    return { sub, token: await mintToken(this.secrets.JWT_SECRET, { sub, roles: [role] }, '2h') };
  }

  /** One GraphQL request through the gateway, recorded; never throws. */
  async call(actor: Actor | null, op: string, query: string, variables: Record<string, unknown> = {}): Promise<Exchange> {
    const at = Date.now();
    const exchange: Exchange = { at, ms: 0, actor: actor?.sub ?? 'anonymous', op, variables, status: 0, codes: [] };
    try {
      const response = await fetch(this.options.stack.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(actor ? { authorization: `Bearer ${actor.token}` } : {}) },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      exchange.status = response.status;
      const text = await response.text();
      try {
        const body = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: Array<{ extensions?: { code?: string } }> };
        exchange.data = body.data;
        exchange.codes = (body.errors ?? []).map((error) => error.extensions?.code ?? 'NO_CODE');
      } catch {
        exchange.codes = ['NOT_JSON'];
      }
    } catch {
      exchange.status = 0;
    }
    exchange.ms = Date.now() - at;
    this.record.exchanges.push(exchange);
    return exchange;
  }

  /**
   * Retries what a client retries: no answer, 5xx, or an error that says a service is down,
   * for up to 90 s (a killed service restarts in seconds, more on a busy machine).
   */
  private async withRetries(actor: Actor, op: string, query: string, variables: Record<string, unknown>): Promise<Exchange> {
    const giveUpAt = Date.now() + 90_000;
    for (let attempt = 0; ; attempt += 1) {
      const answer = await this.call(actor, op, query, variables);
      const transient = answer.status === 0 || answer.status >= 500 || answer.codes.includes('INTERNAL_SERVER_ERROR') || answer.codes.includes('SERVICE_UNAVAILABLE');
      if (!transient || Date.now() > giveUpAt) return answer;
      await sleep(Math.min(3000, 500 + attempt * 250));
    }
  }

  async setUp(): Promise<void> {
    const center = { lat: 31.2304, lng: 121.4737 };
    for (let m = 0; m < 2; m += 1) {
      const owner = await this.actor('MERCHANT');
      const location = { lat: center.lat + m * 0.004, lng: center.lng };
      const opened = await this.call(owner, 'createMerchant', 'mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }', {
        input: { name: `故障测试店${m}`, address: `测试路${m}号`, location, deliveryRadiusMeters: 5000 },
      });
      const merchantId = (opened.data?.createMerchant as { id: string } | undefined)?.id;
      if (!merchantId) throw new Error(`Could not open a shop: ${JSON.stringify(opened)}`);
      const products: string[] = [];
      for (let p = 0; p < 3; p += 1) {
        const published = await this.call(owner, 'publishProduct', 'mutation($input: PublishProductInput!) { publishProduct(input: $input) { id stock } }', {
          input: { merchantId, name: `菜${m}-${p}`, priceCents: 1000 + p * 300, stock: 400 },
        });
        const product = published.data?.publishProduct as { id: string; stock: number } | undefined;
        if (!product) throw new Error(`Could not publish a dish: ${JSON.stringify(published)}`);
        products.push(product.id);
        this.record.products.push({ id: product.id, initialStock: product.stock });
      }
      this.merchants.push({ id: merchantId, location, products });
    }
    this.customers = await Promise.all(Array.from({ length: 6 }, () => this.actor('CUSTOMER')));
    // 16 riders: enough that a fifth of them waiting out a deadline never starves the rest.
    this.riders = await Promise.all(Array.from({ length: 16 }, () => this.actor('RIDER')));
    for (const [index, rider] of this.riders.entries()) {
      const location = this.riderLocation(index);
      for (const [op, query, variables] of [
        ['registerRider', 'mutation($input: RegisterRiderInput!) { registerRider(input: $input) { id } }', { input: { name: `骑手${index}`, phone: '13800138000' } }],
        ['goOnline', 'mutation { goOnline { id status } }', {}],
        ['reportLocation', 'mutation($location: GeoPointInput!) { reportLocation(location: $location) }', { location }],
      ] as const) {
        const answer = await this.call(rider, op, query, variables);
        if (answer.codes.length) throw new Error(`Setting up rider ${index} failed at ${op}: ${answer.codes.join(', ')}`);
      }
    }
  }

  private riderLocation(index: number): { lat: number; lng: number } {
    return { lat: 31.2304 + (index % 8) * 0.0005, lng: 121.4737 + 0.001 };
  }

  /** Runs the flow and the faults; returns once ordering stopped (riders keep delivering until finish()). */
  async run(): Promise<void> {
    const started = Date.now();
    this.stopOrdering = started + this.options.seconds * 1000;
    for (const [index, rider] of this.riders.entries()) {
      const loop = this.options.riders === 'websocket' ? this.riderSocketLoop(rider, this.riderLocation(index)) : this.riderLoop(rider, this.riderLocation(index));
      this.riderLoops.push(loop);
    }
    const perCustomerGapMs = (1000 * this.customers.length) / this.options.ordersPerSecond;
    const customerLoops = this.customers.map(async (customer, index) => {
      await sleep((index * perCustomerGapMs) / this.customers.length);
      while (Date.now() < this.stopOrdering) {
        const began = Date.now();
        await this.customerJourney(customer);
        await sleep(Math.max(0, perCustomerGapMs - (Date.now() - began)));
      }
    });
    await Promise.all([...customerLoops, this.faultLoop()]);
    await Promise.all(this.background);
  }

  /** Stops ordering and the riders at once (a failed test's clean-up); they end within one request. */
  abort(): void {
    this.stopOrdering = 0;
    this.ridersDone = true;
  }

  /** Lets riders finish what they hold, then stops them. */
  async finish(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const open = [...this.record.acknowledgedPayments.values()].map((payment) => payment.orderId);
      const statuses = await Promise.all(open.map((orderId) => this.orderStatus(orderId)));
      if (statuses.every((status) => status !== null && ['RECEIVED', 'COMPENSATING', 'CLOSED', 'CANCELLED'].includes(status))) break;
      await sleep(1000);
    }
    this.ridersDone = true;
    await Promise.all(this.riderLoops);
  }

  private staff: Actor | null = null;

  private async orderStatus(orderId: string): Promise<string | null> {
    this.staff ??= await this.actor('ADMIN', 'faults-admin');
    const answer = await this.call(this.staff, 'order', ORDER_STATUS, { id: orderId });
    return (answer.data?.order as { status: string } | null | undefined)?.status ?? null;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(Math.random() * list.length)] as T;
  }

  /** createOrder as a customer of a random shop, retried with its idempotency key: the order id, or null. */
  private async placeOrder(customer: Actor, lines: number): Promise<string | null> {
    const merchant = this.pick(this.merchants);
    const dishes = [...new Set(Array.from({ length: lines }, () => this.pick(merchant.products)))];
    const input = {
      items: dishes.map((productId) => ({ productId, quantity: 1 + Math.floor(Math.random() * 2) })),
      deliveryAddress: '人民路 9 号',
      deliveryLocation: { lat: merchant.location.lat + 0.002, lng: merchant.location.lng + 0.002 },
      idempotencyKey: randomUUID(),
    };
    const created = await this.withRetries(customer, 'createOrder', CREATE_ORDER, { input });
    const orderId = (created.data?.createOrder as { id: string } | undefined)?.id;
    if (!orderId) return null;
    this.record.createdOrders.add(orderId);
    return orderId;
  }

  private async initiate(customer: Actor, orderId: string): Promise<{ id: string; amountCents: number } | null> {
    const initiated = await this.withRetries(customer, 'initiatePayment', INITIATE_PAYMENT, { orderId, paymentMethod: 'ALIPAY' });
    return (initiated.data?.initiatePayment as { id: string; amountCents: number } | undefined) ?? null;
  }

  /** createOrder, initiatePayment, the provider's callbacks. */
  async customerJourney(customer: Actor): Promise<void> {
    const orderId = await this.placeOrder(customer, 2);
    if (!orderId) return;
    const roll = Math.random();
    // One in eight is first refused by the provider, then paid with a new payment.
    if (roll < 0.125) await this.pay(customer, orderId, 'FAILURE', false);
    await this.pay(customer, orderId, 'SUCCESS', roll > 0.8);
  }

  private async pay(customer: Actor, orderId: string, outcome: 'SUCCESS' | 'FAILURE', duplicate: boolean): Promise<void> {
    const payment = await this.initiate(customer, orderId);
    if (!payment) return;
    const body = JSON.stringify(providerCallbackBody(payment, orderId, outcome));
    const send = () => this.callback(body, payment.id, orderId, outcome);
    await (duplicate ? Promise.all([send(), send()]) : send());
    if (duplicate) await send();
  }

  /** The provider retries a callback until it gets a 2xx, as real ones do for hours (3 min here). */
  private async callback(body: string, paymentId: string, orderId: string, outcome: string): Promise<void> {
    const giveUpAt = Date.now() + 180_000;
    while (Date.now() < giveUpAt) {
      const at = Date.now();
      let status = 0;
      try {
        const response = await fetch(`${this.options.stack.gatewayUrl}/webhooks/payments/sandbox`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signCallback(this.secrets.PAYMENT_WEBHOOK_SECRET, body) },
          body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        status = response.status;
        await response.body?.cancel();
      } catch {
        status = 0;
      }
      this.record.exchanges.push({ at, ms: Date.now() - at, actor: 'provider', op: `webhook:${outcome}`, variables: { paymentId, orderId }, status, codes: [] });
      if (status >= 200 && status < 300) {
        if (outcome === 'SUCCESS' && !this.record.acknowledgedPayments.has(paymentId)) {
          this.record.acknowledgedPayments.set(paymentId, { orderId, at: Date.now() });
        }
        return;
      }
      if (status >= 400 && status < 500) return;
      await sleep(1000);
    }
  }

  private async riderLoop(rider: Actor, location: { lat: number; lng: number }): Promise<void> {
    let reportedAt = 0;
    while (!this.ridersDone) {
      // Every 3 s, as the rider app does: a rider back from a delivery re-enters dispatch with its next report.
      if (Date.now() - reportedAt > 3000) {
        await this.call(rider, 'reportLocation', 'mutation($location: GeoPointInput!) { reportLocation(location: $location) }', { location });
        reportedAt = Date.now();
      }
      const polled = await this.call(rider, 'pendingOrderOffers', PENDING_OFFERS);
      const offers = (polled.data?.pendingOrderOffers as Array<{ order: { id: string } | null }> | undefined) ?? [];
      const now = Date.now();
      for (const offer of offers) if (offer.order && !this.record.firstOffered.has(offer.order.id)) this.record.firstOffered.set(offer.order.id, now);
      const offer = offers.find((candidate) => candidate.order);
      if (offer?.order) await this.deliver(rider, offer.order.id);
      // Once a second, as a rider app polls when its websocket is down.
      else await sleep(1000);
    }
  }

  private async reportLocation(rider: Actor, location: { lat: number; lng: number }): Promise<void> {
    await this.call(rider, 'reportLocation', 'mutation($location: GeoPointInput!) { reportLocation(location: $location) }', { location });
  }

  /**
   * A rider app on a websocket: subscribes to orderOffers through the stack's entry, reads
   * pendingOrderOffers on every (re)connect (what it missed while away), grabs and delivers
   * what it is offered. A socket that closes under it (its gateway died) is opened again at
   * once, through the load balancer, to whichever gateway it picks.
   */
  private async riderSocketLoop(rider: Actor, location: { lat: number; lng: number }): Promise<void> {
    let reportedAt = 0;
    let connections = 0;
    while (!this.ridersDone) {
      const socket = subscribe<OfferFrame>(this.options.stack.wsUrl, rider.token, OFFER_FRAMES);
      connections += 1;
      // Set by the socket's end (a holder: the loop below reads what the callback wrote).
      const state: { closed: { code: number } | null } = { closed: null };
      void socket.ended.then((end) => {
        state.closed = { code: end.kind === 'closed' ? end.code : 0 };
      });
      const missed = await this.pendingOffers(rider, connections > 1);
      for (const orderId of missed) {
        if (this.ridersDone) break;
        await this.deliver(rider, orderId);
      }
      while (!this.ridersDone && state.closed === null) {
        // Every 3 s, as the rider app does: a rider back from a delivery re-enters dispatch with its next report.
        if (Date.now() - reportedAt > 3000) {
          await this.reportLocation(rider, location);
          reportedAt = Date.now();
        }
        const frame = await socket.next(1000).catch(() => null);
        const offer = frame?.data?.orderOffers;
        if (offer?.status !== 'OFFERED' || !offer.order) continue;
        this.record.offersBySubscription += 1;
        if (!this.record.firstOffered.has(offer.order.id)) this.record.firstOffered.set(offer.order.id, Date.now());
        await this.deliver(rider, offer.order.id);
      }
      const dropped = state.closed;
      await socket.close();
      if (dropped && !this.ridersDone) {
        this.record.socketDrops.push({ rider: rider.sub, at: Date.now(), code: dropped.code });
        // 250 ms: the app's first reconnect comes at once, not in a tight loop while no gateway answers.
        await sleep(250);
      }
    }
  }

  /** pendingOrderOffers until it answers (a reconnect's read is recorded); the orders on offer. */
  private async pendingOffers(rider: Actor, afterReconnect: boolean): Promise<string[]> {
    const sentAt = Date.now();
    const polled = await this.withRetries(rider, 'pendingOrderOffers', PENDING_OFFERS, {});
    const offers = (polled.data?.pendingOrderOffers as Array<{ id: string; order: { id: string } | null }> | undefined) ?? [];
    if (afterReconnect && polled.status === 200 && polled.codes.length === 0) {
      this.record.reconnectReads.push({ rider: rider.sub, sentAt, answeredAt: Date.now(), offerIds: offers.map((offer) => offer.id) });
    }
    const now = Date.now();
    const orderIds = offers.flatMap((offer) => (offer.order ? [offer.order.id] : []));
    for (const orderId of orderIds) if (!this.record.firstOffered.has(orderId)) this.record.firstOffered.set(orderId, now);
    return orderIds;
  }

  private async deliver(rider: Actor, orderId: string): Promise<void> {
    if (this.armedGrabFault) {
      const service = this.armedGrabFault;
      this.armedGrabFault = null;
      // Into the grab: the request is on its way when the service dies.
      setTimeout(() => void this.fault(`inside grabOrder`, service), 15);
    }
    const grabbed = await this.withRetries(rider, 'grabOrder', GRAB, { orderId });
    const winner = (grabbed.data?.grabOrder as { rider: { id: string } | null } | null | undefined)?.rider?.id;
    if (!winner) return;
    const winners = this.record.grabWinners.get(orderId) ?? new Set<string>();
    winners.add(winner);
    this.record.grabWinners.set(orderId, winners);
    if (winner !== rider.sub) return;

    await this.withRetries(rider, 'pickUpOrder', PICK_UP, { orderId });
    // One in five arrives after the deadline (DELIVERY_BASE_MINUTES is seconds here): 赔付.
    if (Math.random() < 0.2) {
      this.late.add(orderId);
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && (await this.orderStatus(orderId)) !== 'OVERTIME') await sleep(1000);
    }
    await this.withRetries(rider, 'deliverOrder', DELIVER, { orderId });
  }

  private async fault(kind: string, service: ServiceName, replica = 1): Promise<void> {
    this.record.faults.push({ kind, service, replica, at: Date.now() });
    this.options.log(`fault: ${kind} (${this.options.stack.replicas > 1 ? `${service}-${replica}` : service})`);
    await this.options.stack.crash(service, true, replica);
  }

  /**
   * Kills a service every `faultEverySeconds`, in turn: each service at a random moment, and
   * at the points that matter (inside createOrder, between the webhook's 2xx and the order's
   * CREATED, inside a grab). The killed process is started again at once.
   */
  private async faultLoop(): Promise<void> {
    const planned = this.options.faults;
    const plan: Array<() => Promise<void>> = planned
      ? planned.map(({ kind, service, replica }) => async () => {
          // Never a service's last replica: the one killed before must be back in rotation.
          await this.options.stack.untilOtherReplicasUp(service, replica);
          await this.fault(kind, service, replica);
        })
      : [
      () => this.fault('random', 'orders'),
      () => this.createOrderFault(),
      () => this.fault('random', 'payments'),
      async () => {
        this.background.push(this.afterWebhookFault());
      },
      () => this.fault('random', 'riders'),
      async () => {
        this.armedGrabFault = 'orders';
      },
      () => this.fault('random', 'gateway'),
      async () => {
        this.armedGrabFault = 'riders';
      },
      () => this.fault('random', 'products'),
      () => this.fault('random', 'operations'),
    ];
    let next = 0;
    // No fault in the first and last few seconds: set-up and the final orders are not the point.
    await sleep(5000);
    // A planned list runs to its end (a kill may wait for the previous replica to be back);
    // the default plan goes on until the last few seconds of ordering.
    while (planned ? next < plan.length && this.stopOrdering > 0 : Date.now() < this.stopOrdering - 10_000) {
      await (plan[next % plan.length] as () => Promise<void>)();
      next += 1;
      await sleep(this.options.faultEverySeconds * 1000 * (0.5 + Math.random()));
    }
  }

  /** Ten createOrder calls in flight, then orders dies 60 ms in; the customers retry with their keys. */
  private async createOrderFault(): Promise<void> {
    this.background.push(...this.customers.map((customer) => this.customerJourney(customer)));
    await sleep(60);
    await this.fault('inside createOrder', 'orders');
  }

  /** A payment acknowledged by the webhook, then orders (which applies it) dies at once. */
  private async afterWebhookFault(): Promise<void> {
    const customer = this.pick(this.customers);
    const orderId = await this.placeOrder(customer, 1);
    const payment = orderId ? await this.initiate(customer, orderId) : null;
    if (!orderId || !payment) return;
    await this.callback(JSON.stringify(providerCallbackBody(payment, orderId)), payment.id, orderId, 'SUCCESS');
    await this.fault('after the webhook 2xx', 'orders');
  }

  lateOrders(): ReadonlySet<string> {
    return this.late;
  }
}
