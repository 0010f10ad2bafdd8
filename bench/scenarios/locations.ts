import { performance } from 'node:perf_hooks';
import { moved, randomSource } from '../lib/city';
import type { BenchContext, Measurement, Scenario, ScenarioOutcome } from '../lib/context';
import { REPORT_LOCATION, type Rider } from '../lib/fixtures';
import { HttpClient } from '../lib/http';
import type { CpuShare } from '../lib/machine';
import type { ProfileSummary } from '../lib/profile';
import { summarize, table } from '../lib/stats';

// A rider moves a few meters between two reports (15 km/h is ~4 m/s, reported every second or so).
const STEP_METERS = 5;

interface Window {
  latencies: number[];
  ok: number;
  errors: Map<string, number>;
  perSecond: number[];
}

/**
 * One closed-loop run: `clients` keep-alive connections, each sending reportLocation for its
 * share of the riders, one after the other, as fast as the answers come back. Only requests
 * sent inside the measured window count; the warm-up before it does not.
 */
async function drive(context: BenchContext, riders: readonly Rider[], clients: number, warmupMs: number, measureMs: number): Promise<Window & { seconds: number; cpu: Record<string, CpuShare>; profiles: Record<string, ProfileSummary> }> {
  const http = new HttpClient(context.platform.gatewayUrl, clients);
  await http.warm(clients);
  const random = randomSource(clients);
  const positions = riders.map((rider) => ({ ...rider.home }));
  const window: Window = { latencies: [], ok: 0, errors: new Map(), perSecond: [] };
  const begin = performance.now();
  const measureFrom = begin + warmupMs;
  const measureUntil = measureFrom + measureMs;
  let measurement: Promise<Measurement> | undefined;
  const cpuTimer = setTimeout(() => {
    measurement = context.measure();
  }, warmupMs);
  const fail = (kind: string) => window.errors.set(kind, (window.errors.get(kind) ?? 0) + 1);

  const client = async (k: number) => {
    for (let n = k; ; n += clients) {
      const sentAt = performance.now();
      if (sentAt >= measureUntil) return;
      const index = n % riders.length;
      const rider = riders[index] as Rider;
      const here = moved(positions[index] ?? rider.home, (random() - 0.5) * 2 * STEP_METERS, (random() - 0.5) * 2 * STEP_METERS);
      positions[index] = here;
      const body = JSON.stringify({ query: REPORT_LOCATION, operationName: 'ReportLocation', variables: { location: here } });
      const counted = sentAt >= measureFrom;
      try {
        const result = await http.request('POST', '/graphql', { 'content-type': 'application/json', authorization: `Bearer ${rider.token}` }, body);
        if (!counted) continue;
        window.latencies.push(result.ms);
        const second = Math.floor((sentAt - measureFrom) / 1000);
        window.perSecond[second] = (window.perSecond[second] ?? 0) + 1;
        if (result.status === 200 && result.body.includes('"reportLocation":true')) window.ok += 1;
        else fail(/"code":"([A-Z_]+)"/.exec(result.body)?.[1] ?? `HTTP_${result.status}`);
      } catch (err) {
        if (counted) fail(err instanceof Error ? err.message.slice(0, 60) : 'error');
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, k) => client(k)));
  clearTimeout(cpuTimer);
  const cpuShares = measurement ? await (await measurement).end() : {};
  http.close();
  return { ...window, seconds: measureMs / 1000, cpu: cpuShares, profiles: context.takeProfiles() };
}

async function run(context: BenchContext, clientCounts: readonly number[]): Promise<ScenarioOutcome> {
  const { quick, say } = context;
  const warmupMs = quick ? 1_000 : 3_000;
  const measureMs = quick ? 5_000 : 15_000;
  const { riders } = await context.cityRiders();

  const rows: Array<Array<string | number>> = [['clients', 'reports/s', 'ok', 'errors', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms']];
  const runs: Array<Record<string, unknown>> = [];
  let bestRate = -1;
  let bestProfiles: Record<string, ProfileSummary> = {};
  for (const clients of clientCounts) {
    say(`reportLocation from ${clients} keep-alive clients over ${riders.length} riders: ${warmupMs / 1000} s warm-up, ${measureMs / 1000} s measured.`);
    const result = await drive(context, riders, clients, warmupMs, measureMs);
    const latency = summarize(result.latencies);
    const errors = [...result.errors.values()].reduce((sum, count) => sum + count, 0);
    const perSecond = Math.round(result.ok / result.seconds);
    rows.push([String(clients), perSecond, result.ok, errors, latency.p50, latency.p90, latency.p99, latency.max]);
    runs.push({ clients, reportsPerSecond: perSecond, ok: result.ok, errors: Object.fromEntries(result.errors), latencyMs: latency, completedPerSecond: result.perSecond, cpu: result.cpu });
    if (perSecond >= bestRate) {
      bestRate = perSecond;
      bestProfiles = result.profiles;
    }
  }
  const best = runs.reduce((top, entry) => ((entry.reportsPerSecond as number) > (top.reportsPerSecond as number) ? entry : top), runs[0] ?? {});
  return {
    parameters: { riders: riders.length, clients: clientCounts, warmupSeconds: warmupMs / 1000, measuredSeconds: measureMs / 1000, stepMeters: STEP_METERS },
    figures: { best: { clients: best.clients, reportsPerSecond: best.reportsPerSecond, latencyMs: best.latencyMs, errors: best.errors }, runs },
    cpu: best.cpu as ScenarioOutcome['cpu'],
    profiles: bestProfiles,
    printed: `${table(rows)}\n(CPU below: the run with the most reports/s)`,
  };
}

export function locationsScenario(clientCounts: readonly number[]): Scenario {
  return {
    name: 'locations',
    what: 'reportLocation mutations through the gateway\'s HTTP API with rider tokens, closed loop from K keep-alive clients, 15 s',
    aim: '5,000 reports/s',
    run: (context) => run(context, clientCounts),
  };
}
