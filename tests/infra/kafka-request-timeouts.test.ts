import { once } from 'node:events';
import net from 'node:net';
import { testInfraConfig } from '@waimai/testkit';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';

// patches/kafkajs@2.2.4.patch gives each sent request a timer of its own, cleared when it is
// answered, instead of a 100 ms interval per broker connection (docs/performance/idle.md).
// These tests hold the two things the interval did: a request nobody answers still times out,
// and answered requests leave nothing behind.
const config = testInfraConfig();

/** The number of live timers in this process (node's active resources of type Timeout). */
const liveTimers = () => process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;

/** Everything an error says, its causes included (kafkajs wraps the last retry's error). */
function messages(err: unknown): string {
  const parts: string[] = [];
  for (let at: unknown = err; at instanceof Error && parts.length < 5; at = (at as Error & { originalError?: unknown; cause?: unknown }).originalError ?? (at as Error & { cause?: unknown }).cause) {
    parts.push(`${at.name}: ${at.message}`);
  }
  return parts.join(' <- ');
}

describe('kafkajs request timeouts (patched: a timer per request)', () => {
  it('rejects a request a broker accepted and never answered, after requestTimeout', async () => {
    // A broker that takes the connection and then says nothing: a hung broker or a black hole.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as net.AddressInfo;
    const kafka = new Kafka({
      clientId: 'request-timeout-test',
      brokers: [`127.0.0.1:${port}`],
      requestTimeout: 800,
      connectionTimeout: 800,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const admin: Admin = kafka.admin();
    try {
      const outcome = await admin.connect().then(
        () => 'connected',
        (err: unknown) => messages(err),
      );
      // The first request (ApiVersions) was sent and then timed out: the connection was open.
      expect(sockets.length).toBeGreaterThan(0);
      expect(outcome).toMatch(/Request ApiVersions\(key: 18, version: \d+\) timed out/);
    } finally {
      await admin.disconnect().catch(() => undefined);
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  }, 30_000);

  it('leaves no timer behind for the requests the broker answered', async () => {
    const kafka = new Kafka({ clientId: 'request-timeout-test', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING });
    const admin: Admin = kafka.admin();
    const producer: Producer = kafka.producer();
    const topic = `${config.KAFKA_TOPIC_PREFIX}request-timeouts-${Date.now()}`;
    await admin.connect();
    await producer.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: config.KAFKA_REPLICATION_FACTOR }], waitForLeaders: true });
      await producer.send({ topic, acks: -1, messages: [{ value: 'warm-up' }] });
      const before = liveTimers();
      // 300 requests one after the other, each answered: each armed a 30 s timer when sent.
      for (let i = 0; i < 300; i += 1) await producer.send({ topic, acks: -1, messages: [{ value: String(i) }] });
      // Every one of them was cleared with its answer (a handful of kafkajs's own may come and go).
      expect(liveTimers() - before).toBeLessThan(10);
    } finally {
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  }, 60_000);
});
