import { performance } from 'node:perf_hooks';
import type { GeoPoint } from '@waimai/platform';
import { contractOperation } from '@waimai/testkit/contract';
import { moved, randomSource } from '../lib/city';
import type { BenchContext, Measurement, Scenario, ScenarioOutcome } from '../lib/context';
import { REPORT_LOCATION, type Rider } from '../lib/fixtures';
import { HttpClient } from '../lib/http';
import type { CpuShare } from '../lib/machine';
import type { ProfileSummary } from '../lib/profile';
import { closedLoop, openLoop } from '../lib/load';
import { summarize, table, type LatencySummary } from '../lib/stats';

// A rider moves a few meters between two reports (15 km/h is ~4 m/s, reported every second or so).
const STEP_METERS = 5;
// 32 keep-alive connections for the batched ingest: a few hundred to a thousand batches/s at the aim.
const BATCH_CLIENTS = 32;
// The aim's rate, sent open loop (each batch at its time, whatever the earlier ones are doing):
// its latency is the one a rider's phone sees at that load, where a closed loop at saturation
// measures its own queue (32 clients at 600 batches/s wait 53 ms on average by Little's law).
const AIM_POINTS_PER_SECOND = 20_000;
const AIM_POINTS_PER_BATCH = 50;

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

/** The rider app's batched report, from the contract when it has it (the mutation's shape otherwise). */
function reportLocationsOperation(): string {
  try {
    return contractOperation('ReportLocations');
  } catch {
    return 'mutation ReportLocations($points: [LocationPointInput!]!) { reportLocations(points: $points) { accepted } }';
  }
}

/** What every reportLocations run reports, closed loop or at a rate. */
interface BatchedFigures {
  pointsPerBatch: number;
  /** Points the server said it accepted, per second. */
  pointsPerSecond: number;
  acceptedPoints: number;
  latencyMs: LatencySummary;
  errors: Record<string, number>;
  cpu?: Record<string, CpuShare>;
}

interface BatchedRun extends BatchedFigures {
  clients: number;
  batchesPerSecond: number;
}

/**
 * Makes riders' buffered tracks: batch n is rider n's next `size` points, oldest first, each a
 * few meters from the one before and recordedAt strictly increasing, after the rider's previous
 * batch and not later than now (the phone's fix times).
 */
function trackMaker(riders: readonly Rider[], size: number): (n: number) => Array<{ lat: number; lng: number; recordedAt: string }> {
  const random = randomSource(size);
  const positions = riders.map((rider) => ({ ...rider.home }));
  // Every batch after the run's start: the server ignores points older than a rider's newest (the single reports just before).
  const startedAt = Date.now();
  const lastRecorded = riders.map(() => startedAt);
  return (n: number) => {
    const index = n % riders.length;
    const now = Date.now();
    // A point a second at most, as a phone's fixes; all after the rider's last batch.
    const from = Math.max((lastRecorded[index] as number) + 1, now - size * 1000);
    const spacing = (now - from) / size;
    let at = lastRecorded[index] as number;
    let here = positions[index] as GeoPoint;
    const points = Array.from({ length: size }, (_, i) => {
      at = Math.max(at + 1, Math.round(from + (i + 1) * spacing));
      here = moved(here, (random() - 0.5) * 2 * STEP_METERS, (random() - 0.5) * 2 * STEP_METERS);
      return { lat: here.lat, lng: here.lng, recordedAt: new Date(at).toISOString() };
    });
    positions[index] = here;
    lastRecorded[index] = at;
    return points;
  };
}

/** A reportLocations request for batch n (rider n's token), and the check that counts the points accepted. */
function batchRequests(riders: readonly Rider[], size: number) {
  const query = reportLocationsOperation();
  const batch = trackMaker(riders, size);
  const tally = { accepted: 0 };
  return {
    tally,
    request: (n: number) => ({
      path: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${(riders[n % riders.length] as Rider).token}` },
      body: JSON.stringify({ query, operationName: 'ReportLocations', variables: { points: batch(n) } }),
    }),
    check: (answer: { status: number; body: string }) => {
      const count = /"accepted":(\d+)/.exec(answer.body);
      if (answer.status !== 200 || !count || answer.body.includes('"errors"')) return /"code":"([A-Z_]+)"/.exec(answer.body)?.[1] ?? `HTTP_${answer.status}`;
      tally.accepted += Number(count[1]);
      return null;
    },
  };
}

/** reportLocations closed loop from `clients` connections. Points/s counts the points the server says it accepted. */
async function driveBatches(context: BenchContext, riders: readonly Rider[], size: number, clients: number, warmupMs: number, measureMs: number): Promise<BatchedRun> {
  const { tally, request, check } = batchRequests(riders, size);
  const result = await closedLoop({
    baseUrl: context.platform.gatewayUrl,
    clients,
    warmupMs,
    measureMs,
    request,
    check,
    measure: () => context.measure(),
  });
  context.takeProfiles();
  return {
    pointsPerBatch: size,
    clients,
    pointsPerSecond: Math.round(tally.accepted / result.measuredSeconds),
    batchesPerSecond: result.okPerSecond,
    acceptedPoints: tally.accepted,
    latencyMs: result.latencyMs,
    errors: result.errors,
    ...(result.cpu ? { cpu: result.cpu } : {}),
  };
}

/** At a rate: latencyMs runs from each batch's scheduled send time to its answer (a late send counts against the server), pointsPerSecond from the first scheduled send to the last answer. */
interface BatchedAtRate extends BatchedFigures {
  targetPointsPerSecond: number;
  seconds: number;
  batchesScheduled: number;
  batchesOk: number;
  /** How late the generator sent against its schedule. */
  sendLagMs: LatencySummary;
  keptUp: boolean;
}

/**
 * reportLocations at the aim's rate, open loop: `pointsPerSecond / size` batches a second for
 * `measureMs`, each sent at its scheduled time. Kept up: every batch answered OK, and the last
 * answer came within a second of the last send.
 */
async function driveBatchesAtRate(context: BenchContext, riders: readonly Rider[], size: number, pointsPerSecond: number, measureMs: number): Promise<BatchedAtRate> {
  const { tally, request, check } = batchRequests(riders, size);
  const rate = pointsPerSecond / size;
  const result = await openLoop({ baseUrl: context.platform.gatewayUrl, rate, durationMs: measureMs, maxSockets: 256, request, check, measure: () => context.measure() });
  context.takeProfiles();
  return {
    pointsPerBatch: size,
    targetPointsPerSecond: pointsPerSecond,
    seconds: measureMs / 1000,
    batchesScheduled: result.scheduled,
    batchesOk: result.ok,
    acceptedPoints: tally.accepted,
    pointsPerSecond: Math.round(result.achievedPerSecond * size),
    latencyMs: result.latencyMs,
    sendLagMs: result.sendLagMs,
    keptUp: result.ok === result.scheduled && result.lastAnswerAfterLastSendMs <= 1_000,
    errors: result.errors,
    ...(result.cpu ? { cpu: result.cpu } : {}),
  };
}

/** Why the batched ingest cannot be measured on this build (the mutation not in the supergraph yet), or null when it answers. */
async function batchedUnavailable(context: BenchContext, rider: Rider): Promise<string | null> {
  const points = [{ ...moved(rider.home, 1, 1), recordedAt: new Date(Date.now() - 1_000).toISOString() }];
  const result = await context.client.graphql<{ reportLocations: { accepted: number } }>(reportLocationsOperation(), { points }, rider.token, 'ReportLocations');
  if (result.data?.reportLocations && !result.errors?.length) return null;
  return `reportLocations did not answer (HTTP ${result.status}): ${JSON.stringify(result.errors ?? result.data).slice(0, 300)}`;
}

async function run(context: BenchContext, clientCounts: readonly number[], batchSizes: readonly number[]): Promise<ScenarioOutcome> {
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

  const batched: BatchedRun[] = [];
  const unavailable = batchSizes.length ? await batchedUnavailable(context, riders[0] as Rider) : null;
  if (unavailable) say(`Batched ingest not measured: ${unavailable}`);
  else {
    for (const size of batchSizes) {
      say(`reportLocations, ${size} points a batch, from ${BATCH_CLIENTS} keep-alive clients over ${riders.length} riders: ${warmupMs / 1000} s warm-up, ${measureMs / 1000} s measured.`);
      batched.push(await driveBatches(context, riders, size, BATCH_CLIENTS, warmupMs, measureMs));
    }
  }
  let atRate: BatchedAtRate | undefined;
  if (!unavailable) {
    say(`reportLocations at ${AIM_POINTS_PER_SECOND} points/s open loop (${AIM_POINTS_PER_SECOND / AIM_POINTS_PER_BATCH} batches of ${AIM_POINTS_PER_BATCH} a second) for ${measureMs / 1000} s.`);
    atRate = await driveBatchesAtRate(context, riders, AIM_POINTS_PER_BATCH, AIM_POINTS_PER_SECOND, measureMs);
  }
  const bestBatched = batched.reduce<BatchedRun | undefined>((top, entry) => (!top || entry.pointsPerSecond > top.pointsPerSecond ? entry : top), undefined);
  const batchedRows: Array<Array<string | number>> = [['points a batch', 'clients', 'points/s', 'batches/s', 'errors', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms']];
  for (const entry of batched) {
    const errors = Object.values(entry.errors).reduce((sum, n) => sum + n, 0);
    batchedRows.push([String(entry.pointsPerBatch), entry.clients, entry.pointsPerSecond, entry.batchesPerSecond, errors, entry.latencyMs.p50, entry.latencyMs.p90, entry.latencyMs.p99, entry.latencyMs.max]);
  }
  const batchedErrors = batched.filter((entry) => Object.keys(entry.errors).length).map((entry) => `${entry.pointsPerBatch}: ${JSON.stringify(entry.errors)}`);
  return {
    parameters: { riders: riders.length, clients: clientCounts, warmupSeconds: warmupMs / 1000, measuredSeconds: measureMs / 1000, stepMeters: STEP_METERS, batchSizes, batchClients: BATCH_CLIENTS },
    figures: {
      best: { clients: best.clients, reportsPerSecond: best.reportsPerSecond, latencyMs: best.latencyMs, errors: best.errors },
      runs,
      batched: unavailable
        ? { unavailable }
        : { best: bestBatched ? { pointsPerBatch: bestBatched.pointsPerBatch, pointsPerSecond: bestBatched.pointsPerSecond, latencyMs: bestBatched.latencyMs, errors: bestBatched.errors } : null, runs: batched, atAimRate: atRate ?? null },
    },
    cpu: best.cpu as ScenarioOutcome['cpu'],
    profiles: bestProfiles,
    printed: [
      'reportLocation (one point a request)',
      table(rows),
      '',
      unavailable ? `reportLocations (batched): not measured, ${unavailable}` : `reportLocations (batched: a rider's buffered track a request)\n${table(batchedRows)}`,
      batchedErrors.length ? `errors: ${batchedErrors.join('; ')}` : '',
      atRate
        ? `reportLocations at ${atRate.targetPointsPerSecond} points/s, open loop, ${atRate.pointsPerBatch} a batch: ${atRate.pointsPerSecond} points/s accepted, p50 ${atRate.latencyMs.p50} ms, p90 ${atRate.latencyMs.p90} ms, p99 ${atRate.latencyMs.p99} ms, ${atRate.keptUp ? 'kept up' : `did not keep up (${atRate.batchesOk} of ${atRate.batchesScheduled} batches OK${Object.keys(atRate.errors).length ? `, errors ${JSON.stringify(atRate.errors)}` : ''})`}`
        : '',
      '(CPU below: the reportLocation run with the most reports/s)',
    ]
      .filter(Boolean)
      .join('\n'),
  };
}

export function locationsScenario(clientCounts: readonly number[], batchSizes: readonly number[]): Scenario {
  return {
    name: 'locations',
    what: `reportLocation through the gateway's HTTP API with rider tokens, closed loop from K keep-alive clients; then reportLocations batches of ${batchSizes.join(' and ')} points from ${BATCH_CLIENTS} clients, and at ${AIM_POINTS_PER_SECOND} points/s open loop`,
    aim: 'reportLocation ≥ 3,000/s; ≥ 20,000 points/s through reportLocations, p99 ≤ 50 ms at that rate',
    run: (context) => run(context, clientCounts, batchSizes),
  };
}
