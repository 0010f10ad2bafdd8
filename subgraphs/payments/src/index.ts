import { createLogger, onShutdown } from '@waimai/platform';
import { paymentsConfigOrExit } from './env';
import { startPaymentsSubgraph } from './app';

async function main() {
  const config = paymentsConfigOrExit();
  const logger = createLogger('payments', config.LOG_LEVEL);
  const service = await startPaymentsSubgraph(config, logger);
  onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [['payments subgraph', () => service.stop()]]);
}

main().catch((err: unknown) => {
  process.stderr.write(`payments failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
