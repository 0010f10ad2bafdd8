import path from 'node:path';
import {
  connectDatabase,
  createKafkaEventBus,
  createInternalSigner,
  migrateDatabase,
  startOutboxRelay,
  startSubgraphService,
  Topics,
  typeDefsFrom,
  type ConnectOptions,
  type EventBus,
  type Logger,
  type RunningSubgraphService,
} from '@waimai/platform';
import type { OperationsConfig } from './env';
import { createContext } from './context';
import { operationsSchema } from './db/schema';
import { createAuditStore } from './db/audit-store';
import { createFiguresStore } from './db/figures-store';
import { createAuditLog, type AuditLog } from './domain/audit-log';
import { createFigures, type Figures } from './domain/figures';
import { auditConsumer } from './events/audit-consumer';
import { figuresConsumer } from './events/figures-consumer';
import { resolvers } from './resolvers';

export const MIGRATIONS_FOLDER = path.resolve(__dirname, '..', 'drizzle');
const typeDefs = typeDefsFrom(path.join(__dirname, 'schema.graphql'));

export async function migrateOperations(config: OperationsConfig): Promise<void> {
  await migrateDatabase(config, 'operations', MIGRATIONS_FOLDER);
}

export type RunningOperations = RunningSubgraphService<{
  auditLog: AuditLog;
  figures: Figures;
  bus: EventBus;
  /** Publishes every pending outbox row (tests, shutdown). */
  drainOutbox(): Promise<void>;
}>;

/**
 * Starts the operations subgraph: the GraphQL API over the audit log and the figures, the
 * consumers that keep them, and the outbox relay (for the events campaigns will publish).
 */
export async function startOperationsSubgraph(config: OperationsConfig, logger: Logger, options: ConnectOptions = {}): Promise<RunningOperations> {
  return startSubgraphService('operations', logger, async ({ own }) => {
    const database = own(connectDatabase(config, 'operations', operationsSchema, options), (database) => database.close());
    const bus = own(createKafkaEventBus(config, 'operations', logger), (bus) => bus.close());
    await bus.ensureTopics([Topics.auditEvents, Topics.orderEvents, Topics.paymentEvents]);
    const relay = own(startOutboxRelay({ service: 'operations', db: database.primary, bus, logger, intervalMs: 250 }), (relay) => relay.stop());
    // Reads go to a replica when there are any; the consumers' transactions go to the primary.
    const auditLog = createAuditLog(createAuditStore(database.db));
    const figures = createFigures(createFiguresStore(database.db));
    return {
      subgraph: {
        typeDefs,
        resolvers,
        port: config.OPERATIONS_PORT,
        admin: { port: config.OPERATIONS_ADMIN_PORT, host: config.ADMIN_HOST },
        signer: createInternalSigner(config.INTERNAL_SECRET),
        readiness: { mysql: () => database.ping() },
        context: (caller) => createContext(caller, auditLog, figures),
      },
      workers: [auditConsumer(bus, auditLog, logger), figuresConsumer(bus, figures, logger)],
      exposes: { auditLog, figures, bus, drainOutbox: () => relay.drain() },
    };
  });
}
