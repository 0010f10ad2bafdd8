import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testInfraConfig } from '@waimai/testkit';
import { ConsumerProbe, killAndRestart, RECOVERY_TARGETS, type RecoveryFigures, type RecoveryTargetName } from '../faults/lib/recovery';
import type { ServiceProcess } from '@waimai/testkit';

// 90 s per phase: a cold tsx start on a busy 2-core machine plus a rebalance. Behaviour is
// asserted (it recovers, it is ready); the measured times are printed, not asserted.
const PHASE_TIMEOUT_MS = 90_000;

const config = testInfraConfig();
const logDir = mkdtempSync(path.join(os.tmpdir(), 'waimai-recovery-'));
const probe = new ConsumerProbe(config.KAFKA_BROKERS, config.KAFKA_TOPIC_PREFIX);
const running: ServiceProcess[] = [];
const figures: RecoveryFigures[] = [];

beforeAll(async () => {
  await probe.connect();
});

afterAll(async () => {
  await Promise.all(running.map((each) => each.kill()));
  await probe.disconnect();
  if (figures.length) {
    const lines = figures.map((each) => `  ${each.service.padEnd(9)} http ${(each.httpMs / 1000).toFixed(1)} s, consumer ${(each.consumerMs / 1000).toFixed(1)} s, ready ${(each.readyMs / 1000).toFixed(1)} s`);
    process.stderr.write(`Recovery after kill -9 with an immediate restart (logs in ${logDir}):\n${lines.join('\n')}\n`);
  }
});

const services: RecoveryTargetName[] = ['payments', 'orders', 'riders', 'products', 'gateway'];

describe('a service killed with SIGKILL and restarted at once', () => {
  it.each(services)('%s answers HTTP, its consumer processes a new event and it reports ready again', async (name) => {
    const result = await killAndRestart({
      target: RECOVERY_TARGETS[name],
      env: process.env,
      probe,
      logDir,
      timeoutMs: PHASE_TIMEOUT_MS,
    });
    running.push(...result.processes);
    figures.push(result.figures);

    expect(result.figures.service).toBe(name);
    expect(result.process.exitReason()).toBeUndefined();
    await result.process.stop();
  }, 4 * PHASE_TIMEOUT_MS);
});
