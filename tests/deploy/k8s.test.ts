import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig, servicePortsConfig, SUBGRAPHS } from '@waimai/platform';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');
const K8S = path.join(ROOT, 'deploy', 'k8s');

interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  args?: string[];
  ports?: Array<{ name: string; containerPort: number }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
}
interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: {
    template?: { spec: { containers: Container[] } };
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    scaleTargetRef?: { kind: string; name: string };
    rules?: Array<{ http: { paths: Array<{ backend: { service: { name: string; port: { name?: string } } } }> } }>;
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const objects: KubeObject[] = readdirSync(K8S)
  .filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')
  .flatMap((file) => parseAllDocuments(readFileSync(path.join(K8S, file), 'utf8')).map((document) => document.toJS() as KubeObject));

const named = (kind: string, name: string) => objects.find((object) => object.kind === kind && object.metadata.name === name);

/** Every process with its public and admin ports, as the registry and config defaults give them. */
const ports = parseConfig(servicePortsConfig, {});
const PROCESSES = [
  { name: 'gateway', port: ports.GATEWAY_PORT, adminPort: ports.GATEWAY_ADMIN_PORT },
  ...SUBGRAPHS.map((subgraph) => ({ name: subgraph.name, port: subgraph.port, adminPort: subgraph.adminPort })),
];

/** The variables .env.example lists: tests/deploy/env-example.test.ts holds it equal to what the processes read. */
const KNOWN_VARIABLES = new Set([...readFileSync(path.join(ROOT, '.env.example'), 'utf8').matchAll(/^(?:# )?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!));

test('every manifest in deploy/k8s validates against the Kubernetes schemas (kubernetes-models), without a cluster', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'validate-k8s.mts'), K8S], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const report = JSON.parse(run.stdout) as { objects: unknown[]; problems: string[] };

  expect(report.problems).toEqual([]);
  expect(run.status).toBe(0);
  expect(report.objects.length).toBe(objects.length);
});

test.each(PROCESSES)('$name has a Deployment, Service, PodDisruptionBudget and HorizontalPodAutoscaler, probed on the right ports', ({ name, port, adminPort }) => {
  const deployment = named('Deployment', name);
  const container = deployment?.spec?.template?.spec.containers[0];

  expect(deployment).toBeDefined();
  expect(container?.args).toEqual([name]);
  expect(container?.ports).toEqual([
    expect.objectContaining({ name: 'http', containerPort: port }),
    expect.objectContaining({ name: 'admin', containerPort: adminPort }),
  ]);
  expect(container?.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'admin' });
  expect(container?.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
  expect(container?.envFrom).toEqual([{ configMapRef: { name: 'waimai-config' } }, { secretRef: { name: 'waimai-secrets' } }]);
  expect(named('Service', name)?.spec?.selector).toEqual({ 'app.kubernetes.io/name': name });
  expect(named('PodDisruptionBudget', name)?.spec?.selector?.matchLabels).toEqual({ 'app.kubernetes.io/name': name });
  expect(named('HorizontalPodAutoscaler', name)?.spec?.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
});

test('the ConfigMap wires every process to the others at the registry\'s ports, opens the admin ports to the pod network and holds no secret', () => {
  const config = named('ConfigMap', 'waimai-config')?.data ?? {};

  expect(config.ADMIN_HOST).toBe('0.0.0.0');
  expect(config.NODE_ENV).toBe('production');
  for (const subgraph of SUBGRAPHS) {
    expect(config[subgraph.urlKey]).toBe(`http://${subgraph.name}:${subgraph.port}`);
    expect(config[subgraph.portKey]).toBe(String(subgraph.port));
    expect(config[subgraph.adminPortKey]).toBe(String(subgraph.adminPort));
  }
  expect(Object.keys(config).filter((key) => /SECRET|MYSQL_URL|MYSQL_REPLICA_URLS|REDIS_URL/.test(key))).toEqual([]);
  expect(Object.keys(config).filter((key) => !KNOWN_VARIABLES.has(key))).toEqual([]);
});

test('the Secret template names the secrets and the external MySQL primary, replicas and Redis, and nothing no process reads', () => {
  const secret = named('Secret', 'waimai-secrets')?.stringData ?? {};

  expect(Object.keys(secret).sort()).toEqual(['INTERNAL_SECRET', 'JWT_SECRET', 'MYSQL_REPLICA_URLS', 'MYSQL_URL', 'PAYMENT_WEBHOOK_SECRET', 'REDIS_URL']);
  expect(Object.keys(secret).filter((key) => !KNOWN_VARIABLES.has(key))).toEqual([]);
  expect(secret.MYSQL_REPLICA_URLS?.split(',')).toHaveLength(2);
  expect(Object.values(secret).filter((value) => /change-me/i.test(value))).toEqual([]);
});

test('a migration Job runs migrate --topics with the same config, and the Ingress sends everything to the gateway with websocket timeouts', () => {
  const job = named('Job', 'waimai-migrate');
  const ingress = named('Ingress', 'waimai');

  expect(job?.spec?.template?.spec.containers[0]?.args).toEqual(['migrate', '--topics']);
  expect(job?.spec?.template?.spec.containers[0]?.envFrom).toEqual([{ configMapRef: { name: 'waimai-config' } }, { secretRef: { name: 'waimai-secrets' } }]);
  expect(ingress?.spec?.rules?.flatMap((rule) => rule.http.paths.map((each) => each.backend.service))).toEqual([{ name: 'gateway', port: { name: 'http' } }]);
  expect(Number(ingress?.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
});
