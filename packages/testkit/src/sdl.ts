import { Kind, parse, type EnumTypeDefinitionNode } from 'graphql';
import { subgraphSdl } from '@waimai/platform';

/**
 * The values of enum `name` in a subgraph's SDL (its schema.graphql plus the common
 * definitions it uses, as served), in their order there; empty when there is no such enum.
 */
export function enumValuesIn(sdlFile: string, name: string): string[] {
  const document = parse(subgraphSdl(sdlFile));
  const definition = document.definitions.find(
    (each): each is EnumTypeDefinitionNode => each.kind === Kind.ENUM_TYPE_DEFINITION && each.name.value === name,
  );
  return definition?.values?.map((value) => value.name.value) ?? [];
}
