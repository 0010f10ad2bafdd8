import { PaymentSucceeded } from '@waimai/platform';
import { callbackFor, startPayments, type PaymentsHarness } from './harness';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments();
});
afterAll(async () => {
  await h.stop();
});

const page = async (path: string, method: 'GET' | 'POST' = 'GET') => {
  const response = await fetch(`${h.service.baseUrl}${path}`, { method });
  return { status: response.status, type: response.headers.get('content-type'), html: await response.text() };
};

describe('the sandbox provider', () => {
  test("a payment's payUrl and qrCode open the sandbox pay page under the public webhooks path", async () => {
    const payment = await h.aPendingPayment();
    expect(payment.payUrl).toBe(`${h.config.PUBLIC_URL}/webhooks/payments/sandbox/pay/${payment.id}`);
    expect(payment.qrCode).toBe(payment.payUrl);
  });

  test('the pay page shows the order, the amount in yuan and the Pay and Fail buttons', async () => {
    const payment = await h.aPendingPayment({ amountCents: 4250, method: 'WECHAT_PAY' });

    const shown = await page(new URL(payment.payUrl ?? '').pathname);

    expect(shown.status).toBe(200);
    expect(shown.type).toMatch(/text\/html/);
    expect(shown.html).toContain('¥42.50');
    expect(shown.html).toContain(payment.orderId);
    expect(shown.html).toContain(`action="/webhooks/payments/sandbox/pay/${payment.id}/succeed"`);
    expect(shown.html).toContain(`action="/webhooks/payments/sandbox/pay/${payment.id}/fail"`);
  });

  test('pressing Pay sends a signed callback that the webhook verifies and applies', async () => {
    const payment = await h.aPendingPayment({ amountCents: 1999 });

    const result = await page(`/webhooks/payments/sandbox/pay/${payment.id}/succeed`, 'POST');

    expect(result.status).toBe(200);
    expect(result.html).toContain('Paid');
    expect(await h.paymentRow(payment.id)).toMatchObject({ status: 'SUCCEEDED' });
    expect((await h.paymentRow(payment.id))?.providerTxnId).toMatch(/^sbx_txn_/);
    const [record] = await h.eventRecords(payment.id);
    expect(record).toMatchObject({ outcome: 'SUCCESS', movedTo: 'SUCCEEDED' });
    expect(record?.eventId).toMatch(/^evt_[0-9a-f]{24}$/);
    expect((await h.outboxOf(payment.orderId)).map((event) => event.type)).toEqual([PaymentSucceeded.type]);
  });

  test('pressing Fail reports a failure; the page then offers nothing more to pay', async () => {
    const payment = await h.aPendingPayment();

    const result = await page(`/webhooks/payments/sandbox/pay/${payment.id}/fail`, 'POST');
    const again = await page(`/webhooks/payments/sandbox/pay/${payment.id}`);
    const payAfterwards = await page(`/webhooks/payments/sandbox/pay/${payment.id}/succeed`, 'POST');

    expect(result.status).toBe(200);
    expect((await h.paymentRow(payment.id))?.status).toBe('FAILED');
    expect(again.html).not.toContain('/succeed"');
    expect(payAfterwards.status).toBe(409);
    expect((await h.paymentRow(payment.id))?.status).toBe('FAILED');
  });

  test('a paid payment cannot be paid again from the page, and unknown payments are not found', async () => {
    const payment = await h.aPendingPayment();
    await h.deliver(callbackFor(payment, 'SUCCESS'));

    const again = await page(`/webhooks/payments/sandbox/pay/${payment.id}/succeed`, 'POST');
    const unknown = await page('/webhooks/payments/sandbox/pay/no-such-payment');

    expect(again.status).toBe(409);
    expect(await h.eventRecords(payment.id)).toHaveLength(1);
    expect(unknown.status).toBe(404);
  });
});

describe('a sandbox whose signing secret the webhook does not share', () => {
  let impostor: PaymentsHarness;
  beforeAll(async () => {
    // Its pay page signs with another secret and calls the webhook of `h`.
    impostor = await startPayments({
      PAYMENT_WEBHOOK_SECRET: 'a-secret-the-webhook-does-not-know',
      SANDBOX_CALLBACK_URL: `${h.service.baseUrl}/webhooks/payments/sandbox`,
    });
  });
  afterAll(async () => {
    await impostor.stop();
  });

  test('its callback is refused, the page says so, and the payment stays pending', async () => {
    const payment = await impostor.aPendingPayment();

    const response = await fetch(`${impostor.service.baseUrl}/webhooks/payments/sandbox/pay/${payment.id}/succeed`, { method: 'POST' });
    const html = await response.text();

    expect(response.status).toBe(502);
    expect(html).toContain('not accepted (400)');
    expect((await h.paymentRow(payment.id))?.status).toBe('PENDING');
    expect(await h.eventRecords(payment.id)).toEqual([]);
  });
});
