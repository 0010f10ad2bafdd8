import type { Redis } from './redis';

/**
 * Sponsored placements (广告): the values and the Redis counters that operations (buying,
 * clicks, settlement, figures) and products (serving in merchantsNearby) share. Both sides
 * go through `adCounters`, so the key names and the scripts exist once.
 *
 * Per placement and UTC day, two hashes:
 * - `ads:<placementId>:<day>`: `impressions`, `clicks`, `spentCents` (the day's counters);
 * - `ads:<placementId>:<day>:customers`: `i:<customerId>` impressions served to that customer
 *   (the frequency cap) and `c:<customerId>` once their click was charged.
 * Both live AD_COUNTER_TTL_SECONDS after their last write; operations' settlement job copies
 * the day hash into MySQL well before that.
 */
export const adPlacementStatuses = ['ACTIVE', 'PAUSED', 'ENDED'] as const;
export type AdPlacementStatus = (typeof adPlacementStatuses)[number];

// 3 days: a day's counters outlive the day by two more, so settlement (every few seconds) and
// the figures of yesterday always find them; MySQL keeps them after that.
export const AD_COUNTER_TTL_SECONDS = 3 * 86_400;

/** The UTC day a counter belongs to, as in its key: '2026-03-01'. */
export const adDay = (at: Date): string => at.toISOString().slice(0, 10);

export const adKeys = {
  day: (placementId: string, day: string) => `ads:${placementId}:${day}`,
  customers: (placementId: string, day: string) => `ads:${placementId}:${day}:customers`,
};

/** A placement products may show on a page, best first (the order it is offered in). */
export interface AdCandidate {
  placementId: string;
  merchantId: string;
  dailyBudgetCents: number;
  cpcCents: number;
}

export interface AdDayCounters {
  impressions: number;
  clicks: number;
  spentCents: number;
}

export type AdClickOutcome = { charged: true; spentCents: number } | { charged: false; reason: 'BUDGET_SPENT' | 'REPEATED' };

/*
 * Serving one page, in one round trip. KEYS: per candidate its day hash then its customers
 * hash. ARGV: max sponsored, frequency cap, customer id ('' for anonymous), ttl, then per
 * candidate merchant id, daily budget, cost per click. A candidate is served when the day's
 * spend leaves room for one more click, the customer saw it fewer than `cap` times today and
 * its shop is not on the page yet; each one served counts an impression (and one for the
 * customer). Returns the 1-based positions of those served.
 */
const SERVE_ADS = `
local max = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local customer = ARGV[3]
local ttl = tonumber(ARGV[4])
local served = {}
local shops = {}
for i = 1, #KEYS / 2 do
  if #served >= max then break end
  local base = 4 + (i - 1) * 3
  local shop = ARGV[base + 1]
  local budget = tonumber(ARGV[base + 2])
  local cpc = tonumber(ARGV[base + 3])
  local day = KEYS[2 * i - 1]
  local seen = KEYS[2 * i]
  if not shops[shop] and tonumber(redis.call('HGET', day, 'spentCents') or '0') + cpc <= budget then
    local capped = customer ~= '' and tonumber(redis.call('HGET', seen, 'i:' .. customer) or '0') >= cap
    if not capped then
      redis.call('HINCRBY', day, 'impressions', 1)
      redis.call('EXPIRE', day, ttl)
      if customer ~= '' then
        redis.call('HINCRBY', seen, 'i:' .. customer, 1)
        redis.call('EXPIRE', seen, ttl)
      end
      shops[shop] = true
      served[#served + 1] = i
    end
  end
end
return served
`;

/*
 * One click. KEYS: the day hash, the customers hash. ARGV: customer id, daily budget, cost
 * per click, ttl, the day's spend as last settled into MySQL. Charged only when the day's
 * spend plus this click stays within the budget (so spend never passes it), and once per
 * customer, placement and day (a repeated click is not paid for again). A day hash that Redis
 * lost (a restart without persistence, an eviction) starts again from the settled spend, not
 * from 0. Returns {1, spent after} or {0, reason}.
 */
const RECORD_CLICK = `
local field = 'c:' .. ARGV[1]
local budget = tonumber(ARGV[2])
local cpc = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
if redis.call('HEXISTS', KEYS[2], field) == 1 then return {0, 'REPEATED'} end
local kept = redis.call('HGET', KEYS[1], 'spentCents')
if not kept then
  redis.call('HSET', KEYS[1], 'spentCents', ARGV[5])
  kept = ARGV[5]
end
local spent = tonumber(kept)
if spent + cpc > budget then return {0, 'BUDGET_SPENT'} end
redis.call('HINCRBY', KEYS[1], 'spentCents', cpc)
redis.call('HINCRBY', KEYS[1], 'clicks', 1)
redis.call('HSET', KEYS[2], field, 1)
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
return {1, tostring(spent + cpc)}
`;

type AdCommands = Redis & {
  adsServe(numberOfKeys: number, ...args: Array<string | number>): Promise<number[]>;
  adsRecordClick(day: string, customers: string, customerId: string, budget: number, cpc: number, ttl: number, settledSpentCents: number): Promise<[number, string]>;
};

/** The counters of sponsored placements on `redis` (its key prefix applies to every key). */
export function adCounters(redis: Redis) {
  const client = redis as AdCommands;
  if (!('adsServe' in client)) {
    // numberOfKeys left out: it varies with the page, so it is the command's first argument.
    redis.defineCommand('adsServe', { lua: SERVE_ADS });
    redis.defineCommand('adsRecordClick', { numberOfKeys: 2, lua: RECORD_CLICK });
  }
  return {
    /**
     * Of `candidates` (best first), the ones to show on a page for `customerId` (null:
     * anonymous, no frequency cap), at most `max`, one per shop; their impressions are counted.
     */
    async serve(candidates: readonly AdCandidate[], options: { max: number; frequencyCap: number; customerId: string | null; at?: Date }): Promise<AdCandidate[]> {
      if (candidates.length === 0 || options.max <= 0) return [];
      const day = adDay(options.at ?? new Date());
      const keys = candidates.flatMap((candidate) => [adKeys.day(candidate.placementId, day), adKeys.customers(candidate.placementId, day)]);
      const args = candidates.flatMap((candidate) => [candidate.merchantId, candidate.dailyBudgetCents, candidate.cpcCents]);
      const served = await client.adsServe(keys.length, ...keys, options.max, options.frequencyCap, options.customerId ?? '', AD_COUNTER_TTL_SECONDS, ...args);
      return served.map((position) => candidates[position - 1]!);
    },

    /**
     * Charges one click of `customerId` on the placement, atomically against the day's budget;
     * `settledSpentCents` (the day's spend in MySQL) is where a lost counter starts again.
     */
    async recordClick(placement: Omit<AdCandidate, 'merchantId'>, customerId: string, at = new Date(), settledSpentCents = 0): Promise<AdClickOutcome> {
      const day = adDay(at);
      const [charged, detail] = await client.adsRecordClick(
        adKeys.day(placement.placementId, day),
        adKeys.customers(placement.placementId, day),
        customerId,
        placement.dailyBudgetCents,
        placement.cpcCents,
        AD_COUNTER_TTL_SECONDS,
        settledSpentCents,
      );
      if (charged === 1) return { charged: true, spentCents: Number(detail) };
      return { charged: false, reason: detail === 'REPEATED' ? 'REPEATED' : 'BUDGET_SPENT' };
    },

    /** The counters of each (placement, day), zeros where none were kept; one pipeline. */
    async read(entries: ReadonlyArray<{ placementId: string; day: string }>): Promise<AdDayCounters[]> {
      if (entries.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const entry of entries) pipeline.hmget(adKeys.day(entry.placementId, entry.day), 'impressions', 'clicks', 'spentCents');
      const results = (await pipeline.exec()) ?? [];
      return results.map(([error, values]) => {
        if (error) throw error;
        const [impressions, clicks, spentCents] = values as Array<string | null>;
        return { impressions: Number(impressions ?? 0), clicks: Number(clicks ?? 0), spentCents: Number(spentCents ?? 0) };
      });
    },
  };
}
export type AdCounters = ReturnType<typeof adCounters>;
