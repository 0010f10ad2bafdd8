import { distanceMeters, entityId, geoPointInput, opaqueKey, optionalText, text, z, type GeoPoint } from '@waimai/platform';

/** At most this many of one product in one order. */
export const MAX_QUANTITY_PER_LINE = 99;

export const createOrderInput = z.object({
  items: z
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
    }),
  deliveryAddress: text(300),
  deliveryLocation: geoPointInput,
  // Not normalised: two keys that differ only in normalisation are two keys.
  idempotencyKey: opaqueKey(64).nullish(),
});
export type CreateOrderInput = z.infer<typeof createOrderInput>;

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
