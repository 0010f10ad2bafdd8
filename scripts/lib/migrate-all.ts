import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  createKafkaEventBus,
  databaseName,
  migrateDatabase,
  subgraphNamed,
  Topics,
  type KafkaOptions,
  type Logger,
  type MysqlOptions,
} from '@waimai/platform';
import { ROOT, SUBGRAPHS, type SubgraphName } from './paths';

export function migrationsFolder(subgraph: SubgraphName): string {
  return path.join(ROOT, subgraphNamed(subgraph).folder, 'drizzle');
}

export interface MigrationReport {
  /** Databases brought up to date, e.g. `waimai_products`. */
  migrated: string[];
  /** Subgraphs without a database, or whose drizzle/ folder is not written yet. */
  withoutMigrations: SubgraphName[];
}

/**
 * Creates each subgraph's database (`<DB_PREFIX>_<name>`) and applies its committed
 * migrations, for every subgraph that has a drizzle/ folder. Used by `pnpm start`,
 * `pnpm migrate` and the tests' global setup.
 */
export async function migrateAll(options: MysqlOptions): Promise<MigrationReport> {
  const withMigrations = SUBGRAPHS.filter(({ name, database }) => database && existsSync(migrationsFolder(name))).map(({ name }) => name);
  // Databases are independent: migrate them side by side.
  await Promise.all(withMigrations.map((name) => migrateDatabase(options, name, migrationsFolder(name))));
  return {
    migrated: withMigrations.map((name) => databaseName(options.DB_PREFIX, name)),
    withoutMigrations: SUBGRAPHS.map(({ name }) => name).filter((name) => !withMigrations.includes(name)),
  };
}

/** Creates every topic of `Topics` that is missing (names prefixed with KAFKA_TOPIC_PREFIX). */
export async function createAllTopics(options: KafkaOptions, logger: Logger): Promise<string[]> {
  const bus = createKafkaEventBus(options, 'waimai-setup', logger);
  try {
    await bus.ensureTopics(Object.values(Topics));
  } finally {
    await bus.close();
  }
  return Object.values(Topics).map((topic) => `${options.KAFKA_TOPIC_PREFIX}${topic}`);
}
