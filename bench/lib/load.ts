import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Measurement } from './context';
import { HttpClient, type HttpResult } from './http';
import type { CpuShare } from './machine';
import { summarize, type LatencySummary } from './stats';

/** One request of a load loop: POSTed to `path` of the loop's base URL. */
export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** null: the answer is what was asked for; otherwise the kind of failure, counted by kind. */
export type AnswerCheck = (result: HttpResult, n: number) => string | null;

export interface ClosedLoopOptions {
  baseUrl: string;
  /** Keep-alive connections, each sending its next request as soon as its answer is read. */
  clients: number;
  warmupMs: number;
  measureMs: number;
  /** The n-th request (n counts from 0 over the whole loop, warm-up included). Built before the clock is read. */
  request(n: number): LoadRequest | Promise<LoadRequest>;
  check: AnswerCheck;
  /** Starts the CPU (and profile) measurement when the measured window opens; ended when the loop is done. */
  measure?: () => Promise<Measurement>;
}

export interface LoadResult {
  /** Requests answered within the measured window (sent in it), whatever the answer. */
  measured: number;
  ok: number;
  errors: Record<string, number>;
  /** ok answers per second of the measured window. */
  okPerSecond: number;
  latencyMs: LatencySummary;
  /** Every request of the loop, warm-up included: to relate counters read before and after it. */
  sentInAll: number;
  measuredSeconds: number;
  cpu?: Record<string, CpuShare>;
}

const failureOf = (err: unknown) => (err instanceof Error ? err.message.slice(0, 60) : 'error');

/**
 * Closed loop: `clients` keep-alive connections, each sending a request as soon as the last
 * answer came back, for warm-up plus the measured window. Only requests sent inside the
 * window count; the connections are opened before the loop starts.
 */
export async function closedLoop(options: ClosedLoopOptions): Promise<LoadResult> {
  const http = new HttpClient(options.baseUrl, options.clients);
  await http.warm(options.clients);
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  let ok = 0;
  let sentInAll = 0;
  let next = 0;
  const measureFrom = performance.now() + options.warmupMs;
  const measureUntil = measureFrom + options.measureMs;
  let measurement: Promise<Measurement> | undefined;
  const timer = setTimeout(() => {
    measurement = options.measure?.();
  }, options.warmupMs);
  const fail = (kind: string) => errors.set(kind, (errors.get(kind) ?? 0) + 1);
  const client = async () => {
    for (;;) {
      const n = next;
      next += 1;
      const request = await options.request(n);
      const sentAt = performance.now();
      if (sentAt >= measureUntil) return;
      sentInAll += 1;
      const counted = sentAt >= measureFrom;
      try {
        const result = await http.request('POST', request.path, request.headers, request.body);
        if (!counted) continue;
        latencies.push(result.ms);
        const failure = options.check(result, n);
        if (failure === null) ok += 1;
        else fail(failure);
      } catch (err) {
        if (counted) fail(failureOf(err));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.clients }, client));
  } finally {
    clearTimeout(timer);
    http.close();
  }
  const cpu = measurement ? await (await measurement).end() : undefined;
  const seconds = options.measureMs / 1000;
  return {
    measured: latencies.length,
    ok,
    errors: Object.fromEntries(errors),
    okPerSecond: Math.round((ok / seconds) * 10) / 10,
    latencyMs: summarize(latencies),
    sentInAll,
    measuredSeconds: seconds,
    ...(cpu ? { cpu } : {}),
  };
}

export interface OpenLoopOptions {
  baseUrl: string;
  /** Requests per second, each sent at its scheduled time whatever the earlier ones are doing. */
  rate: number;
  durationMs: number;
  /** Connections the generator may open (as many as requests in flight, up to this). */
  maxSockets: number;
  request(n: number): LoadRequest;
  check: AnswerCheck;
  measure?: () => Promise<Measurement>;
}

export interface OpenLoopResult {
  scheduled: number;
  ok: number;
  errors: Record<string, number>;
  /** From the scheduled send time to the last byte of the answer: a late send counts against the server (no coordinated omission). */
  latencyMs: LatencySummary;
  /** How late the generator sent against its schedule. */
  sendLagMs: LatencySummary;
  maxInFlight: number;
  /** ok answers per second from the first scheduled send to the last answer. */
  achievedPerSecond: number;
  /** From the last request sent to the last answer read. */
  lastAnswerAfterLastSendMs: number;
  cpu?: Record<string, CpuShare>;
}

/** Open loop: `rate` requests per second for `durationMs`, then waits for every answer (the client's own 30 s timeout bounds it). */
export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const http = new HttpClient(options.baseUrl, options.maxSockets);
  await http.warm(Math.min(options.maxSockets, 16));
  const count = Math.round((options.rate * options.durationMs) / 1000);
  const requests = Array.from({ length: count }, (_, n) => options.request(n));
  const interval = 1000 / options.rate;
  const latencies: number[] = [];
  const lags: number[] = [];
  const errors = new Map<string, number>();
  const fail = (kind: string) => errors.set(kind, (errors.get(kind) ?? 0) + 1);
  let ok = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let lastAnswer = 0;
  const pending: Array<Promise<void>> = [];
  const measurement = options.measure?.();
  const start = performance.now() + 5;
  for (const [n, request] of requests.entries()) {
    const due = start + n * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    lags.push(performance.now() - due);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    pending.push(
      http.request('POST', request.path, request.headers, request.body).then(
        (result) => {
          inFlight -= 1;
          lastAnswer = performance.now();
          latencies.push(lastAnswer - due);
          const failure = options.check(result, n);
          if (failure === null) ok += 1;
          else fail(failure);
        },
        (err: unknown) => {
          inFlight -= 1;
          lastAnswer = performance.now();
          latencies.push(lastAnswer - due);
          fail(failureOf(err));
        },
      ),
    );
  }
  const lastSent = performance.now();
  await Promise.all(pending);
  http.close();
  const cpu = measurement ? await (await measurement).end() : undefined;
  return {
    scheduled: count,
    ok,
    errors: Object.fromEntries(errors),
    latencyMs: summarize(latencies),
    sendLagMs: summarize(lags),
    maxInFlight,
    achievedPerSecond: Math.round((ok / Math.max(1e-9, (lastAnswer - start) / 1000)) * 10) / 10,
    lastAnswerAfterLastSendMs: Math.round(Math.max(0, lastAnswer - lastSent)),
    ...(cpu ? { cpu } : {}),
  };
}

/** Names of cpuWindow entries that are not the platform's own processes. */
const NOT_PLATFORM = /^bench \(load generator\)$|^everything else/;

/** CPU seconds of the platform's processes (services, MySQL, Redis, Kafka; not the generator, not other processes) in a window. */
export function platformCpuSeconds(cpu: Record<string, CpuShare> | undefined, exclude: readonly string[] = []): number {
  if (!cpu) return NaN;
  return Object.entries(cpu)
    .filter(([name]) => !NOT_PLATFORM.test(name) && !exclude.includes(name))
    .reduce((sum, [, share]) => sum + share.seconds, 0);
}

/** The same as cores busy (CPU seconds per wall second). */
export function platformCores(cpu: Record<string, CpuShare> | undefined, exclude: readonly string[] = []): number {
  if (!cpu) return NaN;
  return Object.entries(cpu)
    .filter(([name]) => !NOT_PLATFORM.test(name) && !exclude.includes(name))
    .reduce((sum, [, share]) => sum + share.cores, 0);
}

export const round = (value: number, digits = 2) => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};
