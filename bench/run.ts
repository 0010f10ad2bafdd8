import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { connectRedis, SUBGRAPH_NAMES } from '@waimai/platform';
import { CACHE_DIR, ROOT } from '../scripts/lib/paths';
import { buildRuntime } from '../scripts/build-runtime';
import { loadDotEnv } from '../scripts/lib/script-env';
import { createContext, type Scenario } from './lib/context';
import { HttpClient } from './lib/http';
import { coresLine, machineInfo } from './lib/machine';
import type { ProfileSummary } from './lib/profile';
import { table } from './lib/stats';
import { SERVICE_OVERRIDES, startPlatform, type BenchConfig, type Platform } from './lib/platform';
import { summaryRows, type RunRecord } from './lib/summary';
import { connectionsScenario } from './scenarios/connections';
import { DEFAULT_DISPATCH_STAGES, DEFAULT_IDLE_SECONDS, dispatchScenario, type DispatchStage } from './scenarios/dispatch';
import { grabScenario } from './scenarios/grab';
import { hopsScenario } from './scenarios/hops';
import { locationsScenario } from './scenarios/locations';
import { adsScenario } from './scenarios/ads';
import { ordersScenario } from './scenarios/orders';
import { readsScenario } from './scenarios/reads';

const usage = `pnpm bench [-- options]

Load benchmarks of the whole platform on this machine: the subgraphs and the gateway as
separate processes (isolated databases, Redis keys and Kafka topics, removed at the end),
Kafka started when none answers, the load generated from this process (and, for
connections, two generator processes). Prints a table per scenario and writes JSON to
bench/results/<scenario>-<date>.json and bench/results/latest.json, then prints one summary of
every aim of issue 10 and writes it to bench/results/summary-<date>.json (a --quick run writes
to bench/results/quick/, which git ignores; it and a --cpu-prof run leave latest.json alone).
Nothing is asserted.

  --scenario LIST     hops,reads,orders,locations,connections,grab,ads,dispatch (default: all, in that order)
  --quick             a short smoke run (small sizes)
  --riders N          riders in the city for dispatch and locations (default 2000)
  --rate LIST         dispatch: payment callbacks per second, one stage each, one after the
                      other with fresh orders (default 5,100)
  --duration LIST     dispatch: seconds of paying, per stage or one for all (default 20,60 for
                      the default rates, 20 for others)
  --idle SECONDS      dispatch: seconds of nothing happening, riders connected, over which the idle
                      CPU is read (default 10)
  --clients LIST      concurrent keep-alive clients for reportLocation, one run each (default 8,32,128)
  --batch LIST        points per reportLocations batch, one run each (default 20,50)
  --connections N     sockets to open in the connections scenario (default 20000)
  --log-level LEVEL   the services' pino level (default info, as in production)
  --runtime KIND      compiled (default): the services run as the production image runs them,
                      the JavaScript scripts/build-runtime.ts compiles (into .cache/bench-runtime,
                      built at the start of the run) under node --enable-source-maps; tsx: the
                      TypeScript sources under tsx, as pnpm start and the tests run them
  --cpu-prof LIST     profile these services (e.g. gateway,riders) during each timed part (V8
                      profiler over a loopback inspector) and print where their CPU time went
  --keep-logs         keep the services' logs (and profiles) in the temp folder after a good run`;

const RESULTS_DIR = path.join(__dirname, 'results');
// 45 min: a full run takes about 20 minutes; anything beyond means something hangs.
const WATCHDOG_MS = 45 * 60_000;

const say = (message: string) => process.stderr.write(`bench: ${message}\n`);

function parse() {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      scenario: { type: 'string', default: 'hops,reads,orders,locations,connections,grab,ads,dispatch' },
      quick: { type: 'boolean', default: false },
      riders: { type: 'string', default: '2000' },
      rate: { type: 'string', default: DEFAULT_DISPATCH_STAGES.map((stage) => stage.rate).join(',') },
      // No default here: without --duration the default stages keep their durations, and other rates pay for 20 s each.
      duration: { type: 'string' },
      idle: { type: 'string', default: String(DEFAULT_IDLE_SECONDS) },
      clients: { type: 'string', default: '8,32,128' },
      batch: { type: 'string', default: '20,50' },
      connections: { type: 'string', default: '20000' },
      'log-level': { type: 'string', default: 'info' },
      runtime: { type: 'string', default: 'compiled' },
      'cpu-prof': { type: 'string', default: '' },
      'keep-logs': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const positive = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, not ${text}.`);
    return value;
  };
  return {
    help: values.help,
    quick: values.quick,
    scenarios: values.scenario.split(',').map((name) => name.trim()).filter(Boolean),
    riders: values.quick ? Math.min(200, positive('riders', values.riders)) : positive('riders', values.riders),
    clients: values.clients.split(',').map((text) => positive('clients', text.trim())).map((k) => (values.quick ? Math.min(k, 16) : k)),
    batches: values.batch.split(',').filter((text) => text.trim()).map((text) => positive('batch', text.trim())),
    connections: positive('connections', values.connections),
    stages: dispatchStages(
      values.rate.split(',').map((text) => positive('rate', text.trim())),
      values.duration?.split(',').map((text) => positive('duration', text.trim())),
    ),
    idleSeconds: positive('idle', values.idle),
    logLevel: values['log-level'],
    runtime: runtimeKind(values.runtime),
    profile: values['cpu-prof'].split(',').map((name) => name.trim()).filter(Boolean),
    keepLogs: values['keep-logs'],
  };
}

/** How the services run: compiled as in production, or the sources under tsx. */
function runtimeKind(text: string): 'compiled' | 'tsx' {
  if (text !== 'compiled' && text !== 'tsx') throw new Error(`--runtime is compiled or tsx, not ${text}.`);
  return text;
}

/** Dispatch stages from --rate and --duration: a duration per rate, or one for all. */
function dispatchStages(rates: readonly number[], durations: readonly number[] | undefined): DispatchStage[] {
  if (durations === undefined) {
    const defaults = DEFAULT_DISPATCH_STAGES.map((stage) => stage.rate).join(',') === rates.join(',');
    return rates.map((rate, index) => ({ rate, durationSeconds: defaults ? (DEFAULT_DISPATCH_STAGES[index]?.durationSeconds as number) : 20 }));
  }
  if (durations.length !== 1 && durations.length !== rates.length) throw new Error(`--duration takes one value or one per --rate (${rates.length}), not ${durations.length}.`);
  return rates.map((rate, index) => ({ rate, durationSeconds: (durations.length === 1 ? durations[0] : durations[index]) as number }));
}

/** Versions of what the figures depend on besides our code. */
async function infrastructureVersions(config: BenchConfig): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  try {
    const connection = await mysql.createConnection({ uri: config.MYSQL_URL });
    const [rows] = await connection.query('SELECT VERSION() AS version');
    versions.mysql = String((rows as Array<{ version: string }>)[0]?.version);
    await connection.end();
  } catch {
    versions.mysql = 'unknown';
  }
  const redis = connectRedis({ REDIS_URL: config.REDIS_URL, REDIS_KEY_PREFIX: '' }, 'bench-info');
  try {
    versions.redis = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  } catch {
    versions.redis = 'unknown';
  } finally {
    redis.disconnect();
  }
  const libs = path.join(CACHE_DIR, 'kafka', 'libs');
  const jar = existsSync(libs) ? readdirSync(libs).find((name) => /^kafka_2\.13-[\d.]+\.jar$/.test(name)) : undefined;
  versions.kafka = jar ? (/kafka_2\.13-([\d.]+)\.jar/.exec(jar)?.[1] ?? 'unknown') : 'external broker';
  return versions;
}

function writeJson(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}

async function main(): Promise<void> {
  loadDotEnv();
  const options = parse();
  if (options.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const available: Record<string, Scenario> = {
    reads: readsScenario,
    orders: ordersScenario,
    locations: locationsScenario(options.clients, options.batches),
    connections: connectionsScenario(options.connections),
    grab: grabScenario,
    ads: adsScenario,
    dispatch: dispatchScenario({ stages: options.stages, idleSeconds: options.idleSeconds }),
    hops: hopsScenario,
  };
  const unknown = options.scenarios.filter((name) => !(name in available));
  if (unknown.length) throw new Error(`Unknown scenario ${unknown.join(', ')}; choose from ${Object.keys(available).join(', ')}.`);
  const scenarios = options.scenarios.map((name) => available[name] as Scenario);
  // A run with other sizes than the defaults is kept apart from the default figures in latest.json.
  const rates = options.stages.map((stage) => stage.rate).join('-');
  const durations = options.stages.map((stage) => stage.durationSeconds).join('-');
  const defaultRates = DEFAULT_DISPATCH_STAGES.map((stage) => stage.rate).join('-');
  // The durations these rates get without --duration: only others name a variant.
  const defaultDurations = dispatchStages(options.stages.map((stage) => stage.rate), undefined).map((stage) => stage.durationSeconds).join('-');
  const variants: Record<string, string[]> = {
    dispatch: [
      rates !== defaultRates ? `${rates}-per-s` : '',
      durations !== defaultDurations ? `${durations}s` : '',
      options.riders !== 2000 ? `${options.riders}-riders` : '',
      options.idleSeconds !== DEFAULT_IDLE_SECONDS ? `idle-${options.idleSeconds}s` : '',
    ],
    locations: [
      options.clients.join(',') !== '8,32,128' ? `clients-${options.clients.join('-')}` : '',
      options.batches.join(',') !== '20,50' ? `batch-${options.batches.join('-') || 'none'}` : '',
      options.riders !== 2000 ? `${options.riders}-riders` : '',
    ],
    connections: [options.connections !== 20_000 ? `${options.connections}-sockets` : ''],
    reads: [],
    orders: [],
    grab: [],
    ads: [],
    hops: [],
  };
  // A profiled run is slowed by the profiler: never mixed with the plain figures.
  const variantOf = (name: string) =>
    [...(variants[name] ?? []), options.runtime === 'tsx' ? 'tsx' : '', options.profile.length ? 'profiled' : ''].filter(Boolean).join('-');
  const command = `pnpm bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).filter((arg) => arg !== '--').join(' ')}` : ''}`;

  const machine = machineInfo();
  say(`${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, node ${machine.node}, load average ${machine.loadAverage.join(' ')}.`);
  if ((machine.loadAverage[0] ?? 0) > 1) say('The machine is busy (1-minute load above 1): figures will be lower than on a quiet machine.');

  let platform: Platform | undefined;
  let shuttingDown: Promise<void> | undefined;
  const shutdown = () => (shuttingDown ??= platform?.shutdown() ?? Promise.resolve());
  const watchdog = setTimeout(() => {
    say(`Still running after ${WATCHDOG_MS / 60_000} min: stopping.`);
    void shutdown().finally(() => process.exit(1));
  }, WATCHDOG_MS);
  watchdog.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping the services and removing this run's data.`);
      void shutdown().finally(() => process.exit(130));
    });
  }

  try {
    let runtimeRoot: string | undefined;
    if (options.runtime === 'compiled') {
      runtimeRoot = path.join(CACHE_DIR, 'bench-runtime');
      say(`Compiling the services as the production image does (scripts/build-runtime.ts into ${path.relative(ROOT, runtimeRoot)}).`);
      await buildRuntime({ out: runtimeRoot });
    }
    platform = await startPlatform(say, options.logLevel, options.profile, runtimeRoot);
    const versions = await infrastructureVersions(platform.config);
    const client = new HttpClient(platform.gatewayUrl, 64);
    const context = await createContext(platform, client, options.quick, options.riders, say);
    const outputDir = options.quick ? path.join(RESULTS_DIR, 'quick') : RESULTS_DIR;
    mkdirSync(outputDir, { recursive: true });
    const latestFile = path.join(RESULTS_DIR, 'latest.json');
    const ran: RunRecord[] = [];
    const failed = new Map<string, string>();
    // latest.json stays small and plain: full-size runs only, profiled ones (slowed, and large) kept in their own files.
    const updateLatest = !options.quick && !options.profile.length;
    for (const scenario of scenarios) {
      process.stdout.write(`\n== ${scenario.name}: ${scenario.what}\n   aim: ${scenario.aim}\n\n`);
      const loadAtStart = machineInfo().loadAverage;
      const started = new Date();
      let outcome: Awaited<ReturnType<Scenario['run']>>;
      try {
        outcome = await scenario.run(context);
      } catch (err) {
        // One scenario failing leaves the others of a 20-minute run their figures.
        const message = err instanceof Error ? err.message : String(err);
        failed.set(scenario.name, message);
        say(`${scenario.name} failed: ${err instanceof Error ? (err.stack ?? message) : message}`);
        continue;
      }
      process.stdout.write(`${outcome.printed}\n`);
      if (outcome.cpu) process.stdout.write(`CPU during the timed part (cores busy of ${machine.cores}): ${coresLine(outcome.cpu)}\n`);
      const profiles = outcome.profiles ?? context.takeProfiles();
      if (Object.keys(profiles).length) process.stdout.write(`${profileText(profiles)}\n`);
      const record = {
        scenario: scenario.name,
        variant: variantOf(scenario.name) || 'default',
        what: scenario.what,
        aim: scenario.aim,
        date: started.toISOString(),
        command,
        quick: options.quick,
        run: platform.run,
        machine: { ...machine, loadAverage: loadAtStart },
        conditions: {
          onOneMachine: `gateway + ${SUBGRAPH_NAMES.length} subgraphs (each its own node process, ${options.runtime === 'compiled' ? 'compiled JavaScript as in the production image' : 'TypeScript under tsx'}) + Kafka (1 broker) + MariaDB + Redis + the load generator`,
          runtime: options.runtime,
          serviceOverrides: SERVICE_OVERRIDES,
          logLevel: options.logLevel,
          kafkaTopicPartitions: platform.config.KAFKA_TOPIC_PARTITIONS,
          versions,
        },
        parameters: outcome.parameters,
        figures: outcome.figures,
        cpuCoresBusy: outcome.cpu,
        ...(Object.keys(profiles).length ? { cpuProfiles: profiles } : {}),
      };
      const key = variantOf(scenario.name) ? `${scenario.name}-${variantOf(scenario.name)}` : scenario.name;
      const stamp = started.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
      const file = path.join(outputDir, `${key}-${stamp}.json`);
      writeJson(file, record);
      ran.push({ scenario: scenario.name, figures: outcome.figures, file: path.relative(ROOT, file) });
      say(`Wrote ${path.relative(process.cwd(), file)}.`);
      if (updateLatest) {
        const latest = existsSync(latestFile) ? (JSON.parse(readFileSync(latestFile, 'utf8')) as Record<string, unknown>) : {};
        for (const name of Object.keys(latest)) if (name.endsWith('-profiled')) delete latest[name];
        writeJson(latestFile, { ...latest, [key]: record });
        say(`Updated ${path.relative(process.cwd(), latestFile)} (${key}).`);
      }
    }
    const rows = summaryRows(ran, failed);
    const runStamp = new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
    const summaryFile = path.join(outputDir, `summary-${runStamp}.json`);
    process.stdout.write(`\n== summary: issue 10's aims, as this run measured them (${command})\n\n${summaryText(rows)}\n`);
    writeJson(summaryFile, { date: new Date().toISOString(), command, quick: options.quick, run: platform.run, machine, rows });
    say(`Wrote ${path.relative(process.cwd(), summaryFile)}.`);
    client.close();
    say('Stopping the services and removing this run\'s databases, Redis keys and Kafka topics.');
    await shutdown();
    if (failed.size) throw new Error(`${[...failed.keys()].join(', ')} failed (logs kept in ${platform.logDir}).`);
    if (!options.keepLogs) rmSync(platform.logDir, { recursive: true, force: true });
  } finally {
    if (!shuttingDown) say('Stopping the services and removing this run\'s databases, Redis keys and Kafka topics.');
    await shutdown();
    clearTimeout(watchdog);
  }
}

/** The summary rows as a Markdown table, as the README's benchmark table takes them (✓ / ✗: the aim met or not). */
function summaryText(rows: ReturnType<typeof summaryRows>): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return [
    '| measure | aim | measured | from |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| ${cell(row.measure)} | ${cell(row.aim)} | ${row.met === null ? '' : row.met ? '✓ ' : '✗ '}${cell(row.measured)} | ${row.file ? `\`${row.file}\`` : '-'} |`),
  ].join('\n');
}

/** Where each profiled service's CPU time went during the timed part, as text. */
function profileText(profiles: Record<string, ProfileSummary>): string {
  return Object.entries(profiles)
    .map(([name, summary]) =>
      [
        `\n-- CPU profile of ${name} during the timed part (${summary.busySeconds} s busy)`,
        table([['package', 'share'], ...summary.byPackage.map((entry) => [entry.name, `${(entry.share * 100).toFixed(1)}%`])]),
        '',
        table([['function (self time)', 'share'], ...summary.byFunction.map((entry) => [entry.name, `${(entry.share * 100).toFixed(1)}%`])]),
      ].join('\n'),
    )
    .join('\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    say(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
