import { entityId, geoPointInput, optionalText, text, z } from '@waimai/platform';

/** The largest delivery radius a merchant may set: it also bounds the nearby search box (db/merchant-store.ts). */
export const MAX_DELIVERY_RADIUS_METERS = 50_000;
export const DEFAULT_DELIVERY_RADIUS_METERS = 5_000;
export const MAX_PRICE_CENTS = 10_000_000;
export const MAX_STOCK = 1_000_000;

export const createMerchantInput = z.object({
  name: text(100),
  address: text(300),
  location: geoPointInput,
  deliveryRadiusMeters: z
    .number()
    .int()
    .min(100, 'must be at least 100 m')
    .max(MAX_DELIVERY_RADIUS_METERS, `must be at most ${MAX_DELIVERY_RADIUS_METERS} m`)
    .nullish()
    .transform((radius) => radius ?? DEFAULT_DELIVERY_RADIUS_METERS),
});
export type CreateMerchantInput = z.output<typeof createMerchantInput>;

const stock = z.number().int().min(0, 'must not be negative').max(MAX_STOCK, `must be at most ${MAX_STOCK}`);

export const publishProductInput = z.object({
  merchantId: entityId,
  name: text(100),
  // Several lines (ingredients, portions): tab and line feed are kept.
  description: optionalText(1000, { multiline: true }),
  priceCents: z.number().int().min(0, 'must not be negative').max(MAX_PRICE_CENTS, `must be at most ${MAX_PRICE_CENTS}`),
  stock,
});
export type PublishProductInput = z.output<typeof publishProductInput>;

export const newStockInput = z.object({ productId: entityId, newStock: stock });

/** Why staff step in (suspend, reinstate): mandatory, 1..500 characters once trimmed. */
export const interventionReason = text(500);

/** The widest circle a staff search may draw around a point. */
export const MAX_SEARCH_RADIUS_METERS = 50_000;

export const merchantSearchFilter = z
  .object({
    suspended: z.boolean().nullish(),
    nameContains: text(100).nullish(),
    near: geoPointInput.nullish(),
    radiusMeters: z
      .number()
      .int()
      .min(1, 'must be at least 1 m')
      .max(MAX_SEARCH_RADIUS_METERS, `must be at most ${MAX_SEARCH_RADIUS_METERS} m`)
      .nullish(),
  })
  .superRefine((filter, ctx) => {
    // A circle needs both: a centre without a radius (or the reverse) says nothing.
    if (filter.near && filter.radiusMeters == null) ctx.addIssue({ code: 'custom', path: ['radiusMeters'], message: 'is required with near' });
    if (!filter.near && filter.radiusMeters != null) ctx.addIssue({ code: 'custom', path: ['near'], message: 'is required with radiusMeters' });
  })
  .transform(({ suspended, nameContains, near, radiusMeters }) => ({
    suspended: suspended ?? undefined,
    nameContains: nameContains ?? undefined,
    within: near && radiusMeters != null ? { near, radiusMeters } : undefined,
  }));
export type MerchantSearch = z.output<typeof merchantSearchFilter>;

/** A shop's status as the audit log writes it (before/after): suspension is its only state. */
export const merchantStatusOf = (merchant: { suspended: boolean }): 'ACTIVE' | 'SUSPENDED' => (merchant.suspended ? 'SUSPENDED' : 'ACTIVE');
