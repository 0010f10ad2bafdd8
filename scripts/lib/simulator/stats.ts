/** Steps of the orders' journeys the simulator counts, each once per order (offered: once per order too). */
export const ORDER_STEPS = [
  'placed',
  'paid',
  'paymentFailed',
  'abandoned',
  'cancelled',
  'outOfStock',
  'offered',
  'grabbed',
  'pickedUp',
  'delivered',
  'late',
  'compensated',
] as const;
export type OrderStep = (typeof ORDER_STEPS)[number];

/** How many orders reached each step. */
export type OrderCounts = Record<OrderStep, number>;

export interface OfferCounts {
  /** Offer frames riders received for an order they could grab. */
  received: number;
  /** Offers a rider let pass: busy, or one of those who do not answer. */
  ignored: number;
  grabAttempts: number;
  grabsWon: number;
  /** Another rider was faster (ORDER_ALREADY_TAKEN). */
  grabsLost: number;
  /** The offer was no longer live: it expired while the rider hesitated (FORBIDDEN), or the order left dispatch (INVALID_STATE_TRANSITION). */
  grabsTooLate: number;
}

export interface RiderCounts {
  total: number;
  /** Riders whose offers subscription is open. */
  connected: number;
  idle: number;
  /** Riders riding to a shop or a customer. */
  delivering: number;
  /** reportLocations calls that were accepted, and the points they carried. */
  locationBatches: number;
  locationPoints: number;
}

export interface ErrorCounts {
  /** Unexpected failures: everything the simulator did not plan for. */
  total: number;
  /** By the contract's `extensions.code`, or HTTP_<status>, NETWORK, SOCKET_CLOSED, WEBHOOK_<status>. */
  byCode: Record<string, number>;
  /** The last few, newest last, as `<operation>: <code> <message>`. */
  recent: string[];
  /** Calls answered SERVICE_UNAVAILABLE or RATE_LIMITED and tried again (not errors unless the retries failed too). */
  retried: number;
}

/** A snapshot of the simulated city (plain data: safe to JSON.stringify or send to a browser). */
export interface CityStats {
  running: boolean;
  startedAt: string;
  elapsedSeconds: number;
  /** Totals since the start. */
  orders: OrderCounts;
  /** The same steps over the last 60 s: orders per minute by status. */
  lastMinute: OrderCounts;
  offers: OfferCounts;
  riders: RiderCounts;
  errors: ErrorCounts;
}

const WINDOW_MS = 60_000;
const RECENT_ERRORS = 10;

export const zeroOrderCounts = (): OrderCounts => Object.fromEntries(ORDER_STEPS.map((step) => [step, 0])) as OrderCounts;

/** The simulator's counters: totals, a one-minute sliding window of order steps, errors. */
export class CityCounters {
  readonly startedAt = new Date();
  readonly orders = zeroOrderCounts();
  readonly offers: OfferCounts = { received: 0, ignored: 0, grabAttempts: 0, grabsWon: 0, grabsLost: 0, grabsTooLate: 0 };
  readonly locations = { batches: 0, points: 0 };
  readonly errors: ErrorCounts = { total: 0, byCode: {}, recent: [], retried: 0 };
  private readonly window: Array<{ at: number; step: OrderStep }> = [];

  order(step: OrderStep): void {
    this.orders[step] += 1;
    const at = Date.now();
    this.window.push({ at, step });
    this.trim(at);
  }

  offer(kind: keyof OfferCounts): void {
    this.offers[kind] += 1;
  }

  error(operation: string, code: string, message: string): void {
    this.errors.total += 1;
    this.errors.byCode[code] = (this.errors.byCode[code] ?? 0) + 1;
    this.errors.recent.push(`${operation}: ${code} ${message}`.slice(0, 300));
    if (this.errors.recent.length > RECENT_ERRORS) this.errors.recent.shift();
  }

  lastMinute(): OrderCounts {
    const now = Date.now();
    this.trim(now);
    const counts = zeroOrderCounts();
    for (const { step } of this.window) counts[step] += 1;
    return counts;
  }

  private trim(now: number): void {
    let drop = 0;
    while (drop < this.window.length && this.window[drop]!.at < now - WINDOW_MS) drop += 1;
    if (drop) this.window.splice(0, drop);
  }
}
