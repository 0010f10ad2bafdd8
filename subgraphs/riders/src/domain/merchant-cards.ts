import type { Logger, MerchantCardAnswer, MerchantsApiClient } from '@waimai/platform';
import { LRUCache } from 'lru-cache';

export type MerchantCard = NonNullable<MerchantCardAnswer['card']>;

/**
 * Shops' public cards (name, address, location) as products last answered them, kept for
 * `ttlMs` and up to 10,000 shops. A shop's card is asked once per `ttlMs`, not once per batch of
 * rounds: one call per shop in flight at a time, a card past its time used while it is asked
 * again, and kept when that call fails (a shop with no card yet has none: `fetch` answers
 * undefined, and the failure is logged). A card is display text; a rename or a move reaches
 * offers about `ttlMs` late (docs/performance/paid-order-batches.md).
 */
export function merchantCards(merchants: Pick<MerchantsApiClient, 'merchantCard'>, ttlMs: number, log: Logger) {
  return new LRUCache<string, MerchantCard>({
    max: 10_000,
    ttl: ttlMs,
    allowStale: true,
    noDeleteOnStaleGet: true,
    allowStaleOnFetchRejection: true,
    fetchMethod: async (merchantId) => {
      try {
        return (await merchants.merchantCard({ params: { merchantId } })).value.card ?? undefined;
      } catch (err) {
        log.warn({ err, merchantId }, 'Products did not answer the shop\'s card; offers go out with the card kept, or without one.');
        throw err;
      }
    },
  });
}
