import { readFileSync } from 'node:fs';
import { parseConfig, servicePortsConfig, SUBGRAPHS, perSubgraph } from '@waimai/platform';
import { freePorts } from '@waimai/testkit';
import { checkHaproxyConfig, defaultClusterLayout, HAPROXY_CONFIG, haproxyEnv, LB_REPLICAS, type LoadBalancedService } from '../../scripts/lib/haproxy';

const text = readFileSync(HAPROXY_CONFIG, 'utf8');
const SERVICES: readonly LoadBalancedService[] = [...SUBGRAPHS.map((subgraph) => subgraph.name), 'gateway'];

/** The lines of one `backend <name>` or `frontend <name>` section, trimmed, comments dropped. */
function section(kind: 'backend' | 'frontend' | 'defaults', name = ''): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === `${kind} ${name}`.trim());
  if (start < 0) return [];
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const trimmed = line.trim();
    if (trimmed && !trimmed.startsWith('#')) body.push(trimmed);
  }
  return body;
}

/** The variables haproxy.cfg reads, with the default each `${VAR-default}` gives. */
function defaultsInConfig(): Map<string, string> {
  const settings = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n');
  return new Map([...settings.matchAll(/\$\{(\w+)-([^}]*)\}/g)].map((match) => [match[1] as string, match[2] as string]));
}

test('deploy/haproxy/haproxy.cfg passes `haproxy -c` with its defaults, without a warning', () => {
  const { valid, output } = checkHaproxyConfig();
  expect(output).not.toMatch(/WARNING|ALERT/);
  expect(valid).toBe(true);
});

test('it passes `haproxy -c` with the ports a test run picks at run time', async () => {
  const ports = await freePorts(2 * 2 * SERVICES.length + 2 + SUBGRAPHS.length);
  const next = () => ports.pop() as number;
  const replicaPorts = () => Array.from({ length: LB_REPLICAS }, () => ({ port: next(), adminPort: next() }));
  const env = haproxyEnv({
    publicPort: next(),
    bindAddress: '127.0.0.1',
    adminPort: next(),
    subgraphPorts: perSubgraph(() => next()),
    replicas: { ...perSubgraph(replicaPorts), gateway: replicaPorts() },
  });
  // Every variable the config reads is given, and nothing else.
  expect(Object.keys(env).sort()).toEqual([...defaultsInConfig().keys()].sort());
  const { valid, output } = checkHaproxyConfig(env);
  expect(output).not.toMatch(/WARNING|ALERT/);
  expect(valid).toBe(true);
});

test('its defaults are the ports `pnpm start --cluster` uses: the registry ports for the LB, + 100 × i for replica i', () => {
  const config = parseConfig(servicePortsConfig, {});
  const layout = defaultClusterLayout({
    gatewayPort: config.GATEWAY_PORT,
    gatewayAdminPort: config.GATEWAY_ADMIN_PORT,
    subgraphs: perSubgraph(({ portKey, adminPortKey }) => ({ port: config[portKey], adminPort: config[adminPortKey] })),
  });
  const expected = haproxyEnv(layout);
  const defaults = defaultsInConfig();
  for (const [key, value] of Object.entries(expected)) expect([key, defaults.get(key)]).toEqual([key, value]);
  expect(defaults.get('LB_PUBLIC_PORT')).toBe(String(config.GATEWAY_PORT));
});

test.each(SERVICES)('%s: a frontend, and a backend balancing its replicas, each health-checked on its admin /readyz', (service) => {
  const backend = section('backend', service === 'gateway' ? 'gateways' : service);
  const servers = backend.filter((line) => line.startsWith('server '));
  expect(servers).toHaveLength(LB_REPLICAS);
  for (const [index, server] of servers.entries()) {
    const key = `LB_${service.toUpperCase()}_${index + 1}`;
    expect(server).toContain(`"127.0.0.1:\${${key}_PORT-`);
    expect(server).toContain(`check port "\${${key}_ADMIN_PORT-`);
  }
  expect(backend.some((line) => line.startsWith('balance '))).toBe(true);
  // A replayed POST could run a mutation twice: beyond connection failures, only GET and HEAD are retried.
  expect(backend).toContain('http-request disable-l7-retry unless METH_GET || METH_HEAD');
  const frontend = section('frontend', service === 'gateway' ? 'public' : service);
  expect(frontend).toContain(`default_backend ${service === 'gateway' ? 'gateways' : service}`);
});

test('health checks ask /readyz, websockets get a tunnel timeout, a refused request goes to another replica', () => {
  const defaults = section('defaults');
  expect(defaults).toContain('option httpchk');
  expect(defaults).toContain('http-check send meth GET uri /readyz');
  expect(defaults).toContain('http-check expect status 200');
  expect(defaults).toContain('option redispatch 1');
  expect(defaults.some((line) => /^timeout tunnel \d+[smh]$/.test(line))).toBe(true);
  expect(defaults.some((line) => line.startsWith('retry-on conn-failure'))).toBe(true);
});
