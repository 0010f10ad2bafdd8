import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchExit } from '../../../scripts/lib/child-exit';
const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The waimai services as separate OS processes, the way production runs them: each is its
 * package's `src/index.ts` under tsx, configured by environment only. The process is
 * `node --import tsx src/index.ts` (what the `tsx` CLI runs in its child) rather than the
 * `tsx` wrapper, so that the pid is the service itself: its CPU time can be read from
 * /proc and a stop signal reaches it directly.
 */
export interface ServiceProcess {
  name: string;
  pid: number;
  port: number;
  baseUrl: string;
  /** Its internal admin port: /readyz, /metrics. */
  adminUrl: string;
  logFile: string;
  /** What it was started with: spawnService(options) again restarts it on the same ports. */
  options: SpawnOptions;
  /** Why it exited, once it has. */
  exitReason(): string | undefined;
  stop(): Promise<void>;
  /** SIGKILL, as a crash: no shutdown step runs. Resolves once the process is gone. */
  kill(): Promise<void>;
}

// 120 s: a cold tsx compile of every module plus Kafka groups joining, with the rest of the
// platform starting beside it on 2 cores.
const READY_TIMEOUT_MS = 120_000;
// 15 s: each service drains within SHUTDOWN_TIMEOUT_MS (10 s) on SIGTERM.
const KILL_AFTER_MS = 15_000;

/** `count` ports that were free a moment ago (listened on together, so all differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

export interface SpawnOptions {
  name: string;
  /** The package folder, e.g. subgraphs/riders or gateway. */
  dir: string;
  port: number;
  adminPort: number;
  env: Record<string, string>;
  logDir: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: readonly string[];
  /**
   * Run the compiled JavaScript of this folder (scripts/build-runtime.ts's output, as the
   * production image does: `node --enable-source-maps src/index.js`) instead of the TypeScript
   * source under tsx.
   */
  runtimeRoot?: string;
}

export function spawnService(options: SpawnOptions): ServiceProcess {
  const logFile = path.join(options.logDir, `${options.name}.log`);
  const out = openSync(logFile, 'a');
  const entry = options.runtimeRoot ? ['--enable-source-maps', 'src/index.js'] : ['--import', 'tsx', 'src/index.ts'];
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry], {
    cwd: path.join(options.runtimeRoot ?? ROOT, options.dir),
    env: options.env,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const watched = watchExit(child);
  const exitReason = watched.reason;
  return {
    name: options.name,
    pid: child.pid ?? -1,
    port: options.port,
    baseUrl: `http://127.0.0.1:${options.port}`,
    adminUrl: `http://127.0.0.1:${options.adminPort}`,
    logFile,
    options,
    exitReason,
    kill: () => watched.kill(),
    stop: () => watched.stop(KILL_AFTER_MS),
  };
}

/** Polls /readyz on the admin port until it answers 200; fails when the process dies or the time is up. */
export async function waitUntilReady(service: ServiceProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const dead = service.exitReason();
    if (dead) throw new Error(`${service.name} exited while starting (${dead}); see ${service.logFile}.`);
    try {
      const response = await fetch(`${service.adminUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(250);
  }
  throw new Error(`${service.name} was not ready within ${READY_TIMEOUT_MS / 1000} s (last answer: ${last}); see ${service.logFile}.`);
}
