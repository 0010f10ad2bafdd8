import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kind, parse, print, visit, type DefinitionNode, type DocumentNode, type FragmentDefinitionNode } from 'graphql';

/**
 * Trusted documents (persisted query lists): with TRUSTED_DOCUMENTS=true the gateway runs
 * only the operations of a manifest generated from the client contract, as mobile apps
 * expect: a client sends the operation's sha256 (`extensions.persistedQuery.sha256Hash`, the
 * APQ shape, or the full text whose hash is listed), and nothing else runs.
 *
 * The manifest has Apollo's persisted query manifest format, which Apollo Client's
 * `generate-persisted-query-manifest` also writes.
 */
export interface TrustedOperation {
  /** sha256 (hex) of `body`. */
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  /** The operation and the fragments it uses, printed by graphql-js. */
  body: string;
}

export interface TrustedDocumentManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: TrustedOperation[];
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Fragments `definition` spreads, directly or through other fragments. */
function usedFragments(definition: DefinitionNode, fragments: Map<string, FragmentDefinitionNode>): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const pending: DefinitionNode[] = [definition];
  for (let node = pending.pop(); node; node = pending.pop()) {
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !used.has(spread.name.value)) {
          used.set(spread.name.value, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  return [...used.values()].sort((a, b) => a.name.value.localeCompare(b.name.value));
}

/** The manifest of every named operation in `source` (the contract's operations.graphql). */
export function buildManifest(source: string): TrustedDocumentManifest {
  const document = parse(source);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const operations: TrustedOperation[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION || !definition.name) continue;
    const standalone: DocumentNode = { kind: Kind.DOCUMENT, definitions: [definition, ...usedFragments(definition, fragments)] };
    const body = print(standalone);
    operations.push({ id: sha256(body), name: definition.name.value, type: definition.operation, body });
  }
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

export function loadManifest(file: string): Map<string, string> {
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as TrustedDocumentManifest;
  if (manifest.format !== 'apollo-persisted-query-manifest' || manifest.version !== 1) {
    throw new Error(`${file} is not an apollo-persisted-query-manifest of version 1.`);
  }
  return new Map(manifest.operations.map((operation) => [operation.id, operation.body]));
}

export type TrustedResolution = { query: string } | { refused: { message: string; code: string } };

/**
 * The document to run for a request that names `hash` and/or carries `query`, or why it is
 * refused: an unknown hash is PERSISTED_QUERY_NOT_FOUND, text that is not in the manifest is
 * BAD_REQUEST.
 */
export function resolveTrusted(trusted: Map<string, string>, query: unknown, hash: unknown): TrustedResolution {
  if (typeof hash === 'string') {
    const body = trusted.get(hash);
    if (body === undefined) return { refused: { message: 'No trusted document has this hash.', code: 'PERSISTED_QUERY_NOT_FOUND' } };
    if (typeof query === 'string' && query !== body) return { refused: { message: 'The query is not the trusted document of this hash.', code: 'BAD_REQUEST' } };
    return { query: body };
  }
  if (typeof query === 'string' && trusted.has(sha256(query))) return { query };
  return { refused: { message: 'Only trusted documents run here: send the sha256 of a listed operation in extensions.persistedQuery.', code: 'BAD_REQUEST' } };
}

interface PersistedRequest {
  query?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } };
}

/**
 * For an HTTP request's JSON body (Apollo's APQ is off): the body with the hash replaced by
 * its trusted document, or why it is refused (answered 400).
 */
export function trustedBody(trusted: Map<string, string>, body: unknown): { body: unknown } | { refused: { message: string; code: string } } {
  const request = (typeof body === 'object' && body !== null ? body : {}) as PersistedRequest;
  const resolution = resolveTrusted(trusted, request.query, request.extensions?.persistedQuery?.sha256Hash);
  if ('refused' in resolution) return resolution;
  const { persistedQuery: _persistedQuery, ...extensions } = request.extensions ?? {};
  return { body: { ...request, query: resolution.query, extensions } };
}
