import { repeatEvery, type Logger } from '@waimai/platform';
import type { LocationIndex } from '../db/location-index';
import type { RiderStore } from '../db/rider-store';

// Riders persisted per Redis round trip; a city's riders take a handful of batches.
const PERSIST_BATCH = 500;

export interface LocationJobsOptions {
  index: LocationIndex;
  store: RiderStore;
  persistIntervalMs: number;
  sweepIntervalMs: number;
  logger: Logger;
}

export interface LocationJobs {
  /** Copies every unsaved live location to MySQL now (tests, shutdown). */
  persist(): Promise<number>;
  /** Drops silent riders from the idle set now. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The location work that stays off the report path: persisting live locations to MySQL (each
 * rider at most once per interval, whatever their report rate) and sweeping riders who went
 * silent out of the idle set. Safe with many replicas: SPOP hands each rider to one of them,
 * and the sweep is one idempotent script.
 */
export function startLocationJobs({ index, store, persistIntervalMs, sweepIntervalMs, logger }: LocationJobsOptions): LocationJobs {
  const log = logger.child({ component: 'location-jobs' });

  async function persist(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await index.takeUnsaved(PERSIST_BATCH);
      if (batch.length === 0) return total;
      try {
        await store.saveLocations(batch);
      } catch (err) {
        await index.markUnsaved(batch.map((entry) => entry.riderId));
        throw err;
      }
      total += batch.length;
    }
  }

  const every = (intervalMs: number, what: string, job: () => Promise<number>) =>
    repeatEvery(intervalMs, job, (err) => log.error({ err }, `${what} failed; retrying on the next tick.`));
  const jobs = [every(persistIntervalMs, 'Persisting rider locations', persist), every(sweepIntervalMs, 'Sweeping silent riders', () => index.sweep())];

  return {
    persist,
    sweep: () => index.sweep(),
    async stop() {
      await Promise.all(jobs.map((job) => job.stop()));
      // What the last interval collected is not lost with the process.
      await persist().catch((err: unknown) => log.error({ err }, 'The last location persist failed.'));
    },
  };
}
