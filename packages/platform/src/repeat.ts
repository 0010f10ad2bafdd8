/**
 * Runs `job` every `intervalMs`, one run at a time: a tick that finds the previous run still
 * going is skipped, so a slow run never piles up behind itself. A failed run goes to `onError`
 * and the next tick tries again. `stop` clears the timer and waits for the run under way.
 * The timer never keeps the process alive. For timers and sweeps in a service's jobs/.
 */
export function repeatEvery(intervalMs: number, job: () => Promise<unknown>, onError: (err: unknown) => void): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = job()
      .then(() => undefined, onError)
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      if (running) await running;
    },
  };
}
