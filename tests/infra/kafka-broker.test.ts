import net, { type AddressInfo } from 'node:net';
import { testInfraConfig } from '@waimai/testkit';
import { ensureKafka, KafkaUnavailableError } from '../../scripts/lib/kafka-broker';

const config = testInfraConfig();
const quiet = { info: () => undefined, warn: () => undefined };

/** A local port nothing listens on (it was free a moment ago). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('ensureKafka', () => {
  test('uses the configured broker when it answers, and starts nothing', async () => {
    const broker = await ensureKafka({ brokers: config.KAFKA_BROKERS, logger: quiet });

    expect(broker).toMatchObject({ brokers: config.KAFKA_BROKERS, started: false });
    expect(broker.process).toBeUndefined();
    await broker.stop();
  });

  test('without Java and without a broker, says to install Java 17 or set KAFKA_BROKERS', async () => {
    const brokers = [`127.0.0.1:${await freePort()}`];

    const attempt = ensureKafka({ brokers, logger: quiet, java: '/nonexistent/bin/java' });

    await expect(attempt).rejects.toThrow(KafkaUnavailableError);
    await expect(attempt).rejects.toThrow(/install Java 17.*KAFKA_BROKERS=/s);
  });

  test('a broker elsewhere that does not answer is not started here; the message names KAFKA_BROKERS', async () => {
    const attempt = ensureKafka({ brokers: ['kafka.invalid:9092'], logger: quiet });

    await expect(attempt).rejects.toThrow(/No Kafka broker answers at KAFKA_BROKERS=kafka\.invalid:9092/);
  });

  test('a port held by something that is not Kafka is reported, not fought over', async () => {
    const squatter = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as AddressInfo;
    try {
      const attempt = ensureKafka({ brokers: [`127.0.0.1:${port}`], logger: quiet, occupiedPortWaitMs: 1_000 });

      await expect(attempt).rejects.toThrow(new RegExp(`Port ${port} or ${port + 1} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});
