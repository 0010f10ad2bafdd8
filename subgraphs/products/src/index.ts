// First: tracing (when configured) must be in place before http, express, mysql2 and ioredis load.
import '@waimai/platform/start-telemetry';
import path from 'node:path';
import { defineService, runService } from '@waimai/platform';
import { loadProductsConfig, productsConfigOrExit } from './env';
import { startProductsSubgraph } from './app';

/** The products subgraph's entry points: this process's main() and testkit's stack start it through them. */
export const productsService = defineService({ name: 'products', loadConfig: loadProductsConfig, migrations: path.resolve(__dirname, '..', 'drizzle'), start: startProductsSubgraph });

if (require.main === module) runService(productsService, productsConfigOrExit);
