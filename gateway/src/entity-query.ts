import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  parseType,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';

/** The query one subscription runs per event, built once when it starts. */
export interface EntityQuery {
  /** The query text, e.g. `query OrderOffers($entityId: ID!) { orderOffers: orderOffer(id: $entityId) { … } }`. */
  query: string;
  operationName: string | undefined;
  /** The client's variables that the query still uses. */
  variables: Record<string, unknown>;
  /** The variable that carries the entity's id. */
  idVariable: string;
  /** The subscription field's response name (its alias or name): the key of every event's data. */
  responseName: string;
}

/**
 * The subscription's single root field, looked for through inline fragments and fragment
 * spreads as graphql-js collects it. Validation has already made sure there is exactly one.
 */
export function rootFieldOf(document: DocumentNode, operation: OperationDefinitionNode): FieldNode {
  const fragments = fragmentsOf(document);
  const seen = new Set<string>();
  const find = (selectionSet: SelectionSetNode): FieldNode | null => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) return selection;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const found = find(selection.selectionSet);
        if (found) return found;
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        const found = fragment ? find(fragment.selectionSet) : null;
        if (found) return found;
      }
    }
    return null;
  };
  const field = find(operation.selectionSet);
  if (!field) throw new GraphQLError('The subscription selects no field.', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  return field;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** Fragments reachable from `selectionSet` (transitively) and the variables they and it use. */
function usedBy(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>) {
  const usedFragments = new Set<string>();
  const usedVariables = new Set<string>();
  const pending: SelectionSetNode[] = [selectionSet];
  for (let next = pending.pop(); next; next = pending.pop()) {
    visit(next, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = fragments.get(name);
        if (usedFragments.has(name) || !fragment) return;
        usedFragments.add(name);
        pending.push(fragment.selectionSet);
      },
      Variable(variable) {
        usedVariables.add(variable.name.value);
      },
    });
  }
  return { usedFragments, usedVariables };
}

function freshVariableName(taken: ReadonlySet<string>): string {
  let name = 'entityId';
  for (let n = 2; taken.has(name); n += 1) name = `entityId${n}`;
  return name;
}

/**
 * Turns a subscription into the query that loads one event's entity, the way Apollo Router
 * and Hive Gateway resolve subscription events: the root field `orderOffers { … }` becomes
 * `orderOffers: orderOffer(id: $entityId) { … }`, with the client's own selection set,
 * fragments and variables, so every field resolves through the supergraph as in a query.
 * Fragments and variables only the root field used are left out (GraphQL refuses unused ones).
 */
export function entityQueryFor(options: {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  rootField: FieldNode;
  entityField: string;
  variables: Readonly<Record<string, unknown>> | null | undefined;
}): EntityQuery {
  const { schema, document, operation, rootField, entityField } = options;
  const idArgument = schema.getQueryType()?.getFields()[entityField]?.args.find((arg) => arg.name === 'id');
  if (!idArgument) throw new Error(`The supergraph has no Query.${entityField}(id: …) to load subscription events with.`);

  const fragments = fragmentsOf(document);
  const { usedFragments, usedVariables } = rootField.selectionSet
    ? usedBy(rootField.selectionSet, fragments)
    : { usedFragments: new Set<string>(), usedVariables: new Set<string>() };
  const declared = operation.variableDefinitions ?? [];
  const idVariable = freshVariableName(new Set(declared.map((definition) => definition.variable.name.value)));
  const responseName = (rootField.alias ?? rootField.name).value;

  const idDefinition: VariableDefinitionNode = {
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: idVariable } },
    type: parseType(String(idArgument.type)),
  };
  const entitySelection: FieldNode = {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: responseName },
    name: { kind: Kind.NAME, value: entityField },
    arguments: [
      {
        kind: Kind.ARGUMENT,
        name: { kind: Kind.NAME, value: 'id' },
        value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: idVariable } },
      },
    ],
    directives: [],
    ...(rootField.selectionSet ? { selectionSet: rootField.selectionSet } : {}),
  };
  const query: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: OperationTypeNode.QUERY,
        ...(operation.name ? { name: operation.name } : {}),
        variableDefinitions: [idDefinition, ...declared.filter((definition) => usedVariables.has(definition.variable.name.value))],
        directives: [],
        selectionSet: { kind: Kind.SELECTION_SET, selections: [entitySelection] },
      },
      ...[...fragments.values()].filter((fragment) => usedFragments.has(fragment.name.value)),
    ],
  };

  const variables: Record<string, unknown> = {};
  for (const name of usedVariables) {
    if (options.variables && Object.hasOwn(options.variables, name)) variables[name] = options.variables[name];
  }
  return { query: print(query), operationName: operation.name?.value, variables, idVariable, responseName };
}
