import type { CodegenConfig } from '@graphql-codegen/cli';
import { existsSync, readFileSync } from 'node:fs';
import { SUBGRAPHS, subgraphSdl } from '@waimai/platform';

/**
 * Resolver types per subgraph of the registry (federation: true). Each subgraph lists its
 * mappers (GraphQL type → the plain object its resolvers receive, usually a drizzle row) in
 * codegen.json.
 */
function mappersOf(folder: string): Record<string, string> {
  const file = `${folder}/codegen.json`;
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { mappers: Record<string, string> }).mappers : {};
}

const config: CodegenConfig = {
  overwrite: true,
  generates: Object.fromEntries(
    SUBGRAPHS.map(({ folder }) => [
      `${folder}/src/generated/graphql.ts`,
      {
        // The SDL itself: schema.graphql with the common definitions it uses (DateTime, GeoPoint, ...).
        schema: subgraphSdl(`${folder}/src/schema.graphql`),
        plugins: ['typescript', 'typescript-resolvers'],
        config: {
          federation: true,
          useIndexSignature: false,
          contextType: '../context#Context',
          mappers: mappersOf(folder),
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
