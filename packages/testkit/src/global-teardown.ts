import { connectRedis, kafkaLogCreator, createLogger, unlinkKeysWithPrefix } from '@waimai/platform';
import { Kafka } from 'kafkajs';
import mysql from 'mysql2/promise';
import type { KafkaBroker } from '../../../scripts/lib/kafka-broker';
import { KAFKA_HANDLE } from './global-setup';
import { testInfraConfig, type TestInfraConfig } from './infra-config';
import { ensureRunIsolation } from './run-env';

/**
 * Once per `jest` run: removes what the run created (its databases, Redis keys, Kafka
 * topics and consumer groups). A failure here is reported but does not fail the run.
 */
export default async function globalTeardown(): Promise<void> {
  const run = ensureRunIsolation(process.env);
  const config = testInfraConfig();
  // Everything below deletes by prefix: never without this run's own prefixes.
  if (!config.DB_PREFIX.includes(run) || !config.REDIS_KEY_PREFIX.includes(run) || !config.KAFKA_TOPIC_PREFIX.includes(run)) {
    throw new Error(`Refusing to clean up: the prefixes are not this test run's (${run}).`);
  }
  const results = await Promise.allSettled([dropDatabases(config), deleteRedisKeys(config), deleteKafkaTopics(config)]);
  for (const result of results) {
    if (result.status === 'rejected') {
      const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
      process.stderr.write(`Test cleanup of run ${run} was incomplete: ${reason}\n`);
    }
  }
  // The broker global-setup started (or joined) stops when its last user is done.
  const holder = globalThis as typeof globalThis & { [KAFKA_HANDLE]?: KafkaBroker };
  await holder[KAFKA_HANDLE]?.stop();
  delete holder[KAFKA_HANDLE];
}

/** The run's databases: `<prefix>_<service>`, and those of stacks with a sub-prefix of it. */
async function dropDatabases(config: TestInfraConfig): Promise<void> {
  const connection = await mysql.createConnection({ uri: config.MYSQL_URL });
  try {
    const [rows] = await connection.query('SHOW DATABASES');
    const names = (rows as Array<{ Database: string }>).map((row) => row.Database).filter((name) => name.startsWith(`${config.DB_PREFIX}_`));
    for (const name of names) await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await connection.end();
  }
}

async function deleteRedisKeys(config: TestInfraConfig): Promise<void> {
  // No keyPrefix on this client: SCAN matches the run's raw keys and UNLINK takes them as they are.
  const redis = connectRedis({ ...config, REDIS_KEY_PREFIX: '' }, 'test-teardown');
  try {
    await unlinkKeysWithPrefix(redis, config.REDIS_KEY_PREFIX);
  } finally {
    redis.disconnect();
  }
}

async function deleteKafkaTopics(config: TestInfraConfig): Promise<void> {
  const logger = createLogger('test-teardown', config.LOG_LEVEL);
  const admin = new Kafka({
    clientId: 'test-teardown',
    brokers: config.KAFKA_BROKERS,
    logCreator: kafkaLogCreator(logger),
    retry: { retries: 3 },
  }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const groupIds = groups.map((group) => group.groupId).filter((id) => id.startsWith(config.KAFKA_TOPIC_PREFIX));
    if (groupIds.length) {
      await admin.deleteGroups(groupIds).catch((err: unknown) => {
        // A group whose offsets went with its topic is removed by the broker itself.
        const failures = (err as { groups?: Array<{ error?: { type?: string } }> }).groups ?? [];
        if (!failures.length || failures.some((group) => group.error?.type !== 'GROUP_ID_NOT_FOUND')) throw err;
      });
    }
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(config.KAFKA_TOPIC_PREFIX));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}
