import type { AddressInfo } from 'node:net';
import http, { type Server } from 'node:http';
import express from 'express';
import { withFastPath } from '../src/http';
import { z } from 'zod';
import { createInternalSigner } from '../src/identity';
import { createLogger } from '../src/logger';
import { internalApiCalls } from '../src/metrics';
import {
  answer,
  createInternalClient,
  defineInternalApi,
  defineInternalCall,
  InternalCallError,
  mountInternalApi,
  noBody,
  refuse,
} from '../src/internal-api';

const signer = createInternalSigner('an-internal-secret-for-this-test-0123456789');

const pantryApi = defineInternalApi({
  name: 'pantry API',
  service: 'pantry',
  prefix: '/internal/pantry',
  bodyLimit: '16kb',
  calls: {
    take: defineInternalCall({
      method: 'POST',
      path: '/shelves/:shelfId/take',
      request: z.object({ quantity: z.number().int().min(1) }),
      response: z.object({ left: z.number().int() }),
      refusals: { EMPTY: { status: 409, body: z.object({ shelfId: z.string() }) } },
      idempotent: false,
      callers: ['kitchen'],
    }),
    count: defineInternalCall({
      method: 'GET',
      path: '/shelves/:shelfId',
      request: noBody,
      response: z.object({ shelfId: z.string(), items: z.number().int() }),
      refusals: {},
      idempotent: true,
      callers: ['kitchen', 'till'],
    }),
  },
});

/**
 * A pantry whose next `unavailable` answers are 503s, then real ones; counts every request that
 * reached a handler or the 503. Served by express's app.listen, or (`fastPath`) as every
 * subgraph serves, by withFastPath, where the internal API answers before express: the
 * counting middleware then sees none of its calls.
 */
async function startPantry({ fastPath = false } = {}) {
  const state = { stock: 2, unavailable: 0, requests: 0, stallMs: 0 };
  const app = express();
  app.use((_req, res, next) => {
    state.requests += 1;
    if (state.unavailable > 0) {
      state.unavailable -= 1;
      res.status(503).json({ code: 'DRAINING' });
      return;
    }
    if (state.stallMs > 0) setTimeout(next, state.stallMs);
    else next();
  });
  mountInternalApi(
    app,
    pantryApi,
    {
      async take({ params, body }) {
        if (state.stock < body.quantity) return refuse('EMPTY', { shelfId: params.shelfId });
        state.stock -= body.quantity;
        return answer({ left: state.stock });
      },
      count: async ({ params }) => answer({ shelfId: params.shelfId, items: state.stock }),
    },
    { signer, logger: createLogger('test', 'silent') },
  );
  const server: Server = await new Promise((resolve) => {
    const listening = fastPath ? http.createServer(withFastPath(app, () => false, () => undefined)).listen(0, '127.0.0.1', () => resolve(listening)) : app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { state, baseUrl, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let pantry: Awaited<ReturnType<typeof startPantry>>;
beforeEach(async () => {
  pantry = await startPantry();
});
afterEach(async () => {
  await pantry.stop();
});

const clientAs = (caller: string, timeoutMs = 2000) => createInternalClient(pantryApi, { baseUrl: pantry.baseUrl, caller, signer, timeoutMs });

describe('an internal API built from its definition', () => {
  test('a value and a refusal reach the caller typed, the refusal with its code and fields', async () => {
    const kitchen = clientAs('kitchen');

    const taken = await kitchen.take({ params: { shelfId: 'rice' }, body: { quantity: 2 } });
    const refused = await kitchen.take({ params: { shelfId: 'rice' }, body: { quantity: 1 } });

    expect(taken).toEqual({ ok: true, value: { left: 0 } });
    expect(refused).toEqual({ ok: false, refusal: { code: 'EMPTY', shelfId: 'rice' } });
  });

  test('a refusal goes out with the status its definition gives it; a bad request is 400, a caller the call does not list 403, no token 401', async () => {
    const post = async (path: string, body: unknown, caller?: string) =>
      fetch(`${pantry.baseUrl}/internal/pantry${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(caller ? { authorization: `Bearer ${await signer.signService(caller)}` } : {}) },
        body: JSON.stringify(body),
      });

    pantry.state.stock = 0;
    const empty = await post('/shelves/rice/take', { quantity: 1 }, 'kitchen');
    const malformed = await post('/shelves/rice/take', { quantity: 0 }, 'kitchen');
    const notListed = await post('/shelves/rice/take', { quantity: 1 }, 'till');
    const anonymous = await post('/shelves/rice/take', { quantity: 1 });

    expect([empty.status, await empty.json()]).toEqual([409, { code: 'EMPTY', shelfId: 'rice' }]);
    expect([malformed.status, notListed.status, anonymous.status]).toEqual([400, 403, 401]);
  });

  test('each call handed to its handler is counted by service and name (waimai_internal_api_calls_total); one refused before it is not', async () => {
    const calls = async (call: string) => (await internalApiCalls.get()).values.find((value) => value.labels.service === 'pantry' && value.labels.call === call)?.value ?? 0;
    const before = { take: await calls('take'), count: await calls('count') };
    const kitchen = clientAs('kitchen');

    await kitchen.take({ params: { shelfId: 'rice' }, body: { quantity: 1 } });
    // Refused by the handler (the shelf is empty now): still a call it answered.
    await kitchen.take({ params: { shelfId: 'rice' }, body: { quantity: 5 } });
    await clientAs('till').count({ params: { shelfId: 'rice' } });
    // Refused before any handler: a caller the call does not list, a body its schema refuses.
    const notListed = await fetch(`${pantry.baseUrl}/internal/pantry/shelves/rice/take`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await signer.signService('till')}` }, body: '{"quantity":1}' });
    const malformed = await fetch(`${pantry.baseUrl}/internal/pantry/shelves/rice/take`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await signer.signService('kitchen')}` }, body: '{"quantity":0}' });

    expect([notListed.status, malformed.status]).toEqual([403, 400]);
    expect({ take: await calls('take'), count: await calls('count') }).toEqual({ take: before.take + 2, count: before.count + 1 });
  });

  test('an idempotent call is tried again while the callee answers 503, and gets the answer', async () => {
    pantry.state.unavailable = 2;

    const counted = await clientAs('till').count({ params: { shelfId: 'rice' } });

    expect(counted).toEqual({ ok: true, value: { shelfId: 'rice', items: 2 } });
    expect(pantry.state.requests).toBe(3);
  });

  test('a call that is not idempotent is sent once: a 503 is an error, not a retry', async () => {
    pantry.state.unavailable = 1;

    const attempt = clientAs('kitchen').take({ params: { shelfId: 'rice' }, body: { quantity: 1 } });

    await expect(attempt).rejects.toThrow(new InternalCallError('The pantry API answered POST /internal/pantry/shelves/:shelfId/take (take) with 503 DRAINING.'));
    expect(pantry.state.requests).toBe(1);
    expect(pantry.state.stock).toBe(2);
  });

  test('a callee that does not answer in time: the error names the API, the call and the limit', async () => {
    pantry.state.stallMs = 1000;

    const attempt = clientAs('till', 200).count({ params: { shelfId: 'rice' } });

    await expect(attempt).rejects.toThrow('The pantry API did not answer GET /internal/pantry/shelves/:shelfId within 200 ms.');
  });

  test('a callee that cannot be reached: an idempotent call gives up within its budget and says so', async () => {
    await pantry.stop();
    pantry = { ...pantry, stop: async () => undefined };

    const attempt = clientAs('till').count({ params: { shelfId: 'rice' } });

    await expect(attempt).rejects.toThrow(/^The pantry API could not be reached for GET \/internal\/pantry\/shelves\/:shelfId after 3 tries \(ECONNREFUSED\)\.$/);
  });
});

describe('an internal API served in front of express (withFastPath, as every subgraph serves it)', () => {
  let fast: Awaited<ReturnType<typeof startPantry>>;
  beforeEach(async () => {
    fast = await startPantry({ fastPath: true });
  });
  afterEach(async () => {
    await fast.stop();
  });

  const send = async (method: string, path: string, { caller, body, contentType = 'application/json' }: { caller?: string; body?: string; contentType?: string } = {}) => {
    const answer = await fetch(`${fast.baseUrl}${path}`, {
      method,
      headers: { 'content-type': contentType, ...(caller ? { authorization: `Bearer ${await signer.signService(caller)}` } : {}) },
      ...(body === undefined ? {} : { body }),
    });
    return [answer.status, await answer.json()] as const;
  };

  test('the calls answer as through express, and never reach express', async () => {
    const kitchen = createInternalClient(pantryApi, { baseUrl: fast.baseUrl, caller: 'kitchen', signer, timeoutMs: 2000 });

    expect(await kitchen.take({ params: { shelfId: 'rice' }, body: { quantity: 2 } })).toEqual({ ok: true, value: { left: 0 } });
    expect(await kitchen.take({ params: { shelfId: 'rice' }, body: { quantity: 1 } })).toEqual({ ok: false, refusal: { code: 'EMPTY', shelfId: 'rice' } });
    expect(await kitchen.count({ params: { shelfId: 'a shelf/with a slash' } })).toEqual({ ok: true, value: { shelfId: 'a shelf/with a slash', items: 0 } });
    expect(fast.state.requests).toBe(0);
  });

  test('the path is matched as express matches it: any case, a trailing slash, one segment a parameter', async () => {
    expect(await send('GET', '/INTERNAL/Pantry/shelves/rice/', { caller: 'till' })).toEqual([200, { shelfId: 'rice', items: 2 }]);
    expect(await send('GET', '/internal/pantry/shelves/rice?fresh=1', { caller: 'till' })).toEqual([200, { shelfId: 'rice', items: 2 }]);
    expect(await send('GET', '/internal/pantry/shelves/rice/more', { caller: 'till' })).toEqual([404, { error: 'Not found.' }]);
    expect(await send('POST', '/internal/pantry/shelves/rice', { caller: 'till', body: '{}' })).toEqual([404, { error: 'Not found.' }]);
    expect(await send('GET', '/internal/pantry/shelves/%E0%A4%A', { caller: 'till' })).toEqual([400, { code: 'BAD_USER_INPUT', message: 'The path is not valid percent-encoding.' }]);
  });

  test('refusals before the handler: no token 401 (even for a path that is not a call), a caller not listed 403, a body that is not JSON or too large 4xx, and nothing taken', async () => {
    expect(await send('GET', '/internal/pantry/nothing-here')).toEqual([401, { code: 'UNAUTHENTICATED', message: 'A service token is required.' }]);
    expect(await send('GET', '/internal/pantry/nothing-here', { caller: 'till' })).toEqual([404, { error: 'Not found.' }]);
    expect((await send('POST', '/internal/pantry/shelves/rice/take', { caller: 'till', body: '{"quantity":1}' }))[0]).toBe(403);
    expect(await send('POST', '/internal/pantry/shelves/rice/take', { caller: 'kitchen', body: '{"quantity":' })).toEqual([400, { code: 'BAD_USER_INPUT', message: 'The body could not be read; send JSON.' }]);
    expect(await send('POST', '/internal/pantry/shelves/rice/take', { caller: 'kitchen', body: JSON.stringify({ quantity: 1, note: 'x'.repeat(20_000) }) })).toEqual([
      413,
      { code: 'BAD_USER_INPUT', message: 'The body is larger than 16kb.' },
    ]);
    const notJson = await send('POST', '/internal/pantry/shelves/rice/take', { caller: 'kitchen', body: 'quantity=1', contentType: 'application/x-www-form-urlencoded' });
    expect(notJson[0]).toBe(400);
    expect(fast.state.stock).toBe(2);
  });
});
