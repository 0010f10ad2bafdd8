import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually, freePorts } from '@waimai/testkit';
import { buildRuntime, RUNTIME_PACKAGES } from '../../scripts/build-runtime';

/**
 * The production image's steps without Docker (scripts/build-runtime.ts, which the Dockerfile
 * runs): compiled JavaScript and production dependencies only, from which a service starts
 * with plain node under NODE_ENV=production.
 */
let out: string;
const started: ChildProcess[] = [];

beforeAll(async () => {
  out = mkdtempSync(path.join(os.tmpdir(), 'waimai-runtime-'));
  await buildRuntime({ out });
}, 180_000);
afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (out) rmSync(out, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules') return [];
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

/** This run's isolated databases, keys and topics (the run's teardown removes them), in production mode with real secrets. */
function productionEnv(extra: Record<string, string>): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return {
    ...env,
    NODE_ENV: 'production',
    DB_PREFIX: `${process.env.DB_PREFIX}_rt`,
    REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}rt:`,
    KAFKA_TOPIC_PREFIX: `${process.env.KAFKA_TOPIC_PREFIX}rt-`,
    JWT_SECRET: 'runtime-bundle-test-jwt-secret',
    INTERNAL_SECRET: 'runtime-bundle-test-internal-secret',
    PAYMENT_WEBHOOK_SECRET: 'runtime-bundle-test-webhook-secret',
    PAYMENT_PROVIDER: 'none',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

test('the runtime holds compiled JavaScript and no TypeScript source of any runtime package', () => {
  const files = RUNTIME_PACKAGES.flatMap((folder) => filesUnder(path.join(out, folder)));

  expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
  for (const entry of ['gateway/src/index.js', 'subgraphs/orders/src/index.js', 'packages/platform/src/index.js', 'scripts/migrate.js']) {
    expect(existsSync(path.join(out, entry))).toBe(true);
  }
  expect(existsSync(path.join(out, 'subgraphs/orders/src/schema.graphql'))).toBe(true);
  expect(existsSync(path.join(out, 'subgraphs/orders/drizzle'))).toBe(true);
  expect(existsSync(path.join(out, 'schema/supergraph.graphql'))).toBe(true);
});

test('the runtime installs production dependencies only: no compiler, test runner or linter', () => {
  const installed = readdirSync(path.join(out, 'node_modules', '.pnpm'));

  expect(installed.some((name) => name.startsWith('mysql2@'))).toBe(true);
  expect(installed.filter((name) => /^(typescript|tsx|jest|eslint|esbuild|@swc\+core|drizzle-kit|@graphql-codegen\+cli)@/.test(name))).toEqual([]);
});

test('migrate runs from the runtime, then products starts with node under NODE_ENV=production and answers /healthz and /readyz', async () => {
  const migrated = spawnSync(process.execPath, ['scripts/migrate.js', '--topics'], { cwd: out, env: productionEnv({}), encoding: 'utf8', timeout: 120_000 });
  expect({ status: migrated.status, stderr: migrated.status === 0 ? '' : migrated.stderr }).toEqual({ status: 0, stderr: '' });

  const [port, adminPort] = await freePorts(2);
  const products = spawn(process.execPath, ['src/index.js'], {
    cwd: path.join(out, 'subgraphs', 'products'),
    env: productionEnv({ PRODUCTS_PORT: String(port), PRODUCTS_ADMIN_PORT: String(adminPort) }),
    stdio: 'ignore',
  });
  started.push(products);
  const exited = new Promise<number | null>((resolve) => products.once('exit', (code) => resolve(code)));

  const health = await eventually(async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    return response.ok ? response.json() : null;
  }, 60_000, 'products /healthz from the runtime');
  const readiness = await eventually(async () => {
    const response = await fetch(`http://127.0.0.1:${adminPort}/readyz`);
    return response.ok ? response.json() : null;
  }, 60_000, 'products /readyz from the runtime');
  products.kill('SIGTERM');

  expect(health).toEqual({ status: 'ok', service: 'products' });
  expect(readiness).toMatchObject({ status: 'ready', checks: { mysql: 'ok', redis: 'ok', kafka: 'ok' } });
  expect(await exited).toBe(0);
}, 180_000);
