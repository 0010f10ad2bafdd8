import type { Express } from 'express';
import { answer, DomainError, ErrorCode, mountInternalApi, ordersApi, refuse, type InternalSigner, type Logger, type OfferedOrderView } from '@waimai/platform';
import type { OrderRow } from '../db/schema';
import type { OrderStore } from '../db/order-store';
import type { OrderService } from '../domain/orders';

/** A step the dispatcher asked for was refused: the order is gone, or moved on past it. */
function refusalOf(err: DomainError) {
  return err.code === ErrorCode.NOT_FOUND ? refuse('NOT_FOUND', { message: err.message }) : refuse('ORDER_MOVED_ON', { message: err.message });
}

/**
 * The order as the riders just offered it may see it (canSeeOrder lets a rider holding a live
 * offer see the whole order; this is the part an offer shows), carried in their OrderOffered
 * events so that the gateway does not load the order once per rider.
 */
function offerViewOf(order: OrderRow): OfferedOrderView {
  return {
    id: order.id,
    status: order.status,
    totalCents: order.totalCents,
    deliveryAddress: order.deliveryAddress,
    deliveryLocation: { lat: order.deliveryLat, lng: order.deliveryLng },
    deadlineAt: order.deadlineAt.toISOString(),
    merchant: { id: order.merchantId, location: { lat: order.merchantLat, lng: order.merchantLng } },
  };
}

/** Serves `ordersApi` (packages/platform) to payments, the riders dispatcher and products. */
export function mountOrdersApi(app: Express, store: OrderStore, service: OrderService, signer: InternalSigner, logger: Logger): void {
  mountInternalApi(
    app,
    ordersApi,
    {
      // Read on the primary: products releases the stock held for the others, so a replica
      // lagging behind an insert must not answer.
      async existing({ body }) {
        const found = await store.byIds([...new Set(body.orderIds)]);
        return answer({ existing: found.map((order) => order.id) });
      },

      async orderForPayment({ params }) {
        const order = await store.byId(params.orderId);
        if (!order) return refuse('NOT_FOUND', { message: `Order ${params.orderId} does not exist.` });
        return answer({
          id: order.id,
          customerId: order.customerId,
          merchantId: order.merchantId,
          status: order.status,
          totalCents: order.totalCents,
          paymentDueAt: order.paymentDueAt?.toISOString() ?? null,
        });
      },

      async notifyOffers({ params, body }) {
        try {
          const order = await service.notify(params.orderId, body.round, body.riderIds, new Date(body.expiresAt));
          return answer({ id: order.id, status: order.status, dispatchRound: order.dispatchRound, offerView: offerViewOf(order) });
        } catch (err) {
          if (err instanceof DomainError) return refusalOf(err);
          throw err;
        }
      },

      async notifyRounds({ body }) {
        const answers = await service.notifyEach(body.rounds.map((round) => ({ ...round, expiresAt: new Date(round.expiresAt) })));
        return answer({
          outcomes: answers.map((order, i) => {
            const { orderId } = body.rounds[i]!;
            if (!(order instanceof DomainError)) return { accepted: true as const, orderId, status: order.status, dispatchRound: order.dispatchRound, offerView: offerViewOf(order) };
            return { accepted: false as const, orderId, refusal: order.code === ErrorCode.NOT_FOUND ? ('NOT_FOUND' as const) : ('ORDER_MOVED_ON' as const), message: order.message };
          }),
        });
      },

      // The dispatcher reached no rider for the order within its window: flag it for operations.
      async flagUnreached({ params, body }) {
        try {
          const order = await service.dispatchGaveUp(params.orderId, body.round);
          return answer({ id: order.id, status: order.status, needsAttention: order.needsAttention });
        } catch (err) {
          if (err instanceof DomainError) return refusalOf(err);
          throw err;
        }
      },
    },
    { signer, logger },
  );
}
