// First: tracing (when configured) must be in place before http, express, mysql2 and ioredis load.
import '@waimai/platform/start-telemetry';
import { createLogger, onShutdown } from '@waimai/platform';
import { startGateway } from './app';
import { gatewayConfigOrExit } from './env';

export { startGateway, SUBGRAPH_NAMES, GRAPHQL_PATH, type RunningGateway, type SubgraphName } from './app';
export { loadGatewayConfig, type GatewayConfig } from './env';
export { createDocumentGuard, limitsFromConfig, type OperationLimits, type DocumentGuard } from './limits';
export { eventSources, sourceTopics, type EventSource } from './event-sources';
export { EventRouter } from './event-router';
export { startEventFeed, type EventFeed } from './event-feed';
export { buildManifest, loadManifest, sha256, type TrustedDocumentManifest } from './trusted-documents';
export { entityQueryFor, rootFieldOf, type EntityQuery } from './entity-query';
export { carriedStateAnswerer, entityLoadersOf, type CarriedState } from './carried-state';
export { staffExampleTabs, STAFF_EXAMPLES, type PlaygroundTab } from './playground';
export { CONSOLE_OPERATIONS, CONSOLE_PATH, consoleOperations } from './console';

export async function main(): Promise<void> {
  const config = gatewayConfigOrExit();
  const logger = createLogger('gateway', config.LOG_LEVEL);
  // Listening for SIGTERM before starting: a signal while it starts waits for the start, then stops gracefully.
  const gateway = startGateway(config, logger);
  onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [['gateway', async () => (await gateway).stop()]]);
  await gateway;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`The gateway failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
