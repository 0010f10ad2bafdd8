import { labelledSamples, metricsPage } from './machine';
import { table } from './stats';

/**
 * The hops a timed part's work travelled, from the counters every process exports
 * (docs/performance/hops.md): what `pnpm bench` divides by the orders of that part, to say
 * how many of each hop one order costs. Each figure is the counter's growth over the part.
 */
export interface HopCounts {
  /** Outbox batches published (one produce request and one relay transaction each), by service. */
  relayBatches: Record<string, number>;
  /** Fetch requests completed, empty ones included, by consumer group. */
  fetches: Record<string, number>;
  /** Fetched batches that held events and were handled, by consumer group. */
  consumedBatches: Record<string, number>;
  /** Internal API calls answered, by `service.call`. */
  internalCalls: Record<string, number>;
  /** Queries the gateway's plans sent to subgraphs, by subgraph. */
  subgraphFetches: Record<string, number>;
  /** Of those, the ones that went out with others in one batched HTTP request (SUBGRAPH_BATCHING), by subgraph. */
  subgraphBatched: Record<string, number>;
}

const SERIES: ReadonlyArray<[keyof HopCounts, string, readonly string[]]> = [
  ['relayBatches', 'waimai_outbox_batches_total', ['service']],
  ['fetches', 'waimai_kafka_fetches_total', ['group']],
  ['consumedBatches', 'waimai_kafka_consumed_batches_total', ['group']],
  ['internalCalls', 'waimai_internal_api_calls_total', ['service', 'call']],
  ['subgraphFetches', 'waimai_gateway_subgraph_fetch_duration_seconds_count', ['subgraph']],
  ['subgraphBatched', 'waimai_gateway_subgraph_fetches_batched_total', ['subgraph']],
];

type HopKind = keyof HopCounts;
const HOP_KINDS = SERIES.map(([field]) => field);

/** No hops: what a part that was not measured counted. */
export function emptyCounts(): HopCounts {
  return Object.fromEntries(HOP_KINDS.map((kind) => [kind, {}])) as unknown as HopCounts;
}

/** Adds a Prometheus text page's samples of the hop series into `into`, keyed by the labels named (joined by '.'). */
function addPage(into: HopCounts, page: string): void {
  for (const [field, name, keys] of SERIES) {
    for (const { labels, value } of labelledSamples(page, name)) {
      const key = keys.map((label) => labels[label] ?? '?').join('.');
      into[field][key] = (into[field][key] ?? 0) + value;
    }
  }
}

/** The hop counters of these processes now (their admin ports' /metrics), summed over processes. */
export async function readHops(adminUrls: readonly string[]): Promise<HopCounts> {
  const counts = emptyCounts();
  const pages = await Promise.all(adminUrls.map((url) => metricsPage(url).catch(() => '')));
  for (const page of pages) addPage(counts, page);
  return counts;
}

/** What grew from `before` to `after`, leaving out what did not. */
export function hopsBetween(before: HopCounts, after: HopCounts): HopCounts {
  const grown = emptyCounts();
  for (const field of HOP_KINDS) {
    for (const [key, value] of Object.entries(after[field])) {
      const delta = value - (before[field][key] ?? 0);
      if (delta > 0) grown[field][key] = delta;
    }
  }
  return grown;
}

const sum = (values: Record<string, number>) => Object.values(values).reduce((total, value) => total + value, 0);
const per = (value: number, units: number) => Math.round((value / Math.max(1, units)) * 100) / 100;

export interface HopsPer extends Record<HopKind, Record<string, number>> {
  /** Each kind summed over its services, groups or calls. */
  totals: Record<HopKind, number>;
}

/** Each count divided by `units` (orders), two decimals, with each kind's total. */
export function hopsPer(hops: HopCounts, units: number): HopsPer {
  const divided = (values: Record<string, number>) => Object.fromEntries(Object.entries(values).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => [key, per(value, units)]));
  return {
    totals: Object.fromEntries(HOP_KINDS.map((kind) => [kind, per(sum(hops[kind]), units)])) as Record<HopKind, number>,
    ...(Object.fromEntries(HOP_KINDS.map((kind) => [kind, divided(hops[kind])])) as Record<HopKind, Record<string, number>>),
  };
}

/** The printed table: one row per kind of hop, its figure per `unit`, and where each was paid. */
export function hopLines(hops: HopsPer, unit: string): string {
  const rows: Array<[string, number, Record<string, number>]> = [
    ['relay batches (a produce request and a transaction each)', hops.totals.relayBatches, hops.relayBatches],
    ['consumer fetches completed', hops.totals.fetches, hops.fetches],
    ['fetched batches handled', hops.totals.consumedBatches, hops.consumedBatches],
    ['internal API calls', hops.totals.internalCalls, hops.internalCalls],
    ['gateway → subgraph queries', hops.totals.subgraphFetches, hops.subgraphFetches],
    ['  of which sent batched with others (SUBGRAPH_BATCHING)', hops.totals.subgraphBatched, hops.subgraphBatched],
  ];
  const where = (values: Record<string, number>) =>
    Object.entries(values)
      .filter(([, value]) => value >= 0.01)
      .map(([key, value]) => `${key} ${value}`)
      .join(', ') || '-';
  return [
    `hops per ${unit}, from the processes' counters over the same time`,
    table([['hop', `per ${unit}`], ...rows.map(([label, total]) => [label, total])]),
    ...rows.map(([label, , values]) => `  ${label.trim().split(' (')[0]}: ${where(values)}`),
  ].join('\n');
}
