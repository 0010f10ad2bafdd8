import { aMerchant, anActor, contractOperation, eventually, gql, north, orderInfo, payOrder, startStack, type Actor, type SeededMerchant, type Stack } from '@waimai/testkit';

/*
 * Checkout with campaigns, through the gateway with every subgraph running: operations prices
 * and holds the discounts, orders snapshots them on the order. Campaigns are created by an
 * OPERATOR through operations' GraphQL API, each for the test's own shop.
 */

let stack: Stack;
let operator: Actor;
beforeAll(async () => {
  stack = await startStack({
    env: {
      // The races below send 200 checkouts at once to one 2-core machine: these bounds are about
      // correctness under contention here, not latency (a discount call that timed out would be
      // priced without, and the counts would not say whether the budget held).
      CAMPAIGNS_API_TIMEOUT_MS: '20000',
      STOCK_API_TIMEOUT_MS: '20000',
    },
  });
  operator = await anActor('OPERATOR');
}, 120_000);
afterAll(async () => {
  await stack.stop();
});

const QUOTE_ORDER = contractOperation('QuoteOrder');
const CREATE_ORDER = `mutation($input: CreateOrderInput!) {
  createOrder(input: $input) {
    id
    totalCents
    priceBreakdown {
      lines { product { id name } productName unitPriceCents quantity subtotalCents }
      itemsCents
      discounts { campaignId couponId kind title fundedBy amountCents }
      discountCents
      deliveryFeeCents
      totalCents
      discountsAvailable
    }
  }
}`;

interface Breakdown {
  lines: Array<{ product: { id: string; name: string }; productName: string; unitPriceCents: number; quantity: number; subtotalCents: number }>;
  itemsCents: number;
  discounts: Array<{ campaignId: string; couponId: string | null; kind: string; title: string; fundedBy: string; amountCents: number }>;
  discountCents: number;
  deliveryFeeCents: number;
  totalCents: number;
  discountsAvailable: boolean;
}
interface CreatedOrder {
  id: string;
  totalCents: number;
  priceBreakdown: Breakdown;
}
interface Figures {
  budgetCents: number;
  spentCents: number;
  reservedCents: number;
  leftCents: number;
}

const hourFromNow = () => new Date(Date.now() + 3_600_000).toISOString();

/** A running PLATFORM campaign for `merchant`'s shop alone, created by the OPERATOR. */
async function aCampaign(merchant: SeededMerchant, input: Record<string, unknown>): Promise<string> {
  const result = await gql<{ createCampaign: { id: string; running: boolean } }>(
    stack.graphqlUrl,
    'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id running } }',
    {
      input: {
        fundedBy: 'PLATFORM',
        merchantIds: [merchant.id],
        // Already started: it prices the very next checkout.
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: hourFromNow(),
        ...input,
      },
    },
    operator.token,
  );
  if (result.errors?.length) throw new Error(`createCampaign failed: ${JSON.stringify(result.errors)}`);
  expect(result.data!.createCampaign.running).toBe(true);
  return result.data!.createCampaign.id;
}

async function aCoupon(campaignId: string, customer: Actor): Promise<string> {
  const result = await gql<{ issueCoupon: { id: string } }>(
    stack.graphqlUrl,
    'mutation($campaignId: ID!, $customerId: ID!, $expiresAt: DateTime!) { issueCoupon(campaignId: $campaignId, customerId: $customerId, expiresAt: $expiresAt) { id } }',
    { campaignId, customerId: customer.sub, expiresAt: hourFromNow() },
    operator.token,
  );
  if (result.errors?.length) throw new Error(`issueCoupon failed: ${JSON.stringify(result.errors)}`);
  return result.data!.issueCoupon.id;
}

async function figuresOf(campaignId: string): Promise<Figures> {
  const result = await gql<{ campaign: { figures: Figures } }>(
    stack.graphqlUrl,
    'query($id: ID!) { campaign(id: $id) { figures { budgetCents spentCents reservedCents leftCents } } }',
    { id: campaignId },
    operator.token,
  );
  if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
  return result.data!.campaign.figures;
}

async function couponState(customer: Actor, couponId: string): Promise<string | undefined> {
  const result = await gql<{ myCoupons: { edges: Array<{ node: { id: string; state: string } }> } }>(
    stack.graphqlUrl,
    'query { myCoupons(first: 100) { edges { node { id state } } } }',
    {},
    customer.token,
  );
  if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
  return result.data!.myCoupons.edges.find((edge) => edge.node.id === couponId)?.node.state;
}

const basketOf = (merchant: SeededMerchant, quantity: number) => ({
  items: [{ productId: merchant.products[0]!.id, quantity }],
  deliveryLocation: north(merchant.location, 500),
});

async function checkout(customer: Actor, merchant: SeededMerchant, quantity: number, extra: Record<string, unknown> = {}) {
  return gql<{ createOrder: CreatedOrder }>(stack.graphqlUrl, CREATE_ORDER, { input: { ...basketOf(merchant, quantity), deliveryAddress: '人民路100号', ...extra } }, customer.token);
}

async function placed(customer: Actor, merchant: SeededMerchant, quantity: number, extra: Record<string, unknown> = {}): Promise<CreatedOrder> {
  const result = await checkout(customer, merchant, quantity, extra);
  if (result.errors?.length) throw new Error(`createOrder failed: ${JSON.stringify(result.errors)}`);
  return result.data!.createOrder;
}

describe('checkout with campaigns, through the gateway', () => {
  test('a spend-and-save campaign prices a checkout: the quote is the created order\'s breakdown, and the payment and a refund are net of it', async () => {
    const merchant = await aMerchant(stack, [{ name: '酸菜鱼', priceCents: 2000, stock: 50 }]);
    const campaignId = await aCampaign(merchant, { kind: 'SPEND_AND_SAVE', title: '满30减5', budgetCents: 100_000, thresholdCents: 3000, offCents: 500 });
    const customer = await anActor('CUSTOMER');

    const quoted = await gql<{ quoteOrder: Breakdown }>(stack.graphqlUrl, QUOTE_ORDER, { input: basketOf(merchant, 2) }, customer.token);
    const below = await gql<{ quoteOrder: Breakdown }>(stack.graphqlUrl, QUOTE_ORDER, { input: basketOf(merchant, 1) }, customer.token);

    expect(quoted.errors).toBeUndefined();
    const quote = quoted.data!.quoteOrder;
    expect(quote).toEqual({
      lines: [{ product: { id: merchant.products[0]!.id, name: '酸菜鱼' }, productName: '酸菜鱼', unitPriceCents: 2000, quantity: 2, subtotalCents: 4000 }],
      itemsCents: 4000,
      discounts: [{ campaignId, couponId: null, kind: 'SPEND_AND_SAVE', title: '满30减5', fundedBy: 'PLATFORM', amountCents: 500 }],
      discountCents: 500,
      deliveryFeeCents: 0,
      totalCents: 3500,
      discountsAvailable: true,
    });
    expect(below.data!.quoteOrder).toMatchObject({ itemsCents: 2000, discounts: [], totalCents: 2000, discountsAvailable: true });
    // A quote holds nothing: neither the budget nor the stock.
    expect(await figuresOf(campaignId)).toMatchObject({ reservedCents: 0, spentCents: 0, leftCents: 100_000 });

    const order = await placed(customer, merchant, 2);

    expect(order.priceBreakdown).toEqual(quote);
    expect(order.totalCents).toBe(3500);
    expect(await figuresOf(campaignId)).toMatchObject({ reservedCents: 500, leftCents: 99_500 });

    const payment = await payOrder(stack, order.id, customer.token);
    expect(payment.amountCents).toBe(3500);
    await eventually(async () => (await figuresOf(campaignId)).spentCents === 500, 20_000, 'the discount consumed once the order is paid');

    // Staff cancelling the paid order refunds what was paid: the total net of the discount.
    const cancelled = await gql(stack.graphqlUrl, 'mutation($id: ID!) { cancelOrderAsStaff(orderId: $id, reason: "商家缺货") { id status } }', { id: order.id }, operator.token);
    expect(cancelled.errors).toBeUndefined();
    const refunded = await eventually(async () => {
      const info = await orderInfo(stack, order.id, customer.token);
      return info?.payment?.refundedCents ? info : null;
    }, 30_000, 'the refund of the cancelled order');
    expect(refunded.payment).toMatchObject({ amountCents: 3500, refundedCents: 3500 });
  }, 90_000);

  test('20 concurrent checkouts with the same single-use coupon: exactly one order gets it, all 20 are placed', async () => {
    const merchant = await aMerchant(stack, [{ name: '小笼包', priceCents: 1500, stock: 100 }]);
    const campaignId = await aCampaign(merchant, { kind: 'COUPON', title: '新客券3元', budgetCents: 100_000, offCents: 300 });
    const customer = await anActor('CUSTOMER');
    const couponId = await aCoupon(campaignId, customer);

    const results = await Promise.all(Array.from({ length: 20 }, () => checkout(customer, merchant, 1, { couponId })));

    expect(results.filter((result) => result.errors?.length)).toEqual([]);
    const orders = results.map((result) => result.data!.createOrder);
    const withCoupon = orders.filter((order) => order.priceBreakdown.discounts.some((discount) => discount.couponId === couponId));
    expect(withCoupon).toHaveLength(1);
    expect(withCoupon[0]!.totalCents).toBe(1200);
    expect(orders.every((order) => order.priceBreakdown.discountsAvailable)).toBe(true);
    expect(orders.filter((order) => order.totalCents === 1500)).toHaveLength(19);
    expect(await couponState(customer, couponId)).toBe('HELD');
    expect(await figuresOf(campaignId)).toMatchObject({ reservedCents: 300 });
  }, 90_000);

  test('200 concurrent orders against a budget for 50 discounts: exactly 50 discounted, the other 150 priced without, none refused', async () => {
    const merchant = await aMerchant(stack, [{ name: '肉夹馍', priceCents: 1500, stock: 1000 }]);
    const campaignId = await aCampaign(merchant, { kind: 'SPEND_AND_SAVE', title: '满10减1', budgetCents: 5000, thresholdCents: 1000, offCents: 100 });
    const customers = await Promise.all(Array.from({ length: 200 }, () => anActor('CUSTOMER')));

    const started = Date.now();
    const results = await Promise.all(customers.map((customer) => checkout(customer, merchant, 1)));
    const elapsedMs = Date.now() - started;

    expect(results.filter((result) => result.errors?.length).map((result) => result.errors)).toEqual([]);
    const orders = results.map((result) => result.data!.createOrder);
    expect(orders.every((order) => order.priceBreakdown.discountsAvailable)).toBe(true);
    const discounted = orders.filter((order) => order.priceBreakdown.discountCents > 0);
    expect(discounted).toHaveLength(50);
    expect(discounted.every((order) => order.totalCents === 1400 && order.priceBreakdown.discounts[0]?.campaignId === campaignId)).toBe(true);
    expect(orders.filter((order) => order.totalCents === 1500 && order.priceBreakdown.discounts.length === 0)).toHaveLength(150);
    expect(await figuresOf(campaignId)).toMatchObject({ budgetCents: 5000, reservedCents: 5000, spentCents: 0, leftCents: 0 });
    // Bounded: well inside the test's own timeout, whatever the machine (printed, not asserted on speed).
    process.stdout.write(`200 concurrent checkouts against one campaign took ${elapsedMs} ms\n`);
  }, 120_000);

  test('a cancelled order gives its coupon and its share of the budget back, and the next checkout gets them', async () => {
    const merchant = await aMerchant(stack, [{ name: '煎饼果子', priceCents: 1000, stock: 20 }]);
    // The budget covers exactly one coupon.
    const campaignId = await aCampaign(merchant, { kind: 'COUPON', title: '早餐券2元', budgetCents: 200, offCents: 200 });
    const customer = await anActor('CUSTOMER');
    const couponId = await aCoupon(campaignId, customer);
    const first = await placed(customer, merchant, 1, { couponId });
    expect(first.priceBreakdown.discounts).toEqual([{ campaignId, couponId, kind: 'COUPON', title: '早餐券2元', fundedBy: 'PLATFORM', amountCents: 200 }]);
    expect(await figuresOf(campaignId)).toMatchObject({ reservedCents: 200, leftCents: 0 });

    const cancelled = await gql(stack.graphqlUrl, 'mutation($id: ID!) { cancelOrder(orderId: $id, reason: "不想要了") { id status } }', { id: first.id }, customer.token);
    expect(cancelled.errors).toBeUndefined();

    await eventually(async () => (await couponState(customer, couponId)) === 'AVAILABLE', 20_000, 'the coupon back');
    await eventually(async () => (await figuresOf(campaignId)).leftCents === 200, 20_000, 'the budget back');
    const second = await placed(customer, merchant, 1, { couponId });
    expect(second.priceBreakdown).toMatchObject({ discountCents: 200, totalCents: 800 });
    expect(second.priceBreakdown.discounts[0]?.couponId).toBe(couponId);
  }, 90_000);

  test('the same idempotency key returns the same order and the same discount hold', async () => {
    const merchant = await aMerchant(stack, [{ name: '凉皮', priceCents: 1200, stock: 20 }]);
    const campaignId = await aCampaign(merchant, { kind: 'SPEND_AND_SAVE', title: '满10减2', budgetCents: 10_000, thresholdCents: 1000, offCents: 200 });
    const customer = await anActor('CUSTOMER');

    const [first, second] = await Promise.all([placed(customer, merchant, 1, { idempotencyKey: 'cart-1' }), placed(customer, merchant, 1, { idempotencyKey: 'cart-1' })]);
    const third = await placed(customer, merchant, 1, { idempotencyKey: 'cart-1' });

    expect(new Set([first.id, second.id, third.id]).size).toBe(1);
    expect(third.priceBreakdown).toEqual(first.priceBreakdown);
    expect(first.priceBreakdown.discountCents).toBe(200);
    expect(await figuresOf(campaignId)).toMatchObject({ reservedCents: 200 });
  }, 60_000);
});
