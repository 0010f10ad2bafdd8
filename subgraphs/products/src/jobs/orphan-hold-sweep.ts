import { repeatEvery, type Logger } from '@waimai/platform';
import type { StockService } from '../domain/stock';

/**
 * Runs the stock service's orphan-hold sweep every `intervalMs`, one round at a time; `stop`
 * waits for the current round. Safe with several replicas (see `sweepOrphans`).
 */
export function startOrphanHoldSweep(stock: Pick<StockService, 'sweepOrphans'>, intervalMs: number, logger: Logger) {
  const log = logger.child({ component: 'orphan-hold-sweep' });
  return repeatEvery(intervalMs, () => stock.sweepOrphans(), (err) => log.error({ err }, 'A stock hold sweep failed.'));
}
