import type { Express } from 'express';
import { answer, mountInternalApi, refuse, stockApi, type InternalSigner, type Logger } from '@waimai/platform';
import type { ReservationRefusal, StockService } from '../domain/stock';

/** A refusal both pricing and holding may answer: the items or the shop, never the hold. */
function itemsRefusalOf(refusal: Exclude<ReservationRefusal, { kind: 'already-released' }>) {
  switch (refusal.kind) {
    case 'out-of-stock':
      return refuse('OUT_OF_STOCK', { productIds: refusal.productIds });
    case 'merchant-suspended':
      return refuse('MERCHANT_SUSPENDED', { merchantId: refusal.merchantId, message: 'This shop is suspended and takes no orders.' });
    case 'unknown-products':
      return refuse('BAD_USER_INPUT', { message: 'Unknown products.', field: 'items', problem: 'Unknown products.', productIds: refusal.productIds });
    case 'not-on-sale':
      return refuse('BAD_USER_INPUT', { message: 'Products are not on sale.', field: 'items', problem: 'Products are not on sale.', productIds: refusal.productIds });
    case 'out-of-range':
      return refuse('BAD_USER_INPUT', {
        message: `${refusal.merchantName} does not deliver that far.`,
        field: 'deliveryLocation',
        problem: `outside the merchant's ${refusal.deliveryRadiusMeters} m delivery radius`,
      });
    case 'several-merchants':
      return refuse('BAD_USER_INPUT', {
        message: 'All items must come from one merchant.',
        field: 'items',
        problem: 'All items must come from one merchant.',
        merchantIds: refusal.merchantIds,
      });
  }
}

function refusalOf(refusal: ReservationRefusal) {
  if (refusal.kind === 'already-released') return refuse('ALREADY_RELEASED', { message: 'This order\'s stock was already released.' });
  return itemsRefusalOf(refusal);
}

/**
 * Serves `stockApi` (packages/platform), which orders calls while a customer waits on
 * createOrder or quoteOrder. It sits outside /graphql, is never routed by the gateway, and needs a service token.
 */
export function mountStockApi(app: Express, stock: Pick<StockService, 'price' | 'reserve' | 'release'>, signer: InternalSigner, logger: Logger): void {
  mountInternalApi(
    app,
    stockApi,
    {
      async reserve({ body }) {
        const result = await stock.reserve(body.orderId, body.items, body.deliverTo);
        return result.ok ? answer(result.reservation) : refusalOf(result.refusal);
      },
      async price({ body }) {
        const result = await stock.price(body.items, body.deliverTo);
        return result.ok ? answer(result.priced) : itemsRefusalOf(result.refusal);
      },
      release: async ({ params }) => answer(await stock.release(params.orderId)),
    },
    { signer, logger },
  );
}
