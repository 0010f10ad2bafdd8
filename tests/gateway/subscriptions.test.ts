import { mintToken } from '@waimai/platform';
import { openGraphQLSocket, startStack, tokenFor, uniqueId, type GraphQLSocket, type Stack } from '@waimai/testkit';

const ORDER_OFFERS = 'subscription OrderOffers { orderOffers { id expiresAt order { id status } } }';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ subgraphs: [] });
});
afterAll(async () => {
  await stack?.stop();
});

async function connected(token: string): Promise<GraphQLSocket> {
  const socket = await openGraphQLSocket(stack.wsUrl);
  socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
  expect(await socket.nextMessage()).toEqual(expect.objectContaining({ type: 'connection_ack' }));
  return socket;
}

/** orderOffers { order { merchant { products { edges { node { merchant ... } } } } } } nested `depth` fields deep. */
function deepSubscription(depth: number): string {
  const cycle = ['merchant', 'products(first: 1)', 'edges', 'node'];
  const fields = ['orderOffers', 'order', ...Array.from({ length: depth - 3 }, (_, i) => cycle[i % cycle.length] ?? 'merchant')];
  return `subscription Deep { ${fields.map((field) => `${field} { `).join('')}__typename${' }'.repeat(fields.length)} }`;
}

describe('subscriptions over websockets at /graphql', () => {
  it('a socket that sends no connection_init within 3 s is closed with 4408', async () => {
    const socket = await openGraphQLSocket(stack.wsUrl);

    expect(await socket.closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
  });

  it('connection_init without a token, or with an invalid or expired one, is closed with 4403', async () => {
    const payloads = {
      none: {},
      notBearer: { authorization: 'Basic dXNlcjpwYXNz' },
      wrongSecret: { authorization: `Bearer ${await mintToken('another-secret-that-is-long-enough', { sub: 'r', roles: ['RIDER'] })}` },
      expired: { authorization: `Bearer ${await tokenFor(uniqueId('rider'), ['RIDER'], Math.floor(Date.now() / 1000) - 60)}` },
    };

    for (const [kind, payload] of Object.entries(payloads)) {
      const socket = await openGraphQLSocket(stack.wsUrl);
      socket.send({ type: 'connection_init', payload });

      expect({ kind, closed: await socket.closed }).toEqual({ kind, closed: { code: 4403, reason: 'Forbidden' } });
    }
  });

  it('a valid token is acknowledged, and a subscription the role may not open is answered with a FORBIDDEN error', async () => {
    const socket = await connected(await tokenFor(uniqueId('customer'), ['CUSTOMER']));

    socket.send({ id: '1', type: 'subscribe', payload: { query: ORDER_OFFERS } });
    const answer = await socket.nextMessage();

    expect(answer).toEqual({ id: '1', type: 'error', payload: [{ message: 'Only RIDER, OPERATOR, ADMIN may subscribe to orderOffers.', extensions: { code: 'FORBIDDEN' } }] });
    socket.close();
  });

  it('a query sent on the socket runs through the supergraph like one over HTTP', async () => {
    const socket = await connected(await tokenFor(uniqueId('customer'), ['CUSTOMER']));

    socket.send({ id: 'q', type: 'subscribe', payload: { query: 'query Ping { __typename }' } });
    const answers = [await socket.nextMessage(), await socket.nextMessage()];

    expect(answers).toEqual([
      { id: 'q', type: 'next', payload: { data: { __typename: 'Query' } } },
      { id: 'q', type: 'complete' },
    ]);
    socket.close();
  });

  it('operations on the socket obey the same limits as over HTTP', async () => {
    const socket = await connected(await tokenFor(uniqueId('rider'), ['RIDER']));

    socket.send({ id: 'deep', type: 'subscribe', payload: { query: deepSubscription(13) } });
    socket.send({ id: 'broken', type: 'subscribe', payload: { query: 'subscription {' } });
    const answers = [await socket.nextMessage(), await socket.nextMessage()];

    expect(answers).toEqual(
      expect.arrayContaining([
        { id: 'deep', type: 'error', payload: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_REQUEST', limit: 'depth' }) })] },
        { id: 'broken', type: 'error', payload: [expect.objectContaining({ extensions: { code: 'BAD_REQUEST', reason: 'GRAPHQL_PARSE_FAILED' } })] },
      ]),
    );
    socket.close();
  });

  it('a socket is closed with 4403 when its token expires', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    const socket = await connected(await tokenFor(uniqueId('rider'), ['RIDER'], expiresAt));

    const closed = await socket.closed;

    expect(closed).toEqual({ code: 4403, reason: 'Token expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000 - 50);
  });
});
