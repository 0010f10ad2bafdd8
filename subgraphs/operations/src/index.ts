import { defineService, runService } from '@waimai/platform';
import { loadOperationsConfig, operationsConfigOrExit } from './env';
import { migrateOperations, startOperationsSubgraph } from './app';

/** The operations subgraph's entry points: this process's main() and testkit's stack start it through these. */
export const operationsService = defineService({ name: 'operations', loadConfig: loadOperationsConfig, migrate: migrateOperations, start: startOperationsSubgraph });

if (require.main === module) runService(operationsService, operationsConfigOrExit);
