import { repeatEvery, type Logger } from '@waimai/platform';
import type { Dispatcher } from '../domain/dispatch';

export interface EmptyRoundRetries {
  /** Runs one sweep now (tests). */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Every `intervalMs`, plans again the dispatch rounds that reached nobody and are due (see
 * Dispatcher.retryEmptyRounds). Safe with many replicas: each round is claimed with a
 * conditional UPDATE before it is worked on. A tick that is still running skips the next.
 */
export function startEmptyRoundRetries(dispatcher: Dispatcher, intervalMs: number, logger: Logger): EmptyRoundRetries {
  const log = logger.child({ component: 'empty-round-retries' });
  const repeating = repeatEvery(intervalMs, () => dispatcher.retryEmptyRounds(), (err) =>
    log.error({ err }, 'Sweeping the rounds that reached nobody failed; retrying on the next tick.'),
  );
  return { sweep: () => dispatcher.retryEmptyRounds(), stop: () => repeating.stop() };
}
