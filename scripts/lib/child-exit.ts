import type { ChildProcess } from 'node:child_process';

export interface ChildExit {
  /** Resolves once the process has exited, or could not be started. */
  exited: Promise<void>;
  /** Why it ended (`signal SIGKILL`, `exit code 1`, a spawn error's message); undefined while it runs. */
  reason(): string | undefined;
  /** SIGTERM, then SIGKILL if it is still there after `killAfterMs`; resolves once it is gone. */
  stop(killAfterMs: number): Promise<void>;
  /** SIGKILL, as a crash; resolves once it is gone. */
  kill(): Promise<void>;
}

/** Watches a spawned process's end, for the scripts and tests that start servers of their own. */
export function watchExit(child: ChildProcess): ChildExit {
  let reason: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      reason = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    });
    child.once('error', (err) => {
      reason = err.message;
      resolve();
    });
  });
  return {
    exited,
    reason: () => reason,
    async stop(killAfterMs) {
      if (reason !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (reason !== undefined) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
