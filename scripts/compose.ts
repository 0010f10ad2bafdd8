import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { composeSupergraph, SUPERGRAPH_PATH } from './lib/supergraph';

const result = composeSupergraph();
if (!result.ok) {
  process.stderr.write(`Composition failed:\n${result.errors.map((e) => `  - ${e}`).join('\n')}\n`);
  process.exit(1);
}
const before = existsSync(SUPERGRAPH_PATH) ? readFileSync(SUPERGRAPH_PATH, 'utf8') : '';
writeFileSync(SUPERGRAPH_PATH, result.supergraphSdl);
process.stdout.write(before === result.supergraphSdl ? 'schema/supergraph.graphql is up to date.\n' : 'Wrote schema/supergraph.graphql.\n');
