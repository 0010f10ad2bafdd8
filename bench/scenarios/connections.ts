import { execFile, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { mintToken, newId } from '@waimai/platform';
import { ROOT } from '../../scripts/lib/paths';
import type { BenchContext, Scenario, ScenarioOutcome } from '../lib/context';
import { cpuWindow, metricsPage, metricValue } from '../lib/machine';
import { inspectorUrl, RemoteInspector } from '../lib/profile';
import { table } from '../lib/stats';
import type { WorkerReply, WorkerRequest } from './connections-worker';

// 2 generator processes: one per core; each holds half the sockets.
const WORKERS = 2;
// Sockets being opened at once per worker: keeps the gateway's accept backlog (511) far from full.
const OPEN_CONCURRENCY = 100;
// A batch that fails more than this share of its sockets ends the climb: the gateway is at its limit.
const MAX_FAILED_SHARE = 0.05;
// 2 minutes per batch at most: a batch slower than that means the gateway is not keeping up.
const BATCH_TIMEOUT_MS = 120_000;

interface GatewayMemory {
  rssBytes: number;
  heapUsedBytes: number;
  sockets: number;
  subscriptions: number;
}

/** The gateway's memory after a full garbage collection (what it holds, not what it has not collected yet). */
async function gatewayMemory(adminUrl: string, inspector?: RemoteInspector): Promise<GatewayMemory> {
  await inspector?.collectGarbage();
  const page = await metricsPage(adminUrl);
  return {
    rssBytes: metricValue(page, 'process_resident_memory_bytes') ?? NaN,
    heapUsedBytes: metricValue(page, 'nodejs_heap_size_used_bytes') ?? NaN,
    sockets: metricValue(page, 'waimai_gateway_websocket_connections') ?? NaN,
    subscriptions: metricValue(page, 'waimai_gateway_subscriptions', 'field="orderOffers"') ?? 0,
  };
}

class Worker {
  private readonly child: ChildProcess;
  private waiting: ((reply: WorkerReply) => void) | null = null;

  constructor() {
    this.child = fork(path.join(__dirname, 'connections-worker.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (reply: WorkerReply) => {
      const waiter = this.waiting;
      this.waiting = null;
      waiter?.(reply);
    });
  }

  ask(request: WorkerRequest, timeoutMs: number): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`a generator process did not answer '${request.type}' within ${timeoutMs / 1000} s`)), timeoutMs);
      this.waiting = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
      this.child.send(request);
    });
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** The soft limit of open files of a process (Max open files in /proc/<pid>/limits), or null off Linux. */
function openFilesLimit(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((entry) => entry.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined ? null : soft === 'unlimited' ? Infinity : Number(soft);
  } catch {
    return null;
  }
}

/**
 * Each socket is a file descriptor: a gateway meant to hold N sockets needs a limit above N, as
 * a production host or container sets it (this machine's default is 20,000). Raised for the
 * scenario's own gateway process with prlimit when the bench may (root); otherwise left as it is
 * and said, since the climb then stops at the limit.
 */
async function raiseOpenFiles(pid: number, wanted: number, say: (message: string) => void): Promise<number | null> {
  const current = openFilesLimit(pid);
  if (current !== null && current >= wanted) return current;
  try {
    await promisify(execFile)('prlimit', ['--pid', String(pid), `--nofile=${wanted}:${wanted}`]);
  } catch (err) {
    say(`Could not raise the gateway's open-file limit to ${wanted} (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); it stays ${current ?? 'unknown'}.`);
  }
  return openFilesLimit(pid);
}

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

async function run(context: BenchContext, target: number): Promise<ScenarioOutcome> {
  const { platform, quick, say } = context;
  const wanted = quick ? Math.min(target, 1_000) : target;
  const batchSize = quick ? 250 : 1_000;

  say(`Starting a gateway process of its own for this scenario (a clean baseline for its memory).`);
  // With a loopback inspector, to run a full garbage collection before each memory reading.
  const gateway = await platform.startGateway('gateway-connections', ['--inspect=127.0.0.1:0']);
  const inspector = await RemoteInspector.attach(await inspectorUrl(gateway.logFile));
  // The sockets, plus room for the process's own files and connections.
  const openFiles = await raiseOpenFiles(gateway.pid, wanted + 4_096, say);
  // Below the limit, with 512 descriptors left for the process's own (logs, Kafka, Redis, the admin port): the figure is then
  // what one process holds at this limit, rather than a gateway that ran out of descriptors mid-batch.
  const goal = openFiles !== null && Number.isFinite(openFiles) && openFiles - 512 < wanted ? Math.max(0, openFiles - 512) : wanted;
  if (goal < wanted) say(`The gateway process may open ${openFiles} files: opening ${goal} sockets instead of ${wanted}.`);
  const wsUrl = `${gateway.baseUrl.replace(/^http/, 'ws')}/graphql`;
  say(`Minting ${goal} rider tokens.`);
  const tokens = await Promise.all(Array.from({ length: goal }, () => mintToken(platform.config.JWT_SECRET, { sub: `rider-${newId()}`, roles: ['RIDER'] }, '4h')));
  const workers = Array.from({ length: WORKERS }, () => new Worker());
  const batches: Array<Record<string, number>> = [];
  const errors = new Map<string, number>();
  let opened = 0;
  let failed = 0;
  let stoppedBecause: string | null = null;
  const workerCpu = new Array<number>(WORKERS).fill(0);
  try {
    await sleep(3_000);
    // The generator processes' CPU so far (starting up) is not the scenario's.
    const cpuAtStart = await Promise.all(workers.map((worker) => worker.ask({ type: 'cpu' }, 30_000)));
    const generatorBaseline = cpuAtStart.reduce((sum, reply) => sum + (reply.type === 'cpu' ? reply.cpuSeconds : 0), 0);
    const before = await gatewayMemory(gateway.adminUrl, inspector);
    const cpu = cpuWindow([...context.processes(), { name: 'gateway-connections', pid: gateway.pid }]);
    const started = performance.now();
    say(`Opening ${goal} sockets to one gateway process in batches of ${batchSize} (${WORKERS} generator processes).`);
    for (let offset = 0; offset < goal; offset += batchSize) {
      const batch = tokens.slice(offset, offset + batchSize);
      const batchStarted = performance.now();
      const share = Math.ceil(batch.length / WORKERS);
      let replies: WorkerReply[];
      try {
        replies = await Promise.all(
          workers.map((worker, index) => worker.ask({ type: 'batch', url: wsUrl, tokens: batch.slice(index * share, (index + 1) * share), concurrency: OPEN_CONCURRENCY }, BATCH_TIMEOUT_MS)),
        );
      } catch (err) {
        stoppedBecause = err instanceof Error ? err.message : String(err);
        break;
      }
      let batchOpened = 0;
      let batchFailed = 0;
      replies.forEach((reply, index) => {
        if (reply.type !== 'batch') return;
        batchOpened += reply.opened;
        batchFailed += reply.failed;
        workerCpu[index] = reply.cpuSeconds;
        for (const [kind, n] of Object.entries(reply.errors)) errors.set(kind, (errors.get(kind) ?? 0) + n);
      });
      opened += batchOpened;
      failed += batchFailed;
      const seconds = (performance.now() - batchStarted) / 1000;
      batches.push({ upTo: opened, opened: batchOpened, failed: batchFailed, seconds: Math.round(seconds * 100) / 100, perSecond: Math.round(batchOpened / seconds) });
      if (gateway.exitReason()) {
        stoppedBecause = `the gateway exited (${gateway.exitReason()})`;
        break;
      }
      if (batchFailed > batch.length * MAX_FAILED_SHARE) {
        stoppedBecause = `${batchFailed} of ${batch.length} sockets of the batch up to ${offset + batch.length} failed`;
        break;
      }
    }
    // graphql-ws does not acknowledge a subscribe: the gateway's own gauge says when all run.
    const deadline = performance.now() + 60_000;
    let after = await gatewayMemory(gateway.adminUrl);
    while (after.subscriptions < opened && performance.now() < deadline && !gateway.exitReason()) {
      await sleep(200);
      after = await gatewayMemory(gateway.adminUrl);
    }
    const allSubscribedMs = performance.now() - started;
    const generatorSeconds = workerCpu.reduce((a, b) => a + b, 0) - generatorBaseline;
    const cpuShares = cpu.end({ generator: generatorSeconds });
    await sleep(2_000);
    after = await gatewayMemory(gateway.adminUrl, inspector);

    say('Closing the sockets.');
    const closed = await Promise.all(workers.map((worker) => worker.ask({ type: 'close' }, 60_000)));
    const socketProblems = new Map<string, number>();
    closed.forEach((reply, index) => {
      if (reply.type !== 'closed') return;
      workerCpu[index] = reply.cpuSeconds;
      for (const [kind, n] of Object.entries(reply.problems)) socketProblems.set(kind, (socketProblems.get(kind) ?? 0) + n);
    });
    await sleep(3_000);
    const released = await gatewayMemory(gateway.adminUrl, inspector);

    const perConnection = {
      rssKiB: Math.round((after.rssBytes - before.rssBytes) / Math.max(1, after.subscriptions) / 102.4) / 10,
      heapKiB: Math.round((after.heapUsedBytes - before.heapUsedBytes) / Math.max(1, after.subscriptions) / 102.4) / 10,
    };
    const seconds = allSubscribedMs / 1000;
    const printed = [
      `${after.subscriptions} of ${goal} sockets subscribed on one gateway process in ${seconds.toFixed(1)} s (${Math.round(after.subscriptions / seconds)}/s)${stoppedBecause ? `; stopped: ${stoppedBecause}` : ''}; failed ${failed}`,
      table([
        ['gateway', 'sockets', 'subscriptions', 'RSS MiB', 'heap used MiB'],
        ['before', before.sockets, before.subscriptions, mib(before.rssBytes), mib(before.heapUsedBytes)],
        ['all connected', after.sockets, after.subscriptions, mib(after.rssBytes), mib(after.heapUsedBytes)],
        ['after closing', released.sockets, released.subscriptions, mib(released.rssBytes), mib(released.heapUsedBytes)],
      ]),
      `per connection (after a full GC): RSS ${perConnection.rssKiB} KiB, heap ${perConnection.heapKiB} KiB; gateway CPU while connecting ${cpuShares['gateway-connections']?.cores ?? '-'} cores; generator processes ${Math.round(generatorSeconds * 10) / 10} CPU s`,
      errors.size ? `errors: ${JSON.stringify(Object.fromEntries(errors))}` : '',
      goal < wanted ? `capped at ${goal.toLocaleString('en-US')} of ${wanted.toLocaleString('en-US')}: the gateway process may hold at most ${openFiles} open files (sockets included), and the bench could not raise that limit` : '',
    ]
      .filter(Boolean)
      .join('\n');
    return {
      parameters: { target: wanted, socketsToOpen: goal, batchSize, generatorProcesses: WORKERS, openConcurrencyPerProcess: OPEN_CONCURRENCY, gatewayOpenFilesLimit: openFiles },
      figures: {
        subscribed: after.subscriptions,
        gatewayOpenFilesLimit: openFiles,
        cappedByOpenFilesLimit: goal < wanted,
        opened,
        failed,
        stoppedBecause,
        connectAllSeconds: Math.round(seconds * 100) / 100,
        connectionsPerSecond: Math.round(after.subscriptions / seconds),
        memory: { before, allConnected: after, afterClosing: released },
        perConnection,
        batches,
        errors: Object.fromEntries(errors),
        socketProblems: Object.fromEntries(socketProblems),
        generatorCpuSeconds: Math.round(generatorSeconds * 100) / 100,
      },
      cpu: cpuShares,
      printed,
    };
  } finally {
    for (const worker of workers) worker.kill();
    inspector.close();
    await gateway.stop();
  }
}

export function connectionsScenario(target: number): Scenario {
  return {
    name: 'connections',
    what: 'graphql-ws sockets (RIDER token, one OrderOffers subscription each) held by one gateway process',
    aim: '≥ 20,000 connections on one gateway process, ≤ 16 KiB heap each (after a full GC)',
    run: (context) => run(context, target),
  };
}
