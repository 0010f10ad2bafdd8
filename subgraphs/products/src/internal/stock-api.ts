import type { Express } from 'express';
import { ErrorCode, internalRouter, type InternalSigner, type Logger } from '@waimai/platform';
import type { StockStore, ReservationRefusal } from '../db/stock-store';
import { stockRequest } from '../domain/rules';

/** Services allowed to hold and release stock. */
const STOCK_CLIENTS = new Set(['orders']);

function refusalResponse(refusal: ReservationRefusal): { status: number; body: Record<string, unknown> } {
  switch (refusal.kind) {
    case 'out-of-stock':
      return { status: 409, body: { code: ErrorCode.OUT_OF_STOCK, productIds: refusal.productIds } };
    case 'already-released':
      return { status: 409, body: { code: ErrorCode.INVALID_STATE_TRANSITION, message: 'This order\'s stock was already released.' } };
    case 'unknown-products':
      return { status: 422, body: { code: ErrorCode.BAD_USER_INPUT, message: 'Unknown products.', productIds: refusal.productIds } };
    case 'not-on-sale':
      return { status: 422, body: { code: ErrorCode.BAD_USER_INPUT, message: 'Products are not on sale.', productIds: refusal.productIds } };
    case 'out-of-range':
      return {
        status: 422,
        body: {
          code: ErrorCode.BAD_USER_INPUT,
          message: `${refusal.merchantName} does not deliver that far.`,
          field: 'deliveryLocation',
          problem: `outside the merchant's ${refusal.deliveryRadiusMeters} m delivery radius`,
        },
      };
    case 'several-merchants':
      return { status: 422, body: { code: ErrorCode.BAD_USER_INPUT, message: 'All items must come from one merchant.', merchantIds: refusal.merchantIds } };
  }
}

/**
 * The stock API the orders service calls while a customer waits on createOrder. It sits
 * outside /graphql, is never routed by the gateway, and needs a service token.
 */
export function mountStockApi(app: Express, stock: StockStore, signer: InternalSigner, logger: Logger): void {
  const { router, finish } = internalRouter({ signer, clients: STOCK_CLIENTS, logger: logger.child({ component: 'stock-api' }), bodyLimit: '64kb' });

  router.post('/reservations', async (req, res, next) => {
    try {
      const parsed = stockRequest.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({ code: ErrorCode.BAD_USER_INPUT, message: parsed.error.message });
        return;
      }
      const result = await stock.reserve(parsed.data.orderId, parsed.data.items, parsed.data.deliverTo);
      if (result.ok) {
        res.json(result.reservation);
        return;
      }
      const { status, body } = refusalResponse(result.refusal);
      res.status(status).json(body);
    } catch (err) {
      next(err);
    }
  });

  router.post('/reservations/:orderId/release', async (req, res, next) => {
    try {
      res.json(await stock.release(req.params.orderId));
    } catch (err) {
      next(err);
    }
  });

  app.use('/internal/stock', finish());
}
