import { createLogger, onShutdown } from '@waimai/platform';
import { ordersConfigOrExit } from './env';
import { startOrdersSubgraph } from './app';

async function main() {
  const config = ordersConfigOrExit();
  const logger = createLogger('orders', config.LOG_LEVEL);
  const service = await startOrdersSubgraph(config, logger);
  onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [['orders subgraph', () => service.stop()]]);
}

main().catch((err: unknown) => {
  process.stderr.write(`orders failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
