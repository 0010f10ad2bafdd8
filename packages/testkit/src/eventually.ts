export interface EventuallyOptions {
  /** Gives up after this long (default 15 s). */
  timeoutMs?: number;
  /** What is awaited, for the failure message. */
  what?: string;
  /** Pause between probes (default 100 ms). */
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a truthy value, and returns it; fails after the timeout.
 * For conditions reached asynchronously (Kafka consumers, timers): never a sleep.
 */
export async function eventually<T>(
  probe: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  options: EventuallyOptions | number = {},
  what?: string,
): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 100, what: label = what ?? 'condition' } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${label} not met within ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
