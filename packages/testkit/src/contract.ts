import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, print, separateOperations } from 'graphql';

const CONTRACT_OPERATIONS = path.resolve(__dirname, '..', '..', '..', 'schema', 'contract', 'operations.graphql');

let operations: Map<string, string> | undefined;

/**
 * The contract's operation `name` (schema/contract/operations.graphql) with the fragments it
 * uses, printed by graphql-js: tests and the bench send what the apps send, and a change to
 * the contract reaches them. The file is parsed once per process.
 */
export function contractOperation(name: string): string {
  operations ??= new Map(
    Object.entries(separateOperations(parse(readFileSync(CONTRACT_OPERATIONS, 'utf8')))).map(([operationName, document]) => [operationName, print(document)]),
  );
  const body = operations.get(name);
  if (body === undefined) throw new Error(`schema/contract/operations.graphql has no operation named ${name}.`);
  return body;
}
