import { existsSync } from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { parse, validate, type GraphQLSchema, type GraphQLError } from 'graphql';
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
 * The client contract: shared/contract beside the project when present (the source of
 * truth), else the copy committed under schema/contract.
 */
export function contractOperationsPath(): string {
  const shared = path.resolve(ROOT, '..', 'shared', 'contract', 'operations.graphql');
  return existsSync(shared) ? shared : path.join(ROOT, 'schema', 'contract', 'operations.graphql');
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
