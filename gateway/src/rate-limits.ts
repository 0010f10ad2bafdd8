import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Caller, Logger, Redis } from '@waimai/platform';

export interface Budget {
  points: number;
  seconds: number;
}

/** The gateway's budgets; each is counted per caller (`sub`, or IP when anonymous). */
export interface RateLimitConfig {
  RATE_LIMIT_ANONYMOUS: Budget;
  RATE_LIMIT_AUTHENTICATED: Budget;
  RATE_LIMIT_EXPENSIVE: Budget;
  RATE_LIMIT_LOCATION: Budget;
  RATE_LIMIT_WS_CONNECT: Budget;
  RATE_LIMIT_WS_SUBSCRIBE: Budget;
  RATE_LIMIT_WEBHOOK: Budget;
}

export type BudgetName = 'anonymous' | 'authenticated' | 'expensive' | 'location' | 'wsConnect' | 'wsSubscribe' | 'webhook';

/** Root fields with a budget of their own, on top of the caller's general one. */
const FIELD_BUDGETS: Record<string, BudgetName> = {
  createOrder: 'expensive',
  initiatePayment: 'expensive',
  grabOrder: 'expensive',
  reportLocation: 'location',
  // A rider app's buffered points (at most 100): one request of the same budget as a single report.
  reportLocations: 'location',
};

export function fieldBudget(rootField: string): BudgetName | undefined {
  return Object.hasOwn(FIELD_BUDGETS, rootField) ? FIELD_BUDGETS[rootField] : undefined;
}

/** The caller's general budget and key: per user when authenticated, per IP otherwise. */
export function callerBudget(caller: Caller, ip: string): { budget: BudgetName; key: string } {
  return caller ? { budget: 'authenticated', key: `u:${caller.sub}` } : { budget: 'anonymous', key: `ip:${ip}` };
}

export interface RateLimits {
  /**
   * Spends `points` of `budget` for `key`: null when allowed, else the seconds until it may
   * try again (at least 1).
   */
  take(budget: BudgetName, key: string, points?: number): Promise<number | null>;
}

/**
 * Fixed-window counters in Redis (rate-limiter-flexible's atomic Lua script), shared by every
 * gateway replica. When Redis does not answer, each process falls back to counting in its own
 * memory rather than refusing everyone or letting a flood through.
 */
export function createRateLimits(redis: Redis, config: RateLimitConfig, logger: Logger): RateLimits {
  const log = logger.child({ component: 'rate-limits' });
  const budgets: Record<BudgetName, Budget> = {
    anonymous: config.RATE_LIMIT_ANONYMOUS,
    authenticated: config.RATE_LIMIT_AUTHENTICATED,
    expensive: config.RATE_LIMIT_EXPENSIVE,
    location: config.RATE_LIMIT_LOCATION,
    wsConnect: config.RATE_LIMIT_WS_CONNECT,
    wsSubscribe: config.RATE_LIMIT_WS_SUBSCRIBE,
    webhook: config.RATE_LIMIT_WEBHOOK,
  };
  const limiters = Object.fromEntries(
    Object.entries(budgets).map(([name, { points, seconds }]) => [
      name,
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `rl:${name}`,
        points,
        duration: seconds,
        // A Redis that is down must not hold every request: straight to memory.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `rl:${name}`, points, duration: seconds }),
      }),
    ]),
  ) as Record<BudgetName, RateLimiterRedis>;

  return {
    async take(budget, key, points = 1) {
      try {
        await limiters[budget].consume(key, points);
        return null;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          log.info({ budget, key, retryAfterMs: rejection.msBeforeNext }, 'A caller ran over a rate limit.');
          return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        }
        // Both stores failed: let the request through rather than fail it for our fault.
        log.warn({ err: rejection, budget }, 'A rate limit could not be counted; allowing the request.');
        return null;
      }
    },
  };
}
