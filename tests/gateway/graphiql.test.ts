import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { STAFF_EXAMPLES } from '@waimai/gateway';
import { aMerchant, startStack, tokenFor, uniqueId, type Stack } from '@waimai/testkit';
import { openLocalPage, requireChromium } from './lib/local-browser';

/** GraphiQL in a real browser (lib/local-browser: Debian's chromium, nothing leaves 127.0.0.1). */
const SCREENSHOT = path.join(os.tmpdir(), 'waimai-graphiql.png');

let stack: Stack;
let browser: Browser;
let page: Page;
let leftLocalhost: string[];
let pageErrors: string[];

beforeAll(async () => {
  requireChromium();
  stack = await startStack({ subgraphs: ['products'] });
  ({ browser, page, leftLocalhost, pageErrors } = await openLocalPage({ width: 1280, height: 800 }));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** What a CodeMirror editor holds. */
const valueOf = (editor: string) => page.locator(`${editor} .CodeMirror`).evaluate((element) => (element as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());

async function typeInto(editor: string, text: string): Promise<void> {
  // A few tries: on a loaded machine the editor can take focus after the select-all was pressed,
  // and the text lands beside what was there (a flake seen in CI: the query never ran as typed).
  for (let attempt = 0; attempt < 3; attempt += 1) {
    await page.locator(`${editor} .CodeMirror`).click();
    await page.keyboard.press('Control+A');
    // insertText: no key events, so CodeMirror does not auto-close the brackets typed.
    await page.keyboard.insertText(text);
    if ((await valueOf(editor)) === text) return;
  }
  throw new Error(`The editor ${editor} holds ${JSON.stringify(await valueOf(editor))}, not what was typed: ${JSON.stringify(text)}.`);
}

const QUERY_EDITOR = '.graphiql-query-editor';
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden)';

async function run(query: string, headers: string, expected: string): Promise<string> {
  await typeInto(QUERY_EDITOR, query);
  await typeInto(HEADERS_EDITOR, headers);
  await page.locator('.graphiql-execute-button').click();
  const result = page.locator('.result-window');
  try {
    await result.filter({ hasText: expected }).waitFor({ timeout: 15_000 });
  } catch (err) {
    // Say what the page showed instead.
    throw new Error(`${(err as Error).message}\nThe result window holds: ${JSON.stringify(await valueOf('.result-window').catch(() => '(nothing)'))}`);
  }
  // The text itself, without CodeMirror's gutters.
  return valueOf('.result-window');
}

describe('GraphiQL at GET /graphql in a browser', () => {
  it('loads from the gateway alone, and runs a query typed in it with the token pasted in Headers', async () => {
    const shop = await aMerchant(stack, []);

    await page.goto(stack.graphqlUrl);
    await page.locator(`${QUERY_EDITOR} .CodeMirror`).waitFor();
    const result = await run('query Mine { myMerchants { name ownerId } }', `{"Authorization": "Bearer ${shop.owner.token}"}`, shop.name);
    await page.screenshot({ path: SCREENSHOT });

    expect(JSON.parse(result)).toEqual({ data: { myMerchants: [{ name: shop.name, ownerId: shop.owner.sub }] } });
    expect(leftLocalhost).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('runs subscriptions over the websocket, with the pasted token as the connection_init payload', async () => {
    const token = await tokenFor(uniqueId('customer'), ['CUSTOMER']);

    const withToken = await run('subscription Offers { orderOffers { id } }', `{"Authorization": "Bearer ${token}"}`, 'FORBIDDEN');
    const withoutToken = await run('subscription Offers { orderOffers { id } }', '{}', '4403');

    expect(withToken).toContain('Only RIDER, OPERATOR, ADMIN may subscribe to orderOffers.');
    expect(withoutToken).toContain('The websocket closed with 4403');
    expect(leftLocalhost).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("opens the back office's examples as tabs after the welcome tab, and one runs as it is with a staff token", async () => {
    const operator = await tokenFor(uniqueId('operator'), ['OPERATOR']);

    // GraphiQL keeps the tabs a visitor opened in localStorage: the tests above typed into
    // it. A first visit is what this checks.
    await page.goto(stack.graphqlUrl);
    await page.evaluate(() => (globalThis as unknown as { localStorage: { clear(): void } }).localStorage.clear());
    await page.reload();
    await page.locator(`${QUERY_EDITOR} .CodeMirror`).waitFor();
    const titles = await page.locator('.graphiql-tab-button').allInnerTexts();
    await page.locator('.graphiql-tab-button', { hasText: 'DispatchActivity' }).click();
    await typeInto(HEADERS_EDITOR, `{"Authorization": "Bearer ${operator}"}`);
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.result-window').filter({ hasText: 'offersSent' }).waitFor({ timeout: 15_000 });

    expect(titles.slice(1)).toEqual(STAFF_EXAMPLES.map((example) => example.name));
    expect(leftLocalhost).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
