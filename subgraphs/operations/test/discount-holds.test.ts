import { createInternalClient, newId, ordersApi } from '@waimai/platform';
import { anActor, aPlace, eventually, gql, unreachableUrl, type Actor } from '@waimai/testkit';
import { createCampaignStore } from '../src/db/campaign-store';
import { createDiscounts } from '../src/domain/discounts';
import { aBasket, startCampaignStack, type CampaignStack } from './campaign-kit';

let h: CampaignStack;
let operator: Actor;

beforeAll(async () => {
  h = await startCampaignStack(['orders', 'operations']);
  operator = await anActor('OPERATOR');
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

const figuresOf = async (id: string) => (await h.campaign(operator, id)).figures;
const reserve = async (basket: Parameters<CampaignStack['api']['reserve']>[0]['body']) => (await h.api.reserve({ body: basket })).value;

/** A domain service on the stack's database whose orders client asks `ordersUrl` (the sweep's view of orders). */
function discountsAsking(ordersUrl: string) {
  const store = createCampaignStore(h.db, h.db);
  const orders = createInternalClient(ordersApi, { baseUrl: ordersUrl, caller: 'operations', signer: h.signer, timeoutMs: 3000 });
  return createDiscounts({ store, orders, orphanSeconds: 120, logger: h.logger });
}
const later = (seconds: number) => new Date(Date.now() + seconds * 1000);

test('a spend-and-save prices a basket in its area that reaches the threshold, and a quote holds nothing', async () => {
  const place = aPlace();
  const campaign = await h.aCampaign(operator, {}, place);
  const quote = (await h.api.quote({ body: aBasket(place) })).value;
  expect(quote).toEqual({ discounts: [{ campaignId: campaign.id, couponId: null, kind: 'SPEND_AND_SAVE', title: '满30减5', fundedBy: 'PLATFORM', amountCents: 500 }], discountCents: 500 });
  expect((await h.api.quote({ body: aBasket(place, { lines: [{ productId: newId(), unitPriceCents: 2999, quantity: 1 }] }) })).value.discountCents).toBe(0);
  // 10 km north: outside the 5 km area.
  const far = { lat: place.lat + 0.09, lng: place.lng };
  expect((await h.api.quote({ body: aBasket(place, { deliveryLocation: far }) })).value.discountCents).toBe(0);
  expect(await figuresOf(campaign.id)).toMatchObject({ reservedCents: 0, pendingOrders: 0, leftCents: 100_000 });
});

test('a reservation is held once per order: a repeat answers the same discounts and holds nothing more', async () => {
  const place = aPlace();
  const campaign = await h.aCampaign(operator, {}, place);
  const basket = { ...aBasket(place), orderId: newId() };
  const first = await reserve(basket);
  const again = await reserve(basket);
  expect(first.discountCents).toBe(500);
  expect(again).toEqual(first);
  expect(await figuresOf(campaign.id)).toMatchObject({ reservedCents: 500, pendingOrders: 1, pendingCents: 500, leftCents: 99_500 });
});

test('200 concurrent reservations against a budget for 50: exactly 50 get the discount, the others are priced without it', async () => {
  const place = aPlace();
  const campaign = await h.aCampaign(operator, { budgetCents: 50 * 500 }, place);
  const answers = await Promise.all(Array.from({ length: 200 }, () => reserve({ ...aBasket(place), orderId: newId() })));
  expect(answers.filter((answer) => answer.discountCents === 500)).toHaveLength(50);
  expect(answers.filter((answer) => answer.discountCents === 0)).toHaveLength(150);
  expect(await figuresOf(campaign.id)).toMatchObject({ reservedCents: 25_000, pendingOrders: 50, leftCents: 0 });
}, 60_000);

test('20 concurrent reservations with the same single-use coupon: exactly one order gets it', async () => {
  const place = aPlace();
  const customer = await anActor('CUSTOMER');
  const campaign = await h.aCampaign(operator, { kind: 'COUPON', title: '5元券', offCents: 500, thresholdCents: null }, place);
  const issued = await h.as<{ issueCoupon: { id: string } }>(operator, 'mutation ($c: ID!, $u: ID!, $e: DateTime!) { issueCoupon(campaignId: $c, customerId: $u, expiresAt: $e) { id } }', {
    c: campaign.id,
    u: customer.sub,
    e: later(3600).toISOString(),
  });
  const couponId = issued.data?.issueCoupon.id as string;
  const answers = await Promise.all(Array.from({ length: 20 }, () => reserve({ ...aBasket(place, { customerId: customer.sub, couponId }), orderId: newId() })));
  const winners = answers.filter((answer) => answer.discounts.some((discount) => discount.couponId === couponId));
  expect(winners).toHaveLength(1);
  expect(answers.filter((answer) => answer.discountCents === 0)).toHaveLength(19);
  expect(await figuresOf(campaign.id)).toMatchObject({ reservedCents: 500, pendingOrders: 1, couponsIssued: 1 });
});

test("a customer's concurrent orders get a campaign no more often than its per-customer limit", async () => {
  const place = aPlace();
  const campaign = await h.aCampaign(operator, { perCustomerLimit: 2 }, place);
  const customerId = `customer-${newId()}`;
  const answers = await Promise.all(Array.from({ length: 8 }, () => reserve({ ...aBasket(place, { customerId }), orderId: newId() })));
  expect(answers.filter((answer) => answer.discountCents > 0)).toHaveLength(2);
  // Another customer is not limited by the first one's uses.
  expect((await reserve({ ...aBasket(place), orderId: newId() })).discountCents).toBe(500);
  expect((await figuresOf(campaign.id)).pendingOrders).toBe(3);
});

test('a campaign that cannot cover the order gives way to the next best one', async () => {
  const place = aPlace();
  const small = await h.aCampaign(operator, { title: '满30减3', offCents: 300, budgetCents: 100_000 }, place);
  const big = await h.aCampaign(operator, { title: '满30减8', offCents: 800, budgetCents: 800 }, place);
  const first = await reserve({ ...aBasket(place), orderId: newId() });
  const second = await reserve({ ...aBasket(place), orderId: newId() });
  expect(first.discounts.map((discount) => discount.campaignId)).toEqual([big.id]);
  expect(second.discounts.map((discount) => discount.campaignId)).toEqual([small.id]);
});

test('a release gives the budget and the coupon back once, and a release before its reservation leaves the late reservation nothing', async () => {
  const place = aPlace();
  const campaign = await h.aCampaign(operator, { budgetCents: 500 }, place);
  const orderId = newId();
  expect((await reserve({ ...aBasket(place), orderId })).discountCents).toBe(500);
  expect((await h.api.release({ params: { orderId } })).value).toEqual({ released: true });
  expect((await h.api.release({ params: { orderId } })).value).toEqual({ released: false });
  expect(await figuresOf(campaign.id)).toMatchObject({ reservedCents: 0, leftCents: 500 });
  // After its release, the order's reservation answers no discount (the budget is not taken).
  expect((await reserve({ ...aBasket(place), orderId })).discountCents).toBe(0);

  const early = newId();
  expect((await h.api.release({ params: { orderId: early } })).value).toEqual({ released: false });
  expect((await reserve({ ...aBasket(place), orderId: early })).discountCents).toBe(0);
  expect((await reserve({ ...aBasket(place), orderId: newId() })).discountCents).toBe(500);
});

test('paying spends the discount and uses the coupon, a repeated pay event changes nothing, and cancelling afterwards gives both back', async () => {
  const place = aPlace();
  const customer = await anActor('CUSTOMER');
  const campaign = await h.aCampaign(operator, { kind: 'COUPON', title: '8元券', offCents: 800, thresholdCents: null }, place);
  const issued = await h.as<{ issueCoupon: { id: string } }>(operator, 'mutation ($c: ID!, $u: ID!, $e: DateTime!) { issueCoupon(campaignId: $c, customerId: $u, expiresAt: $e) { id } }', {
    c: campaign.id,
    u: customer.sub,
    e: later(3600).toISOString(),
  });
  const couponId = issued.data?.issueCoupon.id as string;
  const orderId = newId();
  expect((await reserve({ ...aBasket(place, { customerId: customer.sub, couponId }), orderId })).discountCents).toBe(800);
  const couponState = async () => (await gql<{ myCoupons: { edges: Array<{ node: { id: string; state: string } }> } }>(h.stack.graphqlUrl, '{ myCoupons { edges { node { id state } } } }', {}, customer.token)).data?.myCoupons.edges[0]?.node.state;
  expect(await couponState()).toBe('HELD');

  await h.publishOrderEvent(orderId, customer.sub, 'create', null, 'PENDING_PAYMENT');
  await h.publishOrderEvent(orderId, customer.sub, 'pay', 'PENDING_PAYMENT', 'CREATED');
  await h.publishOrderEvent(orderId, customer.sub, 'pay', 'PENDING_PAYMENT', 'CREATED');
  await eventually(async () => (await figuresOf(campaign.id)).spentCents === 800, { what: 'the paid order spending its discount' });
  expect(await figuresOf(campaign.id)).toMatchObject({ orders: 1, discountCents: 800, spentCents: 800, reservedCents: 0, couponsUsed: 1, leftCents: campaign.figures.budgetCents - 800 });
  expect(await couponState()).toBe('USED');

  await h.publishOrderEvent(orderId, customer.sub, 'staffCancel', 'CREATED', 'CANCELLED');
  await eventually(async () => (await figuresOf(campaign.id)).spentCents === 0, { what: 'the cancelled order giving its discount back' });
  expect(await figuresOf(campaign.id)).toMatchObject({ orders: 0, pendingOrders: 0, spentCents: 0, reservedCents: 0, couponsUsed: 0, leftCents: campaign.figures.budgetCents });
  expect(await couponState()).toBe('AVAILABLE');
  // The coupon is usable again.
  expect((await reserve({ ...aBasket(place, { customerId: customer.sub, couponId }), orderId: newId() })).discountCents).toBe(800);
});

test('an order cancelled before payment (its payment window passed) gives its discount back', async () => {
  const place = aPlace();
  const campaign = await h.aCampaign(operator, {}, place);
  const basket = { ...aBasket(place), orderId: newId() };
  await reserve(basket);
  await h.publishOrderEvent(basket.orderId, basket.customerId, 'expirePayment', 'PENDING_PAYMENT', 'CANCELLED');
  await eventually(async () => (await figuresOf(campaign.id)).reservedCents === 0, { what: 'the expired order giving its discount back' });
  expect(await figuresOf(campaign.id)).toMatchObject({ pendingOrders: 0, leftCents: 100_000 });
});

test('a hold whose order was placed without discounts (orders gave up waiting for the answer) is given back, never spent', async () => {
  const place = aPlace();
  const campaign = await h.aCampaign(operator, {}, place);
  const basket = { ...aBasket(place), orderId: newId() };
  expect((await reserve(basket)).discountCents).toBeGreaterThan(0);
  // The order's events say it carries no discount.
  await h.publishOrderEvent(basket.orderId, basket.customerId, 'create', null, 'PENDING_PAYMENT', { discountCents: 0 });
  await h.publishOrderEvent(basket.orderId, basket.customerId, 'pay', 'PENDING_PAYMENT', 'CREATED', { discountCents: 0 });
  await eventually(async () => (await figuresOf(campaign.id)).reservedCents === 0, { what: 'the unused hold given back' });
  expect(await figuresOf(campaign.id)).toMatchObject({ spentCents: 0, reservedCents: 0, leftCents: 100_000 });
});

test('a first-order discount is for customers who never paid an order', async () => {
  const place = aPlace();
  await h.aCampaign(operator, { kind: 'FIRST_ORDER', title: '新客立减', offCents: 1000, thresholdCents: null }, place);
  const customerId = `customer-${newId()}`;
  expect((await h.api.quote({ body: aBasket(place, { customerId }) })).value.discountCents).toBe(1000);
  await h.publishOrderEvent(newId(), customerId, 'pay', 'PENDING_PAYMENT', 'CREATED');
  await eventually(async () => (await h.api.quote({ body: aBasket(place, { customerId }) })).value.discountCents === 0, { what: 'the customer no longer counting as new' });
});

test('a paused campaign gives nothing until it is resumed', async () => {
  const place = aPlace();
  const campaign = await h.aCampaign(operator, {}, place);
  await h.as(operator, 'mutation ($id: ID!) { pauseCampaign(id: $id, reason: "预算复核") { id } }', { id: campaign.id });
  expect((await reserve({ ...aBasket(place), orderId: newId() })).discountCents).toBe(0);
  await h.as(operator, 'mutation ($id: ID!) { resumeCampaign(id: $id, reason: "复核通过") { id } }', { id: campaign.id });
  expect((await reserve({ ...aBasket(place), orderId: newId() })).discountCents).toBe(500);
});

test('the orphan sweep releases holds of orders that never appeared, after the window, and only when orders answers', async () => {
  const place = aPlace();
  const campaign = await h.aCampaign(operator, {}, place);
  const orphan = { ...aBasket(place), orderId: newId() };
  const seen = { ...aBasket(place), orderId: newId() };
  await reserve(orphan);
  await reserve(seen);
  // The seen order's event confirms it: the sweep never asks about it.
  await h.publishOrderEvent(seen.orderId, seen.customerId, 'create', null, 'PENDING_PAYMENT');

  const sweeper = discountsAsking(h.stack.subgraphUrls.orders as string);
  // Inside the window nothing is a candidate.
  expect((await sweeper.sweepOrphans()).released).toBe(0);

  // Orders cannot be reached: nothing is released.
  expect((await discountsAsking(await unreachableUrl()).sweepOrphans(later(121))).released).toBe(0);
  expect((await figuresOf(campaign.id)).pendingOrders).toBe(2);

  await eventually(async () => (await h.db.query.discountOrders.findFirst({ where: (row, { eq }) => eq(row.orderId, seen.orderId) }))?.confirmedAt != null, { what: 'the seen order confirmed' });
  // Every unconfirmed hold of this file's tests is a candidate by then: sweep until none is left.
  let swept = await sweeper.sweepOrphans(later(121));
  while (swept.checked > 0) swept = await sweeper.sweepOrphans(later(121));
  expect(await figuresOf(campaign.id)).toMatchObject({ pendingOrders: 1, reservedCents: 500 });
  expect((await h.db.query.discountOrders.findFirst({ where: (row, { eq }) => eq(row.orderId, orphan.orderId) }))?.state).toBe('RELEASED');
});
