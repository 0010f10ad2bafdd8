import { defineService, runService } from '@waimai/platform';
import { loadRidersConfig, ridersConfigOrExit } from './env';
import { migrateRiders, startRidersSubgraph } from './app';

/** The riders subgraph's entry points: this process's main() and testkit's stack start it through them. */
export const ridersService = defineService({ name: 'riders', loadConfig: loadRidersConfig, migrate: migrateRiders, start: startRidersSubgraph });

if (require.main === module) runService(ridersService, ridersConfigOrExit);
