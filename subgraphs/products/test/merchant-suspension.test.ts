import { newId, type Identity } from '@waimai/platform';
import { eventually } from '@waimai/testkit';
import { aMerchant, aProduct, merchantOwner, startProducts, type ProductsHarness } from './harness';

let h: ProductsHarness;
beforeAll(async () => {
  h = await startProducts();
});
afterAll(async () => {
  await h.stop();
});

const operator: Identity = { sub: 'operator-7', roles: ['OPERATOR'] };
const admin: Identity = { sub: 'admin-7', roles: ['ADMIN'] };
const customer: Identity = { sub: 'customer-7', roles: ['CUSTOMER'] };

const SUSPEND = 'mutation($id: ID!, $reason: String!) { suspendMerchant(merchantId: $id, reason: $reason) { id suspended suspendedReason } }';
const REINSTATE = 'mutation($id: ID!, $reason: String!) { reinstateMerchant(merchantId: $id, reason: $reason) { id suspended suspendedReason } }';
const MERCHANT = 'query($id: ID!) { merchant(id: $id) { id suspended suspendedReason } }';
const NEARBY = 'query($near: GeoPointInput!) { merchantsNearby(near: $near) { merchant { id } } }';

interface SuspensionView {
  id: string;
  suspended: boolean;
  suspendedReason: string | null;
}

const suspend = (id: string, reason: string, caller: Identity | null = operator) => h.call<{ suspendMerchant: SuspensionView }>(SUSPEND, { id, reason }, caller);
const reinstate = (id: string, reason: string, caller: Identity | null = operator) => h.call<{ reinstateMerchant: SuspensionView }>(REINSTATE, { id, reason }, caller);
const nearbyIds = async (near: { lat: number; lng: number }) =>
  (await h.call<{ merchantsNearby: Array<{ merchant: { id: string } }> }>(NEARBY, { near })).data!.merchantsNearby.map((found) => found.merchant.id);
const codeOf = (result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) => result.errors?.[0]?.extensions?.code;

describe('suspending and reinstating a merchant', () => {
  test('only OPERATOR and ADMIN may suspend or reinstate; anyone else changes nothing', async () => {
    const shop = await aMerchant(h);
    const refused = [
      codeOf(await suspend(shop.id, 'fraud', null)),
      codeOf(await suspend(shop.id, 'fraud', customer)),
      codeOf(await suspend(shop.id, 'fraud', shop.owner)),
      codeOf(await suspend(shop.id, 'fraud', { sub: 'rider-7', roles: ['RIDER'] })),
      codeOf(await reinstate(shop.id, 'fine', null)),
      codeOf(await reinstate(shop.id, 'fine', shop.owner)),
    ];
    const after = await h.call<{ merchant: SuspensionView }>(MERCHANT, { id: shop.id }, operator);

    expect(refused).toEqual(['UNAUTHENTICATED', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'UNAUTHENTICATED', 'FORBIDDEN']);
    expect(after.data!.merchant.suspended).toBe(false);
    expect(await h.auditEventsOf(shop.id)).toEqual([]);
  });

  test('a blank reason, a reason over 500 characters or a bad id is BAD_USER_INPUT; an unknown shop is NOT_FOUND; nothing is written', async () => {
    const shop = await aMerchant(h);
    const results = [await suspend(shop.id, '   '), await suspend(shop.id, 'x'.repeat(501)), await reinstate(shop.id, ''), await suspend(' ', 'fraud')];
    const unknown = await suspend(newId(), 'fraud');
    const longest = await suspend(shop.id, '理'.repeat(500));

    expect(results.map(codeOf)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect((results[0]!.errors![0]!.extensions!.problems as Array<{ field: string }>).map((problem) => problem.field)).toEqual(['arguments.reason']);
    expect(codeOf(unknown)).toBe('NOT_FOUND');
    expect(longest.data!.suspendMerchant.suspendedReason).toBe('理'.repeat(500));
    expect((await h.auditEventsOf(shop.id)).map((event) => event.action)).toEqual(['MERCHANT_SUSPEND']);
  });

  test('a suspension is audited in the outbox with who, why and ACTIVE to SUSPENDED; repeating it returns the shop and records nothing', async () => {
    const shop = await aMerchant(h);

    const first = await suspend(shop.id, '  食品安全检查  ');
    const again = await suspend(shop.id, 'another reason', admin);
    const events = await h.auditEventsOf(shop.id);

    expect(first.data!.suspendMerchant).toEqual({ id: shop.id, suspended: true, suspendedReason: '食品安全检查' });
    // The repeat changes nothing, not even the recorded reason.
    expect(again.data!.suspendMerchant).toEqual({ id: shop.id, suspended: true, suspendedReason: '食品安全检查' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      service: 'products',
      actorId: operator.sub,
      actorRoles: ['OPERATOR'],
      action: 'MERCHANT_SUSPEND',
      targetType: 'MERCHANT',
      targetId: shop.id,
      reason: '食品安全检查',
      before: 'ACTIVE',
      after: 'SUSPENDED',
    });
    // The relay publishes it to audit.events (the operations subgraph keeps the log).
    await eventually(async () => (await h.auditEventsOf(shop.id)).every((event) => event.published), { what: 'the audit event published' });
  });

  test('reinstating is audited SUSPENDED to ACTIVE, clears the reason, and repeating it records nothing', async () => {
    const shop = await aMerchant(h);
    await suspend(shop.id, 'complaints');

    const reinstated = await reinstate(shop.id, 'checked, all fine', admin);
    const again = await reinstate(shop.id, 'checked twice', operator);
    const neverSuspended = await aMerchant(h);
    const noop = await reinstate(neverSuspended.id, 'nothing to lift');

    expect(reinstated.data!.reinstateMerchant).toEqual({ id: shop.id, suspended: false, suspendedReason: null });
    expect(again.data!.reinstateMerchant).toEqual({ id: shop.id, suspended: false, suspendedReason: null });
    expect(noop.data!.reinstateMerchant.suspended).toBe(false);
    expect((await h.auditEventsOf(shop.id)).map(({ action, before, after, reason, actorId }) => ({ action, before, after, reason, actorId }))).toEqual([
      { action: 'MERCHANT_SUSPEND', before: 'ACTIVE', after: 'SUSPENDED', reason: 'complaints', actorId: operator.sub },
      { action: 'MERCHANT_REINSTATE', before: 'SUSPENDED', after: 'ACTIVE', reason: 'checked, all fine', actorId: admin.sub },
    ]);
    expect(await h.auditEventsOf(neverSuspended.id)).toEqual([]);
  });

  test('concurrent suspensions of one shop: one is recorded, all return it suspended', async () => {
    const shop = await aMerchant(h);
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((reason) => suspend(shop.id, reason)));
    expect(results.map((result) => result.data?.suspendMerchant.suspended)).toEqual([true, true, true, true]);
    expect(await h.auditEventsOf(shop.id)).toHaveLength(1);
  });

  test('a suspended shop leaves merchantsNearby and comes back when reinstated', async () => {
    const shop = await aMerchant(h);
    expect(await nearbyIds(shop.location)).toEqual([shop.id]);

    await suspend(shop.id, 'hygiene');
    const whileSuspended = await nearbyIds(shop.location);
    await reinstate(shop.id, 'passed inspection');

    expect(whileSuspended).toEqual([]);
    expect(await nearbyIds(shop.location)).toEqual([shop.id]);
  });

  test('by id a suspended shop stays visible to everyone as suspended; only the owner and staff see why', async () => {
    const shop = await aMerchant(h);
    await suspend(shop.id, 'unpaid fees');
    const viewers: Array<[string, Identity | null]> = [
      ['anonymous', null],
      ['customer', customer],
      ['another merchant', merchantOwner()],
      ['owner', shop.owner],
      ['operator', operator],
      ['admin', admin],
    ];

    const seen: Record<string, unknown> = {};
    for (const [who, caller] of viewers) seen[who] = (await h.call<{ merchant: SuspensionView }>(MERCHANT, { id: shop.id }, caller)).data!.merchant;

    const hidden = { id: shop.id, suspended: true, suspendedReason: null };
    const shown = { id: shop.id, suspended: true, suspendedReason: 'unpaid fees' };
    expect(seen).toEqual({ anonymous: hidden, customer: hidden, 'another merchant': hidden, owner: shown, operator: shown, admin: shown });
  });

  test('the stock hold refuses a suspended shop\'s products with MERCHANT_SUSPENDED and takes nothing; holds taken before stand', async () => {
    const shop = await aMerchant(h);
    const product = await aProduct(h, shop, { stock: 5 });
    const earlier = newId();
    const held = await h.stockApi('/internal/stock/reservations', { orderId: earlier, items: [{ productId: product.id, quantity: 1 }] });
    await suspend(shop.id, 'closed by the city');

    const refused = await h.stockApi<{ code: string; merchantId: string }>('/internal/stock/reservations', { orderId: newId(), items: [{ productId: product.id, quantity: 1 }] });
    const repeated = await h.stockApi('/internal/stock/reservations', { orderId: earlier, items: [{ productId: product.id, quantity: 1 }] });
    const stock = await h.call<{ product: { stock: number } }>('query($id: ID!) { product(id: $id) { stock } }', { id: product.id });
    await reinstate(shop.id, 'reopened');
    const afterReinstating = await h.stockApi('/internal/stock/reservations', { orderId: newId(), items: [{ productId: product.id, quantity: 1 }] });

    expect(held.status).toBe(200);
    expect(refused).toMatchObject({ status: 409, body: { code: 'MERCHANT_SUSPENDED', merchantId: shop.id } });
    expect(repeated.status).toBe(200);
    expect(stock.data!.product.stock).toBe(4);
    expect(afterReinstating.status).toBe(200);
  });
});

describe('staff edits of shops and menus', () => {
  test('ADMIN publishing, setting stock and status is audited in the same outbox, with the values before and after', async () => {
    const shop = await aMerchant(h);
    const published = await h.call<{ publishProduct: { id: string } }>(
      'mutation($input: PublishProductInput!) { publishProduct(input: $input) { id } }',
      { input: { merchantId: shop.id, name: '麻婆豆腐', priceCents: 1800, stock: 3 } },
      admin,
    );
    const productId = published.data!.publishProduct.id;
    await h.call('mutation($id: ID!) { updateProductStock(productId: $id, newStock: 12) { id } }', { id: productId }, admin);
    await h.call('mutation($id: ID!) { setProductStatus(productId: $id, status: OFF_SALE) { id } }', { id: productId }, admin);

    const events = await h.auditEventsOf(productId);

    expect(events.map(({ action, targetType, actorId, actorRoles, reason, before, after, details }) => ({ action, targetType, actorId, actorRoles, reason, before, after, details }))).toEqual([
      { action: 'PRODUCT_PUBLISH', targetType: 'PRODUCT', actorId: admin.sub, actorRoles: ['ADMIN'], reason: null, before: null, after: 'ON_SALE', details: { merchantId: shop.id, priceCents: 1800, stock: 3 } },
      { action: 'PRODUCT_STOCK_SET', targetType: 'PRODUCT', actorId: admin.sub, actorRoles: ['ADMIN'], reason: null, before: null, after: null, details: { merchantId: shop.id, stockBefore: 3, stockAfter: 12 } },
      { action: 'PRODUCT_STATUS_SET', targetType: 'PRODUCT', actorId: admin.sub, actorRoles: ['ADMIN'], reason: null, before: 'ON_SALE', after: 'OFF_SALE', details: { merchantId: shop.id } },
    ]);
  });

  test('a merchant editing their own shop writes no audit event', async () => {
    const shop = await aMerchant(h);
    const product = await aProduct(h, shop, { stock: 2 });
    await h.call('mutation($id: ID!) { updateProductStock(productId: $id, newStock: 4) { id } }', { id: product.id }, shop.owner);
    await h.call('mutation($id: ID!) { setProductStatus(productId: $id, status: OFF_SALE) { id } }', { id: product.id }, shop.owner);

    expect(await h.auditEventsOf(shop.id)).toEqual([]);
    expect(await h.auditEventsOf(product.id)).toEqual([]);
  });

  test('a member of staff who also holds MERCHANT and opens a shop is audited MERCHANT_CREATE', async () => {
    const both: Identity = { sub: `staff-merchant-${newId().slice(0, 8)}`, roles: ['MERCHANT', 'OPERATOR'] };
    const shop = await aMerchant(h, both);

    expect(await h.auditEventsOf(shop.id)).toMatchObject([
      { action: 'MERCHANT_CREATE', targetType: 'MERCHANT', targetId: shop.id, actorId: both.sub, actorRoles: ['MERCHANT', 'OPERATOR'], reason: null, before: null, after: 'ACTIVE' },
    ]);
  });

  test('a refused staff edit (unknown product, bad stock) writes no audit event', async () => {
    const missing = newId();
    const unknown = await h.call('mutation($id: ID!) { updateProductStock(productId: $id, newStock: 4) { id } }', { id: missing }, admin);
    const shop = await aMerchant(h);
    const product = await aProduct(h, shop);
    const negative = await h.call('mutation($id: ID!) { updateProductStock(productId: $id, newStock: -4) { id } }', { id: product.id }, admin);

    expect([codeOf(unknown), codeOf(negative)]).toEqual(['NOT_FOUND', 'BAD_USER_INPUT']);
    expect(await h.auditEventsOf(missing)).toEqual([]);
    expect(await h.auditEventsOf(product.id)).toEqual([]);
  });
});
