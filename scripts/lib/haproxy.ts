import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SUBGRAPHS, type SubgraphName } from '@waimai/platform';
import { ROOT } from './paths';
import { watchExit } from './child-exit';

/**
 * HAProxy in front of N replicas of every service (deploy/haproxy/haproxy.cfg, explained in
 * docs/load-balancer.md): the environment that gives the config its ports, checking it, and
 * running it in the foreground for `pnpm start --cluster` and the fault suite.
 */
export const HAPROXY_CONFIG = path.join(ROOT, 'deploy', 'haproxy', 'haproxy.cfg');

/** Replicas per service that haproxy.cfg lists (`server` lines per backend). */
export const LB_REPLICAS = 2;

export type LoadBalancedService = SubgraphName | 'gateway';

export interface ReplicaPorts {
  port: number;
  adminPort: number;
}

export interface LoadBalancerLayout {
  /** Where clients connect: HTTP, websockets, webhooks. */
  publicPort: number;
  /** The address the public port listens on (0.0.0.0 by default; tests use 127.0.0.1). */
  bindAddress?: string;
  /** Each subgraph's internal frontend: its <NAME>_URL points here. */
  subgraphPorts: Record<SubgraphName, number>;
  /** The LB's own /readyz, /metrics, /stats. */
  adminPort: number;
  /** The replicas of each service, LB_REPLICAS of them. */
  replicas: Record<LoadBalancedService, readonly ReplicaPorts[]>;
}

const lbKey = (service: LoadBalancedService) => service.toUpperCase();

/** The variables haproxy.cfg reads ("${LB_...}"), for this layout. */
export function haproxyEnv(layout: LoadBalancerLayout): Record<string, string> {
  const env: Record<string, string> = {
    LB_PUBLIC_PORT: String(layout.publicPort),
    LB_BIND_ADDRESS: layout.bindAddress ?? '0.0.0.0',
    LB_INTERNAL_ADDRESS: '127.0.0.1',
    LB_ADMIN_PORT: String(layout.adminPort),
  };
  for (const { name } of SUBGRAPHS) env[`LB_${lbKey(name)}_PORT`] = String(layout.subgraphPorts[name]);
  for (const [service, replicas] of Object.entries(layout.replicas) as Array<[LoadBalancedService, readonly ReplicaPorts[]]>) {
    if (replicas.length !== LB_REPLICAS) throw new Error(`haproxy.cfg lists ${LB_REPLICAS} replicas of ${service}; ${replicas.length} given.`);
    replicas.forEach(({ port, adminPort }, index) => {
      env[`LB_${lbKey(service)}_${index + 1}_PORT`] = String(port);
      env[`LB_${lbKey(service)}_${index + 1}_ADMIN_PORT`] = String(adminPort);
    });
  }
  return env;
}

/**
 * The ports `pnpm start --cluster` uses, which are also haproxy.cfg's defaults: the LB on the
 * registry's ports (4000, 4001..4005, so every <NAME>_URL default points at it), replica i
 * of a service on its registry port + 100 * i and admin port + 100 * i.
 */
export function defaultClusterLayout(base: { gatewayPort: number; gatewayAdminPort: number; subgraphs: Record<SubgraphName, ReplicaPorts> }): LoadBalancerLayout {
  const replicasOf = ({ port, adminPort }: ReplicaPorts) =>
    Array.from({ length: LB_REPLICAS }, (_, index) => ({ port: port + 100 * (index + 1), adminPort: adminPort + 100 * (index + 1) }));
  const replicas = { gateway: replicasOf({ port: base.gatewayPort, adminPort: base.gatewayAdminPort }) } as Record<LoadBalancedService, ReplicaPorts[]>;
  const subgraphPorts = {} as Record<SubgraphName, number>;
  for (const { name } of SUBGRAPHS) {
    replicas[name] = replicasOf(base.subgraphs[name]);
    subgraphPorts[name] = base.subgraphs[name].port;
  }
  return { publicPort: base.gatewayPort, subgraphPorts, adminPort: base.gatewayAdminPort - 1, replicas };
}

export class HaproxyMissingError extends Error {}

/** HAPROXY_BIN, else haproxy on PATH or in /usr/sbin (where Debian's package puts it). */
export function haproxyBinary(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [
    ...(env.HAPROXY_BIN ? [env.HAPROXY_BIN] : []),
    ...(env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'haproxy')),
    '/usr/sbin/haproxy',
    '/usr/local/sbin/haproxy',
  ];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new HaproxyMissingError('HAProxy is not installed: `sudo apt-get install haproxy` (Debian/Ubuntu), or set HAPROXY_BIN to its path.');
}

/** `haproxy -c`: whether the config is valid with these variables, and what HAProxy said. */
export function checkHaproxyConfig(env: Record<string, string> = {}, config = HAPROXY_CONFIG): { valid: boolean; output: string } {
  const result = spawnSync(haproxyBinary(), ['-c', '-f', config], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
  return { valid: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

export interface RunningHaproxy {
  process: ChildProcess;
  adminUrl: string;
  /** Each server's state as the health checks see it, e.g. { 'gateway/gateway-1': 'UP' }. */
  serverStates(): Promise<Record<string, string>>;
  /** Resolves once every server of every backend is UP; throws after `timeoutMs`. */
  waitUntilAllUp(timeoutMs?: number): Promise<void>;
  /** SIGTERM (HAProxy stops at once), SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/**
 * Runs HAProxy in the foreground (`-db`) with `layout`'s ports, its log lines appended to
 * `logFile`, or left on the child's stdout and stderr for the caller to read (null). The
 * config is checked first, so a mistake is reported as HAProxy says it.
 */
export async function startHaproxy(layout: LoadBalancerLayout, logFile: string | null): Promise<RunningHaproxy> {
  const env = { PATH: process.env.PATH ?? '', ...haproxyEnv(layout) };
  const checked = checkHaproxyConfig(env);
  if (!checked.valid) throw new Error(`${path.relative(ROOT, HAPROXY_CONFIG)} is not valid:\n${checked.output}`);
  const out = logFile === null ? 'pipe' : openSync(logFile, 'a');
  const child = spawn(haproxyBinary(), ['-db', '-f', HAPROXY_CONFIG], { env, stdio: ['ignore', out, out] });
  if (typeof out === 'number') closeSync(out);
  const watched = watchExit(child);
  const exitReason = watched.reason;
  const adminUrl = `http://127.0.0.1:${layout.adminPort}`;

  async function serverStates(): Promise<Record<string, string>> {
    const response = await fetch(`${adminUrl}/stats;csv`, { signal: AbortSignal.timeout(2_000) });
    const [header = '', ...lines] = (await response.text()).split('\n');
    const columns = header.replace(/^# /, '').split(',');
    const [proxy, server, status] = ['pxname', 'svname', 'status'].map((name) => columns.indexOf(name)) as [number, number, number];
    const states: Record<string, string> = {};
    for (const line of lines) {
      const fields = line.split(',');
      const serverName = fields[server];
      if (!serverName || serverName === 'FRONTEND' || serverName === 'BACKEND') continue;
      states[`${fields[proxy]}/${serverName}`] = fields[status] ?? '';
    }
    return states;
  }

  // 5 s: HAProxy closes its listeners at once on SIGTERM.
  const stop = () => watched.stop(5_000);

  // It refuses to start on some problems `-c` does not see (a port taken, a file descriptor limit).
  const answersBy = Date.now() + 15_000;
  for (;;) {
    if (exitReason() !== undefined) throw new Error(`HAProxy exited while starting (${exitReason()})${logFile ? `; see ${logFile}` : ''}.`);
    const answered = await fetch(`${adminUrl}/readyz`, { signal: AbortSignal.timeout(1_000) }).then((response) => response.ok, () => false);
    if (answered) break;
    if (Date.now() > answersBy) {
      await stop();
      throw new Error(`HAProxy did not answer on its admin port ${layout.adminPort} within 15 s${logFile ? `; see ${logFile}` : ''}.`);
    }
    await sleep(100);
  }

  return {
    process: child,
    adminUrl,
    serverStates,
    async waitUntilAllUp(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let last: Record<string, string> = {};
      while (Date.now() < deadline) {
        if (exitReason() !== undefined) throw new Error(`HAProxy exited (${exitReason()})${logFile ? `; see ${logFile}` : ''}.`);
        last = await serverStates().catch(() => ({}));
        const states = Object.values(last);
        if (states.length > 0 && states.every((state) => state === 'UP')) return;
        await sleep(250);
      }
      throw new Error(`Not every replica was UP behind HAProxy within ${timeoutMs / 1000} s: ${JSON.stringify(last)}${logFile ? `; see ${logFile}` : ''}.`);
    },
    stop,
  };
}
