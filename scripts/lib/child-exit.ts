import type { ChildProcess } from 'node:child_process';

export interface ChildExit {
  /** Resolves once the process has exited, or could not be started. */
  exited: Promise<void>;
  /** Why it ended (`signal SIGKILL`, `exit code 1`, a spawn error's message); undefined while it runs. */
  reason(): string | undefined;
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
  return { exited, reason: () => reason };
}
