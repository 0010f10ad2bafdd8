import {
  aGrabbedOrder,
  aMerchant,
  anActor,
  anOrder,
  aRiderAt,
  contractOperation,
  eventually,
  gql,
  north,
  ORDER_INFO,
  payloadsUntil,
  payOrder,
  stackSession,
  startStack,
  type Actor,
  type OrderInfo,
  type Stack,
} from '@waimai/testkit';

/*
 * Two interventions from the back office, through the gateway on a real stack: an operator
 * moves a grabbed order to another rider (both riders are told on their offers socket), and
 * an admin cancels a paid order (stock back, money back). Both are in the audit log.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 120_000);

const session = stackSession(() => stack);
const { call, following, listening } = session;
afterAll(async () => {
  await session.close();
  await stack?.stop();
});

async function orderAs(caller: Actor, id: string): Promise<OrderInfo> {
  const { order } = await call<{ order: OrderInfo | null }>(ORDER_INFO, { id }, caller);
  if (!order) throw new Error(`${caller.sub} cannot see order ${id}.`);
  return order;
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

/** The audit log's entries about `targetId`, once there are `count` of them. */
function auditOf(targetId: string, count: number, reader: Actor): Promise<AuditEntry[]> {
  return eventually(
    async () => {
      const { auditLog } = await call<{ auditLog: { edges: Array<{ node: AuditEntry }> } }>(contractOperation('AuditLog'), { filter: { targetId }, first: 100 }, reader);
      return auditLog.edges.length >= count ? auditLog.edges.map((edge) => edge.node) : null;
    },
    { timeoutMs: 15_000, what: `${count} audit entries about ${targetId}` },
  );
}

/** What a rider app shows of its offers, with the frame's status (OFFERED, ASSIGNED, WITHDRAWN). */
const RIDER_OFFERS = 'subscription RiderOffers { orderOffers { id status orderId order { id status } } }';
interface OfferFrame {
  orderOffers: { id: string; status: string; orderId: string; order: { id: string; status: string } | null };
}

test('an operator reassigns a grabbed order: the old rider is told it was withdrawn, the new rider is told it is theirs and delivers it, and the step is audited with its reason', async () => {
  const operator = await anActor('OPERATOR');
  const { merchant, order, rider: first } = await aGrabbedOrder(stack);
  // The second rider comes online after the grab: they never had an offer for this order.
  const second = await aRiderAt(stack, north(merchant.location, 500));
  const firstOffers = following<OfferFrame>(first.token, RIDER_OFFERS);
  const secondOffers = following<OfferFrame>(second.token, RIDER_OFFERS);
  await listening('orderOffers', first.sub);
  await listening('orderOffers', second.sub);

  const reason = '原骑手车辆故障，改派';
  const { reassignOrder } = await call<{ reassignOrder: { id: string; status: string; riderId: string } }>(
    contractOperation('ReassignOrder'),
    { orderId: order.id, riderId: second.sub, reason },
    operator,
  );
  expect(reassignOrder).toEqual({ id: order.id, status: 'DELIVERING', riderId: second.sub });

  const withdrawn = await payloadsUntil(firstOffers, (payload) => payload.data?.orderOffers.status === 'WITHDRAWN');
  // The frame names the order taken away; the order itself is no longer theirs to load.
  expect(withdrawn.at(-1)!.data!.orderOffers).toMatchObject({ status: 'WITHDRAWN', orderId: order.id, order: null });
  const assigned = await payloadsUntil(secondOffers, (payload) => payload.data?.orderOffers.status === 'ASSIGNED');
  expect(assigned.at(-1)!.data!.orderOffers).toMatchObject({ status: 'ASSIGNED', orderId: order.id, order: { id: order.id, status: 'DELIVERING' } });

  // The order is the second rider's now: the first may no longer deliver it, the second does.
  const refused = await gql(stack.graphqlUrl, contractOperation('DeliverOrder'), { orderId: order.id }, first.token);
  expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  await call(contractOperation('PickUpOrder'), { orderId: order.id }, second);
  const { deliverOrder } = await call<{ deliverOrder: { status: string } }>(contractOperation('DeliverOrder'), { orderId: order.id }, second);
  expect(deliverOrder.status).toBe('RECEIVED');
  expect(await orderAs(operator, order.id)).toMatchObject({ status: 'RECEIVED', rider: { id: second.sub } });

  const audit = await auditOf(order.id, 1, operator);
  expect(audit).toEqual([
    expect.objectContaining({
      service: 'orders',
      actorId: operator.sub,
      actorRoles: ['OPERATOR'],
      action: 'ORDER_REASSIGN',
      targetType: 'ORDER',
      targetId: order.id,
      reason,
      before: 'DELIVERING',
      after: 'DELIVERING',
    }),
  ]);
  expect(JSON.parse(audit[0]!.details)).toMatchObject({ fromRiderId: first.sub, toRiderId: second.sub });
}, 120_000);

test('an admin cancels a paid order: it is CANCELLED, its stock is back, its payment refunded in full, and the step is audited with its reason', async () => {
  const admin = await anActor('ADMIN');
  const merchant = await aMerchant(stack, [{ name: '腌笃鲜', priceCents: 4800, stock: 5 }]);
  const product = merchant.products[0]!;
  const order = await anOrder(stack, merchant);
  await payOrder(stack, order.id, order.customer.token);
  await eventually(async () => (await orderAs(admin, order.id)).status === 'CREATED', { timeoutMs: 15_000, what: 'the payment reaching the order' });
  const stockOf = async () => (await call<{ product: { stock: number } }>(contractOperation('ProductInfo'), { id: product.id }, admin)).product.stock;
  expect(await stockOf()).toBe(4);

  const reason = '商家临时停业，客服致电后取消';
  const { cancelOrderAsStaff } = await call<{ cancelOrderAsStaff: { id: string; status: string } }>(contractOperation('CancelOrderAsStaff'), { orderId: order.id, reason }, admin);
  expect(cancelOrderAsStaff).toMatchObject({ id: order.id, status: 'CANCELLED' });

  await eventually(async () => (await stockOf()) === 5, { timeoutMs: 15_000, what: 'the stock released' });
  const refunded = await eventually(
    async () => {
      const info = await orderAs(admin, order.id);
      return info.payment?.status === 'REFUNDED' ? info : null;
    },
    { timeoutMs: 15_000, what: 'the payment refunded' },
  );
  expect(refunded).toMatchObject({ status: 'CANCELLED', payment: { status: 'REFUNDED', amountCents: order.totalCents, refundedCents: order.totalCents } });
  expect(refunded.timeline.map((step) => step.status)).toEqual(['PENDING_PAYMENT', 'CREATED', 'CANCELLED']);

  const audit = await auditOf(order.id, 1, admin);
  expect(audit).toEqual([
    expect.objectContaining({
      service: 'orders',
      actorId: admin.sub,
      actorRoles: ['ADMIN'],
      action: 'ORDER_CANCEL',
      targetType: 'ORDER',
      targetId: order.id,
      reason,
      before: 'CREATED',
      after: 'CANCELLED',
    }),
  ]);
}, 60_000);
