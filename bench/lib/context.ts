import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GeoPoint } from '@waimai/platform';
import { CITY_CENTER, randomSource, scatter } from './city';
import { onlineRiders, type Rider } from './fixtures';
import type { HttpClient } from './http';
import type { CpuShare } from './machine';
import { cpuWindow, infrastructurePids, metricsPage, metricValue } from './machine';
import type { Platform } from './platform';
import { hopsBetween, readHops, type HopCounts } from './hops';
import { statementWindow, type StatementCounts } from './mysql-status';
import { inspectorUrl, RemoteInspector, summarizeProfile, type ProfileSummary } from './profile';

export interface BenchContext {
  platform: Platform;
  /** Keep-alive client for setup calls (not timed). */
  client: HttpClient;
  quick: boolean;
  say(message: string): void;
  /** The city's riders, registered, online and located (created once, by the first scenario that needs them). */
  cityRiders(): Promise<CityRiders>;
  /** The services' and the infrastructure's processes, for CPU accounting. */
  processes(): Array<{ name: string; pid: number }>;
  /**
   * Starts measuring the timed part of a scenario: CPU per process and, for services run
   * with --cpu-prof, a V8 CPU profile. end() returns the CPU shares; the profiles are kept
   * for takeProfiles().
   */
  measure(): Promise<Measurement>;
  /** Profile summaries of the last measurement, per service (empty without --cpu-prof). */
  takeProfiles(): Record<string, ProfileSummary>;
  /** The hops the processes counted over the last measurement (null before one ended). */
  takeHops(): HopCounts | null;
  /** The statements MySQL ran over the last measurement (null before one ended). */
  takeStatements(): StatementCounts | null;
}

export interface Measurement {
  /** `extra.generator`: CPU seconds of generator processes, added to the bench's own. */
  end(extra?: Record<string, number>): Promise<Record<string, CpuShare>>;
}

export interface CityRiders {
  riders: Rider[];
  /** Side of the square city, in meters: riders are spread uniformly over it. */
  sideMeters: number;
  center: GeoPoint;
}

/** What a scenario hands back: headline figures for the README, details for the JSON, text for the terminal. */
export interface ScenarioOutcome {
  parameters: Record<string, unknown>;
  figures: Record<string, unknown>;
  cpu?: Record<string, CpuShare>;
  /** CPU profiles of the timed part, when the scenario took them itself (else takeProfiles() after it). */
  profiles?: Record<string, ProfileSummary>;
  printed: string;
}

export interface Scenario {
  name: string;
  /** What the scenario measures, one line. */
  what: string;
  /** The aim on the 2-core machine, as the brief states it. */
  aim: string;
  run(context: BenchContext): Promise<ScenarioOutcome>;
}

// 5 riders per km²: a busy district at lunchtime; the dispatch radius (600 m) then finds about 5.
export const RIDERS_PER_KM2 = 5;
// 32 setup calls at once: quick to seed, without starving the services of CPU.
export const SETUP_CONCURRENCY = 32;

export async function createContext(platform: Platform, client: HttpClient, quick: boolean, riderCount: number, say: (message: string) => void): Promise<BenchContext> {
  let city: Promise<CityRiders> | undefined;
  const infrastructure = infrastructurePids();
  const profilers = new Map<string, RemoteInspector>();
  for (const service of platform.services) {
    if (platform.profiled.includes(service.name)) profilers.set(service.name, await RemoteInspector.attach(await inspectorUrl(service.logFile)));
  }
  let profiles: Record<string, ProfileSummary> = {};
  let hops: HopCounts | null = null;
  let statements: StatementCounts | null = null;
  let measurements = 0;
  const hopCounters = () => readHops(platform.services.map((service) => service.adminUrl));
  const processes = () => [...platform.services.map(({ name, pid }) => ({ name, pid })), ...infrastructure];
  return {
    platform,
    client,
    quick,
    say,
    cityRiders() {
      city ??= (async () => {
        const sideMeters = Math.sqrt(riderCount / RIDERS_PER_KM2) * 1000;
        const places = scatter(CITY_CENTER, sideMeters, riderCount, randomSource(42));
        say(`Registering ${riderCount} riders over ${(sideMeters / 1000).toFixed(1)} km × ${(sideMeters / 1000).toFixed(1)} km (registerRider, goOnline, reportLocation through the gateway).`);
        const started = Date.now();
        const riders = await onlineRiders(client, platform.config.JWT_SECRET, places, SETUP_CONCURRENCY);
        say(`  ${riders.length} riders online in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
        return { riders, sideMeters, center: CITY_CENTER };
      })();
      return city;
    },
    processes,
    async measure() {
      // Hops, then statements, outside the CPU window: the scrapes run statements of their own.
      const hopsBefore = await hopCounters();
      const statementsWindow = await statementWindow(platform.config.MYSQL_URL);
      await Promise.all([...profilers.values()].map((profiler) => profiler.start()));
      const cpu = cpuWindow(processes());
      return {
        async end(extra) {
          const shares = cpu.end(extra);
          statements = await statementsWindow.end();
          hops = hopsBetween(hopsBefore, await hopCounters());
          const measured = (measurements += 1);
          const stopped = await Promise.all(
            [...profilers].map(async ([name, profiler]) => {
              const profile = await profiler.stop();
              // The whole profile beside the logs, for a look at inclusive time in DevTools (kept with --keep-logs).
              writeFileSync(path.join(platform.logDir, `${name}-${measured}.cpuprofile`), JSON.stringify(profile));
              return [name, summarizeProfile(profile)] as const;
            }),
          );
          profiles = Object.fromEntries(stopped);
          return shares;
        },
      };
    },
    takeHops() {
      const taken = hops;
      hops = null;
      return taken;
    },
    takeStatements() {
      const taken = statements;
      statements = null;
      return taken;
    },
    takeProfiles() {
      const taken = profiles;
      profiles = {};
      return taken;
    },
  };
}

/** Waits until the gateway whose admin port is `adminUrl` runs at least `count` orderOffers subscriptions (graphql-ws has no subscribe ack). */
export async function waitForSubscriptions(adminUrl: string, count: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  while (Date.now() < deadline) {
    seen = metricValue(await metricsPage(adminUrl), 'waimai_gateway_subscriptions', 'field="orderOffers"') ?? 0;
    if (seen >= count) return seen;
    await sleep(200);
  }
  throw new Error(`Only ${seen} of ${count} orderOffers subscriptions were running on ${adminUrl} after ${timeoutMs / 1000} s.`);
}
