import {
  execute,
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  type OperationDefinitionNode,
} from 'graphql';
import type { Path } from 'graphql/jsutils/Path';
import { entityQueryFor, type EntityQuery } from './entity-query';
import type { DocumentGuard } from './limits';
import type { OperationRequest, OperationResponse } from './subscriptions';

/**
 * An entity as an event carries it: the API schema's field names (no aliases), nested objects
 * as plain objects, leaves as they serialize (strings for DateTime and enums). A key that is
 * absent is not carried; a key that is present (null included) is the value.
 */
export type CarriedState = Record<string, unknown>;

/** Runs one operation through the supergraph as the subscriber. */
export type SubscriberLoad = (request: OperationRequest) => Promise<OperationResponse>;

/** How a carried event was answered: from the event alone, or from it plus loads of what it lacked; or why not (the caller then loads the whole entity). */
export type CarriedOutcome = { result: ExecutionResult; loads: number } | { fallback: string };

/** A subtree loaded through the supergraph: keyed by response names (aliases), as any query result. */
class Loaded {
  constructor(readonly data: Record<string, unknown>) {}
}

/** An object value met while answering: the field nodes that selected it, its type, and where it hangs. */
interface ObjectAt {
  fieldNodes: readonly FieldNode[];
  typeName: string;
  value: unknown;
  parent: string | null;
}

/** The response path as a string key, e.g. `orderOffers.order.merchant`. */
function pathKey(path: Path | undefined): string {
  const keys: Array<string | number> = [];
  for (let at = path; at; at = at.prev) keys.push(at.key);
  return keys.reverse().join('.');
}

/** The same without list indices: one load query serves every element of a list. */
const shapeKey = (key: string) => key.replace(/\.\d+(?=\.|$)/g, '.[]');

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function asLoaded(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asLoaded);
  return isPlainObject(value) ? new Loaded(value) : value;
}

/**
 * For each object type of the API schema, the Query field that loads one by id
 * (`merchant(id: ID!): Merchant`): how a missing part of a carried entity is loaded.
 */
export function entityLoadersOf(schema: GraphQLSchema): Map<string, string> {
  const loaders = new Map<string, string>();
  const fields = schema.getQueryType()?.getFields() ?? {};
  for (const [name, field] of Object.entries(fields)) {
    const type = isNonNullType(field.type) ? field.type.ofType : field.type;
    if (!isObjectType(type)) continue;
    const id = field.args.find((arg) => arg.name === 'id');
    if (!id || String(id.type) !== 'ID!' || field.args.some((arg) => arg !== id && isNonNullType(arg.type) && arg.defaultValue === undefined)) continue;
    // `merchant` for Merchant when several fields qualify.
    const preferred = type.name.charAt(0).toLowerCase() + type.name.slice(1);
    if (!loaders.has(type.name) || name === preferred) loaders.set(type.name, name);
  }
  return loaders;
}

export interface CarriedStateOptions {
  schema: GraphQLSchema;
  /** The subscription as the client sent it, validated. */
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The root field's name (not its alias): the carried entity is its value. */
  field: string;
  variables: Record<string, unknown>;
  guard: DocumentGuard;
  /** Object type name → the Query field that loads one by id (entityLoadersOf), per schema. */
  loaders: ReadonlyMap<string, string>;
}

/**
 * Answers one subscription's events from the state they carry (event-carried state), shared by
 * every subscriber with the same document and variables:
 *
 * 1. the subscription runs with graphql-js on the API schema over the carried entity, as the
 *    local sources do, so aliases, fragments, directives and variables apply as in a query;
 * 2. a field the event does not carry (absent, or one taking arguments) marks the nearest
 *    enclosing object that has an `id` and a Query field loading its type by id (a Merchant:
 *    `merchant(id:)`); that object's selection is loaded through the supergraph as the
 *    subscriber, and the run is repeated with it;
 * 3. anything else (the root entity itself lacks something, a load answers null or errors, an
 *    error in the run) answers `{ fallback: why }`: the caller then loads the whole entity as
 *    before.
 *
 * The carried state is what the producer decided the event's audience may see; the router hands
 * the event only to the subscribers its keys name, exactly as an event that is loaded.
 */
export function carriedStateAnswerer(options: CarriedStateOptions) {
  const { schema, document, operation, field, variables, loaders } = options;
  const loadQueries = new Map<string, (EntityQuery & { loader: string }) | null>();

  /** The query that loads the object selected by `fieldNodes` by its id, built and checked once per path. */
  function loadQueryFor(key: string, at: ObjectAt, loader: string) {
    const shape = shapeKey(key);
    if (loadQueries.has(shape)) return loadQueries.get(shape) ?? null;
    const selections = at.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []);
    const synthetic: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: 'loaded' }, selectionSet: { kind: Kind.SELECTION_SET, selections } };
    let built: (EntityQuery & { loader: string }) | null = null;
    try {
      const query = entityQueryFor({ schema, document, operation, rootField: synthetic, entityField: loader, variables });
      // The same checks as a subscription's own entity query: a load that would fail never runs.
      const loadDocument = parse(query.query);
      if (!options.guard.check(loadDocument) && validate(schema, loadDocument, specifiedRules).length === 0) built = { ...query, loader };
    } catch {
      built = null;
    }
    loadQueries.set(shape, built);
    return built;
  }

  /** One run over the carried entity; `missing` collects the objects whose fields it lacks. */
  function run(state: CarriedState, loaded: ReadonlyMap<string, Loaded>) {
    const objects = new Map<string, ObjectAt>();
    const missing = new Set<string>();
    const resolveField = (source: unknown, info: GraphQLResolveInfo): unknown => {
      const leaf = isLeafType(getNamedType(info.returnType));
      if (source instanceof Loaded) {
        const value = source.data[String(info.path.key)];
        return leaf ? value : viewOf(asLoaded(value));
      }
      const key = pathKey(info.path);
      const replaced = loaded.get(key);
      if (replaced) return viewOf(replaced);
      const parent = info.path.prev ? pathKey(info.path.prev) : null;
      const isRoot = parent === null;
      const takesArguments = info.fieldNodes.some((node) => (node.arguments?.length ?? 0) > 0);
      if (!isPlainObject(source) || !Object.hasOwn(source, info.fieldName) || (takesArguments && !isRoot)) {
        if (parent !== null) missing.add(parent);
        return null;
      }
      const value = source[info.fieldName];
      if (leaf) return value;
      if (isPlainObject(value)) objects.set(key, { fieldNodes: info.fieldNodes, typeName: getNamedType(info.returnType).name, value, parent });
      return viewOf(value);
    };
    /**
     * Values are handed to graphql-js as views whose every property is a resolver function:
     * the schema's fields may carry resolvers of their own (instrumentation wraps each field's
     * with graphql-js's default one, which reads `source[fieldName]` and calls it when it is a
     * function), so `execute`'s `fieldResolver` option alone would not be asked.
     */
    const views = new WeakMap<object, unknown>();
    function viewOf(value: unknown): unknown {
      if (Array.isArray(value)) return value.map(viewOf);
      if (!(value instanceof Loaded) && !isPlainObject(value)) return value;
      const view = new Proxy(value, {
        // Not `then`: graphql-js asks every value whether it is a promise (no API type has a field `then`).
        get: (target, property) =>
          typeof property === 'string' && property !== 'then' ? (_args: unknown, _context: unknown, info: GraphQLResolveInfo) => resolveField(target, info) : undefined,
      });
      views.set(view, value);
      return view;
    }
    const typeResolver: GraphQLTypeResolver<unknown, unknown> = (value) => {
      const target = typeof value === 'object' && value !== null ? (views.get(value) ?? value) : value;
      const data = target instanceof Loaded ? target.data : target;
      return isPlainObject(data) && typeof data.__typename === 'string' ? data.__typename : undefined;
    };
    const result = execute({
      schema,
      document,
      operationName: operation.name?.value,
      variableValues: variables,
      rootValue: viewOf({ [field]: state }),
      typeResolver,
    }) as ExecutionResult;
    return { result, objects, missing };
  }

  /**
   * The objects to load for what a run lacked: for each, the nearest enclosing object with an id
   * and a loader for its type. Null when that is the root entity (nothing to gain over loading
   * it whole) or there is none.
   */
  function targetsOf(objects: ReadonlyMap<string, ObjectAt>, missing: ReadonlySet<string>) {
    const targets = new Map<string, { at: ObjectAt; loader: string; id: string }>();
    for (const key of missing) {
      let current: string | null = key;
      let found = false;
      while (current !== null) {
        const at = objects.get(current);
        if (!at) break;
        if (at.parent === null) return null;
        const loader = loaders.get(at.typeName);
        const id = isPlainObject(at.value) ? at.value.id : undefined;
        if (loader && typeof id === 'string' && id.length > 0) {
          targets.set(current, { at, loader, id });
          found = true;
          break;
        }
        current = at.parent;
      }
      if (!found) return null;
    }
    // An object inside another one being loaded comes with it.
    for (const key of [...targets.keys()]) {
      if ([...targets.keys()].some((other) => other !== key && key.startsWith(`${other}.`))) targets.delete(key);
    }
    return targets;
  }

  return {
    async answer(state: CarriedState, load: SubscriberLoad): Promise<CarriedOutcome> {
      const first = run(state, new Map());
      if (first.missing.size === 0) return first.result.errors?.length ? { fallback: `the run failed: ${first.result.errors[0]!.message}` } : { result: first.result, loads: 0 };
      const targets = targetsOf(first.objects, first.missing);
      if (!targets) return { fallback: `the entity itself lacks fields under ${[...first.missing].join(', ')}` };
      const loaded = new Map<string, Loaded>();
      const planned = [...targets].map(([key, target]) => ({ key, target, query: loadQueryFor(key, target.at, target.loader) }));
      if (planned.some((each) => each.query === null)) return { fallback: 'a load query did not pass validation' };
      const answers = await Promise.all(
        planned.map(async ({ key, target, query }) => {
          const { query: text, operationName, variables: used, idVariable, responseName } = query!;
          const response = await load({ query: text, operationName, variables: { ...used, [idVariable]: target.id } });
          return { key, entity: response.data?.[responseName], error: response.errors?.[0]?.message };
        }),
      );
      for (const { key, entity, error } of answers) {
        if (error !== undefined || !isPlainObject(entity)) return { fallback: `loading ${key} answered ${error ?? 'null'}` };
        loaded.set(key, new Loaded(entity));
      }
      const second = run(state, loaded);
      if (second.missing.size > 0) return { fallback: `still lacking fields under ${[...second.missing].join(', ')}` };
      if (second.result.errors?.length) return { fallback: `the run failed: ${second.result.errors[0]!.message}` };
      return { result: second.result, loads: planned.length };
    },
  };
}
export type CarriedStateAnswerer = ReturnType<typeof carriedStateAnswerer>;
