import { readFileSync } from 'node:fs';
import { apiSchemaOf, contractOperationsPath, validateContract, SUPERGRAPH_PATH } from './lib/supergraph';

const source = readFileSync(contractOperationsPath(), 'utf8');
const problems = validateContract(apiSchemaOf(readFileSync(SUPERGRAPH_PATH, 'utf8')), source);
if (problems.length) {
  for (const { operation, errors } of problems) {
    process.stderr.write(`${operation}:\n${errors.map((e) => `  - ${e.message}`).join('\n')}\n`);
  }
  process.exit(1);
}
process.stdout.write(`Every contract operation validates against schema/supergraph.graphql (${contractOperationsPath()}).\n`);
