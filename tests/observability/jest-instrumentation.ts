import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Telemetry } from '@waimai/platform';

interface ModuleFile {
  name: string;
  patch(exports: unknown, version?: string): unknown;
}
interface ModuleDefinition {
  name: string;
  patch?(exports: unknown, version?: string): unknown;
  files: ModuleFile[];
}

const ROOT = path.resolve(__dirname, '..', '..');
// Where the processes' modules are resolved from: the platform, the gateway and each subgraph.
const PACKAGE_DIRS = ['packages/platform', 'gateway', 'subgraphs/products', 'subgraphs/orders', 'subgraphs/payments', 'subgraphs/riders', 'subgraphs/operations'].map((dir) => path.join(ROOT, dir));
const CORE = new Set(['http', 'https']);

/**
 * In a real process the instrumentations patch http, express, graphql, mysql2 and ioredis
 * through Node's require hook as the modules load. Jest loads modules through its own
 * runtime, which that hook never sees, so this patches the instances jest already loaded the
 * way the hook would: each module definition's patch on the package, each file's on its file.
 */
export function instrumentJestModules(telemetry: Telemetry): void {
  const patched = new Set<string>();
  for (const instrumentation of telemetry.instrumentations) {
    const definitions = (instrumentation as unknown as { getModuleDefinitions(): ModuleDefinition[] }).getModuleDefinitions();
    for (const definition of definitions) {
      if (CORE.has(definition.name)) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        definition.patch?.(require(definition.name));
        continue;
      }
      for (const dir of PACKAGE_DIRS) {
        let manifest: string;
        try {
          manifest = require.resolve(`${definition.name}/package.json`, { paths: [dir] });
        } catch {
          continue; // Not a dependency of this package.
        }
        const packageDir = path.dirname(manifest);
        if (patched.has(`${instrumentation.instrumentationName}:${packageDir}`)) continue;
        patched.add(`${instrumentation.instrumentationName}:${packageDir}`);
        const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        if (definition.patch) definition.patch(require(packageDir), version);
        for (const file of definition.files) {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          file.patch(require(path.join(packageDir, file.name.slice(definition.name.length + 1))), version);
        }
      }
    }
  }
}
