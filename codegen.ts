import type { CodegenConfig } from '@graphql-codegen/cli';
import { existsSync, readFileSync } from 'node:fs';

/**
 * Resolver types per subgraph (federation: true). Each subgraph lists its mappers (GraphQL
 * type → the plain object its resolvers receive, usually a drizzle row) in codegen.json.
 */
const subgraphs = ['products', 'orders', 'payments', 'riders'];

function mappersOf(name: string): Record<string, string> {
  const file = `subgraphs/${name}/codegen.json`;
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { mappers: Record<string, string> }).mappers : {};
}

const config: CodegenConfig = {
  overwrite: true,
  generates: Object.fromEntries(
    subgraphs.map((name) => [
      `subgraphs/${name}/src/generated/graphql.ts`,
      {
        schema: `subgraphs/${name}/src/schema.graphql`,
        plugins: ['typescript', 'typescript-resolvers'],
        config: {
          federation: true,
          useIndexSignature: false,
          contextType: '../context#Context',
          mappers: mappersOf(name),
          scalars: { DateTime: { input: 'Date', output: 'Date | string' } },
          enumsAsTypes: true,
          avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
          maybeValue: 'T | null',
          inputMaybeValue: 'T | null | undefined',
          resolverTypeWrapperSignature: 'T | Promise<T>',
        },
      },
    ]),
  ),
};

export default config;
