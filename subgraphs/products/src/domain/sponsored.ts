import type { AdCounters, GeoPoint, Logger } from '@waimai/platform';
import type { AdPlacementStore } from '../db/ad-placement-store';
import type { MerchantRow } from '../db/schema';

/** The widest area a placement may cover (operations refuses wider): it bounds the candidates' box. */
export const MAX_AD_RADIUS_METERS = 50_000;
// 20 candidates per page: enough to fill ADS_MAX_SPONSORED slots past shops already on the
// page, capped customers and spent budgets, while the Redis script stays a few microseconds.
export const AD_CANDIDATE_LIMIT = 20;
// Every third position from the top: sponsored shops lead the page without taking it over.
const SPONSORED_EVERY = 3;

/** One row of merchantsNearby. */
export interface NearbyShop {
  merchant: MerchantRow;
  distanceMeters: number;
  sponsored: boolean;
  /** The placement a sponsored row was served for (the id recordAdClick takes); null for organic rows. */
  adPlacementId: string | null;
}

export interface NearbyShopsDeps {
  merchants: { deliveringTo(near: GeoPoint, limit: number): Promise<Array<{ merchant: MerchantRow; distanceMeters: number }>> };
  placements: Pick<AdPlacementStore, 'candidates'>;
  counters: Pick<AdCounters, 'serve'>;
  /** ADS_MAX_SPONSORED: 0 turns ads off (no placement query, no Redis). */
  maxSponsored: number;
  /** ADS_FREQUENCY_CAP: pages per customer, placement and day showing it. */
  frequencyCap: number;
  logger: Logger;
}

/** The sponsored rows placed at positions 0, 3, 6, … among the organic ones (after them when the page is short). */
export function mixSponsored(organic: readonly NearbyShop[], sponsored: readonly NearbyShop[]): NearbyShop[] {
  const page = [...organic];
  sponsored.forEach((row, n) => page.splice(Math.min(n * SPONSORED_EVERY, page.length), 0, row));
  return page;
}

/**
 * merchantsNearby: the organic shops (delivering to `near`, nearest first) with up to
 * `maxSponsored` sponsored shops mixed in. A sponsored shop meets every organic filter (the
 * placement query checks them), is inside its placement's area, is not already on the page,
 * and is shown only while its day's budget covers one more click and the customer has not hit
 * the frequency cap; its impression is counted as the page is served (one Redis script).
 */
export function createNearbyShops(deps: NearbyShopsDeps) {
  const log = deps.logger.child({ component: 'sponsored-shops' });
  return {
    async nearby(near: GeoPoint, limit: number, customerId: string | null, at = new Date()): Promise<NearbyShop[]> {
      const adsOn = deps.maxSponsored > 0;
      // Both queries at once: the ads add their round trip to the page's time only when slower.
      const [found, candidates] = await Promise.all([
        deps.merchants.deliveringTo(near, limit),
        adsOn ? deps.placements.candidates(near, at, AD_CANDIDATE_LIMIT) : Promise.resolve([]),
      ]);
      const organic = found.map((row): NearbyShop => ({ ...row, sponsored: false, adPlacementId: null }));
      const onPage = new Set(organic.map((row) => row.merchant.id));
      const eligible = candidates.filter((candidate) => !onPage.has(candidate.merchant.id));
      if (eligible.length === 0) return organic;
      let served;
      try {
        served = await deps.counters.serve(
          eligible.map((candidate) => ({ placementId: candidate.placementId, merchantId: candidate.merchant.id, dailyBudgetCents: candidate.dailyBudgetCents, cpcCents: candidate.cpcCents })),
          { max: deps.maxSponsored, frequencyCap: deps.frequencyCap, customerId, at },
        );
      } catch (err) {
        // Ads are an extra: without Redis the page is served without them, never refused.
        log.warn({ err }, 'The ad counters did not answer; the page is served without sponsored shops.');
        return organic;
      }
      const byPlacement = new Map(eligible.map((candidate) => [candidate.placementId, candidate]));
      const sponsored = served.map((ad): NearbyShop => {
        const candidate = byPlacement.get(ad.placementId)!;
        return { merchant: candidate.merchant, distanceMeters: candidate.distanceMeters, sponsored: true, adPlacementId: candidate.placementId };
      });
      return mixSponsored(organic, sponsored);
    },
  };
}
export type NearbyShops = ReturnType<typeof createNearbyShops>;
