import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
// 60 s: a cold tsx compile of a service's modules on a busy 2-core machine; the refusal itself is immediate.
const EXIT_TIMEOUT_MS = 60_000;

interface Exit {
  code: number | null;
  stderr: string;
}

/**
 * Runs a service's src/index.ts as `pnpm start` and the containers do, with `env` over this
 * run's environment, and returns how it exited; a service still running after the timeout
 * is killed and reported as such.
 */
function runService(dir: string, env: Record<string, string | undefined>): Promise<Exit> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: path.join(ROOT, dir),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${dir} was still running ${EXIT_TIMEOUT_MS / 1000} s after it started; stderr so far:\n${stderr}`));
    }, EXIT_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

// The development defaults apply when a secret is not set at all.
const secretsUnset = { JWT_SECRET: undefined, INTERNAL_SECRET: undefined, PAYMENT_WEBHOOK_SECRET: undefined };
// Free ports: were a service to start after all, it would take none that `pnpm start` uses.
const freePorts = { GATEWAY_PORT: '0', PRODUCTS_PORT: '0', ORDERS_PORT: '0', PAYMENTS_PORT: '0', RIDERS_PORT: '0' };

describe('a service started with NODE_ENV=production', () => {
  it('payments refuses the development secrets: exit code 1, each variable named on stderr', async () => {
    const exit = await runService('subgraphs/payments', { ...secretsUnset, ...freePorts, NODE_ENV: 'production' });

    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/^Invalid configuration:$/m);
    for (const name of ['JWT_SECRET', 'INTERNAL_SECRET', 'PAYMENT_WEBHOOK_SECRET']) {
      expect(exit.stderr).toMatch(new RegExp(`^  - ${name}: still has its development value`, 'm'));
    }
  });

  it('the gateway names only the secret still at its development value', async () => {
    const exit = await runService('gateway', {
      ...secretsUnset,
      ...freePorts,
      NODE_ENV: 'production',
      JWT_SECRET: 'a-jwt-secret-of-this-test-0123456789',
      INTERNAL_SECRET: 'waimai-dev-internal-secret-change-me',
    });

    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/^ {2}- INTERNAL_SECRET: still has its development value/m);
    expect(exit.stderr).not.toContain('JWT_SECRET');
  });
});
