import type { Logger } from '@waimai/platform';
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
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = dispatcher
      .retryEmptyRounds()
      .catch((err: unknown) => log.error({ err }, 'Sweeping the rounds that reached nobody failed; retrying on the next tick.'))
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();

  return {
    sweep: () => dispatcher.retryEmptyRounds(),
    async stop() {
      clearInterval(timer);
      if (running) await running;
    },
  };
}
