import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { loadGatewayConfig } from '@waimai/gateway';
import { operationsService } from '@waimai/operations';
import { ordersService } from '@waimai/orders';
import { paymentsService } from '@waimai/payments';
import { productsService } from '@waimai/products';
import { ridersService } from '@waimai/riders';

const ROOT = path.resolve(__dirname, '..', '..');

type Loader = (env: Record<string, string | undefined>) => unknown;

/** Every process's config loader: the gateway's and each subgraph's env.ts (which merge platform's config.ts). */
const LOADERS: Record<string, Loader> = {
  gateway: loadGatewayConfig,
  products: productsService.loadConfig,
  orders: ordersService.loadConfig,
  payments: paymentsService.loadConfig,
  riders: ridersService.loadConfig,
  operations: operationsService.loadConfig,
};

/** The variables a loader reads: the keys its schema looks up in the environment it is given. */
function variablesRead(load: Loader): Set<string> {
  const read = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get(target, key) {
      if (typeof key === 'string') read.add(key);
      return undefined;
    },
  });
  try {
    load(env);
  } catch {
    // A schema that needs a variable without a default still read it.
  }
  return read;
}

interface Entry {
  name: string;
  value: string;
  /** `# NAME=value`: optional, shown with an example rather than its default. */
  commented: boolean;
  /** The comment lines right above it (its description, or its group's). */
  described: boolean;
}

function entriesOfEnvExample(): Entry[] {
  const lines = readFileSync(path.join(ROOT, '.env.example'), 'utf8').split('\n');
  const entries: Entry[] = [];
  lines.forEach((line, index) => {
    const match = /^(# )?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) return;
    // Its description: the nearest line above that is a comment and not itself an entry.
    let above = index - 1;
    while (above >= 0 && /^# [A-Z][A-Z0-9_]*=/.test(lines[above]!)) above -= 1;
    entries.push({ name: match[2]!, value: match[3]!, commented: Boolean(match[1]), described: above >= 0 && /^# \S/.test(lines[above]!) });
  });
  return entries;
}

const read = new Map(Object.entries(LOADERS).map(([process, load]) => [process, variablesRead(load)]));
const everyVariable = new Set([...read.values()].flatMap((names) => [...names]));

test('the config loaders read the variables of every concern (the check below would otherwise compare nothing)', () => {
  expect(everyVariable.size).toBeGreaterThan(80);
  for (const name of ['MYSQL_URL', 'KAFKA_BROKERS', 'JWT_SECRET', 'ORDERS_ADMIN_PORT', 'MAX_QUERY_DEPTH', 'PAYMENT_PROVIDER']) expect(everyVariable).toContain(name);
});

test('.env.example lists every variable any process reads, each once and with a line on it', () => {
  const entries = entriesOfEnvExample();
  const listed = new Set(entries.map((entry) => entry.name));

  expect([...everyVariable].filter((name) => !listed.has(name)).sort()).toEqual([]);
  expect(entries.filter((entry) => !everyVariable.has(entry.name)).map((entry) => entry.name)).toEqual([]);
  expect(entries.length).toBe(listed.size);
  expect(entries.filter((entry) => !entry.described).map((entry) => entry.name)).toEqual([]);
});

test('.env.example gives each variable it sets its default: every process parses the same config with and without it', () => {
  const differing: string[] = [];
  for (const entry of entriesOfEnvExample().filter((each) => !each.commented)) {
    for (const [process, names] of read) {
      if (!names.has(entry.name)) continue;
      const load = LOADERS[process]!;
      if (!isDeepStrictEqual(load({}), load({ [entry.name]: entry.value }))) differing.push(`${process}: ${entry.name}=${entry.value}`);
    }
  }

  expect(differing).toEqual([]);
});
