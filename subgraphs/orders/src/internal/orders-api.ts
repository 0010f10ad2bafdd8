import type { Express } from 'express';
import { DomainError, ErrorCode, internalRouter, z, type InternalSigner, type Logger } from '@waimai/platform';
import type { OrderStore } from '../db/order-store';
import type { OrderService } from '../domain/orders';

/** payments reads orders; the riders dispatcher records offers; products asks which orders exist. */
const ORDERS_CLIENTS = new Set(['payments', 'riders', 'products']);

// 500 ids: one sweep batch of products' orphan-hold sweep, one indexed IN (...) on the primary key.
const existsBody = z.object({ orderIds: z.array(z.string().min(1).max(64)).max(500) });

const unreachedBody = z.object({ round: z.number().int().min(1) });

const notifyBody = z.object({
  round: z.number().int().min(1),
  riderIds: z.array(z.string().min(1)).max(500),
  expiresAt: z.string().datetime(),
});

/**
 * Internal API for other services (never routed by the gateway): payments reads an
 * order's amount and owner; the dispatcher records the riders it offered an order to;
 * products asks which orders exist before releasing stock held for orders that never appeared.
 */
export function mountOrdersApi(app: Express, store: OrderStore, service: OrderService, signer: InternalSigner, logger: Logger): void {
  const { router, finish } = internalRouter({ signer, clients: ORDERS_CLIENTS, logger: logger.child({ component: 'orders-api' }), bodyLimit: '256kb' });

  // Which of these orders exist, read on the primary: products releases the stock held for
  // the others, so a replica lagging behind an insert must not answer.
  router.post('/exists', async (req, res, next) => {
    const body = existsBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ code: ErrorCode.BAD_USER_INPUT, message: body.error.message });
      return;
    }
    try {
      const found = await store.byIds([...new Set(body.data.orderIds)]);
      res.json({ existing: found.map((order) => order.id) });
    } catch (err) {
      next(err);
    }
  });

  router.get('/:orderId', async (req, res, next) => {
    try {
      const order = await store.byId(req.params.orderId);
      if (!order) {
        res.status(404).json({ code: ErrorCode.NOT_FOUND });
        return;
      }
      res.json({
        id: order.id,
        customerId: order.customerId,
        merchantId: order.merchantId,
        status: order.status,
        totalCents: order.totalCents,
        paymentDueAt: order.paymentDueAt?.toISOString() ?? null,
      });
    } catch (err) {
      next(err);
    }
  });

  router.post('/:orderId/offers', async (req, res, next) => {
    const body = notifyBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ code: ErrorCode.BAD_USER_INPUT, message: body.error.message });
      return;
    }
    try {
      const order = await service.notify(req.params.orderId, body.data.round, body.data.riderIds, new Date(body.data.expiresAt));
      res.json({ id: order.id, status: order.status, dispatchRound: order.dispatchRound });
    } catch (err) {
      if (err instanceof DomainError) {
        res.status(err.code === ErrorCode.NOT_FOUND ? 404 : 409).json({ code: err.code, message: err.message, ...err.extensions });
        return;
      }
      next(err);
    }
  });

  // The dispatcher reached no rider for the order within its window: flag it for operations.
  router.post('/:orderId/unreached', async (req, res, next) => {
    const body = unreachedBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ code: ErrorCode.BAD_USER_INPUT, message: body.error.message });
      return;
    }
    try {
      const order = await service.dispatchGaveUp(req.params.orderId, body.data.round);
      res.json({ id: order.id, status: order.status, needsAttention: order.needsAttention });
    } catch (err) {
      if (err instanceof DomainError) {
        res.status(err.code === ErrorCode.NOT_FOUND ? 404 : 409).json({ code: err.code, message: err.message, ...err.extensions });
        return;
      }
      next(err);
    }
  });

  app.use('/internal/orders', finish());
}
