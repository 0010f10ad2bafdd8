import { parseArgs } from 'node:util';
import { createLogger, kafkaConfig, mysqlConfig, runtimeConfig } from '@waimai/platform';
import { createAllTopics, migrateAll } from './lib/migrate-all';
import { configOrExit, loadDotEnv, messageOf, scriptLog } from './lib/script-env';

const usage = `pnpm migrate [--topics]

Creates every subgraph's MySQL database (<DB_PREFIX>_<subgraph>) and applies its committed
drizzle migrations. With --topics it also creates the Kafka topics (KAFKA_BROKERS).`;

async function main(): Promise<void> {
  loadDotEnv();
  const log = scriptLog('migrate');
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: { topics: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const config = configOrExit(runtimeConfig.extend(mysqlConfig.shape).extend(kafkaConfig.shape), log);
  const report = await migrateAll(config);
  log.info(report.migrated.length ? `Migrated ${report.migrated.join(', ')}.` : 'No subgraph has migrations yet.');
  if (report.withoutMigrations.length) log.info(`No drizzle/ folder (skipped): ${report.withoutMigrations.join(', ')}.`);
  if (values.topics) {
    const topics = await createAllTopics(config, createLogger('migrate', config.LOG_LEVEL));
    log.info(`Kafka topics ready: ${topics.join(', ')}.`);
  }
}

main().catch((err: unknown) => {
  scriptLog('migrate').error(messageOf(err));
  process.exit(1);
});
