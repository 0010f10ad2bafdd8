import { eq } from 'drizzle-orm';
import { connectDatabase, newId } from '@waimai/platform';
import { productsSchema, stockHolds } from '../src/db/schema';
import { createStockStore } from '../src/db/stock-store';
import { aMerchant, aProduct, startProducts, type ProductsHarness } from './harness';

let h: ProductsHarness;
let database: ReturnType<typeof connectDatabase<typeof productsSchema>>;
beforeAll(async () => {
  h = await startProducts();
  database = connectDatabase(h.config, 'products', productsSchema);
});
afterAll(async () => {
  await database.close();
  await h.service.stop();
});

const stockOf = async (productId: string) =>
  (await h.call<{ product: { stock: number } }>('query($id: ID!) { product(id: $id) { stock } }', { id: productId })).data?.product.stock;
const holdOf = async (orderId: string) => (await database.primary.select().from(stockHolds).where(eq(stockHolds.orderId, orderId)))[0];
const reserve = (orderId: string, productId: string, quantity: number) =>
  h.stockApi('/internal/stock/reservations', { orderId, items: [{ productId, quantity }] });

describe('stock holds without an order', () => {
  test('a hold claimed again after the sweep looked (a createOrder retry resuming it) is not released', async () => {
    const product = await aProduct(h, await aMerchant(h), { stock: 5 });
    const orderId = newId();
    expect((await reserve(orderId, product.id, 2)).status).toBe(200);
    const store = createStockStore(database.primary);
    const sweptBefore = new Date((await holdOf(orderId))!.claimedAt!.getTime() + 1);
    expect(await store.unconfirmedHolds(sweptBefore, 1000)).toContain(orderId);

    // The retry resumes the hold between the sweep's look and its release.
    expect((await reserve(orderId, product.id, 2)).status).toBe(200);
    expect((await holdOf(orderId))!.claimedAt!.getTime()).toBeGreaterThanOrEqual(sweptBefore.getTime());

    expect(await h.service.stock.releaseOrphan(orderId, sweptBefore)).toBe(false);
    expect((await holdOf(orderId))!.status).toBe('RESERVED');
    expect(await stockOf(product.id)).toBe(3);
  });

  test('an orphan released once gives its stock back once, and a late reserve for it is refused', async () => {
    const product = await aProduct(h, await aMerchant(h), { stock: 5 });
    const orderId = newId();
    expect((await reserve(orderId, product.id, 2)).status).toBe(200);
    const later = new Date(Date.now() + 60_000);

    const released = await Promise.all([h.service.stock.releaseOrphan(orderId, later), h.service.stock.releaseOrphan(orderId, later)]);

    expect(released.filter(Boolean)).toHaveLength(1);
    expect(await stockOf(product.id)).toBe(5);
    expect(await reserve(orderId, product.id, 2)).toMatchObject({ status: 409 });
    expect(await stockOf(product.id)).toBe(5);
  });

  test('a confirmed hold (its order exists) is never a candidate, nor released', async () => {
    const product = await aProduct(h, await aMerchant(h), { stock: 5 });
    const orderId = newId();
    expect((await reserve(orderId, product.id, 1)).status).toBe(200);
    const store = createStockStore(database.primary);
    await store.confirm([orderId]);
    const later = new Date(Date.now() + 60_000);

    expect(await store.unconfirmedHolds(later, 1000)).not.toContain(orderId);
    expect(await h.service.stock.releaseOrphan(orderId, later)).toBe(false);
    expect((await holdOf(orderId))!.status).toBe('RESERVED');
    expect(await stockOf(product.id)).toBe(4);
  });
});
