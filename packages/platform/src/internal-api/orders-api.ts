import { z } from 'zod';
import { offeredOrderView, orderStatuses } from '../event-catalog';
import { defineInternalApi, defineInternalCall, noBody } from './definition';
import type { InternalClient } from './client';

const message = z.object({ message: z.string() });

/**
 * Orders' internal API: payments reads an order's amount and owner; the riders dispatcher
 * records the riders it offered an order to, or that it reached nobody; products and operations
 * ask which orders exist before releasing stock or discounts held for orders that never appeared.
 */
export const ordersApi = defineInternalApi({
  name: 'orders API',
  service: 'orders',
  prefix: '/internal/orders',
  bodyLimit: '256kb',
  calls: {
    /** Which of these orders exist, read on orders' primary. */
    existing: defineInternalCall({
      method: 'POST',
      path: '/exists',
      // 500 ids: one sweep batch of products' orphan-hold sweep (or operations' orphan-discount sweep), one indexed IN (...) on the primary key.
      request: z.object({ orderIds: z.array(z.string().min(1).max(64)).max(500) }),
      response: z.object({ existing: z.array(z.string()) }),
      refusals: {},
      idempotent: true,
      callers: ['products', 'operations'],
    }),
    /** What initiatePayment needs: the order's owner, status and authoritative total. */
    orderForPayment: defineInternalCall({
      method: 'GET',
      path: '/:orderId',
      request: noBody,
      response: z.object({
        id: z.string().min(1),
        customerId: z.string().min(1),
        status: z.enum(orderStatuses),
        totalCents: z.number().int().min(0),
        merchantId: z.string().min(1),
        // When present, a payment link never outlives the order's own payment window.
        paymentDueAt: z
          .string()
          .datetime({ offset: true })
          .nullish()
          .transform((at) => (at ? new Date(at) : null)),
      }),
      refusals: { NOT_FOUND: { status: 404, body: message } },
      idempotent: true,
      callers: ['payments'],
    }),
    /** The riders offered the order in `round`. Idempotent per round: orders accepts only the next one. */
    notifyOffers: defineInternalCall({
      method: 'POST',
      path: '/:orderId/offers',
      request: z.object({
        round: z.number().int().min(1),
        riderIds: z.array(z.string().min(1)).max(500),
        expiresAt: z.string().datetime(),
      }),
      response: z.object({
        id: z.string(),
        status: z.enum(orderStatuses),
        dispatchRound: z.number().int(),
        /** The order as the offered riders may see it; the dispatcher carries it in their OrderOffered events. Optional: older orders services do not send it. */
        offerView: offeredOrderView.optional(),
      }),
      refusals: {
        NOT_FOUND: { status: 404, body: message },
        /** The order was grabbed, cancelled or is past this round. */
        ORDER_MOVED_ON: { status: 409, body: message },
      },
      idempotent: true,
      callers: ['riders'],
    }),
    /**
     * notifyOffers for several orders' rounds in one call (the dispatcher's batch), applied in
     * one transaction and answered each on its own, in the order asked. Riders sends at most
     * NOTIFY_ROUNDS_MAX_RIDERS rider ids in one call. notifyOffers stays for one round (and for
     * a riders service of the version before).
     */
    notifyRounds: defineInternalCall({
      method: 'POST',
      path: '/offers',
      request: z.object({
        rounds: z
          .array(
            z.object({
              orderId: z.string().min(1).max(64),
              round: z.number().int().min(1),
              riderIds: z.array(z.string().min(1)).max(500),
              expiresAt: z.string().datetime(),
            }),
          )
          .min(1)
          .max(100),
      }),
      response: z.object({
        outcomes: z.array(
          z.discriminatedUnion('accepted', [
            z.object({ accepted: z.literal(true), orderId: z.string(), status: z.enum(orderStatuses), dispatchRound: z.number().int(), offerView: offeredOrderView }),
            z.object({ accepted: z.literal(false), orderId: z.string(), refusal: z.enum(['NOT_FOUND', 'ORDER_MOVED_ON']), message: z.string() }),
          ]),
        ),
      }),
      refusals: {},
      idempotent: true,
      callers: ['riders'],
    }),
    /** Round `round` reached nobody within the dispatch window: orders flags the order for operations. Idempotent. */
    flagUnreached: defineInternalCall({
      method: 'POST',
      path: '/:orderId/unreached',
      request: z.object({ round: z.number().int().min(1) }),
      response: z.object({ id: z.string(), status: z.enum(orderStatuses), needsAttention: z.boolean() }),
      refusals: {
        NOT_FOUND: { status: 404, body: message },
        /** The order was offered, grabbed or cancelled meanwhile. */
        ORDER_MOVED_ON: { status: 409, body: message },
      },
      idempotent: true,
      callers: ['riders'],
    }),
  },
});
export type OrdersApiClient = InternalClient<typeof ordersApi>;
export type NotifyRoundsAnswer = z.output<typeof ordersApi.calls.notifyRounds.response>;

/**
 * Rider ids one notifyRounds call carries at most: about 100 KB of JSON, well inside the API's
 * body limit whatever the rounds' sizes (a round has at most 500).
 */
export const NOTIFY_ROUNDS_MAX_RIDERS = 2_000;
export type OrderForPayment = z.output<typeof ordersApi.calls.orderForPayment.response>;
