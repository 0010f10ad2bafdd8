import { adCounters, connectRedis, type Redis } from '@waimai/platform';
import { keySlots, recordMultiKeyCommands, startRedisCluster, testInfraConfig, uniqueId, type MultiKeyCommand, type RedisClusterHandle } from '@waimai/testkit';

/*
 * The Redis counters of placements (platform ads.ts) on the real Redis, under this run's key
 * prefix: what operations charges a click with and products serves a page with. Every test
 * runs on the single Redis and on a real 3-master Redis Cluster (each placement's day in its
 * own slot).
 */
let single: Redis;
let cluster: RedisClusterHandle;
let clustered: Redis;
let sentToCluster: MultiKeyCommand[];
beforeAll(async () => {
  const infra = testInfraConfig();
  single = connectRedis({ REDIS_URL: infra.REDIS_URL, REDIS_KEY_PREFIX: `${infra.REDIS_KEY_PREFIX}${uniqueId('ads')}:` }, 'ad-counters-test');
  cluster = await startRedisCluster();
  clustered = connectRedis({ REDIS_URL: infra.REDIS_URL, REDIS_KEY_PREFIX: `${uniqueId('ads')}:`, REDIS_CLUSTER_NODES: cluster.nodes }, 'ad-counters-cluster-test');
  sentToCluster = recordMultiKeyCommands(clustered);
}, 120_000);
afterAll(async () => {
  await single?.quit();
  await clustered?.quit();
  await cluster?.stop();
});

const at = new Date('2026-03-01T10:00:00.000Z');

describe.each([
  ['a single Redis', () => single],
  ['a 3-master Redis Cluster', () => clustered],
])('on %s', (_, client) => {
  let redis: Redis;
  beforeAll(() => {
    redis = client();
  });

  test('200 customers clicking at once against a budget for 50 clicks: exactly 50 are charged and the spend never passes the budget', async () => {
    const counters = adCounters(redis);
    const placement = { placementId: uniqueId('placement'), dailyBudgetCents: 50 * 30 + 29, cpcCents: 30 };
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, n) => counters.recordClick(placement, `customer-${n}`, at)));
    const [day] = await counters.read([{ placementId: placement.placementId, day: '2026-03-01' }]);

    expect(outcomes.filter((outcome) => outcome.charged)).toHaveLength(50);
    expect(outcomes.filter((outcome) => !outcome.charged && outcome.reason === 'BUDGET_SPENT')).toHaveLength(150);
    expect(day).toEqual({ impressions: 0, clicks: 50, spentCents: 1500 });
  });

  test('a customer is charged once per placement and day; the next day starts a new budget', async () => {
    const counters = adCounters(redis);
    const placement = { placementId: uniqueId('placement'), dailyBudgetCents: 1000, cpcCents: 100 };

    expect(await counters.recordClick(placement, 'alice', at)).toEqual({ charged: true, spentCents: 100 });
    expect(await counters.recordClick(placement, 'alice', at)).toEqual({ charged: false, reason: 'REPEATED' });
    expect(await counters.recordClick(placement, 'alice', new Date('2026-03-02T00:00:01.000Z'))).toEqual({ charged: true, spentCents: 100 });
  });

  test("a day's counter Redis lost starts again from the spend settled into MySQL, never from 0", async () => {
    const counters = adCounters(redis);
    const placement = { placementId: uniqueId('placement'), dailyBudgetCents: 1000, cpcCents: 100 };
    // 900 of the day's 1,000 were spent and settled; then the counter was lost.
    expect(await counters.recordClick(placement, 'bob', at, 900)).toEqual({ charged: true, spentCents: 1000 });
    expect(await counters.recordClick(placement, 'carol', at, 900)).toEqual({ charged: false, reason: 'BUDGET_SPENT' });
    const [day] = await counters.read([{ placementId: placement.placementId, day: '2026-03-01' }]);
    expect(day).toMatchObject({ clicks: 1, spentCents: 1000 });
  });

  test('a page serves at most `max` placements, one per shop, skips spent budgets and capped customers, and counts their impressions', async () => {
    const counters = adCounters(redis);
    const spent = { placementId: uniqueId('spent'), merchantId: 'shop-a', dailyBudgetCents: 100, cpcCents: 100 };
    const first = { placementId: uniqueId('first'), merchantId: 'shop-b', dailyBudgetCents: 1000, cpcCents: 50 };
    const sameShop = { placementId: uniqueId('same-shop'), merchantId: 'shop-b', dailyBudgetCents: 1000, cpcCents: 40 };
    const second = { placementId: uniqueId('second'), merchantId: 'shop-c', dailyBudgetCents: 1000, cpcCents: 30 };
    const third = { placementId: uniqueId('third'), merchantId: 'shop-d', dailyBudgetCents: 1000, cpcCents: 20 };
    await counters.recordClick(spent, 'someone', at);

    const page = await counters.serve([spent, first, sameShop, second, third], { max: 2, frequencyCap: 2, customerId: 'bob', at });
    expect(page.map((ad) => ad.placementId)).toEqual([first.placementId, second.placementId]);

    // Bob has seen both twice after one more page: the cap moves him on to the third shop.
    await counters.serve([first, second], { max: 2, frequencyCap: 2, customerId: 'bob', at });
    const capped = await counters.serve([first, second, third], { max: 2, frequencyCap: 2, customerId: 'bob', at });
    expect(capped.map((ad) => ad.placementId)).toEqual([third.placementId]);
    // Anonymous pages are not capped.
    expect((await counters.serve([first], { max: 2, frequencyCap: 2, customerId: null, at })).map((ad) => ad.placementId)).toEqual([first.placementId]);

    const days = await counters.read([first, second, third, spent].map((ad) => ({ placementId: ad.placementId, day: '2026-03-01' })));
    expect(days.map((day) => day.impressions)).toEqual([3, 2, 1, 0]);
  });
});

test('on the cluster, every script and multi-key command of the counters kept its keys in one hash slot', async () => {
  const counters = adCounters(clustered);
  const placement = { placementId: uniqueId('placement'), merchantId: 'shop-z', dailyBudgetCents: 1000, cpcCents: 100 };
  await counters.serve([placement, { ...placement, placementId: uniqueId('placement'), merchantId: 'shop-y' }], { max: 2, frequencyCap: 3, customerId: 'dora', at });
  await counters.recordClick(placement, 'dora', at);
  const slotsPerCommand = await Promise.all(sentToCluster.map(async (command) => ({ ...command, slots: [...new Set(await keySlots(clustered, command.keys))] })));

  expect(sentToCluster.filter((command) => command.command === 'evalsha' || command.command === 'eval').length).toBeGreaterThan(3);
  expect(slotsPerCommand.filter((command) => command.slots.length !== 1)).toEqual([]);
});
