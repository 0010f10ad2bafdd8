import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import {
  apiSchemaOf,
  composeSupergraph,
  contractOperationsPath,
  definitionsMissingFrom,
  sharedContractOperationsPath,
  SUPERGRAPH_PATH,
  validateContract,
} from '../../scripts/lib/supergraph';
import { TRUSTED_DOCUMENTS_PATH, trustedDocumentsJson } from '../../scripts/trusted-documents';

describe('the supergraph', () => {
  const composition = composeSupergraph();

  test('the subgraph schemas compose', () => {
    expect(composition.ok ? [] : composition.errors).toEqual([]);
  });

  test('schema/supergraph.graphql is what the subgraph schemas compose to now (run `pnpm compose` when this fails)', () => {
    expect(composition.ok && composition.supergraphSdl).toBe(readFileSync(SUPERGRAPH_PATH, 'utf8'));
  });

  test('every operation of the client contract validates against the API schema', () => {
    const source = readFileSync(contractOperationsPath(), 'utf8');
    const problems = validateContract(apiSchemaOf(readFileSync(SUPERGRAPH_PATH, 'utf8')), source);
    expect(problems.map(({ operation, errors }) => `${operation}: ${errors.map((e) => e.message).join('; ')}`)).toEqual([]);
    const operations = parse(source).definitions.filter((definition) => definition.kind === 'OperationDefinition');
    expect(operations.length).toBeGreaterThanOrEqual(20);
  });

  test('the project\'s contract holds every operation and fragment of the shared one, unchanged, when the shared one is present', () => {
    const shared = sharedContractOperationsPath();
    const copy = readFileSync(contractOperationsPath(), 'utf8');
    const baseline = shared ? readFileSync(shared, 'utf8') : copy;
    expect(definitionsMissingFrom(copy, baseline)).toEqual([]);
  });

  test('schema/contract/trusted-documents.json lists every contract operation as it is now (run `pnpm trusted-documents` when this fails)', () => {
    expect(readFileSync(TRUSTED_DOCUMENTS_PATH, 'utf8')).toBe(trustedDocumentsJson());
  });
});
