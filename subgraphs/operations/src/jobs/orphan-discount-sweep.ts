import { repeatEvery, type Logger } from '@waimai/platform';
import type { Discounts } from '../domain/discounts';

/**
 * Runs the orphan-discount sweep every `intervalMs`, one round at a time; `stop` waits for
 * the current round. Safe with several replicas (see `sweepOrphans`).
 */
export function startOrphanDiscountSweep(discounts: Pick<Discounts, 'sweepOrphans'>, intervalMs: number, logger: Logger) {
  const log = logger.child({ component: 'orphan-discount-sweep' });
  return repeatEvery(intervalMs, () => discounts.sweepOrphans(), (err) => log.error({ err }, 'A discount hold sweep failed.'));
}
