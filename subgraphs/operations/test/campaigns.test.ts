import { anActor, aMerchant, aPlace, eventually, type Actor, type SeededMerchant } from '@waimai/testkit';
import { startCampaignStack, type CampaignStack, type CampaignView } from './campaign-kit';

let h: CampaignStack;
let operator: Actor;
let admin: Actor;
let shop: SeededMerchant;
let otherShop: SeededMerchant;

beforeAll(async () => {
  h = await startCampaignStack(['products', 'operations']);
  operator = await anActor('OPERATOR');
  admin = await anActor('ADMIN');
  shop = await aMerchant(h.stack);
  otherShop = await aMerchant(h.stack);
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

const codes = (response: { errors?: Array<{ extensions?: { code?: string } }> }) => (response.errors ?? []).map((error) => error.extensions?.code);
const merchantFunded = (merchantId: string) => ({ fundedBy: 'MERCHANT', merchantId, area: null, title: '店铺满减' });
const CHANGE = (name: string) => `mutation ($id: ID!, $reason: String!) { ${name}(id: $id, reason: $reason) { id status } }`;
const LIST = /* GraphQL */ `query ($filter: CampaignFilter, $first: Int, $after: String) { campaigns(filter: $filter, first: $first, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`;
const ISSUE = /* GraphQL */ `mutation ($c: ID!, $u: ID!, $e: DateTime!) { issueCoupon(campaignId: $c, customerId: $u, expiresAt: $e) { id campaignId title offCents thresholdCents customerId expiresAt state } }`;
const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

async function auditActionsOf(targetId: string): Promise<string[]> {
  const result = await h.as<{ auditLog: { edges: Array<{ node: { action: string } }> } }>(admin, 'query ($f: AuditLogFilter) { auditLog(filter: $f) { edges { node { action } } } }', { f: { targetId } });
  return (result.data?.auditLog.edges ?? []).map((edge) => edge.node.action).reverse();
}

test('staff create a platform campaign: every field as given, running, its whole budget left, audited', async () => {
  const place = aPlace();
  const campaign = await h.aCampaign(operator, { stacksWith: ['COUPON'], perCustomerLimit: 3 }, place);
  expect(campaign).toMatchObject({
    kind: 'SPEND_AND_SAVE',
    title: '满30减5',
    fundedBy: 'PLATFORM',
    merchant: null,
    merchantIds: [],
    area: { center: place, radiusMeters: 5000 },
    status: 'ACTIVE',
    running: true,
    budgetCents: 100_000,
    perCustomerLimit: 3,
    stacksWith: ['COUPON'],
    thresholdCents: 3000,
    offCents: 500,
    percent: null,
    capCents: null,
    productIds: null,
    figures: { orders: 0, discountCents: 0, pendingOrders: 0, pendingCents: 0, couponsIssued: 0, couponsUsed: 0, budgetCents: 100_000, spentCents: 0, reservedCents: 0, leftCents: 100_000 },
  });
  await eventually(async () => (await auditActionsOf(campaign.id)).join() === 'CAMPAIGN_CREATE', { what: 'the creation in the audit log' });
});

test('a campaign whose window has not started is ACTIVE but not running', async () => {
  const campaign = await h.aCampaign(operator, { startsAt: inAnHour(), endsAt: new Date(Date.now() + 7200_000).toISOString() });
  expect(campaign).toMatchObject({ status: 'ACTIVE', running: false });
});

test("a merchant creates a campaign it pays for on its own shop, which applies to that shop only; another's shop or the platform's money is refused", async () => {
  const campaign = await h.aCampaign(shop.owner, merchantFunded(shop.id));
  expect(campaign).toMatchObject({ fundedBy: 'MERCHANT', merchant: { id: shop.id }, merchantIds: [shop.id], area: null });

  const create = (actor: Actor, input: Record<string, unknown>) => h.aCampaign(actor, input).then(() => 'created', (err: Error) => err.message);
  expect(await create(shop.owner, merchantFunded(otherShop.id))).toContain('FORBIDDEN');
  expect(await create(shop.owner, {})).toContain('FORBIDDEN');
  // Staff may create one on a merchant's behalf; the merchant then manages it.
  const onBehalf = await h.aCampaign(operator, merchantFunded(otherShop.id));
  expect((await h.as<{ pauseCampaign: { status: string } }>(otherShop.owner, CHANGE('pauseCampaign'), { id: onBehalf.id, reason: '先停一下' })).data?.pauseCampaign.status).toBe('PAUSED');
  expect(await create(operator, merchantFunded('no-such-shop'))).toContain('NOT_FOUND');
});

test('input breaking the rules of its kind is bad input, each problem named', async () => {
  const refusals: Array<Record<string, unknown>> = [
    { endsAt: new Date(Date.now() - 7200_000).toISOString() },
    { thresholdCents: null },
    { offCents: 4000 },
    { kind: 'PERCENT_OFF', offCents: null },
    { kind: 'PERCENT_OFF', offCents: null, percent: 101 },
    { kind: 'COUPON', offCents: null },
    { percent: 10 },
    { area: null },
    { stacksWith: ['SPEND_AND_SAVE'] },
    { budgetCents: 0 },
    { title: '  ' },
    { kind: 'FIRST_ORDER', perCustomerLimit: 2 },
    { fundedBy: 'MERCHANT' },
    { merchantId: shop.id },
    { area: { center: aPlace(), radiusMeters: 10 } },
  ];
  for (const input of refusals) {
    const outcome = await h.aCampaign(operator, input).then(() => 'created', (err: Error) => err.message);
    expect({ input, outcome: outcome.includes('BAD_USER_INPUT') }).toEqual({ input, outcome: true });
  }
});

test('pause, resume and end move a campaign, each audited with its reason; a repeat changes nothing; nothing leaves ENDED', async () => {
  const campaign = await h.aCampaign(operator);
  const change = async (name: string, actor: Actor = operator) => {
    const result = await h.as<Record<string, { status: string }>>(actor, CHANGE(name), { id: campaign.id, reason: '运营调整' });
    return result.data?.[name]?.status ?? codes(result).join();
  };
  expect(await change('pauseCampaign')).toBe('PAUSED');
  expect(await change('pauseCampaign')).toBe('PAUSED');
  expect(await change('resumeCampaign', admin)).toBe('ACTIVE');
  expect(await change('endCampaign')).toBe('ENDED');
  expect(await change('endCampaign')).toBe('ENDED');
  expect(await change('resumeCampaign')).toBe('INVALID_STATE_TRANSITION');
  expect(await change('pauseCampaign')).toBe('INVALID_STATE_TRANSITION');
  await eventually(async () => (await auditActionsOf(campaign.id)).join() === 'CAMPAIGN_CREATE,CAMPAIGN_PAUSE,CAMPAIGN_RESUME,CAMPAIGN_END', { what: 'each change once in the audit log' });
});

test("a change needs a reason and an existing campaign; a merchant may not touch the platform's or another merchant's campaigns", async () => {
  const platform = await h.aCampaign(operator);
  const theirs = await h.aCampaign(otherShop.owner, merchantFunded(otherShop.id));
  expect(codes(await h.as(operator, CHANGE('pauseCampaign'), { id: platform.id, reason: ' ' }))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await h.as(operator, CHANGE('pauseCampaign'), { id: platform.id, reason: 'x'.repeat(501) }))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await h.as(operator, CHANGE('pauseCampaign'), { id: 'no-such-campaign', reason: '运营调整' }))).toEqual(['NOT_FOUND']);
  expect(codes(await h.as(shop.owner, CHANGE('pauseCampaign'), { id: platform.id, reason: '运营调整' }))).toEqual(['FORBIDDEN']);
  expect(codes(await h.as(shop.owner, CHANGE('endCampaign'), { id: theirs.id, reason: '运营调整' }))).toEqual(['FORBIDDEN']);
  for (const role of ['CUSTOMER', 'RIDER'] as const) {
    expect(codes(await h.as(await anActor(role), CHANGE('pauseCampaign'), { id: platform.id, reason: '运营调整' }))).toEqual(['FORBIDDEN']);
  }
  expect(codes(await h.as(null, CHANGE('pauseCampaign'), { id: platform.id, reason: '运营调整' }))).toEqual(['UNAUTHENTICATED']);
});

test('staff list every campaign newest first, page by page and by filter; a merchant lists and sees only its own', async () => {
  const merchant = await aMerchant(h.stack);
  const created: CampaignView[] = [];
  for (let index = 0; index < 3; index += 1) created.push(await h.aCampaign(merchant.owner, merchantFunded(merchant.id)));
  const newestFirst = created.map((campaign) => campaign.id).reverse();

  type Page = { campaigns: { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  const ids = (page: Page | null | undefined) => page?.campaigns.edges.map((edge) => edge.node.id) ?? [];
  const first = await h.as<Page>(operator, LIST, { filter: { merchantId: merchant.id }, first: 2 });
  const second = await h.as<Page>(operator, LIST, { filter: { merchantId: merchant.id }, first: 2, after: first.data?.campaigns.pageInfo.endCursor });
  expect([...ids(first.data), ...ids(second.data)]).toEqual(newestFirst);
  expect(ids((await h.as<Page>(merchant.owner, LIST, { first: 100 })).data)).toEqual(newestFirst);
  expect(ids((await h.as<Page>(operator, LIST, { filter: { merchantId: merchant.id, statuses: ['PAUSED'] } })).data)).toEqual([]);
  expect(ids((await h.as<Page>(operator, LIST, { filter: { kinds: ['COUPON'], fundedBy: 'MERCHANT', merchantId: merchant.id } })).data)).toEqual([]);

  expect((await h.as<{ campaign: unknown }>(shop.owner, 'query ($id: ID!) { campaign(id: $id) { id } }', { id: created[0]!.id })).data?.campaign).toBeNull();
  expect(codes(await h.as(operator, LIST, { filter: { statuses: [] } }))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await h.as(operator, LIST, { first: 0 }))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await h.as(await anActor('CUSTOMER'), LIST))).toEqual(['FORBIDDEN']);
  expect(codes(await h.as(null, LIST))).toEqual(['UNAUTHENTICATED']);
});

test("coupons issued to a customer show in that customer's coupons only, audited; only COUPON campaigns issue them, and only into the future", async () => {
  const campaign = await h.aCampaign(operator, { kind: 'COUPON', title: '5元无门槛券', offCents: 500, thresholdCents: null });
  const customer = await anActor('CUSTOMER');
  const expiresAt = inAnHour();
  const issued = await h.as<{ issueCoupon: { id: string } }>(operator, ISSUE, { c: campaign.id, u: customer.sub, e: expiresAt });
  expect(issued.data?.issueCoupon).toMatchObject({ campaignId: campaign.id, title: '5元无门槛券', offCents: 500, thresholdCents: null, customerId: customer.sub, expiresAt, state: 'AVAILABLE' });
  const couponId = issued.data?.issueCoupon.id as string;

  const mine = async (actor: Actor) => (await h.as<{ myCoupons: { edges: Array<{ node: { id: string } }> } }>(actor, '{ myCoupons { edges { node { id } } } }')).data?.myCoupons.edges.map((edge) => edge.node.id);
  expect(await mine(customer)).toEqual([couponId]);
  expect(await mine(await anActor('CUSTOMER'))).toEqual([]);
  expect(codes(await h.as(operator, '{ myCoupons { edges { node { id } } } }'))).toEqual(['FORBIDDEN']);
  expect((await h.campaign(operator, campaign.id)).figures.couponsIssued).toBe(1);
  await eventually(async () => (await auditActionsOf(couponId)).join() === 'COUPON_ISSUE', { what: 'the coupon in the audit log' });

  const spendAndSave = await h.aCampaign(operator);
  expect(codes(await h.as(operator, ISSUE, { c: spendAndSave.id, u: customer.sub, e: expiresAt }))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await h.as(operator, ISSUE, { c: campaign.id, u: customer.sub, e: new Date(Date.now() - 1000).toISOString() }))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await h.as(operator, ISSUE, { c: 'no-such-campaign', u: customer.sub, e: expiresAt }))).toEqual(['NOT_FOUND']);
  expect(codes(await h.as(shop.owner, ISSUE, { c: campaign.id, u: customer.sub, e: expiresAt }))).toEqual(['FORBIDDEN']);
});
