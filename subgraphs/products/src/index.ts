import { createLogger, onShutdown } from '@waimai/platform';
import { productsConfigOrExit } from './env';
import { startProductsSubgraph } from './app';

async function main() {
  const config = productsConfigOrExit();
  const logger = createLogger('products', config.LOG_LEVEL);
  const service = await startProductsSubgraph(config, logger);
  onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [['products subgraph', () => service.stop()]]);
}

main().catch((err: unknown) => {
  process.stderr.write(`products failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
