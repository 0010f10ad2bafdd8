import {
  aMerchant,
  anActor,
  anOrder,
  aRiderAt,
  contractOperation,
  eventually,
  north,
  ORDER_INFO,
  ORDER_OFFERS,
  payloadsUntil,
  payOrder,
  stackSession,
  startStack,
  type OrderInfo,
  type Stack,
} from '@waimai/testkit';

/*
 * The back office's main journey, through the gateway on a real stack: an order nobody takes
 * is flagged, an operator watching ordersNeedingAttention sends it to a rider they name, the
 * rider delivers it late, the late delivery is compensated by itself, and the figures and the
 * audit log tell the story.
 */

const REFUND_PERCENT = 20;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: {
      // No rider near the shop at first: the empty round is planned again every 0.2 s and
      // given up 1 s after the first one, which flags the order for operations.
      DISPATCH_EMPTY_ROUND_RETRY_SECONDS: '0.2',
      DISPATCH_GIVE_UP_SECONDS: '1',
      // A promise of ~1.2 s from payment: a delivery after the flag and the redispatch is late.
      DELIVERY_BASE_MINUTES: '0.02',
      DELIVERY_METERS_PER_MINUTE: '1000000',
      CLOSE_AFTER_SECONDS: '1',
      OVERTIME_REFUND_PERCENT: String(REFUND_PERCENT),
      SCHEDULER_INTERVAL_MS: '200',
    },
  });
}, 120_000);

const session = stackSession(() => stack);
const { call, following, listening } = session;
afterAll(async () => {
  await session.close();
  await stack?.stop();
});

const hourStart = (at: Date) => new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);

interface AttentionFrame {
  ordersNeedingAttention: { id: string; status: string; needsAttention: boolean; totalCents: number; merchant: { id: string; name: string } };
}
interface OfferFrame {
  orderOffers: { id: string; order: { id: string; status: string } };
}
interface Figures {
  from: string;
  ordersPlaced: number;
  ordersPaid: number;
  ordersDelivered: number;
  ordersCancelled: number;
  gmvCents: number;
  paidToGrabSecondsAvg: number | null;
  grabToDeliverySecondsAvg: number | null;
  overtimeDeliveries: number;
  overtimeRate: number | null;
  compensationCents: number;
  ordersNeedingAttention: number;
  attentionShare: number | null;
}
interface AuditEntry {
  service: string;
  actorId: string;
  actorRoles: string[];
  action: string;
  targetType: string;
  targetId: string;
  reason: string | null;
  before: string | null;
  after: string | null;
  details: string;
}

test('an order no rider takes is flagged, redispatched by an operator to a named rider, delivered late, compensated, counted in the figures and audited', async () => {
  const startedAt = new Date();
  const operator = await anActor('OPERATOR');
  const merchant = await aMerchant(stack, [{ name: '蟹粉小笼包', priceCents: 4800, stock: 10 }]);
  const attention = following<AttentionFrame>(operator.token, contractOperation('OrdersNeedingAttention'));
  await listening('ordersNeedingAttention', '*');

  const order = await anOrder(stack, merchant);
  await payOrder(stack, order.id, order.customer.token);

  // Nobody is near the shop: dispatch gives up and the operator's live view shows the order.
  const flaggedFrames = await payloadsUntil(attention, (payload) => payload.data?.ordersNeedingAttention.id === order.id);
  expect(flaggedFrames.at(-1)).toEqual({
    data: { ordersNeedingAttention: { id: order.id, status: 'CREATED', needsAttention: true, totalCents: order.totalCents, merchant: { id: merchant.id, name: merchant.name } } },
  });
  const search = await call<{ searchOrders: { edges: Array<{ node: { id: string; status: string; needsAttention: boolean } }> } }>(
    contractOperation('SearchOrders'),
    { filter: { needsAttention: true, merchantId: merchant.id }, first: 10 },
    operator,
  );
  expect(search.searchOrders.edges.map((edge) => edge.node)).toEqual([expect.objectContaining({ id: order.id, status: 'CREATED', needsAttention: true })]);

  // Two riders come online by the shop after dispatch gave up; the operator names the farther one.
  const named = await aRiderAt(stack, north(merchant.location, 400));
  const passedOver = await aRiderAt(stack, north(merchant.location, 100));
  const namedOffers = following<OfferFrame>(named.token, ORDER_OFFERS);
  await listening('orderOffers', named.sub);

  const reason = '派单超时无人接单，指派给附近骑手';
  const { redispatchOrder } = await call<{ redispatchOrder: { id: string; status: string; needsAttention: boolean } }>(
    contractOperation('RedispatchOrder'),
    { orderId: order.id, reason, riderIds: [named.sub] },
    operator,
  );
  expect(redispatchOrder).toMatchObject({ id: order.id, status: 'CREATED', needsAttention: false });

  const offerFrames = await payloadsUntil(namedOffers, (payload) => payload.data?.orderOffers.order.id === order.id);
  expect(offerFrames.at(-1)!.data!.orderOffers.order).toMatchObject({ id: order.id, status: 'NOTIFIED' });
  // The round went to the named rider only: the nearer rider, idle all along, holds no offer.
  const passedOverOffers = await call<{ pendingOrderOffers: unknown[] }>(contractOperation('PendingOrderOffers'), {}, passedOver);
  expect(passedOverOffers.pendingOrderOffers).toEqual([]);

  const { grabOrder } = await call<{ grabOrder: { status: string; rider: { id: string } } }>(contractOperation('GrabOrder'), { orderId: order.id }, named);
  expect(grabOrder).toMatchObject({ status: 'DELIVERING', rider: { id: named.sub } });
  await call(contractOperation('PickUpOrder'), { orderId: order.id }, named);

  // The promise was ~1 s from payment: the order goes OVERTIME, and the operator sees that too.
  const overtimeFrames = await payloadsUntil(attention, (payload) => payload.data?.ordersNeedingAttention.status === 'OVERTIME');
  expect(overtimeFrames.at(-1)!.data!.ordersNeedingAttention).toMatchObject({ id: order.id, status: 'OVERTIME' });
  const { deliverOrder } = await call<{ deliverOrder: { status: string; wasOvertime: boolean } }>(contractOperation('DeliverOrder'), { orderId: order.id }, named);
  expect(deliverOrder).toMatchObject({ status: 'RECEIVED', wasOvertime: true });

  // The late delivery is compensated without anyone asking, and the order closes.
  const compensationCents = Math.floor((order.totalCents * REFUND_PERCENT) / 100);
  const closed = await eventually(
    async () => {
      const { order: info } = await call<{ order: OrderInfo | null }>(ORDER_INFO, { id: order.id }, operator);
      return info?.status === 'CLOSED' ? info : null;
    },
    { timeoutMs: 30_000, what: 'the compensation and the closing of the late order' },
  );
  expect(closed.timeline.map((step) => step.status)).toEqual(['PENDING_PAYMENT', 'CREATED', 'NOTIFIED', 'DELIVERING', 'OVERTIME', 'RECEIVED', 'COMPENSATING', 'CLOSED']);
  expect(closed).toMatchObject({ wasOvertime: true, rider: { id: named.sub } });
  expect(closed.payment).toMatchObject({ status: 'PARTIALLY_REFUNDED', amountCents: order.totalCents, refundedCents: compensationCents });

  // The figures, folded by operations from the event stream, over the hour(s) the test ran in.
  const range = { from: hourStart(startedAt).toISOString(), to: new Date(hourStart(new Date()).getTime() + 3_600_000).toISOString(), bucket: 'HOUR' };
  const buckets = await eventually(
    async () => {
      const { businessFigures } = await call<{ businessFigures: Figures[] }>(contractOperation('BusinessFigures'), range, operator);
      const sum = (figure: keyof Figures) => businessFigures.reduce((total, bucket) => total + Number(bucket[figure] ?? 0), 0);
      return sum('compensationCents') === compensationCents && sum('ordersDelivered') === 1 ? businessFigures : null;
    },
    { timeoutMs: 30_000, what: 'the figures counting the delivery and the compensation' },
  );
  const total = (figure: keyof Figures) => buckets.reduce((sum, bucket) => sum + Number(bucket[figure] ?? 0), 0);
  expect({
    ordersPlaced: total('ordersPlaced'),
    ordersPaid: total('ordersPaid'),
    ordersDelivered: total('ordersDelivered'),
    ordersCancelled: total('ordersCancelled'),
    gmvCents: total('gmvCents'),
    overtimeDeliveries: total('overtimeDeliveries'),
    compensationCents: total('compensationCents'),
    ordersNeedingAttention: total('ordersNeedingAttention'),
  }).toEqual({
    ordersPlaced: 1,
    ordersPaid: 1,
    ordersDelivered: 1,
    ordersCancelled: 0,
    gmvCents: order.totalCents,
    overtimeDeliveries: 1,
    compensationCents,
    ordersNeedingAttention: 1,
  });
  const deliveredIn = buckets.find((bucket) => bucket.ordersDelivered === 1)!;
  expect(deliveredIn).toMatchObject({ overtimeRate: 1, grabToDeliverySecondsAvg: expect.any(Number) });
  const paidIn = buckets.find((bucket) => bucket.ordersPaid === 1)!;
  expect(paidIn).toMatchObject({ attentionShare: 1 });

  // The audit log holds the operator's one step, with their reason, and nothing else.
  const audit = await eventually(
    async () => {
      const { auditLog } = await call<{ auditLog: { edges: Array<{ node: AuditEntry }> } }>(contractOperation('AuditLog'), { first: 100 }, operator);
      return auditLog.edges.length ? auditLog.edges.map((edge) => edge.node) : null;
    },
    { timeoutMs: 15_000, what: 'the redispatch in the audit log' },
  );
  expect(audit).toEqual([
    expect.objectContaining({
      service: 'orders',
      actorId: operator.sub,
      actorRoles: ['OPERATOR'],
      action: 'ORDER_REDISPATCH',
      targetType: 'ORDER',
      targetId: order.id,
      reason,
      before: 'CREATED',
      after: 'CREATED',
    }),
  ]);
  expect(JSON.parse(audit[0]!.details)).toMatchObject({ riderIds: [named.sub] });
}, 120_000);
