import { aMerchant, anActor, contractOperation, gql, north, startStack, type Stack } from '@waimai/testkit';

/*
 * Checkout while the operations service (campaigns) is down: every subgraph runs but
 * operations, whose URL refuses connections. An order is never lost because a promotion
 * could not be priced: it is placed without discounts, and the quote says discounts were unavailable.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ subgraphs: ['products', 'orders', 'payments', 'riders'] });
}, 120_000);
afterAll(async () => {
  await stack.stop();
});

const QUOTE_ORDER = contractOperation('QuoteOrder');

interface Breakdown {
  itemsCents: number;
  discounts: unknown[];
  discountCents: number;
  deliveryFeeCents: number;
  totalCents: number;
  discountsAvailable: boolean;
}

test('with operations down, quoteOrder says discounts are unavailable and createOrder places the order without them', async () => {
  const merchant = await aMerchant(stack, [{ name: '酸辣粉', priceCents: 1600, stock: 10 }]);
  const customer = await anActor('CUSTOMER');
  const basket = { items: [{ productId: merchant.products[0]!.id, quantity: 2 }], deliveryLocation: north(merchant.location, 500) };

  const quoted = await gql<{ quoteOrder: Breakdown }>(stack.graphqlUrl, QUOTE_ORDER, { input: basket }, customer.token);
  const created = await gql<{ createOrder: { id: string; status: string; totalCents: number; priceBreakdown: Breakdown } }>(
    stack.graphqlUrl,
    'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id status totalCents priceBreakdown { itemsCents discounts { campaignId } discountCents deliveryFeeCents totalCents discountsAvailable } } }',
    // A coupon the customer chose cannot be checked either: the order goes through without it.
    { input: { ...basket, deliveryAddress: '人民路8号', couponId: 'a-coupon-of-theirs' } },
    customer.token,
  );

  expect(quoted.errors).toBeUndefined();
  const expected = { itemsCents: 3200, discounts: [], discountCents: 0, deliveryFeeCents: 0, totalCents: 3200, discountsAvailable: false };
  expect(quoted.data!.quoteOrder).toMatchObject(expected);
  expect(created.errors).toBeUndefined();
  expect(created.data!.createOrder).toMatchObject({ status: 'PENDING_PAYMENT', totalCents: 3200, priceBreakdown: expected });
}, 60_000);
