import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CONSOLE_OPERATIONS, loadManifest, sha256 } from '@waimai/gateway';
import {
  aMerchant,
  anActor,
  anOrder,
  aRiderAt,
  contractOperation,
  eventually,
  gql,
  payOrder,
  startStack,
  type Actor,
  type SeededMerchant,
  type Stack,
} from '@waimai/testkit';

/*
 * The operations console at /console in a real browser (Debian's chromium driven by
 * playwright-core, which never downloads one), against a running stack: staff sign in with a
 * token, riders appear on the map and move, an order that no rider took appears in the list,
 * and an intervention made from the console lands in the audit log.
 *
 * Screenshots go to .cache/console-screenshots/, or to CONSOLE_SCREENSHOTS_DIR
 * (`CONSOLE_SCREENSHOTS_DIR=docs/console pnpm test -- tests/gateway/console.test.ts` renews
 * the committed ones).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '..', '..');
const SCREENSHOTS = path.resolve(ROOT, process.env.CONSOLE_SCREENSHOTS_DIR ?? '.cache/console-screenshots');
// 30 s: the map refreshes every 3 s; a loaded 2-core CI box can be slow to start the page.
const UI_TIMEOUT_MS = 30_000;

let stack: Stack;
let browser: Browser;
let page: Page;
const leftLocalhost: string[] = [];
const pageErrors: string[] = [];
const cspViolations: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
  }
  stack = await startStack({
    env: {
      // No rider near the shop at first: dispatch gives up on the first order after 1 s and
      // flags it for operations.
      DISPATCH_EMPTY_ROUND_RETRY_SECONDS: '0.2',
      DISPATCH_GIVE_UP_SECONDS: '1',
      // A promise of ~6 s from payment: a grabbed order soon shows as late.
      DELIVERY_BASE_MINUTES: '0.1',
      DELIVERY_METERS_PER_MINUTE: '1000000',
      SCHEDULER_INTERVAL_MS: '200',
    },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  // Anything not addressed to this machine is recorded and never sent.
  await context.route('**/*', async (route) => {
    const { hostname, protocol } = new URL(route.request().url());
    if (protocol === 'data:' || hostname === '127.0.0.1' || hostname === 'localhost') {
      await route.continue();
    } else {
      leftLocalhost.push(route.request().url());
      await route.abort();
    }
  });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
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

async function reportLocation(rider: Actor, location: { lat: number; lng: number }): Promise<void> {
  const result = await gql(stack.graphqlUrl, 'mutation Report($location: GeoPointInput!) { reportLocation(location: $location) }', { location }, rider.token);
  if (result.errors?.length) throw new Error(`reportLocation failed: ${JSON.stringify(result.errors)}`);
}

/** A paid order that one of `riders` grabs as soon as it is offered to them: DELIVERING. */
async function aGrabbedOrderOf(merchant: SeededMerchant, riders: Actor[]): Promise<string> {
  const order = await anOrder(stack, merchant);
  await payOrder(stack, order.id, order.customer.token);
  const grabber = await eventually(
    async () => {
      for (const rider of riders) {
        const offers = await gql<{ pendingOrderOffers: Array<{ order: { id: string } }> }>(stack.graphqlUrl, '{ pendingOrderOffers { order { id } } }', {}, rider.token);
        if (offers.data?.pendingOrderOffers.some((offer) => offer.order.id === order.id)) return rider;
      }
      return undefined;
    },
    { timeoutMs: 30_000, what: `an offer of order ${order.id}` },
  );
  const grabbed = await gql<{ grabOrder: { status: string } }>(stack.graphqlUrl, 'mutation($orderId: ID!) { grabOrder(orderId: $orderId) { id status } }', { orderId: order.id }, grabber.token);
  if (grabbed.data?.grabOrder.status !== 'DELIVERING') throw new Error(`Grabbing order ${order.id} failed: ${JSON.stringify(grabbed.errors)}`);
  return order.id;
}

const riderMarker = (rider: Actor) => page.locator(`#map circle.rider[data-rider-id="${rider.sub}"]`);

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

describe('the operations console at /console in a browser', () => {
  let operator: Actor;
  let merchant: SeededMerchant;
  let flaggedOrderId: string;
  let riders: Actor[];
  let deliveringOrderId: string;

  beforeAll(async () => {
    operator = await anActor('OPERATOR');
    merchant = await aMerchant(stack, [{ name: '生煎包', priceCents: 1600, stock: 1000 }]);
    // Paid while no rider is around: dispatch gives up and flags it.
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
      { timeoutMs: 30_000, what: `order ${flagged.id} flagged for operations` },
    );
    riders = await Promise.all([[-400, -300], [200, 500], [600, -200], [-100, 700]].map(([north, east]) => aRiderAt(stack, offset(merchant.location, north!, east!))));
    deliveringOrderId = await aGrabbedOrderOf(merchant, riders);
  }, 120_000);

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
  });

  it('shows the riders on the map by status, and a rider who moves moves on the map', async () => {
    for (const rider of riders) await riderMarker(rider).waitFor({ timeout: UI_TIMEOUT_MS });
    const statuses = await page.locator('#map circle.rider').evaluateAll((markers) => markers.map((marker) => marker.getAttribute('data-status')));
    const mover = riders[0]!;
    const before = { cx: await riderMarker(mover).getAttribute('cx'), cy: await riderMarker(mover).getAttribute('cy') };

    // Inside the box the others span, so the view stays and only this rider's marker moves.
    await reportLocation(mover, offset(merchant.location, -150, 100));
    await eventually(
      async () => {
        const now = { cx: await riderMarker(mover).getAttribute('cx'), cy: await riderMarker(mover).getAttribute('cy') };
        return now.cx !== before.cx || now.cy !== before.cy;
      },
      { timeoutMs: UI_TIMEOUT_MS, what: `rider ${mover.sub} moving on the map` },
    );

    expect(statuses).toHaveLength(4);
    expect(statuses.filter((status) => status === 'DELIVERING')).toHaveLength(1);
    expect(statuses.filter((status) => status === 'IDLE')).toHaveLength(3);
  });

  it('marks late and flagged orders on the map and lists them as needing attention', async () => {
    const flaggedItem = page.locator(`#attention li[data-order-id="${flaggedOrderId}"]`);
    await flaggedItem.waitFor({ timeout: UI_TIMEOUT_MS });
    // The grabbed order's promise was ~6 s: it goes late while on its way.
    await page.locator(`#map circle.order.late[data-order-id="${deliveringOrderId}"]`).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator(`#attention li.late[data-order-id="${deliveringOrderId}"]`).waitFor({ timeout: UI_TIMEOUT_MS });
    const flaggedText = await flaggedItem.textContent();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview.png') });

    expect(flaggedText).toContain(merchant.name);
    expect(flaggedText).toContain('no rider took it');
    expect(await page.locator('#figures table').count()).toBeGreaterThan(0);
  });

  it('an intervention made from the console asks for a reason and lands in the audit log', async () => {
    const reason = `无人接单，控制台指派给骑手 ${riders[1]!.sub}`;

    await page.locator(`#attention li[data-order-id="${flaggedOrderId}"]`).click();
    await page.locator('#detail .timeline li', { hasText: 'CREATED' }).waitFor({ timeout: UI_TIMEOUT_MS });
    const timeline = await page.locator('#detail .timeline li').evaluateAll((items) => items.map((item) => item.lastChild?.textContent));
    await page.locator('#detail button[data-action=redispatch]').click();
    await page.locator('form.intervention input[name=riderIds]').fill(riders[1]!.sub);
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
  });

  it('loaded nothing from anywhere else, broke no content security rule and threw no error', () => {
    expect(leftLocalhost).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
