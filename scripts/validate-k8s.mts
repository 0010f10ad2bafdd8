/**
 * `tsx scripts/validate-k8s.mts [dir]`: validates every Kubernetes object in the YAML files of
 * `dir` (default deploy/k8s) against the Kubernetes API's OpenAPI schemas, as kubernetes-models
 * (npm) ships them, compiled: no cluster needed. Prints one JSON report
 * `{ objects: [{ file, apiVersion, kind, name }], problems: [string] }` and exits 1 on any
 * problem. An ES module because kubernetes-models is one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

/** The module of kubernetes-models that holds an apiVersion's kinds: `apps/v1` → kubernetes-models/apps/v1, `v1` → kubernetes-models/v1. */
async function modelOf(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const exports = (await import(`kubernetes-models/${apiVersion}`).catch(() => ({}))) as Record<string, unknown>;
  const model = exports[kind];
  return typeof model === 'function' ? (model as ModelClass) : undefined;
}

async function validate(dir: string) {
  const objects: Array<{ file: string; apiVersion: string; kind: string; name: string }> = [];
  const problems: string[] = [];

  for (const file of readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort()) {
    for (const document of parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
      if (document.errors.length) {
        problems.push(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
        continue;
      }
      const object = document.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string } } | null;
      if (!object) continue;
      const { apiVersion = '', kind = '' } = object;
      const name = object.metadata?.name ?? '';
      // kustomize's own file is no API object.
      if (apiVersion.startsWith('kustomize.config.k8s.io/')) continue;
      objects.push({ file, apiVersion, kind, name });
      const Model = await modelOf(apiVersion, kind);
      if (!Model) {
        problems.push(`${file}: ${kind} ${name}: no schema for ${apiVersion} ${kind}`);
        continue;
      }
      try {
        new Model(object).validate();
      } catch (err) {
        problems.push(`${file}: ${kind} ${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
}

return { objects, problems };
}

// From the workspace root, as `pnpm exec tsx scripts/validate-k8s.mts` runs it.
validate(path.resolve(process.argv[2] ?? path.join('deploy', 'k8s'))).then(
  (report) => {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.exit(report.problems.length ? 1 : 0);
  },
  (err: unknown) => {
    process.stderr.write(`validate-k8s: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
