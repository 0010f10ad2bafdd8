import { aMerchant, aProduct, merchantOwner, somewhere, startProducts, type ProductsHarness } from './harness';

let h: ProductsHarness;
beforeAll(async () => {
  h = await startProducts();
});
afterAll(async () => {
  await h.service.stop();
});

const customer = { sub: 'customer-1', roles: ['CUSTOMER' as const] };
const admin = { sub: 'admin-1', roles: ['ADMIN' as const] };

describe('merchants', () => {
  test('merchantsNearby lists only shops whose radius covers the point, nearest first', async () => {
    const center = somewhere();
    const make = async (dLat: number, radius: number, name: string) => {
      const owner = merchantOwner();
      const r = await h.call<{ createMerchant: { id: string } }>(
        'mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }',
        { input: { name, address: '路', location: { lat: center.lat + dLat, lng: center.lng }, deliveryRadiusMeters: radius } },
        owner,
      );
      return r.data!.createMerchant.id;
    };
    const far = await make(0.02, 3000, 'far'); // ~2.2 km away, delivers 3 km
    const near = await make(0.005, 1000, 'near'); // ~0.56 km away, delivers 1 km
    const outOfReach = await make(0.01, 500, 'out of reach'); // ~1.1 km away, delivers 0.5 km

    const result = await h.call<{ merchantsNearby: Array<{ distanceMeters: number; merchant: { id: string } }> }>(
      'query($near: GeoPointInput!) { merchantsNearby(near: $near, first: 10) { distanceMeters merchant { id } } }',
      { near: center },
    );

    const ids = result.data!.merchantsNearby.map((m) => m.merchant.id);
    expect(ids).toEqual([near, far]);
    expect(ids).not.toContain(outOfReach);
    expect(result.data!.merchantsNearby[0]!.distanceMeters).toBeGreaterThan(500);
    expect(result.data!.merchantsNearby[0]!.distanceMeters).toBeLessThan(620);
  });

  test('createMerchant needs the MERCHANT role and valid input, and writes nothing otherwise', async () => {
    const location = somewhere();
    const anonymous = await h.call('mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }', { input: { name: 'x', address: 'y', location } });
    const asCustomer = await h.call('mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }', { input: { name: 'x', address: 'y', location } }, customer);
    const invalid = await h.call(
      'mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }',
      { input: { name: ' ', address: 'y'.repeat(301), location: { lat: 91, lng: 0 }, deliveryRadiusMeters: 10 } },
      merchantOwner(),
    );
    const nearby = await h.call<{ merchantsNearby: unknown[] }>('query($near: GeoPointInput!) { merchantsNearby(near: $near) { distanceMeters } }', { near: location });

    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(asCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(invalid.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((invalid.errors?.[0]?.extensions?.problems as unknown[]).length).toBe(4);
    expect(nearby.data!.merchantsNearby).toEqual([]);
  });
});

describe('products', () => {
  test('Merchant.products pages newest first; customers see only what is on sale, the owner sees all', async () => {
    const merchant = await aMerchant(h);
    const published: string[] = [];
    for (let i = 0; i < 5; i += 1) published.push((await aProduct(h, merchant, { name: `dish ${i}` })).id);
    await h.call('mutation($id: ID!) { setProductStatus(productId: $id, status: OFF_SALE) { id } }', { id: published[0] }, merchant.owner);
    const page = (caller: typeof customer | null, after: string | null) =>
      h.call<{ merchant: { products: { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } } }>(
        'query($id: ID!, $after: String) { merchant(id: $id) { products(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }',
        { id: merchant.id, after },
        caller,
      );

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { data } = await page(null, after);
      seen.push(...data!.merchant.products.edges.map((e) => e.node.id));
      if (!data!.merchant.products.pageInfo.hasNextPage) break;
      after = data!.merchant.products.pageInfo.endCursor;
    }
    const ownerView = await h.call<{ merchant: { products: { edges: unknown[] } } }>(
      'query($id: ID!) { merchant(id: $id) { products(first: 10) { edges { node { id } } } } }',
      { id: merchant.id },
      merchant.owner,
    );

    expect(seen).toEqual(published.slice(1).reverse());
    expect(ownerView.data!.merchant.products.edges).toHaveLength(5);
  });

  test('another merchant cannot change the stock or status; bad stock is refused; nothing changes', async () => {
    const merchant = await aMerchant(h);
    const product = await aProduct(h, merchant, { stock: 7 });
    const intruder = merchantOwner();

    const stolen = await h.call('mutation($id: ID!) { updateProductStock(productId: $id, newStock: 100) { id stock } }', { id: product.id }, intruder);
    const hidden = await h.call('mutation($id: ID!) { setProductStatus(productId: $id, status: OFF_SALE) { id } }', { id: product.id }, intruder);
    const negative = await h.call('mutation($id: ID!) { updateProductStock(productId: $id, newStock: -1) { id } }', { id: product.id }, merchant.owner);
    const missing = await h.call('mutation { updateProductStock(productId: "nope", newStock: 1) { id } }', {}, merchant.owner);
    const byAdmin = await h.call<{ updateProductStock: { stock: number } }>('mutation($id: ID!) { updateProductStock(productId: $id, newStock: 9) { stock } }', { id: product.id }, admin);
    const after = await h.call<{ product: { stock: number; status: string } }>('query($id: ID!) { product(id: $id) { stock status } }', { id: product.id });

    expect(stolen.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(hidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(negative.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(byAdmin.data!.updateProductStock.stock).toBe(9);
    expect(after.data!.product).toEqual({ stock: 9, status: 'ON_SALE' });
  });

  test('publishProduct validates every field and names each problem', async () => {
    const merchant = await aMerchant(h);
    const result = await h.call(
      'mutation($input: PublishProductInput!) { publishProduct(input: $input) { id } }',
      { input: { merchantId: merchant.id, name: '', description: 'x'.repeat(1001), priceCents: -5, stock: 2_000_000 } },
      merchant.owner,
    );
    const fields = (result.errors?.[0]?.extensions?.problems as Array<{ field: string }>).map((p) => p.field);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(fields.sort()).toEqual(['input.description', 'input.name', 'input.priceCents', 'input.stock']);
  });
});

describe('entities', () => {
  test('one _entities batch of products and their merchants loads each type with one query', async () => {
    const merchant = await aMerchant(h);
    const products = [await aProduct(h, merchant), await aProduct(h, merchant), await aProduct(h, merchant)];
    h.queries.length = 0;

    const result = await h.call<{ _entities: Array<{ id: string; merchant: { id: string } }> }>(
      'query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Product { id merchant { id } } } }',
      { reps: products.map((p) => ({ __typename: 'Product', id: p.id })) },
    );

    expect(result.data!._entities.map((e) => e.id)).toEqual(products.map((p) => p.id));
    expect(result.data!._entities.every((e) => e.merchant.id === merchant.id)).toBe(true);
    expect(h.queries.filter((q) => q.includes('from `products`'))).toHaveLength(1);
    expect(h.queries.filter((q) => q.includes('from `merchants`'))).toHaveLength(1);
  });

  test('_entities resolves a Merchant by key and answers null for an unknown one', async () => {
    const merchant = await aMerchant(h);
    const result = await h.call<{ _entities: Array<{ id: string; ownerId: string } | null> }>(
      'query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Merchant { id ownerId } } }',
      { reps: [{ __typename: 'Merchant', id: merchant.id }, { __typename: 'Merchant', id: 'missing' }] },
      // The owner: anyone else gets ownerId null (input-and-visibility.test.ts).
      merchant.owner,
    );
    expect(result.data!._entities).toEqual([{ id: merchant.id, ownerId: merchant.owner.sub }, null]);
  });
});
