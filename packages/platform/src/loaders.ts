import DataLoader from 'dataloader';

/**
 * A per-request DataLoader of rows by id: one `load(ids)` query per batch, null for an id
 * with no row (missing and hidden alike, when `load` filters).
 */
export function loaderById<T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = new Map((await load(ids)).map((row) => [row.id, row]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

/**
 * A per-request DataLoader of the rows belonging to each key (an order's items, its
 * payments): one `load(keys)` query per batch, rows kept in the order `load` returns them,
 * an empty list for a key with none.
 */
export function loaderOfGroups<T>(load: (keys: readonly string[]) => Promise<T[]>, keyOf: (row: T) => string): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (keys) => {
    const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
    for (const row of await load(keys)) groups.get(keyOf(row))?.push(row);
    return keys.map((key) => groups.get(key) ?? []);
  });
}

export interface WhileBusyOptions {
  /** Runs under way at once; a request arriving while this many run waits for the next. */
  concurrency: number;
  /** Requests one run takes at most. */
  maxBatch: number;
}

/**
 * Group commit for requests that each need a transaction: `run` takes requests together and
 * answers each (an Error for one that failed alone). A request arriving while fewer than
 * `concurrency` runs are under way goes at once (with the requests of the same tick), so a lone
 * request waits for nothing; one arriving while they are all busy waits, and the requests that
 * gathered meanwhile go together as the next run, at most `maxBatch` each. Under load one run's
 * statements serve many requests; the batch grows with the load, never with a timer.
 * DataLoader without its cache (each request is its own, even with equal inputs).
 */
export function whileBusy<I, O>(run: (inputs: readonly I[]) => Promise<ReadonlyArray<O | Error>>, options: WhileBusyOptions): (input: I) => Promise<O> {
  let running = 0;
  const waiting: Array<() => void> = [];
  const finished = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  const loader = new DataLoader<I, O, I>(
    async (inputs) => {
      try {
        return await run(inputs);
      } finally {
        finished();
      }
    },
    {
      cache: false,
      maxBatchSize: options.maxBatch,
      // Called as a batch opens: it is dispatched after this tick when a run is free, else when one finishes (taking its slot).
      batchScheduleFn: (dispatch) => {
        if (running < options.concurrency) {
          running += 1;
          process.nextTick(dispatch);
        } else {
          waiting.push(dispatch);
        }
      },
    },
  );
  return (input) => loader.load(input);
}
