import { anActor, gql, rowCountChanges, rowCounts, startStack, type Actor, type GraphQLResponse, type Stack } from '@waimai/testkit';

/*
 * Malformed values sent through the gateway to the operations subgraph, the kinds the schema
 * fuzzer found answered INTERNAL_SERVER_ERROR: every one is a client mistake with a contract
 * code, whoever sends it, and none writes anything.
 */

let stack: Stack;
let operator: Actor;
let customer: Actor;
let merchant: Actor;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['operations'] });
  [operator, customer, merchant] = await Promise.all([anActor('OPERATOR'), anActor('CUSTOMER'), anActor('MERCHANT')]);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const codesOf = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((error) => error.extensions?.code);
const inHours = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();

const ISSUE_COUPON = 'mutation ($c: ID!, $u: ID!, $e: DateTime!) { issueCoupon(campaignId: $c, customerId: $u, expiresAt: $e) { id } }';
const CREATE_CAMPAIGN = 'mutation ($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }';
const BUY = 'mutation ($input: BuyAdPlacementInput!) { buyAdPlacement(input: $input) { id } }';
const BUSINESS_FIGURES = 'query ($from: DateTime!, $to: DateTime!) { businessFigures(from: $from, to: $to, bucket: DAY) { ordersPlaced } }';
const MERCHANT_FIGURES = 'query ($from: DateTime!, $to: DateTime!) { merchantFigures(from: $from, to: $to) { edges { cursor } } }';
const RIDER_FIGURES = 'query ($from: DateTime!, $to: DateTime!) { riderFigures(from: $from, to: $to) { edges { cursor } } }';
const AUDIT_LOG = 'query ($filter: AuditLogFilter) { auditLog(filter: $filter) { edges { cursor } } }';
const change = (field: string) => `mutation ($id: ID!, $reason: String!) { ${field}(id: $id, reason: $reason) { id } }`;

const campaignInput = (overrides: Record<string, unknown> = {}) => ({
  kind: 'SPEND_AND_SAVE',
  title: '满30减5',
  fundedBy: 'PLATFORM',
  area: { center: { lat: 31.23, lng: 121.47 }, radiusMeters: 5000 },
  startsAt: inHours(-1),
  endsAt: inHours(24),
  budgetCents: 100_000,
  thresholdCents: 3000,
  offCents: 500,
  ...overrides,
});
const placementInput = (overrides: Record<string, unknown> = {}) => ({
  merchantId: 'some-shop',
  center: { lat: 31.23, lng: 121.47 },
  radiusMeters: 1000,
  startsAt: inHours(0),
  endsAt: inHours(24),
  dailyBudgetCents: 1000,
  cpcCents: 10,
  ...overrides,
});

/** Sends each case and returns its codes, checking that the databases did not change. */
async function answersOf(cases: Array<[string, string, Record<string, unknown>, Actor | null]>): Promise<Record<string, unknown[]>> {
  const before = await rowCounts(stack.env);
  const answers: Record<string, unknown[]> = {};
  for (const [name, query, variables, actor] of cases) answers[name] = codesOf(await gql(stack.graphqlUrl, query, variables, actor?.token ?? null));
  expect(rowCountChanges(before, await rowCounts(stack.env))).toEqual([]);
  return answers;
}

test('a DateTime variable that is no date is BAD_USER_INPUT in every operation taking one, for any caller, and writes nothing', async () => {
  const answers = await answersOf([
    ['issueCoupon, expiresAt an object', ISSUE_COUPON, { c: 'campaign', u: 'customer', e: { a: 1 } }, operator],
    ['issueCoupon, expiresAt false', ISSUE_COUPON, { c: 'campaign', u: 'customer', e: false }, operator],
    ['issueCoupon, expiresAt text', ISSUE_COUPON, { c: 'campaign', u: 'customer', e: '\u0085next line' }, operator],
    ['createCampaign, startsAt text', CREATE_CAMPAIGN, { input: campaignInput({ startsAt: 'startsAt-783835' }) }, operator],
    ['createCampaign, endsAt a huge number', CREATE_CAMPAIGN, { input: campaignInput({ endsAt: 1e308 }) }, merchant],
    ['buyAdPlacement, endsAt text', BUY, { input: placementInput({ endsAt: 'endsAt-521212' }) }, operator],
    ['buyAdPlacement, endsAt text, anonymous', BUY, { input: placementInput({ endsAt: 'endsAt-521212' }) }, null],
    ['businessFigures, from empty', BUSINESS_FIGURES, { from: '', to: inHours(0) }, operator],
    ['merchantFigures, to an object', MERCHANT_FIGURES, { from: inHours(-24), to: { a: 1 } }, operator],
    ['riderFigures, from text', RIDER_FIGURES, { from: 'NaN', to: inHours(0) }, operator],
    ['auditLog, filter.from text', AUDIT_LOG, { filter: { from: 'yesterday' } }, operator],
  ]);
  expect(answers).toEqual(Object.fromEntries(Object.keys(answers).map((name) => [name, ['BAD_USER_INPUT']])));
});

test('a DateTime literal that is not a string or not a date is a BAD_REQUEST naming the type, for any caller', async () => {
  const literalCoupon = await gql(stack.graphqlUrl, 'mutation { issueCoupon(campaignId: "c", customerId: "u", expiresAt: false) { id } }', {}, operator.token);
  const literalPlacement = await gql(
    stack.graphqlUrl,
    'mutation { buyAdPlacement(input: { merchantId: "m", center: { lat: 1, lng: 1 }, radiusMeters: 1000, startsAt: "2030-01-01T00:00:00Z", endsAt: "endsAt-521212", dailyBudgetCents: 100, cpcCents: 10 }) { id } }',
    {},
    null,
  );

  for (const answer of [literalCoupon, literalPlacement]) {
    expect(answer.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('DateTime'), extensions: expect.objectContaining({ code: 'BAD_REQUEST', reason: 'GRAPHQL_VALIDATION_FAILED' }) })]);
  }
});

test('ids with unsafe characters or over 64 characters are BAD_USER_INPUT in every campaign and ad mutation, before any lookup', async () => {
  const badIds = ['\u0000', 'abc\uDC00', '\u2066isolate\u2069', 'a'.repeat(65)];
  const cases: Array<[string, string, Record<string, unknown>, Actor | null]> = [];
  for (const [index, id] of badIds.entries()) {
    for (const field of ['pauseCampaign', 'resumeCampaign', 'endCampaign', 'pauseAdPlacement', 'resumeAdPlacement', 'endAdPlacement']) {
      cases.push([`${field} #${index}`, change(field), { id, reason: '暂停一下' }, operator]);
    }
    cases.push([`issueCoupon campaignId #${index}`, ISSUE_COUPON, { c: id, u: 'customer', e: inHours(24) }, operator]);
    cases.push([`recordAdClick #${index}`, 'mutation ($id: ID!) { recordAdClick(placementId: $id) { charged } }', { id }, customer]);
    cases.push([`buyAdPlacement merchantId #${index}`, BUY, { input: placementInput({ merchantId: id }) }, operator]);
    cases.push([`createCampaign merchantIds #${index}`, CREATE_CAMPAIGN, { input: campaignInput({ merchantIds: [id] }) }, operator]);
  }
  cases.push(['issueCoupon customerId over 128', ISSUE_COUPON, { c: 'campaign', u: 'a'.repeat(10_000), e: inHours(24) }, operator]);

  const answers = await answersOf(cases);
  expect(answers).toEqual(Object.fromEntries(Object.keys(answers).map((name) => [name, ['BAD_USER_INPUT']])));
});

test('numbers out of range and unsafe text in createCampaign and buyAdPlacement are BAD_USER_INPUT naming the field', async () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['input.center.lat', placementInput({ center: { lat: 1e308, lng: 121.47 } })],
    ['input.title', campaignInput({ title: '\u0085next line' })],
    ['input.area.center.lng', campaignInput({ area: { center: { lat: 31.23, lng: 360 }, radiusMeters: 5000 } })],
    ['input.thresholdCents', campaignInput({ thresholdCents: 2_000_000_000 })],
    ['input.percent', campaignInput({ kind: 'PERCENT_OFF', offCents: null, thresholdCents: null, percent: 178 })],
  ];
  const before = await rowCounts(stack.env);
  for (const [field, input] of cases) {
    const answer = await gql(stack.graphqlUrl, 'center' in input ? BUY : CREATE_CAMPAIGN, { input }, operator.token);
    expect(answer.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', problems: expect.arrayContaining([expect.objectContaining({ field })]) }) })]);
  }
  expect(rowCountChanges(before, await rowCounts(stack.env))).toEqual([]);
});

test('a caller without the role is refused UNAUTHENTICATED or FORBIDDEN before its well-typed input is judged', async () => {
  const answers = await answersOf([
    ['createCampaign, percent 178, as a customer', CREATE_CAMPAIGN, { input: campaignInput({ kind: 'PERCENT_OFF', percent: 178 }) }, customer],
    ['createCampaign, percent 178, anonymous', CREATE_CAMPAIGN, { input: campaignInput({ kind: 'PERCENT_OFF', percent: 178 }) }, null],
    ['buyAdPlacement, latitude 1e308, as a customer', BUY, { input: placementInput({ center: { lat: 1e308, lng: 0 } }) }, customer],
    ['issueCoupon, NUL campaign id, as a customer', ISSUE_COUPON, { c: '\u0000', u: 'customer', e: inHours(24) }, customer],
    ['pauseAdPlacement, long id, anonymous', change('pauseAdPlacement'), { id: 'a'.repeat(65), reason: ' ' }, null],
    ['recordAdClick, bidi id, as a merchant', 'mutation ($id: ID!) { recordAdClick(placementId: $id) { charged } }', { id: '\u202Eevil' }, merchant],
  ]);
  expect(answers).toEqual({
    'createCampaign, percent 178, as a customer': ['FORBIDDEN'],
    'createCampaign, percent 178, anonymous': ['UNAUTHENTICATED'],
    'buyAdPlacement, latitude 1e308, as a customer': ['FORBIDDEN'],
    'issueCoupon, NUL campaign id, as a customer': ['FORBIDDEN'],
    'pauseAdPlacement, long id, anonymous': ['UNAUTHENTICATED'],
    'recordAdClick, bidi id, as a merchant': ['FORBIDDEN'],
  });
});
