import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type ParseOptions,
  type SelectionSetNode,
} from 'graphql';

/**
 * Limits on the document, priced before graphql-js validates it and long before anything is
 * planned or executed. Two steps, both linear in the document's size:
 *
 * 1. The parser stops after `maxTokens` tokens (graphql-js's own `maxTokens` parse option,
 *    the mechanism GraphQL Armor's max-tokens plugin wraps).
 * 2. `DocumentGuard.check` walks the parsed document once and refuses it over the depth, cost,
 *    alias, repeat, field and directive limits.
 *
 * Why before validation: graphql-js's OverlappingFieldsCanBeMergedRule compares every pair of
 * fields that share a response name, so 1,500 copies of `product(id: "…") { id }` took 23 s to
 * validate (250 copies: 0.8 s). Validation rules run in one pass with that rule, so a limit
 * written as a validation rule (GraphQL Armor's included) cannot stop it; a pre-check can. With
 * repeats capped, the rule compares a bounded number of pairs.
 *
 * Every measure expands fragments (a fragment spread twice counts twice, which is what defeats
 * "fragment bombs"), memoised per fragment so a hostile document is measured in linear time.
 */
export interface OperationLimits {
  /** Lexical tokens in the document, counted by the parser. */
  maxTokens: number;
  /** Deepest field nesting, e.g. `{ order { merchant { name } } }` is 3. */
  maxDepth: number;
  /** Fields in the response shape; a list field multiplies its children by its page size. */
  maxCost: number;
  /** Page size assumed when a list field's `first`/`last` is a variable or missing. */
  defaultListSize: number;
  /** Aliased fields, counted after fragment expansion. */
  maxAliases: number;
  /** Fields with one response name in one selection set, through its fragments (`{ a a a }` is 3). */
  maxFieldRepeats: number;
  /** Fields of an operation after fragment expansion, page sizes aside. */
  maxFields: number;
  /** Directives of an operation after fragment expansion. */
  maxDirectives: number;
}

export type LimitName = 'tokens' | 'depth' | 'cost' | 'aliases' | 'repeats' | 'fields' | 'directives';

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);
const PAGE_SIZE_ARGUMENTS = new Set(['first', 'last']);

/** What one selection set (or field) adds to its operation. */
interface Price {
  depth: number;
  cost: number;
  aliases: number;
  fields: number;
  directives: number;
}

const FREE: Price = { depth: 0, cost: 0, aliases: 0, fields: 0, directives: 0 };

function pageSizeOf(field: FieldNode, defaultListSize: number): number {
  const argument = field.arguments?.find((arg) => PAGE_SIZE_ARGUMENTS.has(arg.name.value));
  if (!argument) return 1;
  if (argument.value.kind === Kind.INT) return Math.max(0, Number.parseInt(argument.value.value, 10));
  return defaultListSize;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/**
 * Prices selection sets: depth (introspection's `ofType` chains do not count: each type has at
 * most one `ofType`, so they cannot fan out, and GraphiQL's introspection query nests them seven
 * deep), cost (every field 1, a paginated field multiplies its children by its page size), aliases,
 * fields and directives.
 */
function pricer(fragments: Map<string, FragmentDefinitionNode>, defaultListSize: number) {
  const memo = new Map<string, Price>();
  const inProgress = new Set<string>();

  const price = (selectionSet: SelectionSetNode, inIntrospection: boolean): Price => {
    const total = { ...FREE };
    const add = (part: Price) => {
      total.depth = Math.max(total.depth, part.depth);
      total.cost += part.cost;
      total.aliases += part.aliases;
      total.fields += part.fields;
      total.directives += part.directives;
    };
    for (const selection of selectionSet.selections) {
      const directives = selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        const childIntrospection = inIntrospection || INTROSPECTION_ROOTS.has(selection.name.value);
        const children = selection.selectionSet ? price(selection.selectionSet, childIntrospection) : FREE;
        add({
          depth: childIntrospection && selection.name.value === 'ofType' ? children.depth : 1 + children.depth,
          cost: 1 + pageSizeOf(selection, defaultListSize) * children.cost,
          aliases: (selection.alias ? 1 : 0) + children.aliases,
          fields: 1 + children.fields,
          directives: directives + children.directives,
        });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const children = price(selection.selectionSet, inIntrospection);
        add({ ...children, directives: directives + children.directives });
      } else {
        const name = selection.name.value;
        const key = `${inIntrospection ? 'i' : 'o'}:${name}`;
        let known = memo.get(key);
        if (known === undefined) {
          const fragment = fragments.get(name);
          // Unknown fragments and cycles are reported by graphql's own validation.
          if (!fragment || inProgress.has(key)) continue;
          inProgress.add(key);
          const children = price(fragment.selectionSet, inIntrospection);
          inProgress.delete(key);
          known = { ...children, directives: (fragment.directives?.length ?? 0) + children.directives };
          memo.set(key, known);
        }
        add({ ...known, directives: directives + known.directives });
      }
    }
    return total;
  };
  return price;
}

/**
 * The most fields sharing one response name in any selection set of the document, with the
 * fields its inline fragments and fragment spreads bring into that set (graphql's field merging
 * sees them as one set). Memoised per fragment.
 */
function mostRepeatedField(document: DocumentNode, fragments: Map<string, FragmentDefinitionNode>): { name: string; count: number } {
  const memo = new Map<string, Map<string, number>>();
  const inProgress = new Set<string>();
  let worst = { name: '', count: 0 };

  const collect = (selectionSet: SelectionSetNode, into: Map<string, number>) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.alias?.value ?? selection.name.value;
        into.set(name, (into.get(name) ?? 0) + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet, into);
      } else {
        for (const [name, count] of fragmentFields(selection.name.value)) into.set(name, (into.get(name) ?? 0) + count);
      }
    }
  };
  const fragmentFields = (name: string): Map<string, number> => {
    const known = memo.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(name)) return new Map();
    inProgress.add(name);
    const fields = new Map<string, number>();
    collect(fragment.selectionSet, fields);
    inProgress.delete(name);
    memo.set(name, fields);
    return fields;
  };
  const visit = (selectionSet: SelectionSetNode) => {
    const fields = new Map<string, number>();
    collect(selectionSet, fields);
    for (const [name, count] of fields) if (count > worst.count) worst = { name, count };
    for (const selection of selectionSet.selections) {
      if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) visit(selection.selectionSet);
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) visit(definition.selectionSet);
  }
  return worst;
}

function operationLabel(operation: OperationDefinitionNode | undefined): string {
  return operation?.name ? `Operation ${operation.name.value}` : 'The operation';
}

/**
 * A refused document: HTTP 400 and the contract's BAD_REQUEST, with which limit, its maximum
 * and what the document has. `http` is read by Apollo Server and dropped from the response.
 */
export function limitError(message: string, limit: LimitName, maximum: number, actual: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'BAD_REQUEST', limit, maximum, actual, http: { status: 400 } },
  });
}

/** graphql-js's parse error for a document over `maxTokens`, as a limit error. */
export function tokenLimitError(error: GraphQLError, maxTokens: number): GraphQLError | null {
  // graphql-js 16 words it "Document contains more that N tokens".
  if (!/Document contains more th\w+ \d+ tokens/.test(error.message)) return null;
  return limitError(`The document has more than ${maxTokens} tokens; the limit is ${maxTokens}.`, 'tokens', maxTokens, maxTokens + 1);
}

export interface DocumentGuard {
  /** For graphql-js `parse` (Apollo Server's `parseOptions`): stops at the token limit. */
  parseOptions: ParseOptions;
  /** The first limit the document breaks, or null. Linear in the document's size. */
  check(document: DocumentNode): GraphQLError | null;
}

export function createDocumentGuard(limits: OperationLimits): DocumentGuard {
  return {
    parseOptions: { maxTokens: limits.maxTokens },
    check(document) {
      const fragments = fragmentsOf(document);
      const price = pricer(fragments, limits.defaultListSize);
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        const label = operationLabel(definition);
        const { depth, cost, aliases, fields, directives: selected } = price(definition.selectionSet, false);
        const directives = selected + (definition.directives?.length ?? 0);
        const measures: [LimitName, number, number, string][] = [
          ['depth', depth, limits.maxDepth, `is ${depth} levels deep`],
          ['cost', cost, limits.maxCost, `costs ${cost}`],
          ['aliases', aliases, limits.maxAliases, `uses ${aliases} aliases`],
          ['fields', fields, limits.maxFields, `selects ${fields} fields`],
          ['directives', directives, limits.maxDirectives, `uses ${directives} directives`],
        ];
        for (const [limit, actual, maximum, what] of measures) {
          if (actual > maximum) return limitError(`${label} ${what}; the limit is ${maximum}.`, limit, maximum, actual);
        }
      }
      const repeated = mostRepeatedField(document, fragments);
      if (repeated.count > limits.maxFieldRepeats) {
        return limitError(
          `The field "${repeated.name}" is selected ${repeated.count} times in one selection set; the limit is ${limits.maxFieldRepeats}.`,
          'repeats',
          limits.maxFieldRepeats,
          repeated.count,
        );
      }
      return null;
    },
  };
}

export function limitsFromConfig(config: {
  MAX_QUERY_TOKENS: number;
  MAX_QUERY_DEPTH: number;
  MAX_QUERY_COST: number;
  QUERY_COST_DEFAULT_LIST_SIZE: number;
  MAX_QUERY_ALIASES: number;
  MAX_FIELD_REPEATS: number;
  MAX_QUERY_FIELDS: number;
  MAX_QUERY_DIRECTIVES: number;
}): OperationLimits {
  return {
    maxTokens: config.MAX_QUERY_TOKENS,
    maxDepth: config.MAX_QUERY_DEPTH,
    maxCost: config.MAX_QUERY_COST,
    defaultListSize: config.QUERY_COST_DEFAULT_LIST_SIZE,
    maxAliases: config.MAX_QUERY_ALIASES,
    maxFieldRepeats: config.MAX_FIELD_REPEATS,
    maxFields: config.MAX_QUERY_FIELDS,
    maxDirectives: config.MAX_QUERY_DIRECTIVES,
  };
}
