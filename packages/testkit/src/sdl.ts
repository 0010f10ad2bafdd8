import { readFileSync } from 'node:fs';
import { Kind, parse, type EnumTypeDefinitionNode } from 'graphql';

/** The values of enum `name` in an SDL file, in their order there; empty when there is no such enum. */
export function enumValuesIn(sdlFile: string, name: string): string[] {
  const document = parse(readFileSync(sdlFile, 'utf8'));
  const definition = document.definitions.find(
    (each): each is EnumTypeDefinitionNode => each.kind === Kind.ENUM_TYPE_DEFINITION && each.name.value === name,
  );
  return definition?.values?.map((value) => value.name.value) ?? [];
}
