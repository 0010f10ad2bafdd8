import { kafkaConfig } from '@waimai/platform';
import { ensureKafka } from './lib/kafka-broker';
import { configOrExit, loadDotEnv, messageOf, scriptLog } from './lib/script-env';

/**
 * `pnpm kafka`: this checkout's local broker in the foreground until Ctrl-C (started when
 * nothing answers). Commands that use it meanwhile keep it running until they end.
 */
async function main(): Promise<void> {
  loadDotEnv();
  const log = scriptLog('kafka');
  const { KAFKA_BROKERS } = configOrExit(kafkaConfig, log);
  const broker = await ensureKafka({ brokers: KAFKA_BROKERS, logger: log });
  if (!broker.managed) {
    log.info('That broker is not this checkout\'s to run or stop; nothing to do.');
    return;
  }
  log.info('Ctrl-C to let it go.');
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: done with Kafka.`);
    void broker.stop().then(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  broker.process?.once('exit', (code, signal) => {
    if (stopping) return;
    log.error(`Kafka exited by itself (${signal ?? `code ${code}`}); see .cache/kafka/broker.log.`);
    process.exit(1);
  });
  // Hold on until a signal: nothing else keeps the event loop alive when the broker was started elsewhere.
  setInterval(() => undefined, 1 << 30);
}

main().catch((err: unknown) => {
  scriptLog('kafka').error(messageOf(err));
  process.exit(1);
});
