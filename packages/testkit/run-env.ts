/**
 * Run isolation alone, for `pnpm test` itself (scripts/test.ts) before jest starts: the main
 * entry (src/index.ts) loads the gateway and every service, which that script does not need.
 */
export { ensureRunIsolation } from './src/run-env';
