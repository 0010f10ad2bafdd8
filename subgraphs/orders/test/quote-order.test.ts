import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { aMenu, CREATE_ORDER, customer, merchantOwner, startOrdersWithProducts, stockOf, type OrdersHarness } from './harness';

/*
 * Checkout pricing without operations' answer: operations here is a server that takes the
 * request and never answers, so every discount call runs into CAMPAIGNS_API_TIMEOUT_MS. The
 * discounts themselves are priced in tests/e2e/campaigns.test.ts, with operations running.
 */

const QUOTE = `query($input: QuoteOrderInput!) {
  quoteOrder(input: $input) {
    lines { product { id } productName unitPriceCents quantity subtotalCents }
    itemsCents discounts { campaignId } discountCents deliveryFeeCents totalCents discountsAvailable
  }
}`;
const ORDER_PRICE = `query($id: ID!) {
  order(id: $id) {
    totalCents
    priceBreakdown {
      lines { product { id } productName unitPriceCents quantity subtotalCents }
      itemsCents discounts { campaignId } discountCents deliveryFeeCents totalCents discountsAvailable
    }
  }
}`;

interface Breakdown {
  lines: Array<{ product: { id: string }; productName: string; unitPriceCents: number; quantity: number; subtotalCents: number }>;
  itemsCents: number;
  discounts: Array<{ campaignId: string }>;
  discountCents: number;
  deliveryFeeCents: number;
  totalCents: number;
  discountsAvailable: boolean;
}

let silentOperations: http.Server;
let h: OrdersHarness;
beforeAll(async () => {
  silentOperations = http.createServer(() => {
    // Takes every request and never answers: operations hung.
  });
  await new Promise<void>((resolve) => silentOperations.listen(0, '127.0.0.1', resolve));
  const { port } = silentOperations.address() as AddressInfo;
  h = await startOrdersWithProducts({ DELIVERY_FEE_CENTS: '300', CAMPAIGNS_API_TIMEOUT_MS: '300' }, {}, { operationsUrl: `http://127.0.0.1:${port}` });
});
afterAll(async () => {
  await h.stop();
  silentOperations.closeAllConnections();
  await new Promise<void>((resolve) => silentOperations.close(() => resolve()));
});

const near = (point: { lat: number; lng: number }) => ({ lat: point.lat + 0.005, lng: point.lng });

describe('quoteOrder', () => {
  test('prices a basket at products\' prices with the delivery fee, holds no stock, and says discounts were unavailable', async () => {
    const menu = await aMenu(h, [{ name: '牛肉面', priceCents: 1800, stock: 10 }, { name: '凉菜', priceCents: 600, stock: 10 }]);
    const [noodles, salad] = menu.products as [string, string];

    const result = await h.callOrders<{ quoteOrder: Breakdown }>(
      QUOTE,
      { input: { items: [{ productId: noodles, quantity: 2 }, { productId: salad, quantity: 1 }], deliveryLocation: near(menu.location) } },
      customer(),
    );

    expect(result.errors).toBeUndefined();
    const quote = result.data!.quoteOrder;
    expect(quote).toMatchObject({ itemsCents: 4200, discounts: [], discountCents: 0, deliveryFeeCents: 300, totalCents: 4500, discountsAvailable: false });
    expect(quote.lines).toEqual(
      expect.arrayContaining([
        { product: { id: noodles }, productName: '牛肉面', unitPriceCents: 1800, quantity: 2, subtotalCents: 3600 },
        { product: { id: salad }, productName: '凉菜', unitPriceCents: 600, quantity: 1, subtotalCents: 600 },
      ]),
    );
    expect([await stockOf(h, noodles), await stockOf(h, salad)]).toEqual([10, 10]);
  });

  test('refuses what createOrder refuses: no items, a place the shop does not serve, more than is left, another role', async () => {
    const menu = await aMenu(h, [{ name: '炒饭', priceCents: 1500, stock: 2 }]);
    const [rice] = menu.products as [string];
    const codeOf = async (input: Record<string, unknown>, caller = customer()) =>
      (await h.callOrders(QUOTE, { input }, caller)).errors?.map((error) => [error.extensions?.code, (error.extensions?.problems as Array<{ field: string }> | undefined)?.[0]?.field]);

    expect(await codeOf({ items: [], deliveryLocation: near(menu.location) })).toEqual([['BAD_USER_INPUT', 'input.items']]);
    expect(await codeOf({ items: [{ productId: rice, quantity: 1 }], deliveryLocation: { lat: menu.location.lat + 1, lng: menu.location.lng } })).toEqual([
      ['BAD_USER_INPUT', 'input.deliveryLocation'],
    ]);
    expect(await codeOf({ items: [{ productId: rice, quantity: 3 }], deliveryLocation: near(menu.location) })).toEqual([['OUT_OF_STOCK', undefined]]);
    expect(await codeOf({ items: [{ productId: rice, quantity: 1 }], deliveryLocation: near(menu.location) }, merchantOwner())).toEqual([['FORBIDDEN', undefined]]);
    expect(await stockOf(h, rice)).toBe(2);
  });
});

describe('an order placed while operations does not answer', () => {
  test('is placed without discounts, and its priceBreakdown is what quoteOrder showed', async () => {
    const menu = await aMenu(h, [{ name: '饺子', priceCents: 2000, stock: 5 }]);
    const [dumplings] = menu.products as [string];
    const buyer = customer();
    const basket = { items: [{ productId: dumplings, quantity: 2 }], deliveryLocation: near(menu.location) };
    const quote = (await h.callOrders<{ quoteOrder: Breakdown }>(QUOTE, { input: basket }, buyer)).data!.quoteOrder;

    const created = await h.callOrders<{ createOrder: { id: string; totalCents: number } }>(CREATE_ORDER, { input: { ...basket, deliveryAddress: '人民路3号', couponId: 'a-coupon' } }, buyer);

    expect(created.errors).toBeUndefined();
    const order = (await h.callOrders<{ order: { totalCents: number; priceBreakdown: Breakdown } }>(ORDER_PRICE, { id: created.data!.createOrder.id }, buyer)).data!.order;
    expect(order.priceBreakdown).toEqual(quote);
    expect(order.totalCents).toBe(4300);
    expect(order.priceBreakdown).toMatchObject({ itemsCents: 4000, deliveryFeeCents: 300, discountsAvailable: false });
  });

  test('the same idempotency key returns the same order with the same breakdown', async () => {
    const menu = await aMenu(h, [{ name: '馄饨', priceCents: 1200, stock: 5 }]);
    const [wonton] = menu.products as [string];
    const buyer = customer();
    const input = { items: [{ productId: wonton, quantity: 1 }], deliveryAddress: '人民路4号', deliveryLocation: near(menu.location), idempotencyKey: 'checkout-7' };

    const first = (await h.callOrders<{ createOrder: { id: string } }>(CREATE_ORDER, { input }, buyer)).data!.createOrder;
    const again = (await h.callOrders<{ createOrder: { id: string } }>(CREATE_ORDER, { input }, buyer)).data!.createOrder;

    expect(again.id).toBe(first.id);
    const breakdowns = await Promise.all([first, again].map(async ({ id }) => (await h.callOrders<{ order: { priceBreakdown: Breakdown } }>(ORDER_PRICE, { id }, buyer)).data!.order.priceBreakdown));
    expect(breakdowns[1]).toEqual(breakdowns[0]);
    expect(await stockOf(h, wonton)).toBe(4);
  });
});
