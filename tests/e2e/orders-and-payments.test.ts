import { randomUUID } from 'node:crypto';
import { aMerchant, anOrder, eventually, gql, initiatePayment, orderInfo, payOrder, providerCallback, startStack, type Stack } from '@waimai/testkit';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

const stockOf = async (productId: string) =>
  (await gql<{ product: { stock: number } }>(stack.graphqlUrl, 'query($id: ID!) { product(id: $id) { stock } }', { id: productId })).data!.product.stock;

describe('an order and its payment, through the gateway', () => {
  test('created, paid by the provider webhook, then CREATED with paidAt and a SUCCEEDED payment', async () => {
    const merchant = await aMerchant(stack, [{ name: '酸菜鱼', priceCents: 5800, stock: 10 }, { name: '米饭', priceCents: 200, stock: 100 }]);
    const order = await anOrder(stack, merchant);
    expect(order.totalCents).toBe(6000);

    const payment = await payOrder(stack, order.id, order.customer.token);

    const paid = await eventually(async () => {
      const info = await orderInfo(stack, order.id, order.customer.token);
      return info?.paidAt ? info : null;
    }, 20_000, 'the order paid');
    expect(paid.timeline.map((t) => t.status).slice(0, 2)).toEqual(['PENDING_PAYMENT', 'CREATED']);
    expect(paid.payment).toEqual({ id: payment.id, status: 'SUCCEEDED', paymentMethod: 'ALIPAY', amountCents: 6000, refundedCents: 0 });
    expect(paid.merchant).toMatchObject({ id: merchant.id, name: merchant.name });
  });

  test('the same success delivered twice and a failure after it leave one SUCCEEDED payment and CREATED once', async () => {
    const merchant = await aMerchant(stack);
    const order = await anOrder(stack, merchant);
    const payment = await initiatePayment(stack, order.id, order.customer.token);
    const success = { eventId: `evt_${randomUUID()}`, paymentId: payment.id, orderId: order.id, paymentStatus: 'SUCCESS', amountCents: payment.amountCents, providerTxnId: 'txn-1' };

    const answers = [await providerCallback(stack, success), await providerCallback(stack, success)];
    answers.push(await providerCallback(stack, { ...success, eventId: `evt_${randomUUID()}`, paymentStatus: 'FAILURE' }));

    expect(answers.map((a) => a.ok)).toEqual([true, true, true]);
    const paid = await eventually(async () => {
      const info = await orderInfo(stack, order.id, order.customer.token);
      return info?.paidAt ? info : null;
    }, 20_000, 'the order paid');
    expect(paid.payment!.status).toBe('SUCCEEDED');
    expect(paid.timeline.filter((t) => t.status === 'CREATED')).toHaveLength(1);
  });

  test('a forged signature and a wrong amount are refused and change nothing', async () => {
    const merchant = await aMerchant(stack);
    const order = await anOrder(stack, merchant);
    const payment = await initiatePayment(stack, order.id, order.customer.token);
    const body = JSON.stringify({ eventId: `evt_${randomUUID()}`, paymentId: payment.id, orderId: order.id, paymentStatus: 'SUCCESS', amountCents: payment.amountCents, providerTxnId: 'x' });

    const forged = await fetch(`${stack.gatewayUrl}/webhooks/payments/sandbox`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'payment-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
      body,
    });
    const wrongAmount = await providerCallback(stack, { ...JSON.parse(body), eventId: `evt_${randomUUID()}`, amountCents: 1 });

    expect(forged.status).toBe(400);
    expect(wrongAmount.status).toBe(409);
    const info = await orderInfo(stack, order.id, order.customer.token);
    expect(info!.status).toBe('PENDING_PAYMENT');
    expect(info!.payment!.status).toBe('PENDING');
  });

  test('cancelling an unpaid order gives its stock back', async () => {
    const merchant = await aMerchant(stack, [{ name: '烤冷面', priceCents: 1200, stock: 6 }]);
    const order = await anOrder(stack, merchant);
    expect(await stockOf(merchant.products[0]!.id)).toBe(5);

    const cancelled = await gql<{ cancelOrder: { id: string; status: string } }>(
      stack.graphqlUrl,
      'mutation CancelOrder($orderId: ID!, $reason: String) { cancelOrder(orderId: $orderId, reason: $reason) { id status } }',
      { orderId: order.id, reason: '不想要了' },
      order.customer.token,
    );

    expect(cancelled.data!.cancelOrder.status).toBe('CANCELLED');
    await eventually(async () => (await stockOf(merchant.products[0]!.id)) === 6, 20_000, 'stock back');
    const again = await initiatePayment(stack, order.id, order.customer.token).catch((err: Error) => err.message);
    expect(again).toContain('INVALID_STATE_TRANSITION');
  });
});
