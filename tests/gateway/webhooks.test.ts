import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStack, type Stack } from '@waimai/testkit';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Stands where the payments service would be and records what reaches it byte for byte:
 * the proxy's contract is the bytes, whatever payments later does with them.
 */
async function recordingUpstream() {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(202, { 'content-type': 'application/json', 'x-upstream': 'payments' });
      res.end('{"accepted":true}');
    });
  });
  let connections = 0;
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    /** TCP connections the gateway opened to it so far. */
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// What a provider sends: the HMAC is over exactly these bytes, odd spacing and UTF-8 included.
const RAW_BODY = Buffer.from('{"eventId":"evt_1",  "paymentId":"p-1","orderId":"o-1","paymentStatus":"SUCCESS","amountCents":1234,"note":"外卖 ✓"}\n');
const SIGNATURE = 't=1795450669,v1=5f0c1d0e2b7a9c3f4e6d8b1a0c2e4f6a8b0d2c4e6f8a0b2c4d6e8f0a2b4c6d8e';

function postWebhook(url: string) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'payment-signature': SIGNATURE, 'x-provider-request': 'req-42' },
    body: RAW_BODY,
  });
}

describe('webhooks', () => {
  let stack: Stack;
  let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
  beforeAll(async () => {
    upstream = await recordingUpstream();
    stack = await startStack({ subgraphs: [], gatewayEnv: { PAYMENTS_URL: upstream.url } });
  });
  afterAll(async () => {
    await stack?.stop();
    await upstream?.close();
  });

  it('a provider callback reaches the payments service at the same path with its raw body and headers untouched', async () => {
    const response = await postWebhook(`${stack.gatewayUrl}/webhooks/payments/sandbox?attempt=2`);

    expect(response.status).toBe(202);
    expect(response.headers.get('x-upstream')).toBe('payments');
    expect(await response.json()).toEqual({ accepted: true });
    expect(upstream.received).toHaveLength(1);
    const [forwarded] = upstream.received;
    expect(forwarded?.method).toBe('POST');
    expect(forwarded?.url).toBe('/webhooks/payments/sandbox?attempt=2');
    expect(forwarded?.body.equals(RAW_BODY)).toBe(true);
    expect(forwarded?.headers).toMatchObject({
      'content-type': 'application/json',
      'content-length': String(RAW_BODY.length),
      'payment-signature': SIGNATURE,
      'x-provider-request': 'req-42',
    });
    expect(forwarded?.headers['x-forwarded-for']).toBeUndefined();
  });

  it('callbacks one after another are forwarded over one kept-alive connection, not a connection each', async () => {
    const [before, connectionsBefore] = [upstream.received.length, upstream.connections()];

    for (let i = 0; i < 3; i += 1) expect((await postWebhook(`${stack.gatewayUrl}/webhooks/payments/sandbox`)).status).toBe(202);

    const forwarded = upstream.received.slice(before);
    expect(forwarded).toHaveLength(3);
    expect(forwarded.map((request) => request.headers.connection)).toEqual(['keep-alive', 'keep-alive', 'keep-alive']);
    expect(upstream.connections() - connectionsBefore).toBeLessThanOrEqual(1);
  });

  it('only /webhooks/* is forwarded', async () => {
    const before = upstream.received.length;

    const response = await fetch(`${stack.gatewayUrl}/webhooksx/payments`, { method: 'POST', body: '{}' });

    expect(response.status).toBe(404);
    expect(upstream.received).toHaveLength(before);
  });
});

describe('webhooks while payments is down', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ subgraphs: ['products'] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('a provider callback answers 502, so the provider retries later', async () => {
    const response = await postWebhook(`${stack.gatewayUrl}/webhooks/payments/sandbox`);

    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: 'The payments service is not reachable; retry later.' });
  });
});

describe('webhooks with the payments service running', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ subgraphs: ['payments'] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('a provider callback gets the payments service\'s own answer: an unverifiable signature is 400', async () => {
    const direct = await postWebhook(`${stack.subgraphUrls.payments ?? ''}/webhooks/payments/sandbox`);
    const through = await postWebhook(`${stack.gatewayUrl}/webhooks/payments/sandbox`);

    expect(through.status).toBe(400);
    expect({ status: through.status, body: await through.text() }).toEqual({ status: direct.status, body: await direct.text() });
  });
});
