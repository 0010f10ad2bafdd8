// First: tracing (when configured) must be in place before http, express, mysql2 and ioredis load.
import '@waimai/platform/start-telemetry';
import path from 'node:path';
import { defineService, runService } from '@waimai/platform';
import { loadOperationsConfig, operationsConfigOrExit } from './env';
import { startOperationsSubgraph } from './app';

/** The operations subgraph's entry points: this process's main() and testkit's stack start it through these. */
export const operationsService = defineService({ name: 'operations', loadConfig: loadOperationsConfig, migrations: path.resolve(__dirname, '..', 'drizzle'), start: startOperationsSubgraph });

if (require.main === module) runService(operationsService, operationsConfigOrExit);
