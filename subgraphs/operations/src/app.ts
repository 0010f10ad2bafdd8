import path from 'node:path';
import { startSubgraphService, Topics, typeDefsFrom, type ConnectOptions, type Logger, type RunningSubgraphService } from '@waimai/platform';
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

const typeDefs = typeDefsFrom(path.join(__dirname, 'schema.graphql'));

export type RunningOperations = RunningSubgraphService<{
  auditLog: AuditLog;
  figures: Figures;
}>;

/**
 * Starts the operations subgraph: the GraphQL API over the audit log and the figures, the
 * consumers that keep them, and the outbox relay (for the events campaigns will publish).
 */
export async function startOperationsSubgraph(config: OperationsConfig, logger: Logger, options: ConnectOptions = {}): Promise<RunningOperations> {
  return startSubgraphService('operations', config, logger, async (scope) => {
    const database = scope.database(operationsSchema, options);
    const bus = await scope.bus([Topics.auditEvents, Topics.orderEvents, Topics.paymentEvents]);
    scope.relay(database, bus, { intervalMs: 250 });
    // Reads go to a replica when there are any; the consumers' transactions go to the primary.
    const auditLog = createAuditLog(createAuditStore(database.db));
    const figures = createFigures(createFiguresStore(database.db));
    return {
      subgraph: {
        typeDefs,
        resolvers,
        context: (caller) => createContext(caller, auditLog, figures),
      },
      workers: [auditConsumer(bus, auditLog, logger), figuresConsumer(bus, figures, logger)],
      exposes: { auditLog, figures },
    };
  });
}
