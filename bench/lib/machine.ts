import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1, 5 and 15 minute load averages when the figure was taken. */
  loadAverage: number[];
}

export function machineInfo(): MachineInfo {
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

// Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on every mainstream kernel.
const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used so far (user, system), or null when it is gone or not on Linux. */
function cpuSecondsOf(pid: number): { user: number; system: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / TICKS_PER_SECOND, system: Number(fields[12]) / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/** CPU seconds the whole machine has been busy (all cores, everything but idle and iowait), or null off Linux. */
function machineBusySeconds(): number | null {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** The infrastructure's processes on this machine (MariaDB/MySQL, Redis, the Kafka JVM), found by name. */
export function infrastructurePids(): Array<{ name: string; pid: number }> {
  const found: Array<{ name: string; pid: number }> = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return found;
  }
  for (const entry of entries) {
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm === 'mariadbd' || comm === 'mysqld') found.push({ name: 'mysql', pid: Number(entry) });
      else if (comm === 'redis-server') found.push({ name: 'redis', pid: Number(entry) });
      else if (comm === 'java' && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('kafka.Kafka')) found.push({ name: 'kafka', pid: Number(entry) });
    } catch {
      // The process ended while the list was read.
    }
  }
  return found;
}

export interface CpuShare {
  /** CPU seconds used during the window. */
  seconds: number;
  /** Of one core: 1.0 = one core busy the whole window. */
  cores: number;
  /** The part of `seconds` spent in the kernel (system calls: sockets, files). */
  systemShare: number;
}

/**
 * CPU used by each named process over a window, to see where a scenario's time goes.
 * `extra` adds CPU seconds counted by other means (the load generator's worker processes).
 */
export function cpuWindow(processes: ReadonlyArray<{ name: string; pid: number }>) {
  const started = process.hrtime.bigint();
  const before = new Map(processes.map(({ name, pid }) => [name, cpuSecondsOf(pid)]));
  const selfBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  return {
    end(extra: Record<string, number> = {}): Record<string, CpuShare> {
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const shares: Record<string, CpuShare> = {};
      for (const { name, pid } of processes) {
        const start = before.get(name);
        const now = cpuSecondsOf(pid);
        if (!start || !now) continue;
        shares[name] = share(now.user - start.user, now.system - start.system, wall);
      }
      const self = process.cpuUsage(selfBefore);
      shares['bench (load generator)'] = share(self.user / 1e6 + (extra.generator ?? 0), self.system / 1e6, wall);
      // Whatever else ran meanwhile (other people's tests, the kernel's own threads): the machine's busy time minus the above.
      const machineNow = machineBusySeconds();
      if (machineBefore !== null && machineNow !== null) {
        const ours = Object.values(shares).reduce((sum, entry) => sum + entry.seconds, 0);
        shares['everything else (other processes, hypervisor steal)'] = share(Math.max(0, machineNow - machineBefore - ours), 0, wall);
      }
      return shares;
    },
  };
}

/** `name cores (kernel share), ...`, busiest first, then the total. */
export function coresLine(shares: Record<string, CpuShare>): string {
  const entries = Object.entries(shares).sort(([, a], [, b]) => b.cores - a.cores);
  const total = entries.reduce((sum, [, share]) => sum + share.cores, 0);
  const kernel = entries.reduce((sum, [, share]) => sum + share.cores * share.systemShare, 0);
  return `${entries.map(([name, share]) => `${name} ${share.cores}`).join(', ')}; total ${Math.round(total * 100) / 100}, of which ${Math.round((kernel / Math.max(total, 1e-9)) * 100)}% in the kernel`;
}

function share(user: number, system: number, wall: number): CpuShare {
  const seconds = user + system;
  return {
    seconds: Math.round(seconds * 100) / 100,
    cores: Math.round((seconds / wall) * 100) / 100,
    systemShare: seconds > 0 ? Math.round((system / seconds) * 100) / 100 : 0,
  };
}

/** The samples of `name` on a Prometheus text page: each one's labels (raw text and parsed) and value. */
export function* labelledSamples(page: string, name: string): Generator<{ raw: string; labels: Record<string, string>; value: number }> {
  for (const line of page.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (!Number.isFinite(value)) continue;
    const labels = Object.fromEntries([...rest.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((match) => [match[1] as string, match[2] as string]));
    yield { raw: rest, labels, value };
  }
}

/** The values of the samples of `name` on a Prometheus text page whose labels hold `label` (all of them without one). */
function* samples(page: string, name: string, label?: string): Generator<number> {
  for (const sample of labelledSamples(page, name)) {
    if (!label || sample.raw.includes(label)) yield sample.value;
  }
}

/** Reads one sample from a Prometheus text page, optionally with a label value, e.g. field="orderOffers". */
export function metricValue(page: string, name: string, label?: string): number | null {
  for (const value of samples(page, name, label)) return value;
  return null;
}

/** The /metrics page of a process's internal admin port. */
export async function metricsPage(adminUrl: string): Promise<string> {
  const response = await fetch(`${adminUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  return response.text();
}

/** The sum of every sample of `name` on a Prometheus text page whose labels hold `label` (all of them without one). */
export function metricSum(page: string, name: string, label?: string): number {
  let sum = 0;
  for (const value of samples(page, name, label)) sum += value;
  return sum;
}
