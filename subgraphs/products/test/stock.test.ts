import { newId } from '@waimai/platform';
import { aMerchant, aProduct, startProducts, type ProductsHarness } from './harness';

interface ReservationBody {
  merchant: { id: string; ownerId: string };
  lines: Array<{ productId: string; name: string; unitPriceCents: number; quantity: number }>;
  code?: string;
  productIds?: string[];
}

let h: ProductsHarness;
beforeAll(async () => {
  h = await startProducts();
});
afterAll(async () => {
  await h.service.stop();
});

const stockOf = async (productId: string) =>
  (await h.call<{ product: { stock: number } }>('query($id: ID!) { product(id: $id) { stock } }', { id: productId })).data?.product.stock;

describe('the internal stock API', () => {
  test('forty concurrent single-unit holds on a stock of ten: exactly ten succeed and stock ends at zero', async () => {
    const merchant = await aMerchant(h);
    const product = await aProduct(h, merchant, { stock: 10 });
    const orderIds = Array.from({ length: 40 }, () => newId());

    const results = await Promise.all(
      orderIds.map((orderId) => h.stockApi<ReservationBody>('/internal/stock/reservations', { orderId, items: [{ productId: product.id, quantity: 1 }] })),
    );

    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(30);
    for (const r of refused) expect(r.body).toMatchObject({ code: 'OUT_OF_STOCK', productIds: [product.id] });
    expect(await stockOf(product.id)).toBe(0);
  });

  test('a hold returns the server prices and the merchant, and repeating it for the same order takes nothing more', async () => {
    const merchant = await aMerchant(h);
    const noodles = await aProduct(h, merchant, { stock: 5, priceCents: 1800, name: '牛肉面' });
    const orderId = newId();
    const request = { orderId, items: [{ productId: noodles.id, quantity: 2 }] };

    const first = await h.stockApi<ReservationBody>('/internal/stock/reservations', request);
    const again = await h.stockApi<ReservationBody>('/internal/stock/reservations', request);

    expect(first.status).toBe(200);
    expect(first.body.merchant).toMatchObject({ id: merchant.id, ownerId: merchant.owner.sub });
    expect(first.body.lines).toEqual([{ productId: noodles.id, name: '牛肉面', unitPriceCents: 1800, quantity: 2 }]);
    expect(again.body).toEqual(first.body);
    expect(await stockOf(noodles.id)).toBe(3);
  });

  test('a hold over several products is all or nothing', async () => {
    const merchant = await aMerchant(h);
    const plenty = await aProduct(h, merchant, { stock: 10 });
    const scarce = await aProduct(h, merchant, { stock: 1 });

    const result = await h.stockApi<ReservationBody>('/internal/stock/reservations', {
      orderId: newId(),
      items: [{ productId: plenty.id, quantity: 3 }, { productId: scarce.id, quantity: 2 }],
    });

    expect(result.status).toBe(409);
    expect(result.body).toMatchObject({ code: 'OUT_OF_STOCK', productIds: [scarce.id] });
    expect(await stockOf(plenty.id)).toBe(10);
    expect(await stockOf(scarce.id)).toBe(1);
  });

  test('releasing gives the stock back once, however often it is called', async () => {
    const merchant = await aMerchant(h);
    const product = await aProduct(h, merchant, { stock: 4 });
    const orderId = newId();
    await h.stockApi('/internal/stock/reservations', { orderId, items: [{ productId: product.id, quantity: 3 }] });

    const releases = await Promise.all([1, 2, 3].map(() => h.stockApi<{ released: boolean }>(`/internal/stock/reservations/${orderId}/release`, {})));

    expect(releases.filter((r) => r.body.released)).toHaveLength(1);
    expect(await stockOf(product.id)).toBe(4);
  });

  test('a hold arriving after its order was released is refused and takes nothing', async () => {
    const merchant = await aMerchant(h);
    const product = await aProduct(h, merchant, { stock: 4 });
    const orderId = newId();

    await h.stockApi(`/internal/stock/reservations/${orderId}/release`, {});
    const late = await h.stockApi<ReservationBody>('/internal/stock/reservations', { orderId, items: [{ productId: product.id, quantity: 1 }] });

    expect(late.status).toBe(409);
    expect(await stockOf(product.id)).toBe(4);
  });

  test('items from two merchants, unknown products and off-sale products are refused', async () => {
    const first = await aMerchant(h);
    const second = await aMerchant(h);
    const a = await aProduct(h, first);
    const b = await aProduct(h, second);
    const off = await aProduct(h, first);
    await h.call('mutation($id: ID!) { setProductStatus(productId: $id, status: OFF_SALE) { id } }', { id: off.id }, first.owner);

    const mixed = await h.stockApi<ReservationBody>('/internal/stock/reservations', { orderId: newId(), items: [{ productId: a.id, quantity: 1 }, { productId: b.id, quantity: 1 }] });
    const unknown = await h.stockApi<ReservationBody>('/internal/stock/reservations', { orderId: newId(), items: [{ productId: newId(), quantity: 1 }] });
    const offSale = await h.stockApi<ReservationBody>('/internal/stock/reservations', { orderId: newId(), items: [{ productId: off.id, quantity: 1 }] });

    expect([mixed.status, unknown.status, offSale.status]).toEqual([422, 422, 422]);
    expect([mixed.body.code, unknown.body.code, offSale.body.code]).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(await stockOf(a.id)).toBe(10);
  });

  test('without a service token the stock API refuses to answer', async () => {
    const response = await fetch(`${h.service.baseUrl}/internal/stock/reservations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: newId(), items: [] }),
    });
    expect(response.status).toBe(401);
  });
});
