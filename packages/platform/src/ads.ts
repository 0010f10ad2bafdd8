import type { Redis } from './redis';

/**
 * Sponsored placements (广告): the values and the Redis counters that operations (buying,
 * clicks, settlement, figures) and products (serving in merchantsNearby) share. Both sides
 * go through `adCounters`, so the key names and the scripts exist once.
 *
 * Per placement and UTC day, two hashes, with the hash tag `{<placementId>:<day>}` so that
 * the scripts that change both find them in one Redis Cluster slot (each placement's day on
 * its own slot, so the ad load spreads over the cluster):
 * - `ads:{<placementId>:<day>}`: `impressions`, `clicks`, `spentCents` (the day's counters);
 * - `ads:{<placementId>:<day>}:customers`: `i:<customerId>` impressions served to that customer
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
  day: (placementId: string, day: string) => `ads:{${placementId}:${day}}`,
  customers: (placementId: string, day: string) => `ads:{${placementId}:${day}}:customers`,
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
 * Serving one candidate of a page. KEYS: its day hash, its customers hash (one placement and
 * day: one slot). ARGV: frequency cap, customer id ('' for anonymous), ttl, daily budget, cost
 * per click. Served when the day's spend leaves room for one more click and the customer saw
 * it fewer than `cap` times today; then its impression is counted (and one for the customer).
 * Returns 1 when served, else 0.
 */
const SERVE_AD = `
local cap = tonumber(ARGV[1])
local customer = ARGV[2]
local ttl = tonumber(ARGV[3])
if tonumber(redis.call('HGET', KEYS[1], 'spentCents') or '0') + tonumber(ARGV[5]) > tonumber(ARGV[4]) then return 0 end
if customer ~= '' and tonumber(redis.call('HGET', KEYS[2], 'i:' .. customer) or '0') >= cap then return 0 end
redis.call('HINCRBY', KEYS[1], 'impressions', 1)
redis.call('EXPIRE', KEYS[1], ttl)
if customer ~= '' then
  redis.call('HINCRBY', KEYS[2], 'i:' .. customer, 1)
  redis.call('EXPIRE', KEYS[2], ttl)
end
return 1
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
  adsServeOne(day: string, customers: string, frequencyCap: number, customerId: string, ttl: number, budget: number, cpc: number): Promise<number>;
  adsRecordClick(day: string, customers: string, customerId: string, budget: number, cpc: number, ttl: number, settledSpentCents: number): Promise<[number, string]>;
};

/** The counters of sponsored placements on `redis` (its key prefix applies to every key). */
export function adCounters(redis: Redis) {
  const client = redis as AdCommands;
  if (!('adsServeOne' in client)) {
    redis.defineCommand('adsServeOne', { numberOfKeys: 2, lua: SERVE_AD });
    redis.defineCommand('adsRecordClick', { numberOfKeys: 2, lua: RECORD_CLICK });
  }
  return {
    /**
     * Of `candidates` (best first), the ones to show on a page for `customerId` (null:
     * anonymous, no frequency cap), at most `max`, one per shop; their impressions are counted.
     * The same answer as going down the list one by one, in a round trip or two: each round
     * tries, at once, as many of the next candidates (one per shop not on the page yet) as
     * places are left, each one's check and count atomic in its own slot.
     */
    async serve(candidates: readonly AdCandidate[], options: { max: number; frequencyCap: number; customerId: string | null; at?: Date }): Promise<AdCandidate[]> {
      const day = adDay(options.at ?? new Date());
      const served = new Set<number>();
      const shops = new Set<string>();
      let next = 0;
      // Bounded: each round tries at least one candidate not tried before.
      while (served.size < options.max && next < candidates.length) {
        const round: number[] = [];
        const roundShops = new Set<string>();
        let i = next;
        for (; i < candidates.length && round.length < options.max - served.size; i += 1) {
          const shop = candidates[i]!.merchantId;
          if (shops.has(shop)) continue;
          // A second candidate of a shop waits for the first one's answer.
          if (roundShops.has(shop)) break;
          roundShops.add(shop);
          round.push(i);
        }
        next = i;
        if (round.length === 0) break;
        const answers = await Promise.all(
          round.map((position) => {
            const candidate = candidates[position]!;
            return client.adsServeOne(
              adKeys.day(candidate.placementId, day),
              adKeys.customers(candidate.placementId, day),
              options.frequencyCap,
              options.customerId ?? '',
              AD_COUNTER_TTL_SECONDS,
              candidate.dailyBudgetCents,
              candidate.cpcCents,
            );
          }),
        );
        answers.forEach((answer, n) => {
          if (answer !== 1) return;
          served.add(round[n]!);
          shops.add(candidates[round[n]!]!.merchantId);
        });
      }
      return [...served].sort((a, b) => a - b).map((position) => candidates[position]!);
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

    /**
     * The counters of each (placement, day), zeros where none were kept. One HMGET each, sent
     * together (auto-pipelined per node): an explicit pipeline must stay in one cluster slot.
     */
    async read(entries: ReadonlyArray<{ placementId: string; day: string }>): Promise<AdDayCounters[]> {
      const rows = await Promise.all(entries.map((entry) => redis.hmget(adKeys.day(entry.placementId, entry.day), 'impressions', 'clicks', 'spentCents')));
      return rows.map(([impressions, clicks, spentCents]) => ({ impressions: Number(impressions ?? 0), clicks: Number(clicks ?? 0), spentCents: Number(spentCents ?? 0) }));
    },
  };
}
export type AdCounters = ReturnType<typeof adCounters>;
