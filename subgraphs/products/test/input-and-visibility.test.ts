import type { Identity } from '@waimai/platform';
import { aMerchant, aProduct, merchantOwner, somewhere, startProducts, type ProductsHarness } from './harness';

let h: ProductsHarness;
beforeAll(async () => {
  h = await startProducts();
});
afterAll(async () => {
  await h.service.stop();
});

const CREATE_MERCHANT = 'mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id name address } }';
const PUBLISH = 'mutation($input: PublishProductInput!) { publishProduct(input: $input) { id name description } }';
const MY_MERCHANTS = 'query { myMerchants { id } }';

describe('merchant and product text', () => {
  test('control, bidi, zero-width characters and unpaired surrogates in a name or address are BAD_USER_INPUT; no merchant is written', async () => {
    const owner = merchantOwner();
    const hostile = ['小\u0000馆', '小\ud800馆', '小\u202e馆', '小\u2066馆', '小\u200d馆', '小\u2060馆', '小\u009b馆', '小\n馆'];

    const codes: Array<string | undefined> = [];
    for (const value of hostile) {
      const badName = await h.call(CREATE_MERCHANT, { input: { name: value, address: '测试路1号', location: somewhere() } }, owner);
      const badAddress = await h.call(CREATE_MERCHANT, { input: { name: '小馆', address: value, location: somewhere() } }, owner);
      codes.push(badName.errors?.[0]?.extensions?.code, badAddress.errors?.[0]?.extensions?.code);
    }
    const mine = await h.call<{ myMerchants: unknown[] }>(MY_MERCHANTS, {}, owner);

    expect(codes).toEqual(hostile.flatMap(() => ['BAD_USER_INPUT', 'BAD_USER_INPUT']));
    expect(mine.data!.myMerchants).toEqual([]);
  });

  test('names and addresses are stored NFC-normalised', async () => {
    const created = await h.call<{ createMerchant: { name: string; address: string } }>(
      CREATE_MERCHANT,
      { input: { name: ' Cafe\u0301 ', address: 'Rue de l\u2019E\u0301glise 1', location: somewhere() } },
      merchantOwner(),
    );
    expect(created.data!.createMerchant).toMatchObject({ name: 'Caf\u00e9', address: 'Rue de l\u2019\u00c9glise 1' });
  });

  test('a product description may span lines and tabs but not other control characters; a refused product is not written', async () => {
    const merchant = await aMerchant(h);
    const multiLine = await h.call<{ publishProduct: { description: string } }>(
      PUBLISH,
      { input: { merchantId: merchant.id, name: '拼盘', description: '鸡肉\r\n\t牛肉\n', priceCents: 100, stock: 1 } },
      merchant.owner,
    );
    const withNul = await h.call(PUBLISH, { input: { merchantId: merchant.id, name: '拼盘二', description: '鸡肉\u0000', priceCents: 100, stock: 1 } }, merchant.owner);
    const withBidi = await h.call(PUBLISH, { input: { merchantId: merchant.id, name: '拼盘三', description: '\u202e肉牛', priceCents: 100, stock: 1 } }, merchant.owner);
    const products = await h.call<{ merchant: { products: { edges: Array<{ node: { name: string } }> } } }>(
      'query($id: ID!) { merchant(id: $id) { products(first: 10) { edges { node { name } } } } }',
      { id: merchant.id },
      merchant.owner,
    );

    expect(multiLine.data!.publishProduct.description).toBe('鸡肉\n\t牛肉');
    expect([withNul.errors?.[0]?.extensions?.code, withBidi.errors?.[0]?.extensions?.code]).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(products.data!.merchant.products.edges.map((edge) => edge.node.name)).toEqual(['拼盘']);
  });

  test('the stock API refuses a request naming one product twice and holds nothing', async () => {
    const merchant = await aMerchant(h);
    const product = await aProduct(h, merchant, { stock: 100 });

    const refused = await h.stockApi<{ code: string }>('/internal/stock/reservations', {
      orderId: `order-${product.id.slice(0, 8)}`,
      items: [{ productId: product.id, quantity: 60 }, { productId: product.id, quantity: 60 }],
    });
    const stock = await h.call<{ product: { stock: number } }>('query($id: ID!) { product(id: $id) { stock } }', { id: product.id });

    expect(refused).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT' } });
    expect(stock.data!.product.stock).toBe(100);
  });
});

describe('Merchant.ownerId', () => {
  test('the owner, OPERATOR and ADMIN see it; anonymous callers, customers and other merchants get null', async () => {
    const merchant = await aMerchant(h);
    const viewers: Array<[string, Identity | null]> = [
      ['owner', merchant.owner],
      ['operator', { sub: 'operator-1', roles: ['OPERATOR'] }],
      ['admin', { sub: 'admin-1', roles: ['ADMIN'] }],
      ['anonymous', null],
      ['customer', { sub: 'customer-1', roles: ['CUSTOMER'] }],
      ['another merchant', merchantOwner()],
    ];

    const seen: Record<string, unknown> = {};
    for (const [who, caller] of viewers) {
      const result = await h.call<{ merchant: { ownerId: string | null } }>('query($id: ID!) { merchant(id: $id) { ownerId } }', { id: merchant.id }, caller);
      const entity = await h.call<{ _entities: Array<{ ownerId: string | null }> }>(
        'query($r: [_Any!]!) { _entities(representations: $r) { ... on Merchant { ownerId } } }',
        { r: [{ __typename: 'Merchant', id: merchant.id }] },
        caller,
      );
      seen[who] = [result.data!.merchant.ownerId, entity.data!._entities[0]!.ownerId];
    }

    const owner = merchant.owner.sub;
    expect(seen).toEqual({
      owner: [owner, owner],
      operator: [owner, owner],
      admin: [owner, owner],
      anonymous: [null, null],
      customer: [null, null],
      'another merchant': [null, null],
    });
  });
});
