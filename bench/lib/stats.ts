/** Latency summary in milliseconds, from samples measured with performance.now(). */
export interface LatencySummary {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** Nearest-rank percentile of ascending `sorted` (p in 0..100). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? NaN;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const values = Array.from(sorted);
  // Infinity stands for "never happened within the window": it ranks last and is left out of the mean.
  const finite = values.filter(Number.isFinite);
  const total = finite.reduce((sum, value) => sum + value, 0);
  return {
    count: values.length,
    min: round2(values[0] ?? NaN),
    p50: round2(percentile(values, 50)),
    p90: round2(percentile(values, 90)),
    p99: round2(percentile(values, 99)),
    max: round2(values[values.length - 1] ?? NaN),
    mean: round2(finite.length ? total / finite.length : NaN),
  };
}

/** Prints rows as an aligned text table (first row is the header). */
export function table(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)));
  const widths = cells[0]?.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length))) ?? [];
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  const [header, ...body] = cells;
  if (!header) return '';
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(line)].join('\n');
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** A latency summary as table rows: label, count, p50, p90, p99, max (ms). */
export function latencyRows(label: string, summary: LatencySummary): Array<Array<string | number>> {
  return [[label, summary.count, summary.p50, summary.p90, summary.p99, summary.max]];
}

export const LATENCY_HEADER = ['', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'];
