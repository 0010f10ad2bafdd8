import mysql from 'mysql2/promise';
import { databaseName, newId, type Identity } from '@waimai/platform';
import { aMenu, CREATE_ORDER, customer, eventually, startOrdersWithProducts, stockOf, type OrdersHarness } from './harness';

/*
 * The orders part of the back office: staff search, and the four interventions (cancel,
 * re-dispatch, reassign, mark delivered). Each intervention is checked for who may call it,
 * its input, the states it refuses, its idempotency, and what its transaction leaves in the
 * outbox: the step's OrderStatusChanged, its own events and exactly one AuditRecorded.
 */

let h: OrdersHarness;
let outbox: mysql.Connection;
let menu: Awaited<ReturnType<typeof aMenu>>;

const operator: Identity = { sub: `operator-${newId()}`, roles: ['OPERATOR'] };
const admin: Identity = { sub: `admin-${newId()}`, roles: ['ADMIN'] };
const aRider = (): Identity => ({ sub: `rider-${newId()}`, roles: ['RIDER'] });

/** A rider riders knows (reassignOrder refuses others). */
async function aRegisteredRider(): Promise<Identity> {
  const rider = aRider();
  const registered = await h.callRiders('mutation($input: RegisterRiderInput!) { registerRider(input: $input) { id } }', { input: { name: '李师傅', phone: '13900000000' } }, rider);
  expect(registered.errors).toBeUndefined();
  return rider;
}

beforeAll(async () => {
  // Orders close 1 s after delivery, so a late delivery's compensation is seen within the test.
  // Riders runs too: reassignOrder asks it about the new rider.
  h = await startOrdersWithProducts({ CLOSE_AFTER_SECONDS: '1' }, {}, { riders: true });
  outbox = await mysql.createConnection({ uri: h.config.MYSQL_URL, database: databaseName(h.config.DB_PREFIX, 'orders'), timezone: 'Z' });
  menu = await aMenu(h, [{ name: '红烧肉', priceCents: 3000, stock: 1000 }]);
}, 120_000);
afterAll(async () => {
  await outbox?.end();
  await h?.stop();
});

interface OrderView {
  id: string;
  status: string;
  riderId: string | null;
  needsAttention: boolean;
  wasOvertime: boolean;
  cancelReason: string | null;
  createdAt: string;
  timeline: Array<{ status: string }>;
}
const ORDER_FIELDS = 'id status riderId needsAttention wasOvertime cancelReason createdAt timeline { status }';
const ORDER = `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;
const CANCEL = `mutation($orderId: ID!, $reason: String!) { cancelOrderAsStaff(orderId: $orderId, reason: $reason) { ${ORDER_FIELDS} } }`;
const REDISPATCH = `mutation($orderId: ID!, $reason: String!, $radiusMeters: Int, $riderIds: [ID!]) {
  redispatchOrder(orderId: $orderId, reason: $reason, radiusMeters: $radiusMeters, riderIds: $riderIds) { ${ORDER_FIELDS} }
}`;
const REASSIGN = `mutation($orderId: ID!, $riderId: ID!, $reason: String!) { reassignOrder(orderId: $orderId, riderId: $riderId, reason: $reason) { ${ORDER_FIELDS} } }`;
const MARK_DELIVERED = `mutation($orderId: ID!, $reason: String!) { markOrderDelivered(orderId: $orderId, reason: $reason) { ${ORDER_FIELDS} } }`;
const SEARCH = `query($filter: OrderSearchFilter, $first: Int, $after: String) {
  searchOrders(filter: $filter, first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
}`;

type Caller = Identity | null;
const codesOf = (result: { errors?: Array<{ extensions?: { code?: string } }> }) => result.errors?.map((error) => error.extensions?.code) ?? [];

async function orderAs(id: string, caller: Caller = operator): Promise<OrderView | null> {
  return (await h.callOrders<{ order: OrderView | null }>(ORDER, { id }, caller)).data?.order ?? null;
}

/** Every event the order's transactions left in the outbox, oldest first. */
async function eventsOf(orderId: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  const [rows] = (await outbox.query('SELECT payload FROM outbox WHERE aggregate_id = ? ORDER BY seq', [orderId])) as unknown as [Array<{ payload: string }>];
  return rows.map((row) => JSON.parse(row.payload) as { type: string; data: Record<string, unknown> });
}
const audits = async (orderId: string) => (await eventsOf(orderId)).filter((event) => event.type === 'AuditRecorded').map((event) => event.data);

/** A new order of the test menu, waiting for payment. */
async function anUnpaidOrder(address = '人民路9号', buyer = customer()): Promise<{ id: string; totalCents: number; buyer: Identity }> {
  const created = await h.callOrders<{ createOrder: { id: string; totalCents: number } }>(
    CREATE_ORDER,
    { input: { items: [{ productId: menu.products[0], quantity: 2 }], deliveryAddress: address, deliveryLocation: { lat: menu.location.lat + 0.004, lng: menu.location.lng } } },
    buyer,
  );
  if (!created.data) throw new Error(JSON.stringify(created.errors));
  return { ...created.data.createOrder, buyer };
}

async function aPaidOrder(address?: string) {
  const order = await anUnpaidOrder(address);
  const { paymentId } = await h.paymentSucceeded(order.id, order.totalCents);
  await eventually(async () => (await orderAs(order.id))?.status === 'CREATED', 20_000, `order ${order.id} paid`);
  return { ...order, paymentId };
}

async function aNotifiedOrder(riders = [aRider()]) {
  const order = await aPaidOrder();
  await h.orders.service.notify(order.id, 1, riders.map((rider) => rider.sub), new Date(Date.now() + 10 * 60_000));
  return { ...order, riders };
}

async function aGrabbedOrder() {
  const order = await aNotifiedOrder();
  const rider = order.riders[0]!;
  const grabbed = await h.callOrders<{ grabOrder: { status: string } }>('mutation($id: ID!) { grabOrder(orderId: $id) { status } }', { id: order.id }, rider);
  expect(grabbed.data?.grabOrder.status).toBe('DELIVERING');
  return { ...order, rider };
}

describe('searchOrders', () => {
  test('staff find orders by statuses, merchant, customer, rider, time, flag, lateness and text, newest first', async () => {
    const shop = await aMenu(h, [{ name: '担担面', priceCents: 1500, stock: 100 }]);
    const place = async (address: string, buyer = customer()) => {
      const created = await h.callOrders<{ createOrder: { id: string; totalCents: number } }>(
        CREATE_ORDER,
        { input: { items: [{ productId: shop.products[0], quantity: 1 }], deliveryAddress: address, deliveryLocation: { lat: shop.location.lat + 0.004, lng: shop.location.lng } } },
        buyer,
      );
      return created.data!.createOrder;
    };
    const regular = customer();
    const unpaid = await place('Baker Street 221B', regular);
    const flagged = await place('长江路1号');
    await h.paymentSucceeded(flagged.id, flagged.totalCents);
    await eventually(async () => (await orderAs(flagged.id))?.status === 'CREATED', 20_000, 'flagged order paid');
    await h.orders.service.dispatchGaveUp(flagged.id, 1);
    const late = await place('长江路2号', regular);
    const rider = aRider();
    await h.paymentSucceeded(late.id, late.totalCents);
    await eventually(async () => (await orderAs(late.id))?.status === 'CREATED', 20_000, 'late order paid');
    await h.orders.service.notify(late.id, 1, [rider.sub], new Date(Date.now() + 600_000));
    await h.callOrders('mutation($id: ID!) { grabOrder(orderId: $id) { id } }', { id: late.id }, rider);
    await h.orders.service.timers.deadlinePassed(late.id);

    const found = async (filter: Record<string, unknown>) => {
      const result = await h.callOrders<{ searchOrders: { edges: Array<{ node: { id: string } }> } }>(SEARCH, { filter: { merchantId: shop.merchantId, ...filter }, first: 10 }, operator);
      expect(result.errors).toBeUndefined();
      return result.data!.searchOrders.edges.map((edge) => edge.node.id);
    };
    const created = (await orderAs(unpaid.id))!.createdAt;
    expect(await found({})).toEqual([late.id, flagged.id, unpaid.id]);
    expect(await found({ statuses: ['PENDING_PAYMENT', 'OVERTIME'] })).toEqual([late.id, unpaid.id]);
    expect(await found({ customerId: regular.sub })).toEqual([late.id, unpaid.id]);
    expect(await found({ riderId: rider.sub })).toEqual([late.id]);
    expect(await found({ needsAttention: true })).toEqual([flagged.id]);
    expect(await found({ overtime: true })).toEqual([late.id]);
    expect(await found({ overtime: false, needsAttention: false })).toEqual([unpaid.id]);
    expect(await found({ createdFrom: created, createdTo: new Date(new Date(created).getTime() + 1).toISOString() })).toEqual([unpaid.id]);
    expect(await found({ text: 'baker street' })).toEqual([unpaid.id]);
    expect(await found({ text: '长江路' })).toEqual([late.id, flagged.id]);
    expect(await found({ text: flagged.id.slice(0, 18).toUpperCase() })).toEqual([flagged.id]);
    expect(await found({ text: '100%_' })).toEqual([]);
  });

  test('pages follow one another without gaps or repeats', async () => {
    const shop = await aMenu(h, [{ name: '小笼包', priceCents: 1200, stock: 100 }]);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const created = await h.callOrders<{ createOrder: { id: string } }>(
        CREATE_ORDER,
        { input: { items: [{ productId: shop.products[0], quantity: 1 }], deliveryAddress: '路', deliveryLocation: { lat: shop.location.lat + 0.004, lng: shop.location.lng } } },
        customer(),
      );
      ids.push(created.data!.createOrder.id);
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const result: { data?: { searchOrders: { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } } | null } =
        await h.callOrders(SEARCH, { filter: { merchantId: shop.merchantId }, first: 2, after }, admin);
      seen.push(...result.data!.searchOrders.edges.map((edge) => edge.node.id));
      if (!result.data!.searchOrders.pageInfo.hasNextPage) break;
      after = result.data!.searchOrders.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  test('a filter that cannot match sensibly, a bad page size or a foreign cursor is bad input', async () => {
    const now = new Date().toISOString();
    for (const variables of [
      { filter: { statuses: [] } },
      { filter: { createdFrom: now, createdTo: now } },
      { filter: { text: '   ' } },
      { filter: { text: 'x'.repeat(101) } },
      { filter: { riderId: 'x'.repeat(129) } },
      { first: 0 },
      { first: 101 },
      { after: 'not-a-cursor' },
    ]) {
      expect({ variables, codes: codesOf(await h.callOrders(SEARCH, variables, operator)) }).toEqual({ variables, codes: ['BAD_USER_INPUT'] });
    }
  });
});

describe('who may step in', () => {
  test('customers, merchants and riders are refused search and every intervention, and a caller without a token is unauthenticated', async () => {
    const order = await aGrabbedOrder();
    const operations: Array<[string, Record<string, unknown>]> = [
      [SEARCH, {}],
      [CANCEL, { orderId: order.id, reason: '顾客来电' }],
      [REDISPATCH, { orderId: order.id, reason: '无人接单' }],
      [REASSIGN, { orderId: order.id, riderId: aRider().sub, reason: '车坏了' }],
      [MARK_DELIVERED, { orderId: order.id, reason: '骑手手机没电' }],
    ];
    // The order's own customer and rider are refused too: interventions are staff's alone.
    const callers: Array<[string, Caller, string]> = [
      ['customer of the order', order.buyer, 'FORBIDDEN'],
      ['rider of the order', order.rider, 'FORBIDDEN'],
      ['merchant owner', menu.owner, 'FORBIDDEN'],
      ['anonymous', null, 'UNAUTHENTICATED'],
    ];
    for (const [query, variables] of operations) {
      for (const [who, caller, code] of callers) {
        const name = query.match(/\{\s*(\w+)\(/)?.[1];
        expect({ name, who, codes: codesOf(await h.callOrders(query, variables, caller)) }).toEqual({ name, who, codes: [code] });
      }
    }
    expect((await orderAs(order.id))?.status).toBe('DELIVERING');
    expect(await audits(order.id)).toEqual([]);
  });

  test('a blank or over-long reason is bad input, and an unknown order is not found', async () => {
    const order = await aGrabbedOrder();
    for (const reason of ['', '   ', 'x'.repeat(501)]) {
      for (const [query, variables] of [
        [CANCEL, { orderId: order.id }],
        [REDISPATCH, { orderId: order.id }],
        [REASSIGN, { orderId: order.id, riderId: aRider().sub }],
        [MARK_DELIVERED, { orderId: order.id }],
      ] as const) {
        const name = query.match(/\{\s*(\w+)\(/)?.[1];
        expect({ name, length: reason.length, codes: codesOf(await h.callOrders(query, { ...variables, reason }, operator)) }).toEqual({ name, length: reason.length, codes: ['BAD_USER_INPUT'] });
      }
    }
    const missing = newId();
    for (const [query, variables] of [
      [CANCEL, {}],
      [REDISPATCH, {}],
      [REASSIGN, { riderId: aRider().sub }],
      [MARK_DELIVERED, {}],
    ] as const) {
      expect(codesOf(await h.callOrders(query, { orderId: missing, reason: '核查', ...variables }, admin))).toEqual(['NOT_FOUND']);
    }
    expect(await audits(order.id)).toEqual([]);
  });
});

describe('cancelOrderAsStaff', () => {
  test('a grabbed, paid order is cancelled: full refund requested, rider named for riders to free, audited in the same transaction, stock back', async () => {
    const stockBefore = await stockOf(h, menu.products[0]!);
    const order = await aGrabbedOrder();
    const before = (await eventsOf(order.id)).length;

    const result = await h.callOrders<{ cancelOrderAsStaff: OrderView }>(CANCEL, { orderId: order.id, reason: '顾客电话要求取消' }, operator);

    expect(result.errors).toBeUndefined();
    expect(result.data?.cancelOrderAsStaff).toMatchObject({ status: 'CANCELLED', cancelReason: '顾客电话要求取消', riderId: order.rider.sub });
    const written = (await eventsOf(order.id)).slice(before);
    expect(written.map((event) => event.type)).toEqual(['OrderStatusChanged', 'RefundRequested', 'AuditRecorded']);
    expect(written[0]!.data).toMatchObject({ step: 'staffCancel', from: 'DELIVERING', to: 'CANCELLED', riderId: order.rider.sub });
    expect(written[1]!.data).toEqual({ orderId: order.id, paymentId: order.paymentId, amountCents: order.totalCents, reason: 'ORDER_CANCELLED' });
    expect(written[2]!.data).toMatchObject({
      service: 'orders',
      actorId: operator.sub,
      actorRoles: ['OPERATOR'],
      action: 'ORDER_CANCEL',
      targetType: 'ORDER',
      targetId: order.id,
      reason: '顾客电话要求取消',
      before: 'DELIVERING',
      after: 'CANCELLED',
      details: { riderId: order.rider.sub, refundCents: order.totalCents },
    });
    await eventually(async () => (await stockOf(h, menu.products[0]!)) === stockBefore, 20_000, 'stock released');
  });

  test('cancelling again returns the order as it is and writes nothing; an unpaid order is cancelled without a refund', async () => {
    const order = await anUnpaidOrder();
    const first = await h.callOrders<{ cancelOrderAsStaff: OrderView }>(CANCEL, { orderId: order.id, reason: '重复下单' }, admin);
    const written = await eventsOf(order.id);
    const again = await h.callOrders<{ cancelOrderAsStaff: OrderView }>(CANCEL, { orderId: order.id, reason: '重复下单' }, operator);

    expect(again.data?.cancelOrderAsStaff).toEqual(first.data?.cancelOrderAsStaff);
    expect(await eventsOf(order.id)).toEqual(written);
    expect(written.map((event) => event.type)).toEqual(['OrderStatusChanged', 'OrderStatusChanged', 'AuditRecorded']);
    expect(written[2]!.data).toMatchObject({ actorId: admin.sub, before: 'PENDING_PAYMENT', after: 'CANCELLED', details: { riderId: null, refundCents: 0 } });
  });

  test('a delivered order cannot be cancelled', async () => {
    const order = await aGrabbedOrder();
    await h.callOrders('mutation($id: ID!) { deliverOrder(orderId: $id) { id } }', { id: order.id }, order.rider);

    expect(codesOf(await h.callOrders(CANCEL, { orderId: order.id, reason: '太晚了' }, operator))).toEqual(['INVALID_STATE_TRANSITION']);
    expect(await audits(order.id)).toEqual([]);
  });

  test('when the audit cannot be written, the cancellation does not happen either', async () => {
    const order = await aGrabbedOrder();
    const before = await eventsOf(order.id);
    // A trigger refusing this one audit row: the outbox insert fails inside the transaction.
    await outbox.query(`CREATE TRIGGER refuse_marked_audit BEFORE INSERT ON outbox FOR EACH ROW
      BEGIN IF NEW.payload LIKE '%the audit outbox refuses this%' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit refused by the test'; END IF; END`);
    try {
      const result = await h.callOrders(CANCEL, { orderId: order.id, reason: 'the audit outbox refuses this' }, operator);
      expect(result.errors).toHaveLength(1);
    } finally {
      await outbox.query('DROP TRIGGER refuse_marked_audit');
    }
    expect((await orderAs(order.id))?.status).toBe('DELIVERING');
    expect(await eventsOf(order.id)).toEqual(before);
  });
});

describe('redispatchOrder', () => {
  test('a flagged order goes back to dispatch, wider and to named riders; the same request again changes nothing', async () => {
    const order = await aPaidOrder();
    await h.orders.service.dispatchGaveUp(order.id, 1);
    expect((await orderAs(order.id))?.needsAttention).toBe(true);
    const named = ['rider-b', 'rider-a', 'rider-b'];

    const result = await h.callOrders<{ redispatchOrder: OrderView }>(REDISPATCH, { orderId: order.id, reason: '无人接单，扩大范围', radiusMeters: 8000, riderIds: named }, operator);
    const written = await eventsOf(order.id);
    const again = await h.callOrders<{ redispatchOrder: OrderView }>(REDISPATCH, { orderId: order.id, reason: '再试一次', radiusMeters: 8000, riderIds: ['rider-a', 'rider-b'] }, operator);

    expect(result.errors).toBeUndefined();
    expect(result.data?.redispatchOrder).toMatchObject({ status: 'CREATED', needsAttention: false });
    expect(again.data?.redispatchOrder).toEqual(result.data?.redispatchOrder);
    expect(await eventsOf(order.id)).toEqual(written);
    const [changed, requested, audit] = written.slice(-3);
    expect(changed).toMatchObject({ type: 'OrderStatusChanged', data: { step: 'redispatch', from: 'CREATED', to: 'CREATED', needsAttention: false } });
    expect(requested).toMatchObject({ type: 'OrderRedispatchRequested', data: { orderId: order.id, radiusMeters: 8000, riderIds: ['rider-a', 'rider-b'], requestedBy: operator.sub, dispatchRound: 0 } });
    expect(audit).toMatchObject({
      type: 'AuditRecorded',
      data: { action: 'ORDER_REDISPATCH', reason: '无人接单，扩大范围', before: 'CREATED', after: 'CREATED', details: { radiusMeters: 8000, riderIds: ['rider-a', 'rider-b'], dispatchRound: 0, neededAttention: true } },
    });

    // Another request (any rider this time) is a new one.
    const wider = await h.callOrders<{ redispatchOrder: OrderView }>(REDISPATCH, { orderId: order.id, reason: '不限骑手' }, admin);
    expect(wider.errors).toBeUndefined();
    expect((await audits(order.id)).map((entry) => entry.details)).toEqual([
      { radiusMeters: 8000, riderIds: ['rider-a', 'rider-b'], dispatchRound: 0, neededAttention: true },
      { radiusMeters: null, riderIds: null, dispatchRound: 0, neededAttention: false },
    ]);
  });

  test('an order out with riders is taken back from them and waits for the next round', async () => {
    const order = await aNotifiedOrder();
    const result = await h.callOrders<{ redispatchOrder: OrderView }>(REDISPATCH, { orderId: order.id, reason: '附近骑手都在忙', radiusMeters: 3000 }, operator);

    expect(result.data?.redispatchOrder).toMatchObject({ status: 'CREATED', timeline: [{ status: 'PENDING_PAYMENT' }, { status: 'CREATED' }, { status: 'NOTIFIED' }, { status: 'CREATED' }] });
    const requested = (await eventsOf(order.id)).find((event) => event.type === 'OrderRedispatchRequested');
    expect(requested?.data).toMatchObject({ radiusMeters: 3000, riderIds: null, dispatchRound: 1 });
  });

  test('a radius or rider list out of bounds is bad input, and a grabbed order cannot be re-dispatched', async () => {
    const waiting = await aPaidOrder();
    for (const extra of [{ radiusMeters: 0 }, { radiusMeters: 50_001 }, { riderIds: [] }, { riderIds: [''] }, { riderIds: Array.from({ length: 21 }, (_, i) => `rider-${i}`) }]) {
      expect({ extra, codes: codesOf(await h.callOrders(REDISPATCH, { orderId: waiting.id, reason: '扩大范围', ...extra }, operator)) }).toEqual({ extra, codes: ['BAD_USER_INPUT'] });
    }
    const grabbed = await aGrabbedOrder();
    expect(codesOf(await h.callOrders(REDISPATCH, { orderId: grabbed.id, reason: '扩大范围', radiusMeters: 50_000 }, operator))).toEqual(['INVALID_STATE_TRANSITION']);
    expect([...(await audits(waiting.id)), ...(await audits(grabbed.id))]).toEqual([]);
  });
});

describe('reassignOrder', () => {
  test('a grabbed order moves to another rider, who sees it while the old rider no longer does; repeating it changes nothing', async () => {
    const order = await aGrabbedOrder();
    const next = await aRegisteredRider();

    const result = await h.callOrders<{ reassignOrder: OrderView }>(REASSIGN, { orderId: order.id, riderId: next.sub, reason: '骑手车坏了' }, admin);
    const written = await eventsOf(order.id);
    const again = await h.callOrders<{ reassignOrder: OrderView }>(REASSIGN, { orderId: order.id, riderId: next.sub, reason: '骑手车坏了' }, admin);

    expect(result.errors).toBeUndefined();
    expect(result.data?.reassignOrder).toMatchObject({ status: 'DELIVERING', riderId: next.sub });
    expect(again.data?.reassignOrder).toEqual(result.data?.reassignOrder);
    expect(await eventsOf(order.id)).toEqual(written);
    expect(written.slice(-3)).toMatchObject([
      { type: 'OrderStatusChanged', data: { step: 'reassign', from: 'DELIVERING', to: 'DELIVERING', riderId: next.sub } },
      { type: 'OrderReassigned', data: { orderId: order.id, fromRiderId: order.rider.sub, toRiderId: next.sub, requestedBy: admin.sub } },
      { type: 'AuditRecorded', data: { action: 'ORDER_REASSIGN', actorRoles: ['ADMIN'], before: 'DELIVERING', after: 'DELIVERING', details: { fromRiderId: order.rider.sub, toRiderId: next.sub } } },
    ]);
    expect(await orderAs(order.id, next)).not.toBeNull();
    expect(await orderAs(order.id, order.rider)).toBeNull();
  });

  test('an order running late can be reassigned too, and the new rider may deliver it', async () => {
    const order = await aGrabbedOrder();
    await h.orders.service.timers.deadlinePassed(order.id);
    const next = await aRegisteredRider();

    const result = await h.callOrders<{ reassignOrder: OrderView }>(REASSIGN, { orderId: order.id, riderId: next.sub, reason: '换人送' }, operator);
    const delivered = await h.callOrders<{ deliverOrder: { status: string } }>('mutation($id: ID!) { deliverOrder(orderId: $id) { status } }', { id: order.id }, next);

    expect(result.data?.reassignOrder).toMatchObject({ status: 'OVERTIME', riderId: next.sub });
    expect(delivered.data?.deliverOrder.status).toBe('RECEIVED');
  });

  test('the rider who grabbed it is bad input, and an order nobody grabbed cannot be reassigned', async () => {
    const grabbed = await aGrabbedOrder();
    const waiting = await aNotifiedOrder();

    expect(codesOf(await h.callOrders(REASSIGN, { orderId: grabbed.id, riderId: grabbed.rider.sub, reason: '同一个人' }, operator))).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(await h.callOrders(REASSIGN, { orderId: waiting.id, riderId: waiting.riders[0]!.sub, reason: '指派' }, operator))).toEqual(['INVALID_STATE_TRANSITION']);
    expect([...(await audits(grabbed.id)), ...(await audits(waiting.id))]).toEqual([]);
  });
});

describe('markOrderDelivered', () => {
  test('a late order marked delivered is compensated when it closes, exactly as after the rider delivers it; repeating it changes nothing', async () => {
    const order = await aGrabbedOrder();
    await h.orders.service.timers.deadlinePassed(order.id);

    const result = await h.callOrders<{ markOrderDelivered: OrderView }>(MARK_DELIVERED, { orderId: order.id, reason: '骑手手机没电，顾客确认已收到' }, operator);
    const again = await h.callOrders<{ markOrderDelivered: OrderView }>(MARK_DELIVERED, { orderId: order.id, reason: '再点一次' }, operator);

    expect(result.errors).toBeUndefined();
    expect(result.data?.markOrderDelivered).toMatchObject({ status: 'RECEIVED', wasOvertime: true, riderId: order.rider.sub });
    expect(again.errors).toBeUndefined();
    const compensating = await eventually(async () => {
      const events = await eventsOf(order.id);
      return events.some((event) => event.type === 'RefundRequested') ? events : null;
    }, 20_000, 'late-delivery compensation');
    expect(compensating.filter((event) => ['OrderStatusChanged', 'RefundRequested', 'AuditRecorded'].includes(event.type)).slice(-4)).toMatchObject([
      { type: 'OrderStatusChanged', data: { step: 'deliver', from: 'OVERTIME', to: 'RECEIVED', wasOvertime: true } },
      { type: 'AuditRecorded', data: { action: 'ORDER_MARK_DELIVERED', before: 'OVERTIME', after: 'RECEIVED', details: { riderId: order.rider.sub, late: true } } },
      { type: 'OrderStatusChanged', data: { step: 'compensate', from: 'RECEIVED', to: 'COMPENSATING' } },
      // OVERTIME_REFUND_PERCENT (20 %) of the total, as for a rider's late delivery.
      { type: 'RefundRequested', data: { amountCents: Math.floor(order.totalCents * 0.2), reason: 'LATE_DELIVERY' } },
    ]);
    expect(await audits(order.id)).toHaveLength(1);
  });

  test('an order no rider holds cannot be marked delivered', async () => {
    const order = await aPaidOrder();
    expect(codesOf(await h.callOrders(MARK_DELIVERED, { orderId: order.id, reason: '已送达' }, operator))).toEqual(['INVALID_STATE_TRANSITION']);
    expect(await audits(order.id)).toEqual([]);
  });
});
