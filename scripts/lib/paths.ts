import path from 'node:path';

/** The workspace root (this file is scripts/lib/paths.ts). */
export const ROOT = path.resolve(__dirname, '..', '..');

/** Ignored by git: downloaded Kafka jars, the local broker's data and logs. */
export const CACHE_DIR = path.join(ROOT, '.cache');

/** The subgraphs, in the order they start: the registry in packages/platform/src/services.ts. */
export { SUBGRAPHS, SUBGRAPH_NAMES, type Subgraph, type SubgraphName } from '@waimai/platform';

/** Shows a path relative to the workspace root, for messages. */
export function fromRoot(file: string): string {
  return path.relative(ROOT, file) || '.';
}
