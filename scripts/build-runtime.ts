import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ROOT, SUBGRAPHS, fromRoot } from './lib/paths';
import { messageOf, scriptLog } from './lib/script-env';

const usage = `tsx scripts/build-runtime.ts [--out <dir>] [--no-install]

Builds what the production image runs, without Docker and with the same steps as
docker/Dockerfile: every runtime package (packages/platform, gateway, each subgraph of the
registry) and the migrate and seed scripts compiled to JavaScript in place (same layout, so
paths relative to a file keep working), with their assets (SDL, migrations, the supergraph,
the contract, GraphiQL's bundle), then \`pnpm install --prod --frozen-lockfile\`: production
dependencies only, at the versions of pnpm-lock.yaml. Default --out: .cache/runtime.
Run a process from it with node: node gateway/src/index.js, node scripts/migrate.js --topics.`;

/** The workspace packages a process runs, from the root: the platform, the gateway, every subgraph. */
export const RUNTIME_PACKAGES = ['packages/platform', 'gateway', ...SUBGRAPHS.map((subgraph) => subgraph.folder)];

/** The scripts the image runs besides the services (the migration Job, the demo seed), with what they import. */
const RUNTIME_SCRIPTS = ['scripts/migrate.ts', 'scripts/seed.ts', 'scripts/lib/migrate-all.ts', 'scripts/lib/paths.ts', 'scripts/lib/script-env.ts'];

/** Files beside the code that processes read at run time, from the root. */
const RUNTIME_ASSETS = ['schema/supergraph.graphql', 'schema/contract', 'gateway/public', ...SUBGRAPHS.map((subgraph) => `${subgraph.folder}/drizzle`)];

/** Folders and files of a package that never run in production. */
const NOT_RUNTIME = new Set(['node_modules', 'test', 'bench', 'drizzle.config.ts', 'codegen.json']);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (NOT_RUNTIME.has(name)) return [];
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

const isSource = (file: string) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.test.ts');

/** A package's manifest as it runs: entry points at the compiled files, no scripts (they call tsx). */
function runtimeManifest(file: string): string {
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const toJs = (entry: unknown) => (typeof entry === 'string' ? entry.replace(/\.ts$/, '.js') : entry);
  const { scripts: _scripts, types: _types, ...rest } = manifest;
  return `${JSON.stringify({ ...rest, main: toJs(manifest.main) }, null, 2)}\n`;
}

export interface BuildRuntimeOptions {
  out: string;
  /** Install the production dependencies (default true); false leaves only the compiled files. */
  install?: boolean;
  log?: (message: string) => void;
}

/** Builds the runtime bundle into `out` (emptied first). */
export async function buildRuntime(options: BuildRuntimeOptions): Promise<void> {
  const { out } = options;
  const log = options.log ?? (() => undefined);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  const sources: string[] = [...RUNTIME_SCRIPTS.map((file) => path.join(ROOT, file))];
  for (const folder of RUNTIME_PACKAGES) {
    const packageDir = path.join(ROOT, folder);
    mkdirSync(path.join(out, folder), { recursive: true });
    writeFileSync(path.join(out, folder, 'package.json'), runtimeManifest(path.join(packageDir, 'package.json')));
    for (const file of filesUnder(packageDir)) {
      if (isSource(file)) sources.push(file);
      else if (!file.endsWith('package.json') && file.includes(`${path.sep}src${path.sep}`)) cpSync(file, path.join(out, path.relative(ROOT, file)));
    }
  }
  // One file in, one file out, in the same place: no bundling, so __dirname-relative paths
  // (SDL, migrations, the contract) and package boundaries stay what they are in the repository.
  await build({
    entryPoints: sources,
    outdir: out,
    outbase: ROOT,
    bundle: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
  log(`Compiled ${sources.length} TypeScript files.`);
  for (const asset of RUNTIME_ASSETS) {
    const from = path.join(ROOT, asset);
    if (existsSync(from)) cpSync(from, path.join(out, asset), { recursive: true });
  }

  // The workspace as the lockfile knows it, with only the runtime packages in it.
  const workspace = parseYaml(readFileSync(path.join(ROOT, 'pnpm-workspace.yaml'), 'utf8')) as Record<string, unknown>;
  writeFileSync(path.join(out, 'pnpm-workspace.yaml'), stringifyYaml({ ...workspace, packages: RUNTIME_PACKAGES }));
  cpSync(path.join(ROOT, 'package.json'), path.join(out, 'package.json'));
  cpSync(path.join(ROOT, 'pnpm-lock.yaml'), path.join(out, 'pnpm-lock.yaml'));
  // The fixes applied to dependencies (pnpm patch; patchedDependencies in pnpm-workspace.yaml), which the install needs.
  if (existsSync(path.join(ROOT, 'patches'))) cpSync(path.join(ROOT, 'patches'), path.join(out, 'patches'), { recursive: true });
  if (options.install === false) return;

  const installed = spawnSync('pnpm', ['install', '--prod', '--frozen-lockfile', '--prefer-offline', '--config.confirmModulesPurge=false'], {
    cwd: out,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', NODE_ENV: 'production' },
  });
  if (installed.status !== 0) {
    throw new Error(`pnpm install --prod failed in ${out} (exit ${installed.status ?? installed.signal}):\n${`${installed.stdout}${installed.stderr}`.slice(-2000)}`);
  }
  // The scripts import @waimai/platform from the root, where the workspace keeps it as a devDependency.
  const link = path.join(out, 'node_modules', '@waimai', 'platform');
  if (!existsSync(link)) {
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join('..', '..', 'packages', 'platform'), link, 'dir');
  }
  log(`Installed the production dependencies in ${fromRoot(out)}.`);
}

async function main(): Promise<void> {
  const log = scriptLog('build-runtime');
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: { out: { type: 'string' }, 'no-install': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const out = path.resolve(values.out ?? path.join(ROOT, '.cache', 'runtime'));
  await buildRuntime({ out, install: !values['no-install'], log: (message) => log.info(message) });
  log.info(`The runtime is in ${out}.`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    scriptLog('build-runtime').error(messageOf(err));
    process.exit(1);
  });
}
