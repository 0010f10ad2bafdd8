import { randomUUID } from 'node:crypto';
import { createLogger } from '@waimai/platform';
import { aMerchant, anActor, startStack, type Stack } from '@waimai/testkit';

// Every service of the stack logs here, at info: the access lines and everything else.
const lines: string[] = [];
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ logger: createLogger('stack', 'info', { format: 'json', destination: { write: (line: string) => void lines.push(line) } }) });
});
afterAll(async () => {
  await stack.stop();
});

interface AccessLine {
  component: string;
  operationName: string | null;
  operationType: string | null;
  durationMs: number;
  outcome: 'ok' | 'error';
  errorCodes?: string[];
  request_id?: string;
  service: string;
  version: string;
}
const accessLines = () => lines.map((line) => JSON.parse(line) as AccessLine).filter((line) => line.component === 'access');

async function post(query: string, variables: Record<string, unknown>, token: string, requestId?: string) {
  const response = await fetch(stack.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(requestId && { 'x-request-id': requestId }) },
    body: JSON.stringify({ query, variables }),
  });
  return { requestId: response.headers.get('x-request-id'), body: (await response.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> } };
}

const REGISTER_RIDER = 'mutation RegisterRider($input: RegisterRiderInput!) { registerRider(input: $input) { id phone } }';
const CREATE_ORDER = 'mutation CreateOrder($input: CreateOrderInput!) { createOrder(input: $input) { id } }';

describe('access logs', () => {
  test('each operation is one info line with its name, type, duration, outcome and the request id the client got back', async () => {
    const merchant = await aMerchant(stack);
    const customer = await anActor('CUSTOMER');
    const requestId = `logs-test-${randomUUID()}`;

    const created = await post(CREATE_ORDER, { input: { items: [{ productId: merchant.products[0]!.id, quantity: 1 }], deliveryAddress: '人民路100号', deliveryLocation: merchant.location } }, customer.token, requestId);
    const refused = await post(CREATE_ORDER, { input: { items: [{ productId: randomUUID(), quantity: 1 }], deliveryAddress: '人民路100号', deliveryLocation: merchant.location } }, customer.token);

    expect(created.body.errors).toBeUndefined();
    expect(created.requestId).toBe(requestId);
    expect(refused.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const access = accessLines();
    expect(access.find((line) => line.request_id === requestId)).toEqual(
      expect.objectContaining({ operationName: 'CreateOrder', operationType: 'mutation', outcome: 'ok', durationMs: expect.any(Number), service: 'gateway', version: expect.any(String) }),
    );
    const refusal = access.find((line) => line.request_id === refused.requestId);
    expect(refusal).toEqual(expect.objectContaining({ operationName: 'CreateOrder', outcome: 'error', errorCodes: [refused.body.errors![0]!.extensions!.code] }));
  });

  test('no line of any service holds a token, a delivery address or a phone number sent in an operation', async () => {
    const merchant = await aMerchant(stack);
    const customer = await anActor('CUSTOMER');
    const rider = await anActor('RIDER');
    const phone = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const address = `幸福路${Math.floor(Math.random() * 1000)}号3单元`;
    const before = lines.length;

    const registered = await post(REGISTER_RIDER, { input: { name: '日志骑手', phone } }, rider.token);
    const created = await post(CREATE_ORDER, { input: { items: [{ productId: merchant.products[0]!.id, quantity: 1 }], deliveryAddress: address, deliveryLocation: merchant.location } }, customer.token);
    // A refused one too: error paths log more.
    await post(CREATE_ORDER, { input: { items: [], deliveryAddress: address, deliveryLocation: merchant.location } }, customer.token);

    expect(registered.body.errors).toBeUndefined();
    expect(created.body.errors).toBeUndefined();
    const written = lines.slice(before);
    expect(written.map((line) => JSON.parse(line) as AccessLine).filter((line) => line.component === 'access').map((line) => line.operationName)).toEqual(
      expect.arrayContaining(['RegisterRider', 'CreateOrder']),
    );
    const text = written.join('\n');
    for (const secret of [phone, address, customer.token, rider.token]) expect(text).not.toContain(secret);
  });
});
