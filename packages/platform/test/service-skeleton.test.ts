import net from 'node:net';
import { parse } from 'graphql';
import { createInternalSigner, createLogger, startSubgraphService, type Worker } from '../src';

const typeDefs = parse('type Query { ping: String }');
const logger = createLogger('skeleton-test', 'silent');
const signer = createInternalSigner('a-test-internal-secret-of-some-length');

function subgraphParts() {
  return {
    typeDefs,
    resolvers: { Query: { ping: () => 'pong' } },
    port: 0,
    admin: { port: 0, host: '127.0.0.1' },
    signer,
    readiness: {},
    context: () => ({}),
  };
}

async function aFreePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function portIsFree(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

describe('the service skeleton', () => {
  test('a worker failing to start closes everything started before it, newest first, and frees the port', async () => {
    const closed: string[] = [];
    const port = await aFreePort();
    const failing: Worker = {
      name: 'failing consumer',
      async start() {
        throw new Error('the broker said no');
      },
      async stop() {
        closed.push('failing consumer');
      },
    };
    const started: Worker = {
      name: 'first job',
      async start() {},
      async stop() {
        closed.push('first job');
      },
    };
    await expect(
      startSubgraphService('skeleton', logger, ({ own }) => {
        own('pool', async () => closed.push('pool'));
        own('bus', async () => closed.push('bus'));
        return { subgraph: { ...subgraphParts(), port }, workers: [started, failing], exposes: {} };
      }),
    ).rejects.toThrow('the broker said no');
    expect(closed).toEqual(['first job', 'bus', 'pool']);
    expect(await portIsFree(port)).toBe(true);
  });

  test('a failure while building closes the resources already opened', async () => {
    const closed: string[] = [];
    await expect(
      startSubgraphService('skeleton', logger, async ({ own }) => {
        own('pool', async () => closed.push('pool'));
        throw new Error('topics could not be created');
      }),
    ).rejects.toThrow('topics could not be created');
    expect(closed).toEqual(['pool']);
  });

  test('stop takes no more requests, then stops workers newest first, then closes resources newest first', async () => {
    const order: string[] = [];
    const job = (name: string): Worker => ({
      name,
      async start() {},
      async stop() {
        order.push(name);
      },
    });
    const running = await startSubgraphService('skeleton', logger, ({ own }) => {
      own('pool', async () => order.push('pool'));
      own('relay', async () => order.push('relay'));
      return { subgraph: subgraphParts(), workers: [job('consumer'), job('sweep')], exposes: { answer: 42 } };
    });
    expect(running.answer).toBe(42);
    await running.stop();
    expect(order).toEqual(['sweep', 'consumer', 'relay', 'pool']);
    expect(await portIsFree(running.port)).toBe(true);
  });
});
