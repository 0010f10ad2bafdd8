import { aMerchant, anActor, anOrder, aPlace, contractOperation, eventually, gql, north, startStack, type Actor, type SeededMerchant, type Stack } from '@waimai/testkit';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

const NEARBY = contractOperation('NearbyMerchantsWithAds');
const BUY = contractOperation('BuyAdPlacement');
const CLICK = contractOperation('RecordAdClick');
const PAUSE = contractOperation('PauseAdPlacement');
const RESUME = contractOperation('ResumeAdPlacement');
const END = contractOperation('EndAdPlacement');
const PLACEMENT = contractOperation('AdPlacement');
const PLACEMENTS = contractOperation('AdPlacements');

interface NearbyRow {
  distanceMeters: number;
  sponsored: boolean;
  adPlacementId: string | null;
  merchant: { id: string };
}
interface Figures {
  impressions: number;
  clicks: number;
  ctr: number | null;
  spentCents: number;
  spentTodayCents: number;
  budgetLeftTodayCents: number;
  ordersAttributed: number;
}

const hours = (n: number) => new Date(Date.now() + n * 3_600_000).toISOString();
const codesOf = (response: { errors?: ReadonlyArray<{ extensions?: { code?: unknown } }> }) => (response.errors ?? []).map((error) => error.extensions?.code);

async function buy(as: Actor, merchant: SeededMerchant, center: { lat: number; lng: number }, radiusMeters: number, dailyBudgetCents: number, cpcCents: number) {
  const response = await gql<{ buyAdPlacement: { id: string; status: string } }>(
    stack.graphqlUrl,
    BUY,
    { input: { merchantId: merchant.id, center, radiusMeters, startsAt: hours(-1), endsAt: hours(24), dailyBudgetCents, cpcCents } },
    as.token,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.buyAdPlacement;
}

async function nearby(near: { lat: number; lng: number }, first: number, caller: Actor | null = null): Promise<NearbyRow[]> {
  const response = await gql<{ merchantsNearby: NearbyRow[] }>(stack.graphqlUrl, NEARBY, { near, first }, caller?.token ?? null);
  expect(response.errors).toBeUndefined();
  return response.data!.merchantsNearby;
}

async function figuresOf(placementId: string, as: Actor): Promise<Figures> {
  const response = await gql<{ adPlacement: { figures: Figures } | null }>(stack.graphqlUrl, PLACEMENT, { id: placementId }, as.token);
  expect(response.errors).toBeUndefined();
  return response.data!.adPlacement!.figures;
}

describe('sponsored shops through the gateway', () => {
  test('a sponsored shop appears in its area, never outside it, stops when its day budget is spent, and its figures match what was done', async () => {
    const home = aPlace();
    const customerSpot = north(home, 1000);
    // The sponsored shop (1 km from the customer) and a nearer organic one (100 m): with
    // first: 1 the organic page holds only the nearer shop, so the sponsored one is not on it.
    const sponsoredShop = await aMerchant(stack, undefined, home);
    const organicShop = await aMerchant(stack, undefined, north(home, 1100));
    const placement = await buy(sponsoredShop.owner, sponsoredShop, customerSpot, 2000, 300, 100);
    let impressions = 0;
    const count = (rows: NearbyRow[]) => {
      if (rows.some((row) => row.sponsored)) impressions += 1;
      return rows;
    };

    // Products learns of the placement from ads.events.
    const first = await eventually(async () => {
      const rows = count(await nearby(customerSpot, 1));
      return rows.some((row) => row.sponsored) && rows;
    }, 30_000, 'the placement reaching products');
    expect(first.map((row) => [row.merchant.id, row.sponsored, row.adPlacementId, row.distanceMeters])).toEqual([
      [sponsoredShop.id, true, placement.id, 1000],
      [organicShop.id, false, null, 100],
    ]);

    // Already on the organic page: not repeated.
    const wide = count(await nearby(customerSpot, 10));
    expect(wide.filter((row) => row.merchant.id === sponsoredShop.id)).toEqual([expect.objectContaining({ sponsored: false })]);

    // 4 km from the shop: it still delivers there, but the spot is outside the placement's 2 km area.
    const outside = count(await nearby(north(home, 4000), 1));
    expect(outside.map((row) => [row.merchant.id, row.sponsored])).toEqual([[organicShop.id, false]]);

    // Ten customers see the ad and click at once: the 300-cent budget pays for exactly three 100-cent clicks.
    const customers = await Promise.all(Array.from({ length: 10 }, () => anActor('CUSTOMER')));
    for (const customer of customers) expect(count(await nearby(customerSpot, 1, customer)).some((row) => row.sponsored)).toBe(true);
    const clicks = await Promise.all(
      customers.map((customer) => gql<{ recordAdClick: { charged: boolean; outcome: string; merchant: { id: string } } }>(stack.graphqlUrl, CLICK, { placementId: placement.id }, customer.token)),
    );
    const outcomes = clicks.map((click) => click.data!.recordAdClick.outcome).sort();
    expect(outcomes).toEqual([...Array(7).fill('BUDGET_SPENT'), ...Array(3).fill('CHARGED')]);
    const payers = customers.filter((_customer, n) => clicks[n]!.data!.recordAdClick.charged);

    // A charged customer clicking again is not charged twice.
    const again = await gql<{ recordAdClick: { outcome: string } }>(stack.graphqlUrl, CLICK, { placementId: placement.id }, payers[0]!.token);
    expect(again.data!.recordAdClick.outcome).toBe('REPEATED');

    // The day's budget cannot cover another click: the shop is no longer sponsored.
    const spent = count(await nearby(customerSpot, 1, await anActor('CUSTOMER')));
    expect(spent.map((row) => row.sponsored)).toEqual([false]);

    // One paying customer orders from the shop: the order is the ad's.
    await anOrder(stack, sponsoredShop, payers[0]);
    const figures = await eventually(async () => {
      const current = await figuresOf(placement.id, sponsoredShop.owner);
      return current.ordersAttributed === 1 && current;
    }, 30_000, 'the order attributed to the click');
    expect(figures).toEqual({
      impressions,
      clicks: 3,
      ctr: 3 / impressions,
      spentCents: 300,
      spentTodayCents: 300,
      budgetLeftTodayCents: 0,
      ordersAttributed: 1,
    });
    // Staff see the same figures; another merchant does not see the placement at all.
    expect(await figuresOf(placement.id, await anActor('OPERATOR'))).toEqual(figures);
    const stranger = await gql<{ adPlacement: unknown }>(stack.graphqlUrl, PLACEMENT, { id: placement.id }, (await anActor('MERCHANT')).token);
    expect(stranger.data!.adPlacement).toBeNull();
  });

  test('paused, a placement is not shown; resumed it is; ended it stays off; every change is audited and refusals carry their codes', async () => {
    const home = aPlace();
    const shop = await aMerchant(stack, undefined, home);
    const spot = north(home, 500);
    const operator = await anActor('OPERATOR');
    // Staff buy on the shop's behalf.
    const placement = await buy(operator, shop, spot, 1000, 100_000, 50);
    // A nearer shop fills the organic page of one (first: 1), so the sponsored shop is not on it.
    const decoy = await aMerchant(stack, undefined, north(home, 520));
    const shown = async () => (await nearby(spot, 1)).some((row) => row.merchant.id === shop.id && row.sponsored);
    await eventually(shown, 30_000, 'the placement shown');

    const paused = await gql<{ pauseAdPlacement: { status: string } }>(stack.graphqlUrl, PAUSE, { id: placement.id, reason: '预算调整' }, shop.owner.token);
    expect(paused.data!.pauseAdPlacement.status).toBe('PAUSED');
    await eventually(async () => !(await shown()), 30_000, 'the paused placement hidden');

    const resumed = await gql<{ resumeAdPlacement: { status: string } }>(stack.graphqlUrl, RESUME, { id: placement.id, reason: '恢复' }, operator.token);
    expect(resumed.data!.resumeAdPlacement.status).toBe('ACTIVE');
    await eventually(shown, 30_000, 'the resumed placement shown');

    const ended = await gql<{ endAdPlacement: { status: string } }>(stack.graphqlUrl, END, { id: placement.id, reason: '活动结束' }, shop.owner.token);
    expect(ended.data!.endAdPlacement.status).toBe('ENDED');
    await eventually(async () => !(await shown()), 30_000, 'the ended placement hidden');
    const click = await gql<{ recordAdClick: { outcome: string; charged: boolean } }>(stack.graphqlUrl, CLICK, { placementId: placement.id }, (await anActor('CUSTOMER')).token);
    expect(click.data!.recordAdClick).toMatchObject({ outcome: 'NOT_SERVING', charged: false });

    expect(codesOf(await gql(stack.graphqlUrl, RESUME, { id: placement.id, reason: 'x' }, operator.token))).toEqual(['INVALID_STATE_TRANSITION']);
    expect(codesOf(await gql(stack.graphqlUrl, PAUSE, { id: placement.id, reason: ' ' }, operator.token))).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(await gql(stack.graphqlUrl, PAUSE, { id: placement.id, reason: 'x' }, (await anActor('MERCHANT')).token))).toEqual(['FORBIDDEN']);
    expect(codesOf(await gql(stack.graphqlUrl, CLICK, { placementId: placement.id }, operator.token))).toEqual(['FORBIDDEN']);
    expect(codesOf(await gql(stack.graphqlUrl, CLICK, { placementId: '0190aaaa-0000-7000-8000-000000000000' }, (await anActor('CUSTOMER')).token))).toEqual(['NOT_FOUND']);
    // Another merchant's shop, an unknown shop, a budget below one click.
    const other = await anActor('MERCHANT');
    const input = { merchantId: shop.id, center: spot, radiusMeters: 1000, startsAt: hours(0), endsAt: hours(2), dailyBudgetCents: 100, cpcCents: 10 };
    expect(codesOf(await gql(stack.graphqlUrl, BUY, { input }, other.token))).toEqual(['FORBIDDEN']);
    expect(codesOf(await gql(stack.graphqlUrl, BUY, { input: { ...input, merchantId: '0190aaaa-0000-7000-8000-000000000000' } }, operator.token))).toEqual(['NOT_FOUND']);
    expect(codesOf(await gql(stack.graphqlUrl, BUY, { input: { ...input, dailyBudgetCents: 5 } }, operator.token))).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(await gql(stack.graphqlUrl, BUY, { input: { ...input, endsAt: hours(-1) } }, operator.token))).toEqual(['BAD_USER_INPUT']);

    // The owner lists its own placements; the decoy's owner has none.
    const mine = await gql<{ adPlacements: { edges: Array<{ node: { id: string; status: string } }> } }>(stack.graphqlUrl, PLACEMENTS, {}, shop.owner.token);
    expect(mine.data!.adPlacements.edges.map((edge) => edge.node)).toEqual([expect.objectContaining({ id: placement.id, status: 'ENDED' })]);
    const theirs = await gql<{ adPlacements: { edges: unknown[] } }>(stack.graphqlUrl, PLACEMENTS, {}, decoy.owner.token);
    expect(theirs.data!.adPlacements.edges).toEqual([]);

    const audit = await eventually(async () => {
      const response = await gql<{ auditLog: { edges: Array<{ node: { action: string; actorId: string; before: string | null; after: string | null } }> } }>(
        stack.graphqlUrl,
        'query($filter: AuditLogFilter) { auditLog(filter: $filter, first: 10) { edges { node { action actorId before after } } } }',
        { filter: { targetId: placement.id } },
        operator.token,
      );
      const entries = response.data?.auditLog.edges.map((edge) => edge.node) ?? [];
      return entries.length === 4 && entries;
    }, 30_000, 'the four audit entries');
    expect(audit.reverse()).toEqual([
      { action: 'AD_BUY', actorId: operator.sub, before: null, after: 'ACTIVE' },
      { action: 'AD_PAUSE', actorId: shop.owner.sub, before: 'ACTIVE', after: 'PAUSED' },
      { action: 'AD_RESUME', actorId: operator.sub, before: 'PAUSED', after: 'ACTIVE' },
      { action: 'AD_END', actorId: shop.owner.sub, before: 'ACTIVE', after: 'ENDED' },
    ]);
  });
});
