import { authConfig, createInternalSigner, IDENTITY_HEADER, mintToken, parseConfig } from '@waimai/platform';
import { aMerchant, aPlace, gql, startStack, subgraphCaller, tokenFor, uniqueId, type GraphQLResponse, type Stack } from '@waimai/testkit';

const OPEN_MERCHANT = `mutation OpenMerchant($input: CreateMerchantInput!) {
  createMerchant(input: $input) { id name ownerId }
}`;
const NEARBY_MERCHANTS = `query NearbyMerchants($near: GeoPointInput!) {
  merchantsNearby(near: $near, first: 5) { distanceMeters merchant { id name } }
}`;

let stack: Stack;
let secrets: { JWT_SECRET: string; INTERNAL_SECRET: string };

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['products'] });
  secrets = parseConfig(authConfig, stack.env);
});
afterAll(async () => {
  await stack?.stop();
});

const shopInput = (location = aPlace()) => ({ name: uniqueId('小馆'), address: '测试路 1 号', location });

async function postToSubgraph(headers: Record<string, string>): Promise<GraphQLResponse<unknown>> {
  const response = await fetch(`${stack.subgraphUrls.products}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: NEARBY_MERCHANTS, variables: { near: aPlace() } }),
  });
  return { status: response.status, ...((await response.json()) as Omit<GraphQLResponse<unknown>, 'status'>) };
}

describe('identity through the gateway', () => {
  it('a subgraph called directly, without the gateway, answers 401 UNAUTHENTICATED', async () => {
    const direct = await postToSubgraph({});

    expect(direct.status).toBe(401);
    expect(direct.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a subgraph refuses a forged identity: signed with another secret, or a client token in its place', async () => {
    const otherSecret = await createInternalSigner('not-the-internal-secret-of-this-run').signCaller({ sub: 'mallory', roles: ['ADMIN'] });
    const clientToken = await mintToken(secrets.JWT_SECRET, { sub: 'mallory', roles: ['ADMIN'] });

    const forged = await postToSubgraph({ [IDENTITY_HEADER]: otherSecret });
    const misplaced = await postToSubgraph({ [IDENTITY_HEADER]: clientToken });

    for (const refused of [forged, misplaced]) {
      expect(refused.status).toBe(401);
      expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('an identity header sent to the gateway by a client is replaced by the caller the gateway verified', async () => {
    const smuggled = await createInternalSigner(secrets.INTERNAL_SECRET).signCaller({ sub: 'mallory', roles: ['MERCHANT'] });

    const response = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: smuggled },
      body: JSON.stringify({ query: OPEN_MERCHANT, variables: { input: shopInput() } }),
    });
    const body = (await response.json()) as Omit<GraphQLResponse<unknown>, 'status'>;

    expect(body.data).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a MERCHANT token opens a shop owned by the token subject', async () => {
    const owner = uniqueId('merchant');
    const input = shopInput();

    const result = await gql<{ createMerchant: { id: string; name: string; ownerId: string } }>(
      stack.graphqlUrl,
      OPEN_MERCHANT,
      { input },
      await tokenFor(owner, ['MERCHANT']),
    );

    expect(result.errors).toBeUndefined();
    expect(result.data?.createMerchant).toMatchObject({ name: input.name, ownerId: owner });
  });

  it('an invalid or expired token makes the caller anonymous: createMerchant answers UNAUTHENTICATED, merchantsNearby still works', async () => {
    const shop = await aMerchant(stack, []);
    const badTokens = {
      garbage: 'not-a-jwt',
      wrongSecret: await mintToken('another-secret-that-is-long-enough', { sub: uniqueId('m'), roles: ['MERCHANT'] }),
      expired: await tokenFor(uniqueId('m'), ['MERCHANT'], Math.floor(Date.now() / 1000) - 60),
    };

    for (const [kind, token] of Object.entries(badTokens)) {
      const refused = await gql(stack.graphqlUrl, OPEN_MERCHANT, { input: shopInput() }, token);
      const browsing = await gql<{ merchantsNearby: Array<{ merchant: { id: string; name: string } }> }>(
        stack.graphqlUrl,
        NEARBY_MERCHANTS,
        { near: shop.location },
        token,
      );

      expect({ kind, data: refused.data, code: refused.errors?.[0]?.extensions?.code }).toEqual({ kind, data: null, code: 'UNAUTHENTICATED' });
      expect({ kind, errors: browsing.errors }).toEqual({ kind, errors: undefined });
      expect(browsing.data?.merchantsNearby.map((nearby) => nearby.merchant)).toEqual([{ id: shop.id, name: shop.name }]);
    }
  });

  it('a subgraph error with a contract code reaches the client as the subgraph wrote it, without internal details', async () => {
    const customer = { sub: uniqueId('customer'), roles: ['CUSTOMER' as const] };
    const input = shopInput();

    const direct = await subgraphCaller(stack.subgraphUrls.products ?? '', secrets.INTERNAL_SECRET)(OPEN_MERCHANT, { input }, customer);
    const through = await gql(stack.graphqlUrl, OPEN_MERCHANT, { input }, await tokenFor(customer.sub, customer.roles));

    expect(direct.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(through.status).toBe(200);
    expect(through.data).toBeNull();
    expect(through.errors?.map(({ message, path, extensions }) => ({ message, path, extensions }))).toEqual(
      direct.errors?.map(({ message, path, extensions }) => ({ message, path, extensions })),
    );
  });
});
