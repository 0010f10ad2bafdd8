import {
  GraphQLError,
  Kind,
  type FieldNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * Limits on the shape of an operation, checked as GraphQL validation rules before anything
 * is planned or executed. They are plain `ValidationRule`s so the HTTP server (Apollo
 * Server's `validationRules`) and the websocket server (graphql-ws `onSubscribe`) apply the
 * very same rules.
 *
 * Every measure expands fragments (a fragment spread twice counts twice, which is what
 * defeats "fragment bombs"), memoised per fragment so a hostile document is measured in
 * time linear in its size.
 */
export interface OperationLimits {
  /** Deepest field nesting, e.g. `{ order { merchant { name } } }` is 3. */
  maxDepth: number;
  /** Fields in the response shape; a list field multiplies its children by its page size. */
  maxCost: number;
  /** Page size assumed when a list field's `first`/`last` is a variable or missing. */
  defaultListSize: number;
  /** Aliased fields, counted after fragment expansion. */
  maxAliases: number;
}

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);
const PAGE_SIZE_ARGUMENTS = new Set(['first', 'last']);

type Measure = (selectionSet: SelectionSetNode, inIntrospection: boolean) => number;

/**
 * Walks selection sets, expanding fragment spreads through a per-fragment memo. `combine`
 * says what one field contributes given its children's measure.
 */
function measurer(
  context: ValidationContext,
  combine: (field: FieldNode, children: number, inIntrospection: boolean) => number,
  aggregate: (values: number[]) => number,
): Measure {
  const memo = new Map<string, number>();
  const inProgress = new Set<string>();

  const measure: Measure = (selectionSet, inIntrospection) => {
    const values: number[] = [];
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const childIntrospection = inIntrospection || INTROSPECTION_ROOTS.has(selection.name.value);
        const children = selection.selectionSet ? measure(selection.selectionSet, childIntrospection) : 0;
        values.push(combine(selection, children, childIntrospection));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        values.push(measure(selection.selectionSet, inIntrospection));
      } else {
        const name = selection.name.value;
        const key = `${inIntrospection ? 'i' : 'o'}:${name}`;
        const known = memo.get(key);
        if (known !== undefined) {
          values.push(known);
          continue;
        }
        const fragment = context.getFragment(name);
        // Unknown fragments and cycles are reported by graphql's own rules.
        if (!fragment || inProgress.has(key)) continue;
        inProgress.add(key);
        const value = measure(fragment.selectionSet, inIntrospection);
        inProgress.delete(key);
        memo.set(key, value);
        values.push(value);
      }
    }
    return aggregate(values);
  };
  return measure;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const max = (values: number[]) => values.reduce((deepest, value) => Math.max(deepest, value), 0);

function operationName(operation: OperationDefinitionNode): string {
  return operation.name ? `Operation ${operation.name.value}` : 'The operation';
}

function limitError(message: string, operation: OperationDefinitionNode, limit: string, maximum: number, actual: number) {
  return new GraphQLError(message, {
    nodes: [operation],
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit, maximum, actual },
  });
}

/** Measures every operation of the document once and reports those over `maximum`. */
function operationRule(
  measureOf: (context: ValidationContext) => Measure,
  report: (operation: OperationDefinitionNode, actual: number) => GraphQLError | null,
): ValidationRule {
  return (context) => {
    const measure = measureOf(context);
    return {
      OperationDefinition(operation) {
        const error = report(operation, measure(operation.selectionSet, false));
        if (error) context.reportError(error);
        // The measure already walked the whole operation.
        return false;
      },
    };
  };
}

/**
 * Refuses operations nested deeper than `maxDepth`. Introspection's `ofType` chains do not
 * count: each type has at most one `ofType`, so they cannot fan out, and GraphiQL's
 * introspection query nests them seven deep.
 */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return operationRule(
    (context) =>
      measurer(
        context,
        (field, children, inIntrospection) => (inIntrospection && field.name.value === 'ofType' ? children : 1 + children),
        max,
      ),
    (operation, depth) =>
      depth > maxDepth
        ? limitError(`${operationName(operation)} is ${depth} levels deep; the limit is ${maxDepth}.`, operation, 'depth', maxDepth, depth)
        : null,
  );
}

function pageSizeOf(field: FieldNode, defaultListSize: number): number {
  const argument = field.arguments?.find((arg) => PAGE_SIZE_ARGUMENTS.has(arg.name.value));
  if (!argument) return 1;
  if (argument.value.kind === Kind.INT) return Math.max(0, Number.parseInt(argument.value.value, 10));
  return defaultListSize;
}

/**
 * Refuses operations whose response could hold more than `maxCost` fields: every field
 * costs 1, and a paginated field (`first`/`last`) multiplies its children by its page size
 * (`defaultListSize` when the size is a variable, since validation runs before variables
 * are known; the servers cap page sizes at 100 anyway).
 */
export function costLimitRule(maxCost: number, defaultListSize: number): ValidationRule {
  return operationRule(
    (context) => measurer(context, (field, children) => 1 + pageSizeOf(field, defaultListSize) * children, sum),
    (operation, cost) =>
      cost > maxCost
        ? limitError(`${operationName(operation)} costs ${cost}; the limit is ${maxCost}.`, operation, 'cost', maxCost, cost)
        : null,
  );
}

/** Refuses operations with more than `maxAliases` aliased fields (after fragment expansion). */
export function aliasLimitRule(maxAliases: number): ValidationRule {
  return operationRule(
    (context) => measurer(context, (field, children) => (field.alias ? 1 : 0) + children, sum),
    (operation, aliases) =>
      aliases > maxAliases
        ? limitError(`${operationName(operation)} uses ${aliases} aliases; the limit is ${maxAliases}.`, operation, 'aliases', maxAliases, aliases)
        : null,
  );
}

/** The gateway's rules, for Apollo Server's `validationRules` and the websocket server alike. */
export function operationLimitRules(limits: OperationLimits): ValidationRule[] {
  return [
    depthLimitRule(limits.maxDepth),
    costLimitRule(limits.maxCost, limits.defaultListSize),
    aliasLimitRule(limits.maxAliases),
  ];
}

export function limitsFromConfig(config: {
  MAX_QUERY_DEPTH: number;
  MAX_QUERY_COST: number;
  QUERY_COST_DEFAULT_LIST_SIZE: number;
  MAX_QUERY_ALIASES: number;
}): OperationLimits {
  return {
    maxDepth: config.MAX_QUERY_DEPTH,
    maxCost: config.MAX_QUERY_COST,
    defaultListSize: config.QUERY_COST_DEFAULT_LIST_SIZE,
    maxAliases: config.MAX_QUERY_ALIASES,
  };
}
