import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getIntrospectionQuery, parse, validate, type DefinitionNode } from 'graphql';
import { limitsFromConfig, loadGatewayConfig, operationLimitRules } from '@waimai/gateway';
import { gql, startStack, type Stack } from '@waimai/testkit';
import { apiSchemaOf, contractOperationsPath, SUPERGRAPH_PATH } from '../../scripts/lib/supergraph';

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
  const metrics = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
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
    const schema = apiSchemaOf(readFileSync(path.resolve(SUPERGRAPH_PATH), 'utf8'));
    const document = parse(readFileSync(contractOperationsPath(), 'utf8'));
    const rules = operationLimitRules(limitsFromConfig(defaults));
    const operations = document.definitions.filter((definition: DefinitionNode) => definition.kind === 'OperationDefinition');

    const refused = operations.flatMap((operation) =>
      validate(schema, { kind: document.kind, definitions: [operation] }, rules).map((error) => error.message),
    );

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
        extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth' }),
      }),
    ]);
    expect(executedBefore).toBeGreaterThan(0);
    expect(await productsOperations()).toBe(executedBefore);
  });

  it('more aliases than MAX_QUERY_ALIASES are refused', async () => {
    const aliases = Array.from({ length: defaults.MAX_QUERY_ALIASES + 1 }, (_, i) => `m${i}: merchant(id: "none") { id }`);

    const result = await gql(stack.graphqlUrl, `query Aliased { ${aliases.join(' ')} }`);

    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'aliases' });
  });

  it('a fragment bomb (each fragment spreading the next twice, 2^30 fields) is refused by cost at once', async () => {
    const fragments = Array.from({ length: 30 }, (_, i) =>
      i === 29 ? `fragment F${i} on Merchant { id name }` : `fragment F${i} on Merchant { ...F${i + 1} ...F${i + 1} }`,
    );

    const result = await gql(stack.graphqlUrl, `query Bomb { merchant(id: "none") { ...F0 } } ${fragments.join(' ')}`);

    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost' });
  });

  it('GraphiQL-style introspection passes the limits', async () => {
    const result = await gql<{ __schema: { queryType: { name: string } } }>(
      stack.graphqlUrl,
      getIntrospectionQuery({ inputValueDeprecation: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true }),
    );

    expect(result.errors).toBeUndefined();
    expect(result.data?.__schema.queryType.name).toBe('Query');
  });
});
