// First: tracing (when configured) must be in place before http, express, mysql2 and ioredis load.
import '@waimai/platform/start-telemetry';
import path from 'node:path';
import { defineService, runService } from '@waimai/platform';
import { loadOrdersConfig, ordersConfigOrExit } from './env';
import { startOrdersSubgraph } from './app';

/** The orders subgraph's entry points: this process's main() and testkit's stack start it through them. */
export const ordersService = defineService({ name: 'orders', loadConfig: loadOrdersConfig, migrations: path.resolve(__dirname, '..', 'drizzle'), start: startOrdersSubgraph });

if (require.main === module) runService(ordersService, ordersConfigOrExit);
