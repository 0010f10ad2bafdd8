// First: tracing (when configured) must be in place before http, express, mysql2 and ioredis load.
import '@waimai/platform/start-telemetry';
import path from 'node:path';
import { defineService, runService } from '@waimai/platform';
import { loadPaymentsConfig, paymentsConfigOrExit } from './env';
import { startPaymentsSubgraph } from './app';

/** The payments subgraph's entry points: this process's main() and testkit's stack start it through them. */
export const paymentsService = defineService({ name: 'payments', loadConfig: loadPaymentsConfig, migrations: path.resolve(__dirname, '..', 'drizzle'), start: startPaymentsSubgraph });

if (require.main === module) runService(paymentsService, paymentsConfigOrExit);
