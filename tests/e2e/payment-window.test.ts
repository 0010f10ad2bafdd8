import { aMerchant, anOrder, eventually, gql, orderInfo, startStack, type Stack } from '@waimai/testkit';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { PAYMENT_WINDOW_SECONDS: '2', SCHEDULER_INTERVAL_MS: '200' } });
});
afterAll(async () => {
  await stack.stop();
});

test('an order nobody pays expires to CANCELLED when its payment window closes, and its stock comes back', async () => {
  const merchant = await aMerchant(stack, [{ name: '肉夹馍', priceCents: 1500, stock: 4 }]);
  const order = await anOrder(stack, merchant);

  const expired = await eventually(async () => {
    const info = await orderInfo(stack, order.id, order.customer.token);
    return info?.status === 'CANCELLED' ? info : null;
  }, 20_000, 'the payment window expiring');

  expect(expired.timeline.map((t) => t.status)).toEqual(['PENDING_PAYMENT', 'CANCELLED']);
  await eventually(
    async () => (await gql<{ product: { stock: number } }>(stack.graphqlUrl, 'query($id: ID!) { product(id: $id) { stock } }', { id: merchant.products[0]!.id })).data!.product.stock === 4,
    20_000,
    'stock back',
  );
});
