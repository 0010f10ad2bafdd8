import net from 'node:net';
import { parse } from 'graphql';
import { createLogger, startSubgraphService, type SubgraphServiceConfig, type Worker } from '../src';

const typeDefs = parse('type Query { ping: String }');
const logger = createLogger('skeleton-test', 'silent');

/** A registered subgraph's config as far as the skeleton reads it: its ports (from the registry's keys) and secrets. */
function configOn(port = 0): SubgraphServiceConfig {
  return {
    MYSQL_URL: 'mysql://root@127.0.0.1:3306',
    MYSQL_REPLICA_URLS: [],
    DB_PREFIX: 'skeleton',
    MYSQL_POOL_SIZE: 1,
    KAFKA_BROKERS: ['127.0.0.1:9092'],
    KAFKA_TOPIC_PREFIX: 'skeleton-',
    KAFKA_TOPIC_PARTITIONS: 1,
    KAFKA_REPLICATION_FACTOR: 1,
    INTERNAL_SECRET: 'a-test-internal-secret-of-some-length',
    ADMIN_HOST: '127.0.0.1',
    PRODUCTS_PORT: port,
    PRODUCTS_ADMIN_PORT: 0,
  };
}

function subgraphParts() {
  return {
    typeDefs,
    resolvers: { Query: { ping: () => 'pong' } },
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
      startSubgraphService('products', configOn(port), logger, ({ own }) => {
        own('pool', async () => closed.push('pool'));
        own('bus', async () => closed.push('bus'));
        return { subgraph: subgraphParts(), workers: [started, failing], exposes: {} };
      }),
    ).rejects.toThrow('the broker said no');
    expect(closed).toEqual(['first job', 'bus', 'pool']);
    expect(await portIsFree(port)).toBe(true);
  });

  test('a failure while building closes the resources already opened', async () => {
    const closed: string[] = [];
    await expect(
      startSubgraphService('products', configOn(), logger, async ({ own }) => {
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
    const running = await startSubgraphService('products', configOn(), logger, ({ own }) => {
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
