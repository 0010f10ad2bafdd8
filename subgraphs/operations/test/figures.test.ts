import {
  newEvent,
  OrderStatusChanged,
  PaymentNeedsAttention,
  PaymentRefunded,
  type CatalogEvent,
  type OrderStatus,
  type RefundReason,
} from '@waimai/platform';
import { uniqueId } from '@waimai/testkit';
import { codesOf, startOperations, type OperationsHarness } from './harness';

/*
 * A known history of six orders on 2026-03-01 (UTC), replayed with duplicates and out of
 * order; the expected figures below are worked out by hand from it.
 *
 *   order  shop  total  placed    paid      grabbed       delivered          other
 *   o1     A     5000   10:00     10:01     10:03 (r1)    10:33 (r1)         closed 10:50; all published twice; GOODWILL 300 at 10:55
 *   o2     A     3000   10:10     10:11     10:16 (r2)    11:06 (r2, late)   overtime 10:50; refund LATE_DELIVERY 600 at 11:21; published newest first
 *   o3     B     2000   10:20     10:21     -             -                  flagged 10:40; cancelled 11:05; refund 2000 at 11:06
 *   o4     B     1500   10:30     -         -             -                  payment expired 10:45; refunds ORDER_NOT_PAYABLE and ORDER_CANCELLED 1500 at 10:50, 10:52
 *   o5     A     4000   11:30     11:31     11:35 (r1)    11:55 (r1)         payment stuck 11:32
 *   o6     B     2500   09:59:59  10:00:30  -             -
 */
const T = (time: string) => `2026-03-01T${time}.000Z`;

let h: OperationsHarness;
const shopA = uniqueId('merchant-a');
const shopB = uniqueId('merchant-b');
const r1 = uniqueId('rider-1');
const r2 = uniqueId('rider-2');

function orderOf(merchantId: string, totalCents: number) {
  const orderId = uniqueId('order');
  const customerId = uniqueId('customer');
  let needsAttention = false;
  return {
    orderId,
    change(step: string, from: OrderStatus | null, to: OrderStatus, time: string, fields: { riderId?: string; wasOvertime?: boolean; needsAttention?: boolean } = {}) {
      needsAttention ||= fields.needsAttention ?? false;
      return newEvent(
        OrderStatusChanged,
        orderId,
        {
          orderId,
          step,
          from,
          to,
          at: T(time),
          customerId,
          merchantId,
          merchantLocation: { lat: 31.23, lng: 121.47 },
          deliveryLocation: { lat: 31.24, lng: 121.47 },
          riderId: fields.riderId ?? null,
          totalCents,
          dispatchRound: 1,
          needsAttention,
          wasOvertime: fields.wasOvertime ?? false,
        },
        new Date(T(time)),
      );
    },
    refund(cents: number, reason: RefundReason, time: string) {
      return newEvent(PaymentRefunded, orderId, { paymentId: uniqueId('payment'), orderId, refundCents: cents, totalRefundedCents: cents, reason }, new Date(T(time)));
    },
  };
}

beforeAll(async () => {
  h = await startOperations();
  const o1 = orderOf(shopA, 5000);
  const o2 = orderOf(shopA, 3000);
  const o3 = orderOf(shopB, 2000);
  const o4 = orderOf(shopB, 1500);
  const o5 = orderOf(shopA, 4000);
  const o6 = orderOf(shopB, 2500);
  const o1Events = [
    o1.change('create', null, 'PENDING_PAYMENT', '10:00:00'),
    o1.change('pay', 'PENDING_PAYMENT', 'CREATED', '10:01:00'),
    o1.change('grab', 'NOTIFIED', 'DELIVERING', '10:03:00', { riderId: r1 }),
    o1.change('deliver', 'DELIVERING', 'RECEIVED', '10:33:00', { riderId: r1 }),
    o1.change('close', 'RECEIVED', 'CLOSED', '10:50:00', { riderId: r1 }),
  ];
  const o2Events = [
    o2.change('create', null, 'PENDING_PAYMENT', '10:10:00'),
    o2.change('pay', 'PENDING_PAYMENT', 'CREATED', '10:11:00'),
    o2.change('notify', 'CREATED', 'NOTIFIED', '10:12:00'),
    o2.change('grab', 'NOTIFIED', 'DELIVERING', '10:16:00', { riderId: r2 }),
    o2.change('deadlinePassed', 'DELIVERING', 'OVERTIME', '10:50:00', { riderId: r2 }),
    o2.change('deliver', 'OVERTIME', 'RECEIVED', '11:06:00', { riderId: r2, wasOvertime: true }),
    o2.change('compensate', 'RECEIVED', 'COMPENSATING', '11:20:00', { riderId: r2, wasOvertime: true }),
  ];
  const refundO2 = o2.refund(600, 'LATE_DELIVERY', '11:21:00');
  const goodwillO1 = o1.refund(300, 'GOODWILL', '10:55:00');
  const events: CatalogEvent[] = [
    ...o1Events,
    ...o1Events,
    // Newest first: every fact must still get its own event's time.
    ...[...o2Events].reverse(),
    refundO2,
    refundO2,
    goodwillO1,
    o3.change('create', null, 'PENDING_PAYMENT', '10:20:00'),
    o3.change('pay', 'PENDING_PAYMENT', 'CREATED', '10:21:00'),
    o3.change('dispatchGaveUp', 'CREATED', 'CREATED', '10:40:00', { needsAttention: true }),
    o3.change('cancel', 'CREATED', 'CANCELLED', '11:05:00'),
    // Whatever its reason says, a cancelled order's refund is the price given back, not compensation.
    o3.refund(2000, 'LATE_DELIVERY', '11:06:00'),
    o4.change('create', null, 'PENDING_PAYMENT', '10:30:00'),
    o4.change('expirePayment', 'PENDING_PAYMENT', 'CANCELLED', '10:45:00'),
    o4.refund(1500, 'ORDER_NOT_PAYABLE', '10:50:00'),
    o4.refund(1500, 'ORDER_CANCELLED', '10:52:00'),
    // The stuck payment before the order's own events.
    newEvent(PaymentNeedsAttention, o5.orderId, { paymentId: uniqueId('payment'), orderId: o5.orderId, problem: 'PROVIDER_SILENT', at: T('11:32:00') }),
    o5.change('create', null, 'PENDING_PAYMENT', '11:30:00'),
    o5.change('pay', 'PENDING_PAYMENT', 'CREATED', '11:31:00'),
    o5.change('grab', 'CREATED', 'DELIVERING', '11:35:00', { riderId: r1 }),
    o5.change('deliver', 'DELIVERING', 'RECEIVED', '11:55:00', { riderId: r1 }),
    o6.change('create', null, 'PENDING_PAYMENT', '09:59:59'),
    o6.change('pay', 'PENDING_PAYMENT', 'CREATED', '10:00:30'),
  ];
  await h.publish(...events);
  await h.applied();
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

const BUSINESS = /* GraphQL */ `
  query ($from: DateTime!, $to: DateTime!, $bucket: FigureBucket!) {
    businessFigures(from: $from, to: $to, bucket: $bucket) {
      from to ordersPlaced ordersPaid ordersDelivered ordersCancelled gmvCents
      paidToGrabSecondsAvg paidToGrabSecondsP90 grabToDeliverySecondsAvg grabToDeliverySecondsP90
      overtimeDeliveries overtimeRate compensationCents ordersNeedingAttention attentionShare
    }
  }
`;

test('hourly figures of the replayed history are exactly the ones worked out by hand', async () => {
  const result = await h.as(['OPERATOR'], BUSINESS, { from: T('10:00:00'), to: T('12:00:00'), bucket: 'HOUR' });
  expect(result.errors).toBeUndefined();
  expect(result.data).toEqual({
    businessFigures: [
      {
        from: T('10:00:00'),
        to: T('11:00:00'),
        ordersPlaced: 4,
        ordersPaid: 4,
        ordersDelivered: 1,
        ordersCancelled: 1,
        gmvCents: 12500,
        paidToGrabSecondsAvg: 210,
        paidToGrabSecondsP90: 300,
        grabToDeliverySecondsAvg: 1800,
        grabToDeliverySecondsP90: 1800,
        overtimeDeliveries: 0,
        overtimeRate: 0,
        compensationCents: 300,
        ordersNeedingAttention: 1,
        attentionShare: 0.25,
      },
      {
        from: T('11:00:00'),
        to: T('12:00:00'),
        ordersPlaced: 1,
        ordersPaid: 1,
        ordersDelivered: 2,
        ordersCancelled: 1,
        gmvCents: 4000,
        paidToGrabSecondsAvg: 240,
        paidToGrabSecondsP90: 240,
        grabToDeliverySecondsAvg: 2100,
        grabToDeliverySecondsP90: 3000,
        overtimeDeliveries: 1,
        overtimeRate: 0.5,
        compensationCents: 600,
        ordersNeedingAttention: 1,
        attentionShare: 1,
      },
    ],
  });
});

test('daily figures count the whole day and list an empty day with zeros and no averages', async () => {
  const result = await h.as(['ADMIN'], BUSINESS, { from: '2026-03-01T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z', bucket: 'DAY' });
  expect(result.errors).toBeUndefined();
  expect(result.data).toEqual({
    businessFigures: [
      {
        from: '2026-03-01T00:00:00.000Z',
        to: '2026-03-02T00:00:00.000Z',
        ordersPlaced: 6,
        ordersPaid: 5,
        ordersDelivered: 3,
        ordersCancelled: 2,
        gmvCents: 16500,
        paidToGrabSecondsAvg: 220,
        paidToGrabSecondsP90: 300,
        grabToDeliverySecondsAvg: 2000,
        grabToDeliverySecondsP90: 3000,
        overtimeDeliveries: 1,
        overtimeRate: 1 / 3,
        compensationCents: 900,
        ordersNeedingAttention: 2,
        attentionShare: 0.4,
      },
      {
        from: '2026-03-02T00:00:00.000Z',
        to: '2026-03-03T00:00:00.000Z',
        ordersPlaced: 0,
        ordersPaid: 0,
        ordersDelivered: 0,
        ordersCancelled: 0,
        gmvCents: 0,
        paidToGrabSecondsAvg: null,
        paidToGrabSecondsP90: null,
        grabToDeliverySecondsAvg: null,
        grabToDeliverySecondsP90: null,
        overtimeDeliveries: 0,
        overtimeRate: null,
        compensationCents: 0,
        ordersNeedingAttention: 0,
        attentionShare: null,
      },
    ],
  });
});

test('a range that starts inside an hour counts only from its start', async () => {
  const result = await h.as<{ businessFigures: Array<{ from: string; to: string; ordersPlaced: number; ordersPaid: number }> }>(
    ['OPERATOR'],
    'query($from: DateTime!, $to: DateTime!) { businessFigures(from: $from, to: $to, bucket: HOUR) { from to ordersPlaced ordersPaid } }',
    { from: T('10:15:00'), to: T('11:00:00') },
  );
  expect(result.data?.businessFigures).toEqual([{ from: T('10:15:00'), to: T('11:00:00'), ordersPlaced: 2, ordersPaid: 1 }]);
});

const MERCHANTS = /* GraphQL */ `
  query ($from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
    merchantFigures(from: $from, to: $to, first: $first, after: $after) {
      edges { node { merchant { id } orders gmvCents cancellations } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

test('merchant figures give each shop its orders placed, GMV paid and cancellations, a page at a time by merchant id', async () => {
  type Page = { merchantFigures: { edges: Array<{ node: unknown }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  const range = { from: T('10:00:00'), to: T('12:00:00') };
  const first = await h.as<Page>(['OPERATOR'], MERCHANTS, { ...range, first: 1 });
  expect(first.errors).toBeUndefined();
  expect(first.data?.merchantFigures.edges.map((edge) => edge.node)).toEqual([{ merchant: { id: shopA }, orders: 3, gmvCents: 12000, cancellations: 0 }]);
  expect(first.data?.merchantFigures.pageInfo.hasNextPage).toBe(true);
  const second = await h.as<Page>(['OPERATOR'], MERCHANTS, { ...range, first: 1, after: first.data?.merchantFigures.pageInfo.endCursor });
  expect(second.data?.merchantFigures.edges.map((edge) => edge.node)).toEqual([{ merchant: { id: shopB }, orders: 2, gmvCents: 4500, cancellations: 2 }]);
  expect(second.data?.merchantFigures.pageInfo.hasNextPage).toBe(false);
});

test('rider figures give each rider who delivered their deliveries and overtime rate', async () => {
  const result = await h.as<{ riderFigures: { edges: Array<{ node: unknown }> } }>(
    ['ADMIN'],
    'query($from: DateTime!, $to: DateTime!) { riderFigures(from: $from, to: $to) { edges { node { rider { id } deliveries overtimeDeliveries overtimeRate } } } }',
    { from: T('10:00:00'), to: T('12:00:00') },
  );
  expect(result.errors).toBeUndefined();
  expect(result.data?.riderFigures.edges.map((edge) => edge.node)).toEqual([
    { rider: { id: r1 }, deliveries: 2, overtimeDeliveries: 0, overtimeRate: 0 },
    { rider: { id: r2 }, deliveries: 1, overtimeDeliveries: 1, overtimeRate: 1 },
  ]);
});

test('customers, merchants and riders are refused the figures, and a caller without a token is unauthenticated', async () => {
  const variables = { from: T('10:00:00'), to: T('12:00:00'), bucket: 'HOUR' };
  for (const role of ['CUSTOMER', 'MERCHANT', 'RIDER'] as const) {
    expect({ role, codes: codesOf(await h.as([role], BUSINESS, variables)) }).toEqual({ role, codes: ['FORBIDDEN'] });
  }
  expect(codesOf(await h.as(null, BUSINESS, variables))).toEqual(['UNAUTHENTICATED']);
});

test('a range that ends before it starts, or holds more than 1000 buckets, is bad input', async () => {
  expect(codesOf(await h.as(['OPERATOR'], BUSINESS, { from: T('12:00:00'), to: T('10:00:00'), bucket: 'HOUR' }))).toEqual(['BAD_USER_INPUT']);
  expect(codesOf(await h.as(['OPERATOR'], BUSINESS, { from: '2026-01-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z', bucket: 'HOUR' }))).toEqual(['BAD_USER_INPUT']);
  expect(codesOf(await h.as(['OPERATOR'], MERCHANTS, { from: T('12:00:00'), to: T('12:00:00') }))).toEqual(['BAD_USER_INPUT']);
});
