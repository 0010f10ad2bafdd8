import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'graphql';
import { createInternalSigner, IDENTITY_HEADER, type Caller } from '@waimai/platform';
import { eventually } from '@waimai/testkit';
import { createIdentityForwarder } from '@waimai/platform';
import { SubgraphDataSource, subgraphAgent } from '../src/subgraph-fetch';

const SECRET = 'subgraph-fetch-test-internal-secret';

interface Received {
  identity: string | undefined;
  body: { query: string; variables?: Record<string, unknown> };
}

/**
 * A stand-in subgraph (plain HTTP, no database behind it) that holds every answer until the
 * test releases it, so that requests are in flight together for as long as the test needs.
 */
async function heldSubgraph(answer: (request: Received) => { status?: number; body: unknown } = () => ({ body: { data: { product: { id: 'p1', name: 'noodles' } } } })) {
  const received: Received[] = [];
  const held: Array<() => void> = [];
  let released = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Received = { identity: req.headers[IDENTITY_HEADER] as string | undefined, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'] };
      received.push(request);
      const send = () => {
        const { status = 200, body } = answer(request);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (released) send();
      else held.push(send);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    received,
    release() {
      released = true;
      for (const send of held.splice(0)) send();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const QUERY = 'query ProductInfo__products__0($id:ID!){product(id:$id){id name}}';
const MUTATION = 'mutation ReportLocation__riders__0($location:GeoPointInput!){reportLocation(location:$location)}';

type ProcessOptions = Parameters<SubgraphDataSource['process']>[0];

/** What the query planner hands a data source for one fetch of a client's operation. */
function planFetch(query: string, variables: Record<string, unknown>, caller: Caller): ProcessOptions {
  const context = { caller, clientIp: '127.0.0.1', origin: 'http' as const };
  return {
    kind: 'incoming operation',
    // The planner names a subgraph's part of a plan `<operation>__<subgraph>__<n>`.
    request: { query, variables, operationName: /^\w+ (\w+)/.exec(query)?.[1] },
    incomingRequestContext: { context } as unknown,
    context,
    document: parse(query),
  } as ProcessOptions;
}

const alice: Caller = { sub: 'customer-alice', roles: ['CUSTOMER'] };
const bob: Caller = { sub: 'customer-bob', roles: ['CUSTOMER'] };

let subgraph: Awaited<ReturnType<typeof heldSubgraph>>;
const agent = subgraphAgent({ maxConnections: 16 });
const forwardedIdentity = createIdentityForwarder(SECRET, 30);
const dataSource = (deduplicate = true, batch = false) => new SubgraphDataSource('products', subgraph.url, forwardedIdentity, agent, { deduplicate, batch });

afterEach(async () => {
  subgraph.release();
  await subgraph.close();
});
afterAll(async () => {
  await agent.close();
});

describe('subgraph fetches of the gateway', () => {
  it('identical queries of one caller in flight together reach the subgraph once, and each plan gets its own copy of the answer', async () => {
    subgraph = await heldSubgraph();
    const products = dataSource();
    const answers = Promise.all(Array.from({ length: 5 }, () => products.process(planFetch(QUERY, { id: 'p1' }, alice))));
    await eventually(() => subgraph.received.length >= 1, 5_000, 'the first request reaching the subgraph');
    subgraph.release();
    const results = await answers;

    expect(subgraph.received).toHaveLength(1);
    expect(await createInternalSigner(SECRET).verifyCaller(subgraph.received[0]!.identity!)).toEqual(alice);
    for (const result of results) expect(result.data).toEqual({ product: { id: 'p1', name: 'noodles' } });
    // The planner merges later fetches into what it received: one plan's writes stay its own.
    (results[0]!.data!.product as Record<string, unknown>).name = 'changed by one plan';
    expect(results[1]!.data).toEqual({ product: { id: 'p1', name: 'noodles' } });
  });

  it('anonymous callers share a query in flight, since the subgraph sees the same identity', async () => {
    subgraph = await heldSubgraph();
    const products = dataSource();
    const answers = Promise.all([null, null, null].map((caller) => products.process(planFetch(QUERY, { id: 'p1' }, caller))));
    await eventually(() => subgraph.received.length >= 1, 5_000, 'the first request reaching the subgraph');
    subgraph.release();
    await answers;

    expect(subgraph.received).toHaveLength(1);
  });

  it('never shares between different callers, variables, or after the answer came', async () => {
    subgraph = await heldSubgraph();
    const products = dataSource();
    const answers = Promise.all([
      products.process(planFetch(QUERY, { id: 'p1' }, alice)),
      products.process(planFetch(QUERY, { id: 'p1' }, bob)),
      products.process(planFetch(QUERY, { id: 'p1' }, null)),
      products.process(planFetch(QUERY, { id: 'p2' }, alice)),
    ]);
    await eventually(() => subgraph.received.length >= 4, 5_000, 'four requests reaching the subgraph');
    subgraph.release();
    await answers;
    await products.process(planFetch(QUERY, { id: 'p1' }, alice));

    const signer = createInternalSigner(SECRET);
    const sent = await Promise.all(subgraph.received.map(async ({ identity, body }) => `${(await signer.verifyCaller(identity!))?.sub ?? 'anonymous'} ${String(body.variables?.id)}`));
    expect(sent.sort()).toEqual(['anonymous p1', 'customer-alice p1', 'customer-alice p1', 'customer-alice p2', 'customer-bob p1']);
  });

  it('sends every mutation, identical or not', async () => {
    subgraph = await heldSubgraph(() => ({ body: { data: { reportLocation: true } } }));
    const riders = dataSource();
    const answers = Promise.all(Array.from({ length: 3 }, () => riders.process(planFetch(MUTATION, { location: { lat: 31.2, lng: 121.4 } }, alice))));
    await eventually(() => subgraph.received.length >= 3, 5_000, 'three mutations reaching the subgraph');
    subgraph.release();
    const results = await answers;

    expect(subgraph.received).toHaveLength(3);
    expect(results.map((result) => result.data)).toEqual([{ reportLocation: true }, { reportLocation: true }, { reportLocation: true }]);
  });

  it('with SUBGRAPH_DEDUPLICATION off, sends identical queries each', async () => {
    subgraph = await heldSubgraph();
    const products = dataSource(false);
    const answers = Promise.all(Array.from({ length: 3 }, () => products.process(planFetch(QUERY, { id: 'p1' }, alice))));
    await eventually(() => subgraph.received.length >= 3, 5_000, 'three requests reaching the subgraph');
    subgraph.release();
    await answers;

    expect(subgraph.received).toHaveLength(3);
  });

  it('a subgraph that refuses the request fails every plan that shared it, with the code of its HTTP status', async () => {
    subgraph = await heldSubgraph(() => ({ status: 401, body: { errors: [{ message: 'no identity', extensions: { code: 'UNAUTHENTICATED' } }] } }));
    const products = dataSource();
    const answers = Promise.allSettled(Array.from({ length: 2 }, () => products.process(planFetch(QUERY, { id: 'p1' }, alice))));
    await eventually(() => subgraph.received.length >= 1, 5_000, 'the first request reaching the subgraph');
    subgraph.release();
    const results = await answers;

    expect(subgraph.received).toHaveLength(1);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ message: '401: Unauthorized', extensions: { code: 'UNAUTHENTICATED' } });
    }
  });
});

const MERCHANT = 'query CreateOrder__products__1($representations:[_Any!]!){_entities(representations:$representations){...on Merchant{name}}}';
const DISHES = 'query CreateOrder__products__2($representations:[_Any!]!){_entities(representations:$representations){...on Product{name}}}';

/** What the stand-in answers one operation: its name and variables back, so that each plan can check it got its own. */
const echo = (request: unknown) => {
  const { operationName, variables } = request as { operationName?: string; variables?: unknown };
  return { data: { echo: { operationName, variables } } };
};

describe('subgraph batching (SUBGRAPH_BATCHING)', () => {
  /** A stand-in subgraph that answers a JSON array of operations with an array of answers, as Apollo Server does with allowBatchedHttpRequests. */
  async function batchingSubgraph(answer: (body: unknown) => { status?: number; body: unknown } = (body) => ({ body: Array.isArray(body) ? body.map(echo) : echo(body) })) {
    return heldSubgraph((request) => answer(request.body));
  }

  it("a client request's queries started side by side go out in one request, and each plan gets its own result", async () => {
    subgraph = await batchingSubgraph();
    subgraph.release();
    const products = dataSource(true, true);
    const [merchant, dishes] = await Promise.all([
      products.process(planFetch(MERCHANT, { representations: [{ __typename: 'Merchant', id: 'm1' }] }, alice)),
      products.process(planFetch(DISHES, { representations: [{ __typename: 'Product', id: 'p1' }, { __typename: 'Product', id: 'p2' }] }, alice)),
    ]);

    expect(subgraph.received).toHaveLength(1);
    const sent = subgraph.received[0]!.body as unknown as Array<{ operationName: string }>;
    expect(sent.map((operation) => operation.operationName)).toEqual(['CreateOrder__products__1', 'CreateOrder__products__2']);
    expect(merchant.data).toEqual({ echo: { operationName: 'CreateOrder__products__1', variables: { representations: [{ __typename: 'Merchant', id: 'm1' }] } } });
    expect(dishes.data).toEqual({ echo: { operationName: 'CreateOrder__products__2', variables: { representations: [{ __typename: 'Product', id: 'p1' }, { __typename: 'Product', id: 'p2' }] } } });
  });

  it('never batches two callers together, a mutation, or fetches that did not start together', async () => {
    subgraph = await batchingSubgraph();
    subgraph.release();
    const products = dataSource(true, true);
    await Promise.all([products.process(planFetch(MERCHANT, { representations: [] }, alice)), products.process(planFetch(DISHES, { representations: [] }, bob))]);
    await Promise.all([products.process(planFetch(MUTATION, { location: { lat: 1, lng: 2 } }, alice)), products.process(planFetch(DISHES, { representations: [] }, alice))]);
    await products.process(planFetch(MERCHANT, { representations: [] }, alice));
    await products.process(planFetch(DISHES, { representations: [] }, alice));

    expect(subgraph.received.map((request) => Array.isArray(request.body))).toEqual([false, false, false, false, false, false]);
  });

  it('an answer that is not 2xx, or not one result per operation, fails every plan of the batch', async () => {
    for (const refusal of [{ status: 401, body: { errors: [{ message: 'no identity', extensions: { code: 'UNAUTHENTICATED' } }] } }, { body: [echo({ operationName: 'only one' })] }]) {
      subgraph = await batchingSubgraph(() => refusal);
      subgraph.release();
      const products = dataSource(true, true);
      const results = await Promise.allSettled([products.process(planFetch(MERCHANT, { representations: [] }, alice)), products.process(planFetch(DISHES, { representations: [] }, alice))]);
      expect(subgraph.received).toHaveLength(1);
      expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
      await subgraph.close();
    }
    // afterEach closes the last one again.
    subgraph = await batchingSubgraph();
  });
});
