import { createLogger } from '@waimai/platform';
import { ensureKafka, type KafkaBroker } from '../../../scripts/lib/kafka-broker';
import { createAllTopics, migrateAll } from '../../../scripts/lib/migrate-all';
import { testInfraConfig } from './infra-config';
import { ensureRunIsolation } from './run-env';

/** Handed to global-teardown.ts, which jest runs in this same process. */
export const KAFKA_HANDLE = Symbol.for('waimai.test.kafka');
type WithKafka = typeof globalThis & { [KAFKA_HANDLE]?: KafkaBroker };

/**
 * Once per `jest` run: Kafka (started when nothing answers, as `pnpm test` does, so a bare
 * `jest` works too), this run's databases (migrated) and its Kafka topics.
 */
export default async function globalSetup(): Promise<void> {
  ensureRunIsolation(process.env);
  const config = testInfraConfig();
  const say = (message: string) => process.stderr.write(`jest: ${message}\n`);
  (globalThis as WithKafka)[KAFKA_HANDLE] = await ensureKafka({
    brokers: config.KAFKA_BROKERS,
    // Under `pnpm test` the broker is already there: say nothing about it.
    logger: { info: (message) => (message.startsWith('Using the Kafka broker') ? undefined : say(message)), warn: say },
  });
  const logger = createLogger('test-setup', config.LOG_LEVEL);
  await Promise.all([migrateAll(config), createAllTopics(config, logger)]);
}
