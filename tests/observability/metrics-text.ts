import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

/** One sample of Prometheus' text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a /metrics answer (comment lines left out). */
export function samplesOf(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
      if (!match) throw new Error(`Not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The metric families a /metrics answer declares (its # TYPE lines), sampled or not yet. */
export function familiesOf(text: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(name!, type!);
  return families;
}

/** The samples named `name` whose labels include `labels`. */
export function find(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
}

/** The series a histogram or summary family exports besides its own name. */
const SUFFIXES = ['_bucket', '_sum', '_count', '_created'];

/** Whether a name a query reads is a series of one of `families` (a histogram's _bucket, _sum, _count included). */
export function isExported(name: string, families: ReadonlyMap<string, string>): boolean {
  if (families.has(name)) return true;
  const suffix = SUFFIXES.find((each) => name.endsWith(each));
  if (!suffix) return false;
  const family = families.get(name.slice(0, -suffix.length));
  return family === 'histogram' || family === 'summary';
}

/** Series Prometheus makes itself for each target, not read from /metrics. */
export const PROMETHEUS_OWN = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'ALERTS']);

/**
 * The metric names a PromQL expression reads: every identifier outside label matchers and
 * strings that is no function, keyword, aggregation or label name of a `by`/`without`/`on`
 * clause. Function names are those followed by `(`.
 */
export function metricNamesIn(expr: string): string[] {
  const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'le']);
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\$__\w+/g, '');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = match[0];
    const after = stripped.slice((match.index ?? 0) + name.length).trimStart();
    const before = stripped.slice(0, match.index ?? 0);
    if (after.startsWith('(')) continue;
    if (KEYWORDS.has(name.toLowerCase())) continue;
    // A number's exponent (1e-9) is no name.
    if (/[0-9.]$/.test(before) && /^e\d*$/i.test(name)) continue;
    if (/^\d/.test(name)) continue;
    names.add(name);
  }
  return [...names];
}

const ROOT = path.resolve(__dirname, '..', '..');

/** Every PromQL expression of the Grafana dashboards (panel targets, template queries) and the alert rules, with where it is. */
export function deployedQueries(): Array<{ where: string; expr: string }> {
  const queries: Array<{ where: string; expr: string }> = [];
  const dashboards = path.join(ROOT, 'deploy', 'grafana', 'dashboards');
  for (const file of readdirSync(dashboards).filter((name) => name.endsWith('.json'))) {
    const dashboard = JSON.parse(readFileSync(path.join(dashboards, file), 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
      templating: { list: Array<{ name: string; query: string }> };
    };
    for (const panel of dashboard.panels) for (const target of panel.targets) queries.push({ where: `${file}: ${panel.title}`, expr: target.expr });
    for (const variable of dashboard.templating.list) {
      const inner = /^label_values\((.*),\s*\w+\)$/.exec(variable.query)?.[1];
      if (inner) queries.push({ where: `${file}: $${variable.name}`, expr: inner });
    }
  }
  const rules = parseYaml(readFileSync(path.join(ROOT, 'deploy', 'prometheus', 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
  for (const group of rules.groups) for (const rule of group.rules) queries.push({ where: `alerts.yml: ${rule.alert}`, expr: rule.expr });
  return queries;
}
