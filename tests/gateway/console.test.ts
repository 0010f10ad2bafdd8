import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CONSOLE_OPERATIONS, loadManifest, sha256 } from '@waimai/gateway';
import { aMerchant, anActor, anOrder, contractOperation, eventually, gql, payOrder, startStack, type Actor, type SeededMerchant, type Stack } from '@waimai/testkit';
import { DEMO_CENTER } from '../../scripts/seed';
import { startCity, type City } from '../../scripts/lib/simulator';
import { openLocalPage, requireChromium } from './lib/local-browser';

/*
 * The operations console at /console in a real browser (Debian's chromium driven by
 * playwright-core, which never downloads one), against a running stack with the city
 * simulator (scripts/lib/simulator) riding and ordering in it: staff sign in with a token,
 * the city's riders appear on the map and move, an order that no rider took appears in the
 * list, late orders turn red, and an intervention made from the console lands in the audit log.
 *
 * Screenshots go to .cache/console-screenshots/, or to CONSOLE_SCREENSHOTS_DIR
 * (`CONSOLE_SCREENSHOTS_DIR=docs/console pnpm test -- tests/gateway/console.test.ts` renews
 * the committed ones).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const SCREENSHOTS = path.resolve(ROOT, process.env.CONSOLE_SCREENSHOTS_DIR ?? '.cache/console-screenshots');
// 30 s: the map refreshes every 3 s; a loaded 2-core CI box can be slow to start the page.
const UI_TIMEOUT_MS = 30_000;
const RIDERS = 12;

let stack: Stack;
let browser: Browser;
let page: Page;
let leftLocalhost: string[];
let pageErrors: string[];
const cspViolations: string[] = [];

beforeAll(async () => {
  requireChromium();
  stack = await startStack({
    env: {
      // No rider online at first: dispatch gives up on the first order after 10 s and flags
      // it for operations (the city's orders, with riders around, rarely wait that long).
      DISPATCH_EMPTY_ROUND_RETRY_SECONDS: '0.5',
      DISPATCH_GIVE_UP_SECONDS: '10',
      // Promises of 30 s plus 1 min per 500 m: against riders 3x faster than life, some of the
      // city's orders arrive in time and some late within the test's minutes.
      DELIVERY_BASE_MINUTES: '0.5',
      DELIVERY_METERS_PER_MINUTE: '500',
      SCHEDULER_INTERVAL_MS: '200',
    },
  });
  ({ browser, page, leftLocalhost, pageErrors } = await openLocalPage({ width: 1440, height: 900 }));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A point `north` and `east` meters from `point`. */
function offset(point: { lat: number; lng: number }, north: number, east: number) {
  return { lat: point.lat + north / 111_195, lng: point.lng + east / (111_195 * Math.cos((point.lat * Math.PI) / 180)) };
}

/** Each rider marker's reported position (data-lat) and where it is drawn (cx), by rider id. */
async function riderPositions(): Promise<Map<string, { lat: string | null; cx: string | null }>> {
  const markers = await page
    .locator('#map circle.rider')
    .evaluateAll((circles) => circles.map((circle) => ({ id: circle.getAttribute('data-rider-id'), lat: circle.getAttribute('data-lat'), cx: circle.getAttribute('cx') })));
  return new Map(markers.map(({ id, lat, cx }) => [id ?? '', { lat, cx }]));
}

interface AuditEntry {
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  reason: string | null;
}

describe('the console page', () => {
  it('is served under a same-origin content security policy, with no inline script or style, and loads only the gateway\'s own files', async () => {
    const response = await fetch(`${stack.gatewayUrl}/console`);
    const html = await response.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '').filter((ref) => !ref.startsWith('data:'));
    const served = await Promise.all(assets.map(async (asset) => ({ asset, status: (await fetch(`${stack.gatewayUrl}${asset}`)).status })));

    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(html).not.toMatch(/<script>|<style>| style="/);
    expect(served).toEqual(assets.map(() => ({ asset: expect.stringMatching(/^\/console\/assets\//), status: 200 })));
    expect(assets).toEqual(expect.arrayContaining(['/console/assets/console.js', '/console/assets/operations.js', '/console/assets/graphql-ws.min.js']));
  });

  it('sends only contract operations, each a trusted document as the manifest lists it (so it runs under TRUSTED_DOCUMENTS)', async () => {
    const script = await (await fetch(`${stack.gatewayUrl}/console/assets/operations.js`)).text();
    const operations = JSON.parse(script.replace(/^window\.waimaiConsoleOperations = /, '').replace(/;\s*$/, '')) as Record<string, { body: string }>;
    const trusted = loadManifest(path.join(ROOT, 'schema', 'contract', 'trusted-documents.json'));

    expect(Object.keys(operations)).toEqual([...CONSOLE_OPERATIONS]);
    for (const [name, { body }] of Object.entries(operations)) expect({ name, trusted: trusted.get(sha256(body)) === body }).toEqual({ name, trusted: true });
  });

  it('files next to its assets are not served', async () => {
    const response = await fetch(`${stack.gatewayUrl}/console/assets/package.json`);

    expect(response.status).toBe(404);
  });
});

describe('the operations console at /console in a browser, with the city simulator running', () => {
  let operator: Actor;
  let merchant: SeededMerchant;
  let flaggedOrderId: string;
  let city: City;

  beforeAll(async () => {
    operator = await anActor('OPERATOR');
    // A shop of the test's own at the edge of the demo city (3 km from its centre: outside the
    // simulator's 2 km, so it still seeds the demo shops and orders from them), and an order
    // paid there before any rider is online: dispatch gives up on it and flags it, whatever
    // the simulated city does next.
    merchant = await aMerchant(stack, [{ name: '生煎包', priceCents: 1600, stock: 1000 }], offset(DEMO_CENTER, 2400, -1800));
    const flagged = await anOrder(stack, merchant);
    await payOrder(stack, flagged.id, flagged.customer.token);
    flaggedOrderId = flagged.id;
    await eventually(
      async () => {
        const search = await gql<{ searchOrders: { edges: Array<{ node: { id: string } }> } }>(
          stack.graphqlUrl,
          contractOperation('SearchOrders'),
          { filter: { needsAttention: true }, first: 10 },
          operator.token,
        );
        return search.data?.searchOrders.edges.some((edge) => edge.node.id === flagged.id);
      },
      { timeoutMs: 60_000, what: `order ${flagged.id} flagged for operations` },
    );
    // The demo city (seeded by the simulator), its riders riding 3x faster than life, and
    // customers ordering: the console's live data.
    city = await startCity({ gatewayUrl: stack.gatewayUrl, riders: RIDERS, ordersPerMinute: 8, timeScale: 3, seed: 7, durationSeconds: 900, socketsPerMinute: 600 });
  }, 120_000);

  afterAll(async () => {
    await city?.stop();
  }, 30_000);

  it('signs staff in with a token; a token that is not staff’s is refused', async () => {
    const customer = await anActor('CUSTOMER');

    await page.goto(`${stack.gatewayUrl}/console`);
    await page.locator('#token').fill(customer.token);
    await page.locator('#sign-in-form button[type=submit]').click();
    const refused = await page.locator('#sign-in-error').filter({ hasText: 'OPERATOR and ADMIN' }).textContent({ timeout: UI_TIMEOUT_MS });
    await page.locator('#token').fill(operator.token);
    await page.locator('#sign-in-form button[type=submit]').click();
    await page.locator('#console').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    const who = await page.locator('#who').textContent();

    expect(refused).toContain('not staff’s');
    expect(who).toContain(operator.sub);
    expect(who).toContain('OPERATOR');
  }, 120_000);

  it("shows the city's riders on the map by status, and they move", async () => {
    const first = await eventually(
      async () => {
        const positions = await riderPositions();
        return city.riderIds.every((id) => positions.has(id)) && positions;
      },
      { timeoutMs: 60_000, what: 'every simulated rider on the map' },
    );

    // Riders ride to shops and customers, and idle ones drift: some marker moves to where its rider reported.
    const moved = await eventually(
      async () => {
        const now = await riderPositions();
        return city.riderIds.find((id) => now.get(id)!.lat !== first.get(id)!.lat && now.get(id)!.cx !== first.get(id)!.cx);
      },
      { timeoutMs: 60_000, what: 'a simulated rider moving on the map' },
    );
    const statuses = await page.locator('#map circle.rider').evaluateAll((markers) => markers.map((marker) => marker.getAttribute('data-status')));

    expect(city.riderIds).toContain(moved);
    expect(statuses.length).toBeGreaterThanOrEqual(RIDERS);
    expect(new Set(statuses)).toEqual(new Set(statuses.filter((status) => status === 'IDLE' || status === 'DELIVERING')));
  }, 180_000);

  it('marks late and flagged orders on the map and lists them as needing attention', async () => {
    const flaggedItem = page.locator(`#attention li[data-order-id="${flaggedOrderId}"]`);
    await flaggedItem.waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator(`#map circle.order[data-order-id="${flaggedOrderId}"]`).waitFor({ timeout: UI_TIMEOUT_MS });
    // Short promises (DELIVERY_*): orders soon run late (the flagged one first), red on the map and in the list.
    await page.locator('#map circle.order.late').first().waitFor({ timeout: 120_000 });
    await page.locator('#attention li.late').first().waitFor({ timeout: UI_TIMEOUT_MS });
    // The city at work: riders carrying orders.
    await page.locator('#map circle.rider.DELIVERING').first().waitFor({ timeout: 60_000 });
    const flaggedText = await flaggedItem.textContent();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview.png') });

    expect(flaggedText).toContain(merchant.name);
    expect(flaggedText).toContain('no rider took it');
    expect(await page.locator('#figures table').count()).toBeGreaterThan(0);
  }, 300_000);

  it('an intervention made from the console asks for a reason and lands in the audit log', async () => {
    const named = city.riderIds[0]!;
    const reason = `无人接单，控制台指派给骑手 ${named}`;

    await page.locator(`#attention li[data-order-id="${flaggedOrderId}"]`).click();
    await page.locator('#detail .timeline li', { hasText: 'CREATED' }).waitFor({ timeout: UI_TIMEOUT_MS });
    const timeline = await page.locator('#detail .timeline li').evaluateAll((items) => items.map((item) => item.lastChild?.textContent));
    await page.locator('#detail button[data-action=redispatch]').click();
    await page.locator('form.intervention input[name=riderIds]').fill(named);
    // Without a reason the browser refuses to submit: nothing is sent.
    await page.locator('form.intervention button[type=submit]').click();
    const sentWithoutReason = await page.locator('#detail .outcome').count();
    await page.locator('form.intervention textarea[name=reason]').fill(reason);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'intervention.png') });
    await page.locator('form.intervention button[type=submit]').click();
    const outcome = await page.locator('#detail .outcome.ok').textContent({ timeout: UI_TIMEOUT_MS });
    await page.locator('#detail .audit li[data-action=ORDER_REDISPATCH]').filter({ hasText: reason }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'audited.png') });

    const audit = await gql<{ auditLog: { edges: Array<{ node: AuditEntry }> } }>(
      stack.graphqlUrl,
      contractOperation('AuditLog'),
      { filter: { targetId: flaggedOrderId }, first: 10 },
      operator.token,
    );
    expect(timeline).toEqual(expect.arrayContaining(['PENDING_PAYMENT', 'CREATED']));
    expect(sentWithoutReason).toBe(0);
    expect(outcome).toContain('Re-dispatch done');
    expect(audit.data?.auditLog.edges.map((edge) => edge.node)).toEqual([
      expect.objectContaining({ actorId: operator.sub, action: 'ORDER_REDISPATCH', targetType: 'ORDER', targetId: flaggedOrderId, reason }),
    ]);
  }, 180_000);

  it('loaded nothing from anywhere else, broke no content security rule and threw no error', () => {
    expect(leftLocalhost).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
