import { Kafka } from 'kafkajs';
import { getNamedType, parse, print, validate, type GraphQLSchema } from 'graphql';
import { carriedStateAnswerer, createDocumentGuard, entityLoadersOf, entityQueryFor, eventSources, limitsFromConfig, loadGatewayConfig, rootFieldOf } from '@waimai/gateway';
import { createKafkaEventBus, createLogger, newEvent, OrderOffered, Topics } from '@waimai/platform';
import {
  anActor,
  ensureRunIsolation,
  eventually,
  openGraphQLSocket,
  startStack,
  subscribe,
  testInfraConfig,
  tokenFor,
  uniqueId,
  type GraphQLSocket,
  type Stack,
} from '@waimai/testkit';

ensureRunIsolation();
const infra = testInfraConfig();
// This file's gateway reads topics of its own, so the events it is fed reach nobody else.
const ISOLATED_PREFIX = `${infra.KAFKA_TOPIC_PREFIX}gw-engine-`;

let stack: Stack;
let schema: GraphQLSchema;
beforeAll(async () => {
  stack = await startStack({
    // Riders answers the offers' entity queries (with null: the test's offers are not in its database).
    subgraphs: ['riders'],
    gatewayEnv: { KAFKA_TOPIC_PREFIX: ISOLATED_PREFIX, WS_MAX_PENDING_EVENTS: '2', WS_KEEPALIVE_MS: '300' },
  });
  schema = stack.gateway.apiSchema();
});
afterAll(async () => {
  await stack?.stop();
});

async function connected(url: string, token: string, answerPings = true): Promise<GraphQLSocket> {
  const socket = await openGraphQLSocket(url, { answerPings });
  socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
  expect(await socket.nextMessage()).toEqual(expect.objectContaining({ type: 'connection_ack' }));
  return socket;
}

describe('the event source table', () => {
  it('has one entry per Subscription field of the supergraph, each loading its events through a Query field that takes an id and returns the same type, or built in the gateway (local)', () => {
    const subscriptionFields = schema.getSubscriptionType()?.getFields() ?? {};
    const queryFields = schema.getQueryType()?.getFields() ?? {};

    expect(Object.keys(eventSources).sort()).toEqual(Object.keys(subscriptionFields).sort());
    for (const [field, source] of Object.entries(eventSources)) {
      // A local source's values are built in the gateway and run against the field's own type.
      if (source.kind === 'local') continue;
      const entityField = queryFields[source.entityField];
      expect({ field, entityField: entityField?.name, id: entityField?.args.map((arg) => arg.name) }).toEqual({ field, entityField: source.entityField, id: ['id'] });
      expect({ field, type: getNamedType(entityField!.type).name }).toEqual({ field, type: getNamedType(subscriptionFields[field]!.type).name });
    }
  });
});

describe('the entity query run per event', () => {
  it('keeps the response name, the selection set, and only the fragments and variables that selection uses', () => {
    const document = parse(`subscription Watch($id: ID!, $withShop: Boolean!) { ...Root }
      fragment Root on Subscription { watched: orderUpdated(orderId: $id) { ...Summary merchant @include(if: $withShop) { name } } }
      fragment Summary on Order { id status }`);
    const operation = document.definitions[0]!;
    if (operation.kind !== 'OperationDefinition') throw new Error('expected the operation first');

    const built = entityQueryFor({ schema, document, operation, rootField: rootFieldOf(document, operation), entityField: 'order', variables: { id: 'o-1', withShop: true } });

    expect(built).toEqual({
      query: print(
        parse(`query Watch($entityId: ID!, $withShop: Boolean!) { watched: order(id: $entityId) { ...Summary merchant @include(if: $withShop) { name } } }
          fragment Summary on Order { id status }`),
      ),
      operationName: 'Watch',
      variables: { withShop: true },
      idVariable: 'entityId',
      responseName: 'watched',
    });
    expect(validate(schema, parse(built.query))).toEqual([]);
  });

  it('picks a variable name of its own when the client already uses entityId', () => {
    const document = parse('subscription ($entityId: ID!) { orderUpdated(orderId: $entityId) { id } }');
    const operation = document.definitions[0]!;
    if (operation.kind !== 'OperationDefinition') throw new Error('expected the operation first');

    const built = entityQueryFor({ schema, document, operation, rootField: rootFieldOf(document, operation), entityField: 'order', variables: { entityId: 'o-1' } });

    expect(built.query).toBe(print(parse('query ($entityId2: ID!) { orderUpdated: order(id: $entityId2) { id } }')));
    expect(built.variables).toEqual({});
  });
});

describe('events that carry their entity (event-carried state)', () => {
  const offered = {
    id: 'offer-1',
    orderId: 'order-1',
    riderId: 'rider-1',
    round: 1,
    distanceMeters: 420,
    expiresAt: '2026-01-01T00:15:00.000Z',
    status: 'OFFERED',
    createdAt: '2026-01-01T00:00:00.000Z',
    order: {
      id: 'order-1',
      status: 'NOTIFIED',
      totalCents: 4200,
      deliveryAddress: '1 Road',
      deliveryLocation: { lat: 31.2, lng: 121.4 },
      deadlineAt: '2026-01-01T00:45:00.000Z',
      merchant: { id: 'merchant-1', location: { lat: 31.21, lng: 121.41 } },
    },
  };
  function answererFor(query: string, variables: Record<string, unknown> = {}) {
    const document = parse(query);
    const operation = document.definitions.find((definition) => definition.kind === 'OperationDefinition');
    if (operation?.kind !== 'OperationDefinition') throw new Error('expected an operation');
    const guard = createDocumentGuard(limitsFromConfig(loadGatewayConfig({})));
    return carriedStateAnswerer({ schema, document, operation, field: 'orderOffers', variables, guard, loaders: entityLoadersOf(schema) });
  }
  /** The supergraph as seen by the answerer: records what it was asked, answers with `answer`. */
  function supergraph(answer: (request: { query: string; variables: Record<string, unknown> }) => Record<string, unknown> | null) {
    const asked: Array<{ query: string; variables: Record<string, unknown> }> = [];
    return {
      asked,
      load: async (request: { query: string; operationName: string | undefined; variables: Record<string, unknown> }) => {
        asked.push({ query: request.query, variables: request.variables });
        return { data: answer(request) };
      },
    };
  }

  it('finds, per object type, the Query field that loads one by id', () => {
    const loaders = entityLoadersOf(schema);
    expect([loaders.get('Order'), loaders.get('Merchant'), loaders.get('OrderOffer'), loaders.get('Rider')]).toEqual(['order', 'merchant', 'orderOffer', 'rider']);
  });

  it('a selection the event covers is answered from it alone, with aliases, fragments and directives applied as in a query', async () => {
    const answerer = answererFor(`subscription Watch($full: Boolean!) { offers: orderOffers { ...Offer order { id state: status total: totalCents @include(if: $full) } } }
      fragment Offer on OrderOffer { id status riderId round expiresAt }`, { full: false });
    const graph = supergraph(() => null);

    const answered = await answerer.answer(offered, graph.load);

    expect(answered).toEqual({ result: { data: { offers: { id: 'offer-1', status: 'OFFERED', riderId: 'rider-1', round: 1, expiresAt: '2026-01-01T00:15:00.000Z', order: { id: 'order-1', state: 'NOTIFIED' } } } }, loads: 0 });
    expect(graph.asked).toEqual([]);
  });

  it("what the event lacks is loaded through the supergraph for the nearest object with an id: the merchant's name and address, by merchant(id:)", async () => {
    const answerer = answererFor(`subscription OrderOffers { orderOffers { id distanceMeters order { id status merchant { id shop: name address location { lat lng } } } } }`);
    const graph = supergraph(() => ({ loaded: { id: 'merchant-1', shop: 'Noodles', address: '2 Street', location: { lat: 31.21, lng: 121.41 } } }));

    const answered = await answerer.answer(offered, graph.load);

    expect(graph.asked).toEqual([
      { query: print(parse('query OrderOffers($entityId: ID!) { loaded: merchant(id: $entityId) { id shop: name address location { lat lng } } }')), variables: { entityId: 'merchant-1' } },
    ]);
    expect(answered).toEqual({
      result: { data: { orderOffers: { id: 'offer-1', distanceMeters: 420, order: { id: 'order-1', status: 'NOTIFIED', merchant: { id: 'merchant-1', shop: 'Noodles', address: '2 Street', location: { lat: 31.21, lng: 121.41 } } } } } },
      loads: 1,
    });
  });

  it('answers why not (the whole entity is then loaded as before) when the entity itself lacks a field, or a load answers null', async () => {
    const { order: _order, ...withoutOrder } = offered;
    const graph = supergraph(() => ({ loaded: null }));

    expect(await answererFor('subscription { orderOffers { id order { id } } }').answer(withoutOrder, graph.load)).toEqual({ fallback: 'the entity itself lacks fields under orderOffers' });
    expect(await answererFor('subscription { orderOffers { id order { merchant { name } } } }').answer(offered, graph.load)).toEqual({ fallback: 'loading orderOffers.order.merchant answered null' });
    expect(graph.asked).toHaveLength(1);
  });
});

describe('robustness of the websocket server', () => {
  it('a socket that falls more than WS_MAX_PENDING_EVENTS events behind is closed with 1013, so the app reconnects and reads pendingOrderOffers', async () => {
    const rider = await anActor('RIDER');
    const offers = subscribe(stack.wsUrl, rider.token, 'subscription { orderOffers { id } }');
    await eventually(() => stack.gateway.events.listeners('orderOffers', rider.sub) === 1, 10_000, 'the offers subscription');
    const bus = createKafkaEventBus({ ...infra, KAFKA_TOPIC_PREFIX: ISOLATED_PREFIX }, 'gateway-test', createLogger('test', 'warn'));
    const expiresAt = new Date(Date.now() + 30_000).toISOString();
    const burst = Array.from({ length: 20 }, (_, round) =>
      newEvent(OrderOffered, rider.sub, { offerId: uniqueId('offer'), orderId: uniqueId('order'), riderId: rider.sub, round: round + 1, distanceMeters: 100, expiresAt }),
    );

    try {
      await bus.publish(Topics.dispatchOffers, burst);
      expect(await offers.ended).toEqual({ kind: 'closed', code: 1013, reason: 'Too many pending events' });
    } finally {
      await bus.close();
      await offers.close();
    }
    await eventually(() => stack.gateway.events.listeners('orderOffers', rider.sub) === 0, 5000, 'the closed subscription to stop listening');
    const metrics = await (await fetch(`${stack.gateway.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/^waimai_gateway_slow_sockets_closed_total [1-9]\d*$/m);
    expect(metrics).toMatch(/^waimai_gateway_events_dropped_total\{field="orderOffers",reason="slow_socket"\} [1-9]\d*$/m);
  });

  it('a socket that stops answering pings is cut; one that answers them stays open', async () => {
    const token = await tokenFor(uniqueId('rider'), ['RIDER']);
    const answering = await connected(stack.wsUrl, token);
    const silent = await connected(stack.wsUrl, token, false);

    // 1006: terminated without a closing handshake, as a dead link is.
    expect((await silent.closed).code).toBe(1006);
    answering.send({ type: 'ping' });
    expect(await answering.nextMessage()).toEqual({ type: 'pong' });
    answering.close();
  });
});

describe('when a gateway stops', () => {
  it('its consumers leave, their throwaway consumer groups are deleted, and its sockets are closed with 1001', async () => {
    const own = await startStack({ subgraphs: [] });
    const socket = await connected(own.wsUrl, await tokenFor(uniqueId('rider'), ['RIDER']));
    const admin = new Kafka({ clientId: 'gateway-test', brokers: infra.KAFKA_BROKERS, logLevel: 0 }).admin();
    await admin.connect();
    try {
      const groupsNow = async () => new Set((await admin.listGroups()).groups.map((group) => group.groupId));
      const before = await groupsNow();
      expect(own.gateway.events.groupIds.filter((group) => before.has(group))).toEqual([...own.gateway.events.groupIds]);

      await own.stop();

      expect((await socket.closed).code).toBe(1001);
      const after = await groupsNow();
      expect(own.gateway.events.groupIds.filter((group) => after.has(group))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });
});
