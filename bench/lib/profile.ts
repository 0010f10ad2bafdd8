import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { ROOT } from '../../scripts/lib/paths';

/** The parts of a V8 CPU profile (Chrome DevTools Protocol `Profiler.Profile`) read here. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  /** Sampled CPU time, seconds (idle excluded). */
  busySeconds: number;
  /** Share of busy time by package (node_modules package, node internals, our source, GC). */
  byPackage: Array<{ name: string; share: number }>;
  /** Share of busy time by function (self time). */
  byFunction: Array<{ name: string; share: number }>;
}

/** `@scope/name` or `name` of a node_modules path; the last node_modules wins (pnpm nests them). */
function packageOf(url: string): string {
  if (!url) return '(native or V8)';
  if (url.startsWith('node:')) return 'node internals';
  const marker = '/node_modules/';
  const at = url.lastIndexOf(marker);
  if (at >= 0) {
    const parts = url.slice(at + marker.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? url);
  }
  const file = url.replace(/^file:\/\//, '');
  return file.startsWith(ROOT) ? `waimai ${path.relative(ROOT, file).split('/').slice(0, 2).join('/')}` : file;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** Self time of a V8 CPU profile, grouped by package and by function. */
export function summarizeProfile(profile: CpuProfile, top = 12): ProfileSummary {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  (profile.samples ?? []).forEach((id, index) => {
    const frame = frames.get(id);
    const micros = profile.timeDeltas?.[index] ?? 0;
    if (!frame || frame.functionName === '(idle)') return;
    busy += micros;
    const pkg = frame.functionName === '(garbage collector)' ? '(garbage collector)' : packageOf(frame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
    const name = `${frame.functionName || '(anonymous)'} ${frame.url ? `${packageOf(frame.url)}:${frame.lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  });
  const ranked = (map: Map<string, number>) =>
    [...map]
      .sort(([, a], [, b]) => b - a)
      .slice(0, top)
      .map(([name, micros]) => ({ name, share: round3(micros / Math.max(1, busy)) }));
  return { busySeconds: round3(busy / 1e6), byPackage: ranked(byPackage), byFunction: ranked(byFunction) };
}

/** The inspector URL a process started with --inspect=127.0.0.1:0 printed to its log. */
export async function inspectorUrl(logFile: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = /Debugger listening on (ws:\/\/\S+)/.exec(readFileSync(logFile, 'utf8'));
    if (match?.[1]) return match[1];
    await sleep(100);
  }
  throw new Error(`No inspector URL in ${logFile}.`);
}

/**
 * A running service's V8, over the DevTools protocol of its loopback inspector: a CPU
 * profiler for only the timed part of a scenario (node --cpu-prof would profile start-up
 * and set-up too; 1 ms sampling, node's default), and a full garbage collection before
 * memory is read.
 */
export class RemoteInspector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (result: unknown) => void; reject: (err: Error) => void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result);
    });
  }

  static async attach(url: string): Promise<RemoteInspector> {
    const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 512 * 2 ** 20 });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const inspector = new RemoteInspector(socket);
    await inspector.call('Profiler.enable');
    await inspector.call('Profiler.setSamplingInterval', { interval: 1000 });
    return inspector;
  }

  /** A full, blocking garbage collection: what is left is what the process really holds. */
  async collectGarbage(): Promise<void> {
    await this.call('HeapProfiler.collectGarbage');
  }

  private call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId;
    this.nextId += 1;
    return new Promise((resolve, reject) => {
      // 60 s: stopping a long profile serialises megabytes of JSON.
      const timer = setTimeout(() => reject(new Error(`${method} got no answer within 60 s`)), 60_000);
      this.pending.set(id, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  async start(): Promise<void> {
    await this.call('Profiler.start');
  }

  async stop(): Promise<CpuProfile> {
    const result = (await this.call('Profiler.stop')) as { profile: CpuProfile };
    return result.profile;
  }

  close(): void {
    this.socket.close();
  }
}
