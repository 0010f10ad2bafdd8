import { readFileSync } from 'node:fs';
import { getIntrospectionQuery, Kind, parse, print, type DefinitionNode } from 'graphql';
import { createDocumentGuard, limitsFromConfig, loadGatewayConfig } from '@waimai/gateway';
import { gql, startStack, type Stack } from '@waimai/testkit';
import { contractOperationsPath } from '../../scripts/lib/supergraph';

const defaults = loadGatewayConfig({});

/** `merchant { products { edges { node { merchant { ... } } } } }` nested to exactly `depth` fields. */
function nestedQuery(depth: number): string {
  const cycle = ['products(first: 1)', 'edges', 'node', 'merchant'];
  let selection = '__typename';
  for (let level = depth - 1; level >= 1; level -= 1) {
    const field = level === 1 ? 'merchant(id: "none")' : (cycle[(level - 2) % cycle.length] ?? 'merchant');
    selection = `${field} { ${selection} }`;
  }
  return `query Deep { ${selection} }`;
}

/** Operations the products subgraph has executed so far (gateway and subgraph share this process's registry). */
async function productsOperations(): Promise<number> {
  const metrics = await (await fetch(`${stack.gateway.adminUrl}/metrics`)).text();
  return metrics
    .split('\n')
    .filter((line) => line.startsWith('waimai_graphql_operations_total{service="products"'))
    .reduce((total, line) => total + Number(line.split(' ').at(-1)), 0);
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ subgraphs: ['products'] });
});
afterAll(async () => {
  await stack?.stop();
});

describe('operation limits', () => {
  it('every operation of the client contract is within the default limits', () => {
    const guard = createDocumentGuard(limitsFromConfig(defaults));
    const source = readFileSync(contractOperationsPath(), 'utf8');
    // The file is not one request (it has long outgrown MAX_QUERY_TOKENS as a whole): each
    // operation is priced as a client sends it, with the fragments, token limit included.
    const document = parse(source);
    const fragments = document.definitions.filter((definition: DefinitionNode) => definition.kind === Kind.FRAGMENT_DEFINITION);
    const operations = document.definitions.filter((definition: DefinitionNode) => definition.kind === Kind.OPERATION_DEFINITION);

    const refused = operations.flatMap((operation) => {
      try {
        const request = parse(print({ kind: Kind.DOCUMENT, definitions: [operation, ...fragments] }), guard.parseOptions);
        const error = guard.check(request);
        return error ? [error.message] : [];
      } catch (err) {
        return [(err as Error).message];
      }
    });

    expect(operations.length).toBeGreaterThan(20);
    expect(refused).toEqual([]);
  });

  it(`a query as deep as MAX_QUERY_DEPTH (${defaults.MAX_QUERY_DEPTH}) runs; one level deeper is refused before any subgraph sees it`, async () => {
    const atLimit = await gql<{ merchant: null }>(stack.graphqlUrl, nestedQuery(defaults.MAX_QUERY_DEPTH));
    const executedBefore = await productsOperations();
    const tooDeep = await gql(stack.graphqlUrl, nestedQuery(defaults.MAX_QUERY_DEPTH + 1));

    expect(atLimit).toEqual({ status: 200, data: { merchant: null } });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.data).toBeUndefined();
    expect(tooDeep.errors).toEqual([
      expect.objectContaining({
        message: `Operation Deep is ${defaults.MAX_QUERY_DEPTH + 1} levels deep; the limit is ${defaults.MAX_QUERY_DEPTH}.`,
        extensions: expect.objectContaining({ code: 'BAD_REQUEST', limit: 'depth' }),
      }),
    ]);
    expect(executedBefore).toBeGreaterThan(0);
    expect(await productsOperations()).toBe(executedBefore);
  });

  it('more aliases than MAX_QUERY_ALIASES are refused', async () => {
    const aliases = Array.from({ length: defaults.MAX_QUERY_ALIASES + 1 }, (_, i) => `m${i}: merchant(id: "none") { id }`);

    const result = await gql(stack.graphqlUrl, `query Aliased { ${aliases.join(' ')} }`);

    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', limit: 'aliases' });
  });

  it('a fragment bomb (each fragment spreading the next twice, 2^30 fields) is refused by cost at once', async () => {
    const fragments = Array.from({ length: 30 }, (_, i) =>
      i === 29 ? `fragment F${i} on Merchant { id name }` : `fragment F${i} on Merchant { ...F${i + 1} ...F${i + 1} }`,
    );

    const result = await gql(stack.graphqlUrl, `query Bomb { merchant(id: "none") { ...F0 } } ${fragments.join(' ')}`);

    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', limit: 'cost' });
  });

  it('GraphiQL-style introspection passes the limits', async () => {
    const result = await gql<{ __schema: { queryType: { name: string } } }>(
      stack.graphqlUrl,
      getIntrospectionQuery({ inputValueDeprecation: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true }),
    );

    expect(result.errors).toBeUndefined();
    expect(result.data?.__schema.queryType.name).toBe('Query');
  });

  it('1,500 copies of one field (62 kB, no aliases) are refused by the token limit before validation', async () => {
    const repeated = Array.from({ length: 1500 }, () => 'product(id: "p_0000000000000000") { id }').join(' ');

    const result = await gql(stack.graphqlUrl, `query Repeated { ${repeated} }`);

    expect(result.status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_REQUEST', limit: 'tokens', maximum: defaults.MAX_QUERY_TOKENS }) }),
    ]);
  });

  it(`one field selected more than MAX_FIELD_REPEATS (${defaults.MAX_FIELD_REPEATS}) times in a selection set, through fragments too, is refused`, async () => {
    const direct = Array.from({ length: defaults.MAX_FIELD_REPEATS + 1 }, () => 'merchant(id: "none") { id }').join(' ');
    const spreads = Array.from({ length: defaults.MAX_FIELD_REPEATS + 1 }, () => '...M').join(' ');

    const [inline, throughFragments, atLimit] = await Promise.all([
      gql(stack.graphqlUrl, `query Repeated { ${direct} }`),
      gql(stack.graphqlUrl, `query Spread { ${spreads} } fragment M on Query { merchant(id: "none") { id } }`),
      gql(stack.graphqlUrl, `query AtLimit { ${Array.from({ length: defaults.MAX_FIELD_REPEATS }, () => 'merchant(id: "none") { id }').join(' ')} }`),
    ]);

    for (const refused of [inline, throughFragments]) {
      expect(refused.status).toBe(400);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', limit: 'repeats', actual: defaults.MAX_FIELD_REPEATS + 1 });
    }
    expect(atLimit).toEqual({ status: 200, data: { merchant: null } });
  });

  it(`more than MAX_QUERY_DIRECTIVES (${defaults.MAX_QUERY_DIRECTIVES}) directives are refused`, async () => {
    const directives = Array.from({ length: defaults.MAX_QUERY_DIRECTIVES + 1 }, () => '@include(if: true)').join(' ');

    const result = await gql(stack.graphqlUrl, `query Directives { merchant(id: "none") { id ${directives} } }`);

    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', limit: 'directives' });
  });

  it('more fields than MAX_QUERY_FIELDS after fragment expansion are refused, whatever the cost limit', () => {
    const guard = createDocumentGuard(limitsFromConfig({ ...defaults, MAX_QUERY_COST: Number.MAX_SAFE_INTEGER, MAX_QUERY_ALIASES: 1000, MAX_QUERY_FIELDS: 100 }));
    const fields = (count: number) => Array.from({ length: count }, (_, i) => `f${i}: id`).join(' ');
    const wide = (count: number) => parse(`query Wide { merchant(id: "none") { ...A ...B } } fragment A on Merchant { ${fields(count)} } fragment B on Merchant { ...A }`);

    expect(guard.check(wide(49))).toBeNull();
    expect(guard.check(wide(51))?.extensions).toMatchObject({ code: 'BAD_REQUEST', limit: 'fields', maximum: 100, actual: 103 });
  });
});
