// First: tracing (when configured) must be in place before http, express, mysql2 and ioredis load.
import '@waimai/platform/start-telemetry';
import path from 'node:path';
import { defineService, runService } from '@waimai/platform';
import { loadRidersConfig, ridersConfigOrExit } from './env';
import { startRidersSubgraph } from './app';

/** The riders subgraph's entry points: this process's main() and testkit's stack start it through them. */
export const ridersService = defineService({ name: 'riders', loadConfig: loadRidersConfig, migrations: path.resolve(__dirname, '..', 'drizzle'), start: startRidersSubgraph });

if (require.main === module) runService(ridersService, ridersConfigOrExit);
