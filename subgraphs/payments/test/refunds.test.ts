import { newEvent, newId, PaymentRefunded, RefundRequested, Topics, type RefundRequestedData } from '@waimai/platform';
import { callbackFor, eventually, startPayments, type PaymentsHarness } from './harness';

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPayments();
});
afterAll(async () => {
  await h.stop();
});

async function aPaidPayment(fields: { orderId?: string; amountCents?: number } = {}) {
  const payment = await h.aPendingPayment(fields);
  const result = await h.deliver(callbackFor(payment, 'SUCCESS'));
  expect(result.status).toBe(200);
  return payment;
}

const refundRequested = (data: RefundRequestedData) => newEvent(RefundRequested, data.orderId, data);

describe('refunds requested by orders (RefundRequested on orders.events)', () => {
  test('a RefundRequested delivered twice refunds once', async () => {
    const payment = await aPaidPayment({ amountCents: 5000 });
    const late = refundRequested({ orderId: payment.orderId, paymentId: payment.id, amountCents: 1000, reason: 'LATE_DELIVERY' });
    // The same key keeps these in one partition, in this order: the last one tells us the duplicate was read.
    const afterwards = refundRequested({ orderId: payment.orderId, paymentId: payment.id, amountCents: 4000, reason: 'ORDER_NOT_PAYABLE' });

    await h.bus.publish(Topics.orderEvents, [late, late]);
    await h.bus.publish(Topics.orderEvents, [afterwards]);

    const refunds = await eventually(async () => {
      const rows = await h.refundsOf(payment.orderId);
      return rows.length === 2 && rows;
    }, 30_000, 'both refunds');
    expect(refunds.map((refund) => [refund.reason, refund.amountCents]).sort()).toEqual([['LATE_DELIVERY', 1000], ['ORDER_NOT_PAYABLE', 4000]]);
    expect(refunds.every((refund) => refund.providerRefundId?.startsWith('sbx_rf_'))).toBe(true);
    expect(await h.paymentRow(payment.id)).toMatchObject({ status: 'REFUNDED', refundedCents: 5000 });
    const refunded = (await h.outboxOf(payment.orderId)).filter((event) => event.type === PaymentRefunded.type);
    expect(refunded.map((event) => PaymentRefunded.data.parse(event.data))).toEqual([
      { paymentId: payment.id, orderId: payment.orderId, refundCents: 1000, totalRefundedCents: 1000, reason: 'LATE_DELIVERY' },
      { paymentId: payment.id, orderId: payment.orderId, refundCents: 4000, totalRefundedCents: 5000, reason: 'ORDER_NOT_PAYABLE' },
    ]);
  });

  test('a partial refund shows in Payment.refundedCents and the status, to the paying customer', async () => {
    const customerId = `customer-refund-${Date.now()}`;
    const payment = await h.aPendingPayment({ amountCents: 3000, customerId });
    await h.deliver(callbackFor(payment, 'SUCCESS'));

    await h.bus.publish(Topics.orderEvents, [refundRequested({ orderId: payment.orderId, paymentId: null, amountCents: 600, reason: 'LATE_DELIVERY' })]);

    const seen = await eventually(async () => {
      const result = await h.call<{ payment: { status: string; refundedCents: number; amountCents: number } | null }>(
        'query($id: ID!) { payment(id: $id) { status refundedCents amountCents } }',
        { id: payment.id },
        { sub: customerId, roles: ['CUSTOMER'] },
      );
      return result.data?.payment?.refundedCents === 600 && result.data.payment;
    }, 30_000, 'the refund on the payment');
    expect(seen).toEqual({ status: 'PARTIALLY_REFUNDED', refundedCents: 600, amountCents: 3000 });
  });

  test('an order paid twice: each refund request gives back the payment it names, and only that one', async () => {
    const first = await h.aPendingPayment({ amountCents: 2500 });
    await h.deliver(callbackFor(first, 'FAILURE'));
    const second = await h.aPendingPayment({ orderId: first.orderId, amountCents: 2500 });
    await h.deliver(callbackFor(second, 'SUCCESS'));
    // The provider reports the first attempt paid after all: the customer paid twice.
    await h.deliver(callbackFor(first, 'SUCCESS'));
    expect(second.id).not.toBe(first.id);

    await h.bus.publish(Topics.orderEvents, [refundRequested({ orderId: first.orderId, paymentId: first.id, amountCents: 2500, reason: 'ORDER_NOT_PAYABLE' })]);

    await eventually(async () => (await h.paymentRow(first.id))?.status === 'REFUNDED', 30_000, 'the first payment refunded');
    expect(await h.paymentRow(second.id)).toMatchObject({ status: 'SUCCEEDED', refundedCents: 0 });
    expect(await h.refundsOf(first.orderId)).toEqual([expect.objectContaining({ paymentId: first.id, amountCents: 2500 })]);
  });

  test('two refunds of the whole payment requested at once give back what was paid, never more', async () => {
    const payment = await aPaidPayment({ amountCents: 3000 });
    const full = (reason: RefundRequestedData['reason']) => ({ orderId: payment.orderId, paymentId: payment.id, amountCents: 3000, reason });

    // Straight to the use case, side by side: through Kafka one partition would hand them over one at a time.
    const results = await Promise.all([
      h.service.payments.refund(newId(), full('LATE_DELIVERY')),
      h.service.payments.refund(newId(), full('ORDER_NOT_PAYABLE')),
    ]);

    // The loser finds the payment claimed in full (nothing left) or already REFUNDED (nothing refundable).
    expect(results.filter((result) => result.kind === 'refunded')).toHaveLength(1);
    expect(results.filter((result) => result.kind === 'nothing-left' || result.kind === 'no-refundable-payment')).toHaveLength(1);
    expect((await h.refundsOf(payment.orderId)).map((refund) => refund.amountCents)).toEqual([3000]);
    expect(await h.paymentRow(payment.id)).toMatchObject({ status: 'REFUNDED', refundedCents: 3000 });
  });

  test('one refund request handled twice at once pays once and announces it once', async () => {
    const payment = await aPaidPayment({ amountCents: 2000 });
    const eventId = newId();
    const request = { orderId: payment.orderId, paymentId: payment.id, amountCents: 500, reason: 'LATE_DELIVERY' as const };

    const results = await Promise.all([h.service.payments.refund(eventId, request), h.service.payments.refund(eventId, request)]);

    expect(results.filter((result) => result.kind === 'refunded')).toHaveLength(1);
    expect(await h.refundsOf(payment.orderId)).toEqual([expect.objectContaining({ amountCents: 500, providerRefundId: expect.stringMatching(/^sbx_rf_/) })]);
    expect(await h.paymentRow(payment.id)).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedCents: 500 });
    expect((await h.outboxOf(payment.orderId)).filter((event) => event.type === PaymentRefunded.type)).toHaveLength(1);
  });
});
