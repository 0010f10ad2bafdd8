import { readFileSync } from 'node:fs';
import { getVariableValues, Kind, parse, print, separateOperations, validate, type OperationDefinitionNode } from 'graphql';
import { staffExampleTabs, type PlaygroundTab } from '@waimai/gateway';
import { gql, startStack, type Stack } from '@waimai/testkit';
import { apiSchemaOf, contractOperationsPath, SUPERGRAPH_PATH } from '../../scripts/lib/supergraph';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ subgraphs: [] });
});
afterAll(async () => {
  await stack?.stop();
});

async function playgroundPage() {
  const response = await fetch(stack.graphqlUrl, { headers: { accept: BROWSER_ACCEPT } });
  return { response, html: await response.text() };
}

describe('the GraphiQL playground', () => {
  it('GET /graphql from a browser answers the playground page', async () => {
    const { response, html } = await playgroundPage();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(html).toContain('<div id="graphiql">');
  });

  it('every script and stylesheet of the page is served by the gateway itself', async () => {
    const { html } = await playgroundPage();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '').filter((ref) => !ref.startsWith('data:'));

    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(assets).toEqual(expect.arrayContaining(['/graphiql/assets/graphiql.min.js', '/graphiql/assets/graphql-ws.min.js']));
    for (const asset of assets) {
      expect(asset).toMatch(/^\/graphiql\/assets\//);
      const response = await fetch(`${stack.gatewayUrl}${asset}`);
      const body = await response.text();
      expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
      expect(response.headers.get('content-type')).toMatch(asset.endsWith('.css') ? /^text\/css/ : /^(text|application)\/javascript/);
      expect(body.length).toBeGreaterThan(100);
    }
  });

  it('files next to the assets are not served', async () => {
    const response = await fetch(`${stack.gatewayUrl}/graphiql/assets/package.json`);

    expect(response.status).toBe(404);
  });

  it('POST /graphql is GraphQL, and so is a GET whose client asks for JSON', async () => {
    const posted = await gql<{ __typename: string }>(stack.graphqlUrl, '{ __typename }');
    const fetched = await fetch(`${stack.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });

    expect(posted).toEqual({ status: 200, data: { __typename: 'Query' } });
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('staff find the back office as ready-made tabs: each the contract\'s operation of its name, valid against the supergraph with its example variables', async () => {
    const response = await fetch(`${stack.gatewayUrl}/graphiql/assets/playground-tabs.js`);
    const script = await response.text();
    const tabs = JSON.parse(script.replace(/^window\.waimaiPlaygroundTabs = /, '').replace(/;\n$/, '')) as PlaygroundTab[];
    const contract = separateOperations(parse(readFileSync(contractOperationsPath(), 'utf8')));
    const api = apiSchemaOf(readFileSync(SUPERGRAPH_PATH, 'utf8'));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/javascript/);
    const operations = tabs.map((tab) => {
      const document = parse(tab.query);
      const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
      const name = operation.name!.value;
      return { name, document, operation, tab };
    });
    expect(operations.map(({ name }) => name)).toEqual([
      'OrdersNeedingAttention',
      'SearchOrders',
      'RedispatchOrder',
      'ReassignOrder',
      'CancelOrderAsStaff',
      'CompensateOrder',
      'SuspendRider',
      'SuspendMerchant',
      'AuditLog',
      'BusinessFigures',
      'WatchOrderOffers',
      'WatchRider',
      'DispatchActivity',
    ]);
    for (const { name, document, operation, tab } of operations) {
      expect({ name, query: print(document) }).toEqual({ name, query: print(contract[name]!) });
      expect({ name, errors: validate(api, document) }).toEqual({ name, errors: [] });
      const variables = getVariableValues(api, operation.variableDefinitions ?? [], JSON.parse(tab.variables) as Record<string, unknown>);
      expect({ name, errors: variables.errors ?? [] }).toEqual({ name, errors: [] });
      expect(tab.query).toMatch(/^# Back office \(staff\)/);
      expect(JSON.parse(tab.headers)).toEqual({ Authorization: expect.stringMatching(/^Bearer /) });
    }
  });

  it('an example the contract no longer has is left out of the tabs, not shown broken', () => {
    const contract = readFileSync(contractOperationsPath(), 'utf8');
    const renamed = contract.replace(/^query AuditLog\b/m, 'query AuditLogRenamed');

    const names = staffExampleTabs(renamed).map((tab) => /^(?:query|mutation|subscription) (\w+)/m.exec(tab.query)?.[1]);

    expect(names).not.toContain('AuditLog');
    expect(names).not.toContain('AuditLogRenamed');
    expect(names).toContain('BusinessFigures');
  });
});
