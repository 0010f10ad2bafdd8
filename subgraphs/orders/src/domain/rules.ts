import { distanceMeters, entityId, geoPointInput, opaqueKey, optionalText, orderStatuses, safeString, text, z, type GeoPoint } from '@waimai/platform';

/** At most this many of one product in one order. */
export const MAX_QUANTITY_PER_LINE = 99;

/** 1..50 lines, one per product. */
const orderLines = z
  .array(z.object({ productId: entityId, quantity: z.number().int().min(1, 'must be at least 1').max(MAX_QUANTITY_PER_LINE, `must be at most ${MAX_QUANTITY_PER_LINE}`) }))
  .min(1, 'must have at least one item')
  .max(50, 'must have at most 50 items')
  // Refused rather than merged: the cap is per product, and two lines of one product are a
  // client bug (a cart shows one line per dish). Merging would either pass 2 × 99 or refuse a
  // sum the client never sent; refusing names the line and writes nothing.
  .superRefine((items, ctx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      if (seen.has(item.productId)) ctx.addIssue({ code: 'custom', path: [index, 'productId'], message: 'is already on another line; put the whole quantity on one line' });
      seen.add(item.productId);
    });
  });

export const createOrderInput = z.object({
  items: orderLines,
  deliveryAddress: text(300),
  deliveryLocation: geoPointInput,
  // Not normalised: two keys that differ only in normalisation are two keys.
  idempotencyKey: opaqueKey(64).nullish(),
  // One of the customer's coupons; operations decides whether it applies (an unusable one is left out, never refused).
  couponId: entityId.nullish(),
});
export type CreateOrderInput = z.infer<typeof createOrderInput>;

/** A checkout page's basket (quoteOrder): checked exactly as createOrder checks its items and place. */
export const quoteOrderInput = z.object({
  items: orderLines,
  deliveryLocation: geoPointInput,
  couponId: entityId.nullish(),
});
export type QuoteOrderInput = z.infer<typeof quoteOrderInput>;

export const cancelReason = optionalText(300);

export interface DeadlinePolicy {
  DELIVERY_BASE_MINUTES: number;
  DELIVERY_METERS_PER_MINUTE: number;
}

/** The promised delivery time: a base plus the ride from the shop to the customer. */
export function promisedDeadline(from: Date, merchant: GeoPoint, customer: GeoPoint, policy: DeadlinePolicy): Date {
  const rideMinutes = distanceMeters(merchant, customer) / policy.DELIVERY_METERS_PER_MINUTE;
  return new Date(from.getTime() + (policy.DELIVERY_BASE_MINUTES + rideMinutes) * 60_000);
}

/** The late-delivery refund (赔付): a share of the total, in whole cents. */
export function overtimeRefundCents(totalCents: number, refundPercent: number): number {
  return Math.floor((totalCents * refundPercent) / 100);
}

/** A person's id (a token's sub: customers, riders), as the orders table keeps it (128 characters). */
const userId = safeString().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters');

/** Why staff step in: mandatory on every intervention, kept in the audit log. */
export const STAFF_REASON_MAX = 500;
export const staffReason = text(STAFF_REASON_MAX);

/** 50 km: wider than any shop's delivery radius; farther riders would never arrive in time. */
export const MAX_REDISPATCH_RADIUS_METERS = 50_000;
/** At most this many named riders per re-dispatch: a short list the operator picked, not a broadcast. */
export const MAX_REDISPATCH_RIDERS = 20;

export const redispatchInput = z.object({
  reason: staffReason,
  radiusMeters: z
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(MAX_REDISPATCH_RADIUS_METERS, `must be at most ${MAX_REDISPATCH_RADIUS_METERS}`)
    .nullish()
    .transform((value) => value ?? null),
  riderIds: z
    .array(userId)
    .min(1, 'must name at least one rider; leave it out to offer to any rider')
    .max(MAX_REDISPATCH_RIDERS, `must name at most ${MAX_REDISPATCH_RIDERS} riders`)
    // One offer per rider: the same rider twice is the same request.
    .transform((ids) => [...new Set(ids)].sort())
    .nullish()
    .transform((value) => value ?? null),
});
export type RedispatchInput = z.infer<typeof redispatchInput>;

export const reassignInput = z.object({ riderId: userId, reason: staffReason });

/** Orders staff search: every given filter must hold; text is an order id prefix or part of the address. */
export const orderSearchFilter = z
  .object({
    statuses: z.array(z.enum(orderStatuses)).min(1, 'must list at least one status; leave it out for all').nullish(),
    merchantId: entityId.nullish(),
    riderId: userId.nullish(),
    customerId: userId.nullish(),
    createdFrom: z.date().nullish(),
    createdTo: z.date().nullish(),
    needsAttention: z.boolean().nullish(),
    overtime: z.boolean().nullish(),
    text: text(100).nullish(),
  })
  .superRefine((filter, ctx) => {
    if (filter.createdFrom && filter.createdTo && filter.createdFrom >= filter.createdTo) {
      ctx.addIssue({ code: 'custom', path: ['createdTo'], message: 'must be after createdFrom' });
    }
  });
export type OrderSearchFilterInput = z.infer<typeof orderSearchFilter>;
