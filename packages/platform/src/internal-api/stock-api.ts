import { z } from 'zod';
import { entityId, geoPointInput } from '../validation';
import { defineInternalApi, defineInternalCall, noBody } from './definition';
import type { InternalClient } from './client';

const reservedLine = z.object({ productId: z.string(), name: z.string(), unitPriceCents: z.number().int(), quantity: z.number().int() });

/** A stock hold: the authoritative prices and the merchant the lines belong to. */
const reservation = z.object({
  orderId: z.string(),
  merchant: z.object({
    id: z.string(),
    ownerId: z.string(),
    name: z.string(),
    lat: z.number(),
    lng: z.number(),
    deliveryRadiusMeters: z.number().int(),
  }),
  lines: z.array(reservedLine),
});
export type StockReservation = z.infer<typeof reservation>;

/**
 * Products' stock API, called by orders while a customer waits on createOrder: holds
 * stock for an order (all lines or none, never oversold) and gives it back.
 */
export const stockApi = defineInternalApi({
  name: 'stock API',
  service: 'products',
  prefix: '/internal/stock',
  bodyLimit: '64kb',
  calls: {
    /** Holds the items for `orderId`. Idempotent per order: a repeat answers the same hold and re-claims it. */
    reserve: defineInternalCall({
      method: 'POST',
      path: '/reservations',
      request: z.object({
        orderId: entityId,
        items: z
          .array(z.object({ productId: entityId, quantity: z.number().int().min(1).max(999) }))
          .min(1, 'must have at least one item')
          .max(50, 'must have at most 50 items')
          // One line per product, as orders sends them: a repeated product would add up past its caller's per-line cap.
          .refine((items) => new Set(items.map((item) => item.productId)).size === items.length, 'must name each product once'),
        // Where the order goes: a shop that does not deliver that far refuses before holding anything.
        deliverTo: geoPointInput.optional(),
      }),
      response: reservation,
      refusals: {
        OUT_OF_STOCK: { status: 409, body: z.object({ productIds: z.array(z.string()) }) },
        /** The order's stock was released already (a tombstone): this id can hold nothing any more. */
        ALREADY_RELEASED: { status: 409, body: z.object({ message: z.string() }) },
        /** Operations suspended the merchant (suspendMerchant): its products take no new orders; orders answers MerchantSuspendedError. */
        MERCHANT_SUSPENDED: { status: 409, body: z.object({ merchantId: z.string(), message: z.string() }) },
        /** The customer's input is at fault: `field` of createOrder's input (`items`, `deliveryLocation`) and what is wrong with it. */
        BAD_USER_INPUT: {
          status: 422,
          body: z.object({
            message: z.string(),
            field: z.string(),
            problem: z.string(),
            productIds: z.array(z.string()).optional(),
            merchantIds: z.array(z.string()).optional(),
          }),
        },
      },
      idempotent: true,
      callers: ['orders'],
    }),
    /** Gives the order's stock back, once; with no hold yet, leaves a tombstone so a late hold is refused. */
    release: defineInternalCall({
      method: 'POST',
      path: '/reservations/:orderId/release',
      request: noBody,
      response: z.object({ released: z.boolean() }),
      refusals: {},
      idempotent: true,
      callers: ['orders'],
    }),
  },
});
export type StockApiClient = InternalClient<typeof stockApi>;
