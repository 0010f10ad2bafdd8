import { gql, startStack, type Stack } from '@waimai/testkit';

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
});
