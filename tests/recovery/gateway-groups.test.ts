import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventSources, sourceTopics } from '@waimai/gateway';
import { testInfraConfig } from '@waimai/testkit';
import { freePorts, type ServiceProcess } from '@waimai/testkit';
import { ConsumerProbe, RECOVERY_TARGETS, startProcess, timeUntil } from '../faults/lib/recovery';

// 90 s: a cold tsx start on a busy 2-core machine; the sweep itself runs every 2 s here.
const TIMEOUT_MS = 90_000;

const config = testInfraConfig();
const logDir = mkdtempSync(path.join(os.tmpdir(), 'waimai-gateway-groups-'));
const probe = new ConsumerProbe(config.KAFKA_BROKERS, config.KAFKA_TOPIC_PREFIX);
const running: ServiceProcess[] = [];
const env = { ...process.env, GATEWAY_GROUP_SWEEP_MS: '2000' };

beforeAll(async () => {
  await probe.connect();
});

afterAll(async () => {
  await Promise.all(running.map((each) => each.kill()));
  await probe.disconnect();
});

/** The subscription consumer groups of one gateway process: their ids carry its pid. */
async function groupsOf(gateway: ServiceProcess): Promise<string[]> {
  const { groups } = await probe.kafkaAdmin.listGroups();
  return groups.map((group) => group.groupId).filter((groupId) => groupId.startsWith(`${config.KAFKA_TOPIC_PREFIX}gateway-`) && groupId.includes(`-${gateway.pid}-`));
}

async function feedReading(gateway: ServiceProcess): Promise<boolean> {
  const answer = await fetch(`${gateway.adminUrl}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
  const body = (await answer?.json().catch(() => undefined)) as { checks?: Record<string, string> } | undefined;
  return body?.checks?.events === 'ok';
}

describe('a gateway killed with SIGKILL and restarted', () => {
  it('leaves no consumer groups behind: the restarted one deletes its predecessor\'s once they are empty', async () => {
    const ports = await freePorts(2);
    const first = startProcess(RECOVERY_TARGETS.gateway, env, ports, logDir);
    running.push(first);
    await timeUntil('the first gateway reading events', () => feedReading(first), TIMEOUT_MS);
    const leftBehind = await groupsOf(first);
    // One broadcast group per gateway process, reading every topic the subscription table reads.
    expect(leftBehind).toHaveLength(1);
    expect(sourceTopics(eventSources).length).toBeGreaterThan(1);

    const killedAt = Date.now();
    await first.kill();
    const second = startProcess(RECOVERY_TARGETS.gateway, env, ports, logDir);
    running.push(second);
    await timeUntil('the restarted gateway reading events', () => feedReading(second), TIMEOUT_MS);

    const goneAfterMs = await timeUntil(
      'the dead gateway\'s groups deleted',
      async () => {
        const { groups } = await probe.kafkaAdmin.listGroups();
        const ids = new Set(groups.map((group) => group.groupId));
        return leftBehind.every((groupId) => !ids.has(groupId));
      },
      TIMEOUT_MS,
      killedAt,
    );
    process.stderr.write(`The killed gateway's groups were deleted ${(goneAfterMs / 1000).toFixed(1)} s after the kill.\n`);

    expect(await groupsOf(second)).toHaveLength(1);
    await second.stop();
    expect(await groupsOf(second)).toEqual([]);
  }, 3 * TIMEOUT_MS);
});
