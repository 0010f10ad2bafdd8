import { loadGatewayConfig, startGateway, type RunningGateway } from '@waimai/gateway';
import { createLogger } from '@waimai/platform';
import {
  aMerchant,
  anActor,
  anOrder,
  eventually,
  gatewayEventsReady,
  gql,
  startStack,
  subscribe,
  type GraphQLSubscription,
  type Stack,
} from '@waimai/testkit';
import { payloadsUntil, payOrder, TRACK_ORDER, type TrackedOrder } from '@waimai/testkit';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const open: Array<GraphQLSubscription<unknown>> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((subscription) => subscription.close()));
});

function following<T>(gateway: Pick<RunningGateway, 'baseUrl'>, token: string, query: string, variables: Record<string, unknown> = {}): GraphQLSubscription<T> {
  const subscription = subscribe<T>(`${gateway.baseUrl.replace(/^http/, 'ws')}/graphql`, token, query, variables);
  open.push(subscription as GraphQLSubscription<unknown>);
  return subscription;
}

/** The gateway has registered `count` subscribers for the order: from here on no event of it is missed. */
const listening = (gateway: RunningGateway, orderId: string, count = 1) =>
  eventually(() => gateway.events.listeners('orderUpdated', orderId) >= count, 10_000, `${count} subscriber(s) of order ${orderId}`);

const statusIs = (status: string) => (payload: { data?: TrackedOrder | null }) => payload.data?.orderUpdated.status === status;

describe('orderUpdated through the supergraph', () => {
  it('a customer following their order sees it become CREATED when the provider confirms the payment, with the merchant name from products', async () => {
    const merchant = await aMerchant(stack);
    const order = await anOrder(stack, merchant);
    const tracking = following<TrackedOrder>(stack.gateway, order.customer.token, TRACK_ORDER, { orderId: order.id });
    await listening(stack.gateway, order.id);

    await payOrder(stack, order.id, order.customer.token);
    const payloads = await payloadsUntil(tracking, statusIs('CREATED'));

    expect(payloads.at(-1)).toEqual({ data: { orderUpdated: { id: order.id, status: 'CREATED', rider: null, merchant: { name: merchant.name } } } });
    for (const payload of payloads) expect(payload.data?.orderUpdated.id).toBe(order.id);
  });

  it("paying by hand on the sandbox's pay page: its callback goes to the gateway's public URL, and the followed order becomes CREATED", async () => {
    const merchant = await aMerchant(stack);
    const order = await anOrder(stack, merchant);
    const tracking = following<TrackedOrder>(stack.gateway, order.customer.token, TRACK_ORDER, { orderId: order.id });
    await listening(stack.gateway, order.id);
    const initiated = await gql<{ initiatePayment: { payUrl: string } }>(
      stack.graphqlUrl,
      'mutation Pay($orderId: ID!) { initiatePayment(orderId: $orderId, paymentMethod: WECHAT_PAY) { payUrl } }',
      { orderId: order.id },
      order.customer.token,
    );
    const payUrl = initiated.data?.initiatePayment.payUrl ?? '';
    expect(payUrl.startsWith(`${stack.gatewayUrl}/webhooks/payments/sandbox/pay/`)).toBe(true);

    const pressedPay = await fetch(`${payUrl}/succeed`, { method: 'POST' });

    expect(pressedPay.status).toBe(200);
    const payloads = await payloadsUntil(tracking, statusIs('CREATED'));
    expect(payloads.at(-1)?.data?.orderUpdated).toMatchObject({ id: order.id, status: 'CREATED', merchant: { name: merchant.name } });
  });

  it('an operator follows any order, with aliases, fragments and variables of their own kept in each event', async () => {
    const merchant = await aMerchant(stack);
    const order = await anOrder(stack, merchant);
    const operator = await anActor('OPERATOR');
    const query = `subscription Watch($id: ID!, $withShop: Boolean!) {
      watched: orderUpdated(orderId: $id) { ...Summary shop: merchant @include(if: $withShop) { name } }
    }
    fragment Summary on Order { id state: status totalCents }`;
    const watching = following<{ watched: { id: string; state: string; totalCents: number; shop?: { name: string } } }>(stack.gateway, operator.token, query, {
      id: order.id,
      withShop: true,
    });
    await listening(stack.gateway, order.id);

    await payOrder(stack, order.id, order.customer.token);
    const payloads = await payloadsUntil(watching, (payload) => payload.data?.watched.state === 'CREATED');

    expect(payloads.at(-1)).toEqual({ data: { watched: { id: order.id, state: 'CREATED', totalCents: order.totalCents, shop: { name: merchant.name } } } });
  });

  it("another customer's subscription to that order is answered FORBIDDEN, as is a rider's (a role that may not follow orders)", async () => {
    const order = await anOrder(stack, await aMerchant(stack));
    const stranger = await anActor('CUSTOMER');
    const rider = await anActor('RIDER');

    const strangers = following(stack.gateway, stranger.token, TRACK_ORDER, { orderId: order.id });
    const riders = following(stack.gateway, rider.token, TRACK_ORDER, { orderId: order.id });

    expect(await strangers.ended).toEqual({ kind: 'error', errors: [{ message: `You may not follow orderUpdated for ${order.id}.`, extensions: { code: 'FORBIDDEN' } }] });
    expect(await riders.ended).toEqual({ kind: 'error', errors: [{ message: 'Only CUSTOMER, OPERATOR, ADMIN may subscribe to orderUpdated.', extensions: { code: 'FORBIDDEN' } }] });
    expect(stack.gateway.events.listeners('orderUpdated', order.id)).toBe(0);
  });

  it('a merchant opening orderOffers is answered FORBIDDEN', async () => {
    const merchant = await anActor('MERCHANT');

    const offers = following(stack.gateway, merchant.token, 'subscription { orderOffers { id } }');

    expect(await offers.ended).toEqual({ kind: 'error', errors: [{ message: 'Only RIDER, OPERATOR, ADMIN may subscribe to orderOffers.', extensions: { code: 'FORBIDDEN' } }] });
  });

  it('/metrics counts the sockets, the subscriptions and the events routed and sent', async () => {
    const order = await anOrder(stack, await aMerchant(stack));
    const tracking = following<TrackedOrder>(stack.gateway, order.customer.token, TRACK_ORDER, { orderId: order.id });
    await listening(stack.gateway, order.id);
    await payOrder(stack, order.id, order.customer.token);
    await payloadsUntil(tracking, statusIs('CREATED'));

    const text = await (await fetch(`${stack.gateway.adminUrl}/metrics`)).text();

    expect(text).toMatch(/^waimai_gateway_websocket_connections [1-9]\d*$/m);
    expect(text).toMatch(/^waimai_gateway_subscriptions\{field="orderUpdated"\} [1-9]\d*$/m);
    expect(text).toMatch(/^waimai_gateway_events_received_total\{topic="orders.events",outcome="read"\} [1-9]\d*$/m);
    expect(text).toMatch(/^waimai_gateway_events_routed_total\{field="orderUpdated"\} [1-9]\d*$/m);
    expect(text).toMatch(/^waimai_gateway_events_delivered_total\{field="orderUpdated"\} [1-9]\d*$/m);
    expect(text).toContain('waimai_gateway_events_dropped_total');
  });
});

describe('two gateway processes on the same subgraphs', () => {
  let second: RunningGateway;
  beforeAll(async () => {
    second = await startGateway(loadGatewayConfig({ ...stack.env, GATEWAY_PORT: '0' }), createLogger('gateway-2', 'warn'));
    await gatewayEventsReady(second);
  });
  afterAll(async () => {
    await second?.stop();
  });

  it('read every event in consumer groups of their own, and each sends a subscriber connected to it only its own events', async () => {
    const merchant = await aMerchant(stack);
    const [first, other] = [await anOrder(stack, merchant), await anOrder(stack, merchant)];
    const onFirst = following<TrackedOrder>(stack.gateway, first.customer.token, TRACK_ORDER, { orderId: first.id });
    const onSecond = following<TrackedOrder>(second, other.customer.token, TRACK_ORDER, { orderId: other.id });
    await listening(stack.gateway, first.id);
    await listening(second, other.id);

    await Promise.all([payOrder(stack, first.id, first.customer.token), payOrder(stack, other.id, other.customer.token)]);
    const [firstPayloads, secondPayloads] = await Promise.all([payloadsUntil(onFirst, statusIs('CREATED')), payloadsUntil(onSecond, statusIs('CREATED'))]);

    expect(new Set(firstPayloads.map((payload) => payload.data?.orderUpdated.id))).toEqual(new Set([first.id]));
    expect(new Set(secondPayloads.map((payload) => payload.data?.orderUpdated.id))).toEqual(new Set([other.id]));
    expect(second.events.groupIds).toHaveLength(stack.gateway.events.groupIds.length);
    expect(second.events.groupIds.filter((group) => stack.gateway.events.groupIds.includes(group))).toEqual([]);
  });

  it('a subscriber on each process, for the same order, both receive its events', async () => {
    const order = await anOrder(stack, await aMerchant(stack));
    const operator = await anActor('OPERATOR');
    const byCustomer = following<TrackedOrder>(stack.gateway, order.customer.token, TRACK_ORDER, { orderId: order.id });
    const byOperator = following<TrackedOrder>(second, operator.token, TRACK_ORDER, { orderId: order.id });
    await listening(stack.gateway, order.id);
    await listening(second, order.id);

    await payOrder(stack, order.id, order.customer.token);

    const [customerSaw, operatorSaw] = await Promise.all([payloadsUntil(byCustomer, statusIs('CREATED')), payloadsUntil(byOperator, statusIs('CREATED'))]);
    expect(customerSaw.at(-1)).toEqual(operatorSaw.at(-1));
  });
});
