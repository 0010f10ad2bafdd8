import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadGatewayConfig, startGateway, type RunningGateway, type TrustedDocumentManifest } from '@waimai/gateway';
import { createLogger } from '@waimai/platform';
import { eventually, gatewayEventsReady, openGraphQLSocket, startStack, TEST_BUDGETS, tokenFor, uniqueId, type Stack } from '@waimai/testkit';

/** TRUSTED_DOCUMENTS=true: only the contract's operations run, by their sha256 (issue 7). */
const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../schema/contract/trusted-documents.json'), 'utf8')) as TrustedDocumentManifest;
const operation = (name: string) => {
  const found = manifest.operations.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`The manifest has no ${name}.`);
  return found;
};

let stack: Stack;
let gateway: RunningGateway;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['products', 'riders'] });
  gateway = await startGateway(loadGatewayConfig({ ...stack.env, ...TEST_BUDGETS, TRUSTED_DOCUMENTS: 'true', GATEWAY_PORT: '0' }), createLogger('gateway', 'warn'));
  await gatewayEventsReady(gateway);
});
afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
});

async function post(body: unknown) {
  const response = await fetch(`${gateway.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
}

describe('trusted documents', () => {
  it('a contract operation runs by its hash alone, or with its exact text', async () => {
    const productInfo = operation('ProductInfo');

    const byHash = await post({ variables: { id: 'none' }, extensions: { persistedQuery: { version: 1, sha256Hash: productInfo.id } } });
    const byText = await post({ query: productInfo.body, variables: { id: 'none' } });

    expect(byHash).toEqual({ status: 200, body: { data: { product: null } } });
    expect(byText).toEqual({ status: 200, body: { data: { product: null } } });
  });

  it('any other document is refused with 400 and nothing runs; an unknown hash is PERSISTED_QUERY_NOT_FOUND', async () => {
    const adHoc = await post({ query: '{ product(id: "none") { id } }' });
    const introspection = await post({ query: '{ __schema { queryType { name } } }' });
    const unknown = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    const mismatch = await post({ query: '{ product(id: "none") { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: operation('ProductInfo').id } } });

    for (const refused of [adHoc, introspection, mismatch]) {
      expect(refused.status).toBe(400);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      expect(refused.body.data).toBeUndefined();
    }
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('on a websocket, a contract subscription runs by its hash and an ad-hoc one is refused', async () => {
    const rider = uniqueId('rider');
    const socket = await openGraphQLSocket(`${gateway.baseUrl.replace(/^http/, 'ws')}/graphql`);
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${await tokenFor(rider, ['RIDER'])}` } });
    await socket.nextMessage();

    socket.send({ id: 'adhoc', type: 'subscribe', payload: { query: 'subscription { orderOffers { riderId } }' } });
    const refused = await socket.nextMessage();
    socket.send({ id: 'listed', type: 'subscribe', payload: { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: operation('OrderOffers').id } } } });

    expect(refused).toEqual({ id: 'adhoc', type: 'error', payload: [expect.objectContaining({ extensions: { code: 'BAD_REQUEST' } })] });
    expect(await eventually(() => gateway.events.listeners('orderOffers', rider), 5000, 'the listed subscription to be registered')).toBe(1);
    socket.close();
  });
});
