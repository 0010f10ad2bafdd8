import { distanceMeters, entityId, geoPointInput, text, z, type GeoPoint } from '@waimai/platform';

export const createOrderInput = z.object({
  items: z
    .array(z.object({ productId: entityId, quantity: z.number().int().min(1, 'must be at least 1').max(99, 'must be at most 99') }))
    .min(1, 'must have at least one item')
    .max(50, 'must have at most 50 items'),
  deliveryAddress: text(300),
  deliveryLocation: geoPointInput,
  idempotencyKey: text(64).nullish(),
});
export type CreateOrderInput = z.infer<typeof createOrderInput>;

export const cancelReason = z.string().trim().max(300, 'must be at most 300 characters').nullish();

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
