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
