import { kafkaConfig } from '@waimai/platform';
import { ensureKafka } from './lib/kafka-broker';
import { configOrExit, loadDotEnv, messageOf, scriptLog } from './lib/script-env';

/** `pnpm kafka`: the local broker in the foreground until Ctrl-C. */
async function main(): Promise<void> {
  loadDotEnv();
  const log = scriptLog('kafka');
  const { KAFKA_BROKERS } = configOrExit(kafkaConfig, log);
  const broker = await ensureKafka({ brokers: KAFKA_BROKERS, logger: log });
  if (!broker.started) {
    log.info('Nothing to start: that broker is not this process\'s to stop.');
    return;
  }
  log.info('Ctrl-C stops it.');
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping Kafka.`);
    void broker.stop().then(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  broker.process?.once('exit', (code, signal) => {
    if (stopping) return;
    log.error(`Kafka exited by itself (${signal ?? `code ${code}`}); see .cache/kafka/broker.log.`);
    process.exit(1);
  });
}

main().catch((err: unknown) => {
  scriptLog('kafka').error(messageOf(err));
  process.exit(1);
});
