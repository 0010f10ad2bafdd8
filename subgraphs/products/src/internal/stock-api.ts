import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { bearerToken, ErrorCode, type InternalSigner, type Logger } from '@waimai/platform';
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
    case 'several-merchants':
      return { status: 422, body: { code: ErrorCode.BAD_USER_INPUT, message: 'All items must come from one merchant.', merchantIds: refusal.merchantIds } };
  }
}

/**
 * The stock API the orders service calls while a customer waits on createOrder. It sits
 * outside /graphql, is never routed by the gateway, and needs a service token.
 */
export function mountStockApi(app: Express, stock: StockStore, signer: InternalSigner, logger: Logger): void {
  const log = logger.child({ component: 'stock-api' });
  const router = express.Router();
  router.use(express.json({ limit: '64kb' }));
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req.header('authorization'));
    try {
      const service = token ? await signer.verifyService(token) : null;
      if (service && STOCK_CLIENTS.has(service)) return next();
    } catch {
      // fall through to the refusal
    }
    res.status(401).json({ code: ErrorCode.UNAUTHENTICATED, message: 'A service token is required.' });
  });

  router.post('/reservations', async (req, res, next) => {
    try {
      const parsed = stockRequest.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({ code: ErrorCode.BAD_USER_INPUT, message: parsed.error.message });
        return;
      }
      const result = await stock.reserve(parsed.data.orderId, parsed.data.items);
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

  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    log.error({ err, path: req.path }, 'The stock API failed.');
    res.status(500).json({ code: ErrorCode.INTERNAL_SERVER_ERROR });
  });

  app.use('/internal/stock', router);
}
