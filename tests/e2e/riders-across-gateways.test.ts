import { createLogger } from '@waimai/platform';
import { loadGatewayConfig, startGateway, type RunningGateway } from '@waimai/gateway';
import {
  aMerchant,
  anOrder,
  aRiderAt,
  eventually,
  gatewayEventsReady,
  gql,
  north,
  ORDER_OFFERS,
  payOrder,
  startStack,
  subscribe,
  type GraphQLSubscription,
  type Stack,
} from '@waimai/testkit';

interface Offered {
  orderOffers: { id: string; order: { id: string; merchant: { name: string } } };
}

const PENDING = '{ pendingOrderOffers { id expiresAt order { id status } } }';

let stack: Stack;
let second: RunningGateway;
const open: Array<GraphQLSubscription<Offered>> = [];
beforeAll(async () => {
  stack = await startStack({ env: { OFFER_SECONDS: '60' } });
  second = await startGateway(loadGatewayConfig({ ...stack.env, GATEWAY_PORT: '0' }), createLogger('gateway-2', 'warn'));
  await gatewayEventsReady(second);
});
afterAll(async () => {
  for (const subscription of open) await subscription.close();
  await second?.stop();
  await stack?.stop();
});

const wsUrlOf = (gateway: RunningGateway) => `${gateway.baseUrl.replace(/^http/, 'ws')}/graphql`;

function offersOn(gateway: RunningGateway, token: string): GraphQLSubscription<Offered> {
  const subscription = subscribe<Offered>(wsUrlOf(gateway), token, ORDER_OFFERS);
  open.push(subscription);
  return subscription;
}

test('two gateway processes, riders connected to each: every rider gets its own offers and only those', async () => {
  const east = await aMerchant(stack, [{ name: '生煎包', priceCents: 1600, stock: 10 }]);
  const west = await aMerchant(stack, [{ name: '葱油饼', priceCents: 900, stock: 10 }]);
  const nearEast = await aRiderAt(stack, north(east.location, 400));
  const nearWest = await aRiderAt(stack, north(west.location, 400));
  const onFirst = offersOn(stack.gateway, nearEast.token);
  const onSecond = offersOn(second, nearWest.token);
  await eventually(() => stack.gateway.events.listeners('orderOffers', nearEast.sub) === 1, 10_000, 'east rider subscribed');
  await eventually(() => second.events.listeners('orderOffers', nearWest.sub) === 1, 10_000, 'west rider subscribed');

  const eastOrder = await anOrder(stack, east);
  const westOrder = await anOrder(stack, west);
  await Promise.all([payOrder(stack, eastOrder.id, eastOrder.customer.token), payOrder(stack, westOrder.id, westOrder.customer.token)]);

  const [eastOffer, westOffer] = await Promise.all([onFirst.next(20_000), onSecond.next(20_000)]);
  expect(eastOffer.data!.orderOffers.order).toMatchObject({ id: eastOrder.id, merchant: { name: east.name } });
  expect(westOffer.data!.orderOffers.order).toMatchObject({ id: westOrder.id, merchant: { name: west.name } });
  // Both gateways saw both offers on Kafka; each delivered only to the rider connected to it.
  await eventually(async () => (await gql<{ pendingOrderOffers: unknown[] }>(stack.graphqlUrl, PENDING, {}, nearWest.token)).data?.pendingOrderOffers.length === 1);
  expect(onFirst.queued()).toBe(0);
  expect(onSecond.queued()).toBe(0);
});

test('a rider whose phone was offline when the order was paid reconnects and finds the offer in pendingOrderOffers, then grabs it', async () => {
  const merchant = await aMerchant(stack, [{ name: '担担面', priceCents: 1900, stock: 10 }]);
  const rider = await aRiderAt(stack, north(merchant.location, 500));
  const before = offersOn(stack.gateway, rider.token);
  await eventually(() => stack.gateway.events.listeners('orderOffers', rider.sub) === 1, 10_000, 'rider subscribed');
  await before.close();
  await eventually(() => stack.gateway.events.listeners('orderOffers', rider.sub) === 0, 10_000, 'rider gone');

  const order = await anOrder(stack, merchant);
  await payOrder(stack, order.id, order.customer.token);
  // The app reconnects, to whichever gateway the load balancer picks, and reads what it missed.
  offersOn(second, rider.token);
  const pending = await eventually(async () => {
    const result = await gql<{ pendingOrderOffers: Array<{ id: string; order: { id: string; status: string } }> }>(second.baseUrl + '/graphql', PENDING, {}, rider.token);
    return result.data?.pendingOrderOffers.find((offer) => offer.order.id === order.id);
  }, 20_000, 'the missed offer listed');

  // Listed only once orders knows the offer: the grab that follows cannot be refused for it.
  expect(pending.order.status).toBe('NOTIFIED');
  const grabbed = await gql<{ grabOrder: { status: string } }>(second.baseUrl + '/graphql', 'mutation($orderId: ID!) { grabOrder(orderId: $orderId) { status } }', { orderId: order.id }, rider.token);
  expect(grabbed.data!.grabOrder.status).toBe('DELIVERING');
});
