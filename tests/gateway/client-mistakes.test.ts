import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import { loadGatewayConfig, startGateway } from '@waimai/gateway';
import { authConfig, createLogger, parseConfig } from '@waimai/platform';
import { openGraphQLSocket, startStack, TEST_BUDGETS, tokenFor, uniqueId, type Stack } from '@waimai/testkit';

/**
 * Every client mistake is a 4xx with a code of the contract, never a 500 or
 * INTERNAL_SERVER_ERROR (issue 7, item 6), and tokens must expire (item 5).
 */
let stack: Stack;
let jwtSecret: Uint8Array;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['products', 'payments'] });
  jwtSecret = new TextEncoder().encode(parseConfig(authConfig, stack.env).JWT_SECRET);
});
afterAll(async () => {
  await stack?.stop();
});

interface Answer {
  status: number;
  contentType: string | null;
  body: { errors?: { message: string; extensions?: Record<string, unknown> }[]; data?: unknown; error?: string };
}

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(stack.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as Answer['body'] };
}

const MERCHANT = 'query Merchant { merchant(id: "none") { id } }';

describe('client mistakes answer 4xx with a contract code', () => {
  it.each([
    ['an unknown operationName', { query: MERCHANT, operationName: 'Nope' }, 'UNKNOWN_OPERATION_NAME'],
    ['two operations and no operationName', { query: `${MERCHANT} query Other { merchant(id: "x") { id } }` }, 'OPERATION_NAME_REQUIRED'],
    ['a subscription over HTTP POST', { query: 'subscription S { orderOffers { riderId } }' }, 'SUBSCRIPTION_OVER_HTTP'],
  ])('%s: 400 BAD_REQUEST', async (_case, body, reason) => {
    const answer = await post(body);

    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_REQUEST', reason }) })]);
  });

  it('an unparsable document and an unknown field: 400 BAD_REQUEST with the finer reason', async () => {
    const [broken, unknown] = await Promise.all([post({ query: 'query {' }), post({ query: '{ merchant(id: "x") { nope } }' })]);

    expect(broken.status).toBe(400);
    expect(broken.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', reason: 'GRAPHQL_PARSE_FAILED' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', reason: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('variables with more problems than graphql-js counts (50): 400 BAD_USER_INPUT, like fewer', async () => {
    const query = 'mutation Report($points: [LocationPointInput!]!) { reportLocations(points: $points) { accepted } }';
    const points = (count: number) => Array.from({ length: count }, () => ({ lat: 'north', lng: 121.4, recordedAt: '2026-12-02T00:00:00Z' }));
    const [few, many] = await Promise.all([post({ query, variables: { points: points(3) } }), post({ query, variables: { points: points(60) } })]);

    expect(few.status).toBe(400);
    expect(few.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(many.status).toBe(400);
    expect(many.body.errors?.map((error) => error.extensions?.code)).toContain('BAD_USER_INPUT');
    expect(JSON.stringify(many.body)).not.toContain('INTERNAL_SERVER_ERROR');
  });

  it('a persisted-query hash that does not match its query: 400 BAD_REQUEST; an unknown hash: PERSISTED_QUERY_NOT_FOUND', async () => {
    const mismatch = await post({ query: MERCHANT, extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } });
    const unknownHash = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } } });

    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(unknownHash.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('a persisted query registered on one gateway replica is found by its hash on another (the APQ cache lives in Redis)', async () => {
    const second = await startGateway(loadGatewayConfig({ ...stack.env, ...TEST_BUDGETS, GATEWAY_PORT: '0' }), createLogger('gateway-2', 'warn'));
    try {
      const query = `query Persisted${uniqueId('q').replace(/-/g, '')} { merchant(id: "none") { id } }`;
      const sha256Hash = createHash('sha256').update(query).digest('hex');

      const registered = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } });
      const elsewhere = await fetch(`${second.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash } } }),
      });

      expect(registered).toMatchObject({ status: 200, body: { data: { merchant: null } } });
      expect({ status: elsewhere.status, body: await elsewhere.json() }).toEqual({ status: 200, body: { data: { merchant: null } } });
    } finally {
      await second.stop();
    }
  });

  it('a body that is not JSON, and one over MAX_REQUEST_BYTES: 4xx BAD_REQUEST in JSON', async () => {
    const notJson = await fetch(stack.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    const huge = await post({ query: `{ merchant(id: "${'x'.repeat(200_000)}") { id } }` });

    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    expect(huge.status).toBe(413);
    expect(huge.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });

  it('a malformed percent-encoding in a /webhooks path and an unknown /webhooks path: JSON 4xx, never an HTML page', async () => {
    const malformed = await fetch(`${stack.gatewayUrl}/webhooks/payments/sandbox/pay/%E0%A4%A`);
    const unknown = await fetch(`${stack.gatewayUrl}/webhooks/nothing-here`, { method: 'POST', body: '{}' });

    for (const response of [malformed, unknown]) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      await response.body?.cancel();
    }
    expect(unknown.status).toBe(404);
  });
});

describe('strict tokens', () => {
  const signed = (claims: { exp?: number; iat?: number }) => {
    const jwt = new SignJWT({ roles: ['MERCHANT'] }).setProtectedHeader({ alg: 'HS256' }).setSubject(uniqueId('merchant'));
    if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
    if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
    return jwt.sign(jwtSecret);
  };
  const now = () => Math.floor(Date.now() / 1000);
  const OPEN = 'mutation Open($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }';
  const input = { name: '小馆', address: '测试路 1 号', location: { lat: 31.23, lng: 121.47 } };

  it.each([
    ['without exp', () => signed({})],
    ['living longer than JWT_MAX_LIFETIME_SECONDS (24 h)', () => signed({ iat: now(), exp: now() + 30 * 24 * 3600 })],
    ['without iat but expiring a month from now', () => signed({ exp: now() + 30 * 24 * 3600 })],
  ])('a token %s is not valid: UNAUTHENTICATED over HTTP, 4403 on a websocket', async (_case, token) => {
    const jwt = await token();

    const http = await post({ query: OPEN, variables: { input } }, { authorization: `Bearer ${jwt}` });
    const socket = await openGraphQLSocket(stack.wsUrl);
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${jwt}` } });

    expect(http.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await socket.closed).code).toBe(4403);
  });

  it('a token of 12 h with exp works', async () => {
    const answer = await post({ query: OPEN, variables: { input } }, { authorization: `Bearer ${await signed({ iat: now(), exp: now() + 12 * 3600 })}` });

    expect(answer.body.errors).toBeUndefined();
  });

  it('the testkit token (1 h) is accepted on a socket', async () => {
    const socket = await openGraphQLSocket(stack.wsUrl);
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${await tokenFor(uniqueId('rider'), ['RIDER'])}` } });

    expect(await socket.nextMessage()).toEqual({ type: 'connection_ack' });
    socket.close();
  });
});
