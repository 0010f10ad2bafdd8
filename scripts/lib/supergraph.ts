import { existsSync } from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { parse, print, validate, type GraphQLSchema, type GraphQLError } from 'graphql';
import { SUBGRAPHS as REGISTERED, subgraphNamed, typeDefsFrom, type SubgraphName } from '@waimai/platform';

export const ROOT = path.resolve(__dirname, '..', '..');
export const SUPERGRAPH_PATH = path.join(ROOT, 'schema', 'supergraph.graphql');

/**
 * The subgraphs of the registry, each with the URL the gateway reaches it at by default (the
 * gateway routes by config, not by these: they only make the composed file complete).
 */
export const SUBGRAPHS = REGISTERED.map(({ name, port }) => ({ name, url: `http://127.0.0.1:${port}/graphql` }));

export function subgraphSdlPath(name: SubgraphName): string {
  return path.join(ROOT, subgraphNamed(name).folder, 'src', 'schema.graphql');
}

export type Composition = { ok: true; supergraphSdl: string } | { ok: false; errors: string[] };

export function composeSupergraph(): Composition {
  const result = composeServices(
    SUBGRAPHS.map(({ name, url }) => ({
      name,
      url,
      // With the common definitions it uses, as the subgraph serves it.
      typeDefs: typeDefsFrom(subgraphSdlPath(name)),
    })),
  );
  if (result.errors) return { ok: false, errors: result.errors.map((error) => error.message) };
  return { ok: true, supergraphSdl: result.supergraphSdl };
}

export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

/**
 * The client contract the platform serves: the project's copy under schema/contract. It holds
 * every operation of the shared contract unchanged (a test checks it) plus the operations the
 * project added since (the back office's, …); trusted documents, testkit and the bench read it.
 */
export function contractOperationsPath(): string {
  return path.join(ROOT, 'schema', 'contract', 'operations.graphql');
}

/** The shared contract the frontends were given (shared/contract beside the project), when present. */
export function sharedContractOperationsPath(): string | null {
  const shared = path.resolve(ROOT, '..', 'shared', 'contract', 'operations.graphql');
  return existsSync(shared) ? shared : null;
}

/**
 * The definitions (operations and fragments) of `baseline` that `copy` lacks or holds in
 * another form, by name: an empty list means every operation a client built against the
 * baseline still works as it was written.
 */
export function definitionsMissingFrom(copy: string, baseline: string): string[] {
  const printed = (source: string) =>
    new Map(
      parse(source)
        .definitions.filter((definition) => 'name' in definition && definition.name)
        .map((definition) => [(definition as { name: { value: string } }).name.value, print(definition)]),
    );
  const have = printed(copy);
  return [...printed(baseline)].filter(([name, text]) => have.get(name) !== text).map(([name]) => name);
}

export interface OperationProblem {
  operation: string;
  errors: readonly GraphQLError[];
}

/** Validates every operation of the contract against the API schema, one report per operation. */
export function validateContract(apiSchema: GraphQLSchema, operationsSource: string): OperationProblem[] {
  const document = parse(operationsSource);
  const problems: OperationProblem[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== 'OperationDefinition') continue;
    const errors = validate(apiSchema, { kind: document.kind, definitions: [definition] });
    if (errors.length) problems.push({ operation: definition.name?.value ?? '(anonymous)', errors });
  }
  return problems;
}
