import { createLogger, onShutdown } from '@waimai/platform';
import { ridersConfigOrExit } from './env';
import { startRidersSubgraph } from './app';

async function main() {
  const config = ridersConfigOrExit();
  const logger = createLogger('riders', config.LOG_LEVEL);
  const service = await startRidersSubgraph(config, logger);
  onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [['riders subgraph', () => service.stop()]]);
}

main().catch((err: unknown) => {
  process.stderr.write(`riders failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
