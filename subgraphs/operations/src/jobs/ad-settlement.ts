import { repeatEvery, type Logger } from '@waimai/platform';
import type { Ads } from '../domain/ads';

/**
 * Settles the ads' Redis counters into MySQL every `intervalMs`, one round at a time; `stop`
 * waits for the current round. Safe with several replicas: settling keeps the larger value.
 */
export function startAdSettlement(ads: Pick<Ads, 'settle'>, intervalMs: number, logger: Logger) {
  const log = logger.child({ component: 'ad-settlement' });
  return repeatEvery(intervalMs, () => ads.settle(), (err) => log.error({ err }, 'Settling the ad counters failed.'));
}
