import { z } from 'zod';
import { entityId, geoPointInput } from '../validation';
import { defineInternalApi, defineInternalCall } from './definition';
import type { InternalClient } from './client';
import { holdReleaseCall } from './hold-release';

const reservedLine = z.object({ productId: z.string(), name: z.string(), unitPriceCents: z.number().int(), quantity: z.number().int() });

/** The authoritative prices of some items and the merchant they belong to. */
const pricedItems = z.object({
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
export type PricedItems = z.infer<typeof pricedItems>;

/** A stock hold: the authoritative prices and the merchant the lines belong to. */
const reservation = pricedItems.extend({ orderId: z.string() });
export type StockReservation = z.infer<typeof reservation>;

/** What orders asks about: at most 50 lines, one per product. */
const items = z
  .array(z.object({ productId: entityId, quantity: z.number().int().min(1).max(999) }))
  .min(1, 'must have at least one item')
  .max(50, 'must have at most 50 items')
  // One line per product, as orders sends them: a repeated product would add up past its caller's per-line cap.
  .refine((lines) => new Set(lines.map((line) => line.productId)).size === lines.length, 'must name each product once');

const outOfStock = { status: 409, body: z.object({ productIds: z.array(z.string()) }) } as const;
/** Operations suspended the merchant (suspendMerchant): its products take no new orders; orders answers MerchantSuspendedError. */
const merchantSuspended = { status: 409, body: z.object({ merchantId: z.string(), message: z.string() }) } as const;
/** The customer's input is at fault: `field` of createOrder's input (`items`, `deliveryLocation`) and what is wrong with it. */
const badUserInput = {
  status: 422,
  body: z.object({
    message: z.string(),
    field: z.string(),
    problem: z.string(),
    productIds: z.array(z.string()).optional(),
    merchantIds: z.array(z.string()).optional(),
  }),
} as const;

/**
 * Products' stock API, called by orders while a customer waits on createOrder or quoteOrder:
 * prices items without holding them, holds stock for an order (all lines or none, never
 * oversold) and gives it back.
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
        items,
        // Where the order goes: a shop that does not deliver that far refuses before holding anything.
        deliverTo: geoPointInput.optional(),
      }),
      response: reservation,
      refusals: {
        OUT_OF_STOCK: outOfStock,
        /** The order's stock was released already (a tombstone): this id can hold nothing any more. */
        ALREADY_RELEASED: { status: 409, body: z.object({ message: z.string() }) },
        MERCHANT_SUSPENDED: merchantSuspended,
        BAD_USER_INPUT: badUserInput,
      },
      idempotent: true,
      callers: ['orders'],
    }),
    /**
     * The prices a hold of these items would get now, with the same checks and refusals as
     * `reserve` (OUT_OF_STOCK when too little is left right now), holding nothing: quoteOrder.
     */
    price: defineInternalCall({
      method: 'POST',
      path: '/quotes',
      request: z.object({ items, deliverTo: geoPointInput.optional() }),
      response: pricedItems,
      refusals: { OUT_OF_STOCK: outOfStock, MERCHANT_SUSPENDED: merchantSuspended, BAD_USER_INPUT: badUserInput },
      idempotent: true,
      callers: ['orders'],
    }),
    /** Gives the order's stock back, once; with no hold yet, leaves a tombstone so a late hold is refused. */
    release: holdReleaseCall(),
  },
});
export type StockApiClient = InternalClient<typeof stockApi>;
