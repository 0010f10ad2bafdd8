import { aMerchant, anActor, aPlace, gql, north, startStack, type Stack } from '@waimai/testkit';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

const OPEN_MERCHANT = `mutation OpenMerchant($input: CreateMerchantInput!) {
  createMerchant(input: $input) { id name address location { lat lng } deliveryRadiusMeters ownerId }
}`;
const PUBLISH_PRODUCT = `mutation PublishProduct($input: PublishProductInput!) {
  publishProduct(input: $input) { id name description priceCents stock status merchant { id name } }
}`;
const NEARBY = `query NearbyMerchants($near: GeoPointInput!, $first: Int) {
  merchantsNearby(near: $near, first: $first) {
    distanceMeters
    merchant { id name address location { lat lng } products(first: 20) { edges { node { id name priceCents stock status } } pageInfo { hasNextPage endCursor } } }
  }
}`;
const PRODUCT_INFO = `query ProductInfo($id: ID!) {
  product(id: $id) { id name description priceCents stock status merchant { id name location { lat lng } } }
}`;
const UPDATE_STOCK = `mutation UpdateProductStock($productId: ID!, $newStock: Int!) { updateProductStock(productId: $productId, newStock: $newStock) { id stock } }`;

describe('through the gateway', () => {
  test('a merchant opens a shop and publishes; an anonymous customer finds it nearby and reads the product', async () => {
    const owner = await anActor('MERCHANT');
    const location = aPlace();

    const opened = await gql<{ createMerchant: { id: string; ownerId: string; deliveryRadiusMeters: number } }>(
      stack.graphqlUrl,
      OPEN_MERCHANT,
      { input: { name: '老北京炸酱面', address: '前门大街1号', location } },
      owner.token,
    );
    const merchantId = opened.data!.createMerchant.id;
    const published = await gql<{ publishProduct: { id: string; status: string; merchant: { id: string; name: string } } }>(
      stack.graphqlUrl,
      PUBLISH_PRODUCT,
      { input: { merchantId, name: '炸酱面', description: '手擀面', priceCents: 2600, stock: 30 } },
      owner.token,
    );
    const nearby = await gql<{ merchantsNearby: Array<{ distanceMeters: number; merchant: { id: string; products: { edges: Array<{ node: { id: string } }> } } }> }>(
      stack.graphqlUrl,
      NEARBY,
      { near: north(location, 800), first: 5 },
    );
    const product = await gql<{ product: { id: string; name: string; priceCents: number; stock: number; status: string; merchant: { id: string; name: string } } }>(
      stack.graphqlUrl,
      PRODUCT_INFO,
      { id: published.data!.publishProduct.id },
    );

    expect(opened.data!.createMerchant).toMatchObject({ ownerId: owner.sub, deliveryRadiusMeters: 5000 });
    expect(published.data!.publishProduct).toMatchObject({ status: 'ON_SALE', merchant: { id: merchantId, name: '老北京炸酱面' } });
    expect(nearby.data!.merchantsNearby).toHaveLength(1);
    expect(nearby.data!.merchantsNearby[0]!.distanceMeters).toBeGreaterThan(780);
    expect(nearby.data!.merchantsNearby[0]!.distanceMeters).toBeLessThan(820);
    expect(nearby.data!.merchantsNearby[0]!.merchant.products.edges.map((e) => e.node.id)).toEqual([published.data!.publishProduct.id]);
    expect(product.data!.product).toEqual({
      id: published.data!.publishProduct.id,
      name: '炸酱面',
      description: '手擀面',
      priceCents: 2600,
      stock: 30,
      status: 'ON_SALE',
      merchant: { id: merchantId, name: '老北京炸酱面', location },
    });
  });

  test('a customer cannot publish, and a request without a token is UNAUTHENTICATED', async () => {
    const merchant = await aMerchant(stack);
    const customer = await anActor('CUSTOMER');
    const input = { merchantId: merchant.id, name: '偷偷上架', priceCents: 100, stock: 1 };

    const asCustomer = await gql(stack.graphqlUrl, PUBLISH_PRODUCT, { input }, customer.token);
    const anonymous = await gql(stack.graphqlUrl, PUBLISH_PRODUCT, { input });

    expect(asCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  test('another merchant cannot change the stock; the owner can', async () => {
    const merchant = await aMerchant(stack, [{ name: '红烧肉', priceCents: 3800, stock: 12 }]);
    const rival = await anActor('MERCHANT');
    const productId = merchant.products[0]!.id;

    const stolen = await gql(stack.graphqlUrl, UPDATE_STOCK, { productId, newStock: 0 }, rival.token);
    const owned = await gql<{ updateProductStock: { stock: number } }>(stack.graphqlUrl, UPDATE_STOCK, { productId, newStock: 20 }, merchant.owner.token);

    expect(stolen.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(owned.data!.updateProductStock.stock).toBe(20);
  });

  test('bad input answers BAD_USER_INPUT and changes nothing', async () => {
    const merchant = await aMerchant(stack, [{ name: '小笼包', priceCents: 1800, stock: 12 }]);
    const productId = merchant.products[0]!.id;
    const location = aPlace();

    const badShop = await gql(stack.graphqlUrl, OPEN_MERCHANT, { input: { name: '', address: '路', location: { lat: 120, lng: 0 } } }, merchant.owner.token);
    const badDish = await gql(stack.graphqlUrl, PUBLISH_PRODUCT, { input: { merchantId: merchant.id, name: '菜', priceCents: -1, stock: 1 } }, merchant.owner.token);
    const badStock = await gql(stack.graphqlUrl, UPDATE_STOCK, { productId, newStock: -5 }, merchant.owner.token);
    const after = await gql<{ product: { stock: number } }>(stack.graphqlUrl, PRODUCT_INFO, { id: productId });
    const shops = await gql<{ merchantsNearby: unknown[] }>(stack.graphqlUrl, NEARBY, { near: location });
    const menu = await gql<{ merchant: { products: { edges: unknown[] } } }>(stack.graphqlUrl, 'query($id: ID!) { merchant(id: $id) { products { edges { cursor } } } }', { id: merchant.id });

    expect([badShop, badDish, badStock].map((r) => r.errors?.[0]?.extensions?.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(after.data!.product.stock).toBe(12);
    expect(shops.data!.merchantsNearby).toEqual([]);
    expect(menu.data!.merchant.products.edges).toHaveLength(1);
  });

  test('a subgraph called directly, without the gateway, refuses the request', async () => {
    const response = await fetch(`${stack.subgraphUrls.products}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { createMerchant(input: { name: "x", address: "y", location: { lat: 0, lng: 0 } }) { id } }' }),
    });
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(response.status).toBe(401);
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });
});
