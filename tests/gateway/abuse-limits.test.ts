import { randomBytes } from 'node:crypto';
import { loadGatewayConfig, startGateway, type RunningGateway } from '@waimai/gateway';
import { createLogger } from '@waimai/platform';
import { gatewayEventsReady, gql, openGraphQLSocket, startStack, TEST_BUDGETS, tokenFor, uniqueId, type GraphQLSocket, type Stack } from '@waimai/testkit';

/**
 * Rate limits, websocket caps, CORS and production defaults (issue 7, items 2, 7, 10, 11).
 * Each block runs gateways of its own, on Redis keys of their own, with small budgets, next to
 * the stack's subgraphs; two gateways that share keys stand for two replicas.
 */
let stack: Stack;
const gateways: RunningGateway[] = [];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
  await stack?.stop();
});

/** A gateway next to the stack's subgraphs with `env` over the test budgets; `keys` names its Redis keys (shared = replicas). */
async function aGateway(env: Record<string, string>, keys = randomBytes(3).toString('hex')): Promise<RunningGateway> {
  const gateway = await startGateway(
    loadGatewayConfig({ ...stack.env, ...TEST_BUDGETS, REDIS_KEY_PREFIX: `${stack.env.REDIS_KEY_PREFIX}${keys}:`, GATEWAY_PORT: '0', ...env }),
    createLogger('gateway', 'warn'),
  );
  gateways.push(gateway);
  await gatewayEventsReady(gateway);
  return gateway;
}

const MERCHANT = 'query Merchant { merchant(id: "none") { id } }';

interface Sent {
  status: number;
  retryAfter: string | null;
  code: unknown;
}

async function send(gateway: RunningGateway, query: string, token?: string, variables: Record<string, unknown> = {}): Promise<Sent> {
  const response = await fetch(`${gateway.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: unknown } }[] };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), code: body.errors?.[0]?.extensions?.code };
}

/** `count` requests one after the other (a flood from one client), bounded by count. */
async function flood(count: number, request: () => Promise<Sent>): Promise<Sent[]> {
  const answers: Sent[] = [];
  for (let i = 0; i < count; i += 1) answers.push(await request());
  return answers;
}

const limited = (answers: Sent[]) => answers.filter((answer) => answer.status === 429);

describe('rate limits, counted in Redis across gateway replicas', () => {
  it('anonymous requests beyond RATE_LIMIT_ANONYMOUS from one IP get 429 RATE_LIMITED with Retry-After; a signed-in user is not held by them', async () => {
    const gateway = await aGateway({ RATE_LIMIT_ANONYMOUS: '20/60' });

    const answers = await flood(30, () => send(gateway, MERCHANT));
    const signedIn = await send(gateway, MERCHANT, await tokenFor(uniqueId('customer'), ['CUSTOMER']));

    expect(answers.slice(0, 20).every((answer) => answer.status === 200)).toBe(true);
    expect(limited(answers)).toHaveLength(10);
    for (const answer of limited(answers)) {
      expect(answer.code).toBe('RATE_LIMITED');
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(answer.retryAfter)).toBeLessThanOrEqual(60);
    }
    expect(signedIn.status).toBe(200);
  });

  it('one user spending RATE_LIMIT_AUTHENTICATED on two replicas is refused on the second; another user is not', async () => {
    const keys = randomBytes(3).toString('hex');
    const [first, second] = [await aGateway({ RATE_LIMIT_AUTHENTICATED: '20/60' }, keys), await aGateway({ RATE_LIMIT_AUTHENTICATED: '20/60' }, keys)];
    const alice = await tokenFor(uniqueId('customer'), ['CUSTOMER']);
    const bob = await tokenFor(uniqueId('customer'), ['CUSTOMER']);

    const onFirst = await flood(15, () => send(first, MERCHANT, alice));
    const onSecond = await flood(10, () => send(second, MERCHANT, alice));
    const other = await send(second, MERCHANT, bob);

    expect(limited(onFirst)).toHaveLength(0);
    expect(limited(onSecond)).toHaveLength(5);
    expect(other.status).toBe(200);
  });

  it('createOrder, initiatePayment and grabOrder share RATE_LIMIT_EXPENSIVE per user, aliases counted; reportLocation and reportLocations share RATE_LIMIT_LOCATION', async () => {
    const gateway = await aGateway({ RATE_LIMIT_EXPENSIVE: '3/60', RATE_LIMIT_LOCATION: '4/60' });
    const rider = await tokenFor(uniqueId('rider'), ['RIDER']);
    const grab = 'mutation Grab { grabOrder(orderId: "none") { id } }';
    const twoGrabs = 'mutation Grabs { a: grabOrder(orderId: "none") { id } b: grabOrder(orderId: "none") { id } }';
    const report = 'mutation Report { reportLocation(location: { lat: 31.2, lng: 121.4 }) }';

    const grabs = [await send(gateway, twoGrabs, rider), await send(gateway, grab, rider), await send(gateway, grab, rider)];
    // A batch of buffered points spends what one report does: one request per rider and window.
    const batch = 'mutation Batch { reportLocations(points: [{ lat: 31.2, lng: 121.4, recordedAt: "2026-12-02T00:00:00Z" }]) { accepted } }';
    let sent = 0;
    const reports = await flood(5, () => send(gateway, (sent += 1) % 2 === 0 ? batch : report, rider));
    const cheap = await send(gateway, MERCHANT, rider);

    expect(grabs.map((answer) => answer.status === 429)).toEqual([false, false, true]);
    expect(grabs[2]?.code).toBe('RATE_LIMITED');
    expect(reports.map((answer) => answer.status === 429)).toEqual([false, false, false, false, true]);
    expect(cheap.status).toBe(200);
  });

  it('root fields inside inline fragments and fragment spreads spend their budgets too', async () => {
    const gateway = await aGateway({ RATE_LIMIT_EXPENSIVE: '3/60' });
    const rider = await tokenFor(uniqueId('rider'), ['RIDER']);
    const inline = 'mutation Inline { ... on Mutation { a: grabOrder(orderId: "none") { id } b: grabOrder(orderId: "none") { id } } }';
    const spread = 'mutation Spread { ...Grab } fragment Grab on Mutation { grabOrder(orderId: "none") { id } }';

    const answers = [await send(gateway, inline, rider), await send(gateway, spread, rider), await send(gateway, spread, rider)];

    expect(answers.map((answer) => answer.status === 429)).toEqual([false, false, true]);
    expect(answers[2]?.code).toBe('RATE_LIMITED');
  });

  it('payment callbacks beyond RATE_LIMIT_WEBHOOK from one IP get 429', async () => {
    const gateway = await aGateway({ RATE_LIMIT_WEBHOOK: '3/60' });

    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await fetch(`${gateway.baseUrl}/webhooks/payments/sandbox`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      await response.body?.cancel();
      statuses.push(response.status);
    }

    expect(statuses.slice(3)).toEqual([429, 429]);
    expect(statuses.slice(0, 3)).not.toContain(429);
  });
});

describe('websocket caps', () => {
  async function acknowledged(gateway: RunningGateway, token: string): Promise<GraphQLSocket> {
    const socket = await openGraphQLSocket(`${gateway.baseUrl.replace(/^http/, 'ws')}/graphql`);
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    const ack = await socket.nextMessage();
    if (ack.type !== 'connection_ack') throw new Error(`Expected connection_ack, got ${JSON.stringify(ack)}`);
    return socket;
  }
  const OFFERS = 'subscription Offers { orderOffers { riderId } }';

  it('connections beyond RATE_LIMIT_WS_CONNECT from one IP are refused at the upgrade with HTTP 429', async () => {
    const gateway = await aGateway({ RATE_LIMIT_WS_CONNECT: '3/60' });
    const url = `${gateway.baseUrl.replace(/^http/, 'ws')}/graphql`;

    const opened = [await openGraphQLSocket(url), await openGraphQLSocket(url), await openGraphQLSocket(url)];
    const refused = await openGraphQLSocket(url).then(
      () => 'opened',
      (err: Error) => err.message,
    );

    expect(refused).toMatch(/429/);
    for (const socket of opened) socket.close();
  });

  it('a user holding WS_MAX_SOCKETS_PER_USER sockets has the next one closed with 4429', async () => {
    const gateway = await aGateway({ WS_MAX_SOCKETS_PER_USER: '2' });
    const token = await tokenFor(uniqueId('rider'), ['RIDER']);

    const held = [await acknowledged(gateway, token), await acknowledged(gateway, token)];
    const third = await openGraphQLSocket(`${gateway.baseUrl.replace(/^http/, 'ws')}/graphql`);
    third.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });

    expect((await third.closed).code).toBe(4429);
    held[0]?.close();
    await held[0]?.closed;
    // A socket closed frees its place.
    const again = await acknowledged(gateway, token);
    again.close();
    held[1]?.close();
  });

  it('subscriptions beyond WS_MAX_SUBSCRIPTIONS_PER_SOCKET and subscribes beyond RATE_LIMIT_WS_SUBSCRIBE answer an error message', async () => {
    const gateway = await aGateway({ WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '2', RATE_LIMIT_WS_SUBSCRIBE: '4/60' });
    const socket = await acknowledged(gateway, await tokenFor(uniqueId('rider'), ['RIDER']));

    for (const id of ['1', '2', '3']) socket.send({ id, type: 'subscribe', payload: { query: OFFERS } });
    const third = await socket.nextMessage();
    socket.send({ id: '1', type: 'complete' });
    socket.send({ id: '2', type: 'complete' });
    const answers = [];
    for (const id of ['4', '5', '6']) {
      socket.send({ id, type: 'subscribe', payload: { query: OFFERS } });
      if (id === '6') answers.push(await socket.nextMessage());
    }

    expect(third).toEqual({ id: '3', type: 'error', payload: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) })] });
    expect(answers).toEqual([{ id: '6', type: 'error', payload: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) })] }]);
    socket.close();
  });

  it('a socket sending more than WS_MAX_MESSAGES_PER_SECOND messages is closed with 4429', async () => {
    const gateway = await aGateway({ WS_MAX_MESSAGES_PER_SECOND: '10' });
    const socket = await acknowledged(gateway, await tokenFor(uniqueId('rider'), ['RIDER']));

    for (let i = 0; i < 30; i += 1) socket.send({ type: 'ping' });

    expect((await socket.closed).code).toBe(4429);
  });
});

describe('CORS', () => {
  async function preflight(gateway: RunningGateway, origin: string) {
    const response = await fetch(`${gateway.baseUrl}/graphql`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });
    await response.body?.cancel();
    return { status: response.status, allowOrigin: response.headers.get('access-control-allow-origin'), allowHeaders: response.headers.get('access-control-allow-headers') };
  }

  it('in development any http://localhost:* and http://127.0.0.1:* origin may call the API, and nothing else', async () => {
    const gateway = stack.gateway;

    const localhost = await preflight(gateway, 'http://localhost:5173');
    const loopback = await preflight(gateway, 'http://127.0.0.1:8080');
    const lookalike = await preflight(gateway, 'http://localhost.evil.example:5173');
    const elsewhere = await preflight(gateway, 'https://evil.example');

    expect(localhost).toMatchObject({ status: 204, allowOrigin: 'http://localhost:5173' });
    expect(localhost.allowHeaders).toMatch(/authorization/);
    expect(loopback).toMatchObject({ status: 204, allowOrigin: 'http://127.0.0.1:8080' });
    expect(lookalike.allowOrigin).toBeNull();
    expect(elsewhere.allowOrigin).toBeNull();
  });

  it('an allowed origin gets its answer readable; another origin gets no CORS headers and its simple request is refused by CSRF protection', async () => {
    const gateway = await aGateway({ CORS_ORIGINS: 'https://app.waimai.example' });

    const allowed = await fetch(`${gateway.baseUrl}/graphql`, {
      method: 'POST',
      headers: { origin: 'https://app.waimai.example', 'content-type': 'application/json' },
      body: JSON.stringify({ query: MERCHANT }),
    });
    const simple = await fetch(`${gateway.baseUrl}/graphql?query=${encodeURIComponent(MERCHANT)}`, { headers: { origin: 'http://localhost:3000' } });

    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.waimai.example');
    expect(await allowed.json()).toEqual({ data: { merchant: null } });
    expect(simple.status).toBe(400);
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    await simple.body?.cancel();
  });
});

describe('production defaults', () => {
  it('under NODE_ENV=production introspection, GraphiQL and field suggestions are off unless turned on', async () => {
    const gateway = await aGateway({
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(24).toString('hex'),
      INTERNAL_SECRET: randomBytes(24).toString('hex'),
    });

    const introspection = await gql(`${gateway.baseUrl}/graphql`, '{ __schema { queryType { name } } }');
    const typo = await gql(`${gateway.baseUrl}/graphql`, '{ merchant(id: "x") { nam } }');
    const page = await fetch(`${gateway.baseUrl}/graphql`, { headers: { accept: 'text/html' } });

    expect(introspection.status).toBe(400);
    expect(introspection.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
    expect(page.headers.get('content-type')).not.toMatch(/html/);
    await page.body?.cancel();
  });

  it('in development the same typo gets its suggestion', async () => {
    const typo = await gql(stack.graphqlUrl, '{ merchant(id: "x") { nam } }');

    expect(typo.errors?.[0]?.message).toMatch(/Did you mean "name"/);
  });
});
