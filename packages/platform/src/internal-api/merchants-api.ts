import { z } from 'zod';
import { defineInternalApi, defineInternalCall, noBody } from './definition';
import type { InternalClient } from './client';

/**
 * Products' merchants API: operations asks who owns a shop and whether it is suspended while
 * a merchant (or staff on its behalf) waits on buying something for it (an ad placement), so
 * that a shop of someone else is refused at once; the riders dispatcher reads a shop's public
 * card for its offers, about once a minute per shop (it keeps the cards).
 */
export const merchantsApi = defineInternalApi({
  name: 'merchants API',
  service: 'products',
  prefix: '/internal/merchants',
  bodyLimit: '16kb',
  calls: {
    /** The shop as products knows it now, read on products' primary; an unknown id is `exists: false`, not a refusal. */
    merchantStatus: defineInternalCall({
      method: 'GET',
      path: '/:merchantId/status',
      request: noBody,
      response: z.object({
        exists: z.boolean(),
        /** The owner's user id; null when the shop does not exist. */
        ownerId: z.string().nullable(),
        suspended: z.boolean(),
      }),
      refusals: {},
      idempotent: true,
      callers: ['operations'],
    }),
    /**
     * The shop as any caller of the API may see it (its public fields), for the riders
     * dispatcher: it carries them in the rounds' OrderOffered events, so that the gateway does
     * not load the merchant once per rider. Unknown: `exists: false`.
     */
    merchantCard: defineInternalCall({
      method: 'GET',
      path: '/:merchantId/card',
      request: noBody,
      response: z.object({
        exists: z.boolean(),
        card: z.object({ id: z.string(), name: z.string(), address: z.string(), location: z.object({ lat: z.number(), lng: z.number() }) }).nullable(),
      }),
      refusals: {},
      idempotent: true,
      callers: ['riders'],
    }),
  },
});
export type MerchantsApiClient = InternalClient<typeof merchantsApi>;
export type MerchantCardAnswer = z.output<typeof merchantsApi.calls.merchantCard.response>;
export type MerchantStatusAnswer = z.output<typeof merchantsApi.calls.merchantStatus.response>;
