import { newId } from '@waimai/platform';
import { unreachableUrl } from '@waimai/testkit';
import { aCustomer, startPayments, type PaymentsHarness } from './harness';

/* initiatePayment reads the order from orders first: without an answer, nothing is started. */

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments({ ORDERS_URL: await unreachableUrl(), ORDERS_TIMEOUT_MS: '300' });
});
afterAll(async () => {
  await h.stop();
});

test('initiatePayment while orders does not answer is refused as unavailable, to be retried, and starts no payment', async () => {
  const orderId = newId();
  const result = await h.call('mutation($id: ID!) { initiatePayment(orderId: $id, paymentMethod: ALIPAY) { id } }', { id: orderId }, aCustomer());

  expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
  expect(result.errors?.[0]?.extensions).toMatchObject({ service: 'orders', retryAfterSeconds: 5 });
  expect(await h.paymentsOfOrder(orderId)).toEqual([]);
});
