import { z } from 'zod';
import { campaignKinds, fundingSources } from '../campaigns';
import { entityId, geoPointInput } from '../validation';
import { defineInternalApi, defineInternalCall } from './definition';
import type { InternalClient } from './client';
import { holdReleaseCall } from './hold-release';

/** What is being bought, priced by products (never by the client): the input of every pricing. */
const basket = z.object({
  customerId: z.string().min(1).max(128),
  merchantId: entityId,
  merchantLocation: geoPointInput,
  deliveryLocation: geoPointInput,
  lines: z
    .array(z.object({ productId: entityId, unitPriceCents: z.number().int().min(0), quantity: z.number().int().min(1).max(999) }))
    .min(1)
    .max(50),
  /** A coupon the customer chose at checkout (one of theirs); null for none. */
  couponId: entityId.nullable(),
});
export type PricingBasket = z.infer<typeof basket>;

/** One discount granted to a basket, with the campaign that pays for it. */
const discount = z.object({
  campaignId: z.string(),
  /** The coupon it consumed, for a COUPON campaign. */
  couponId: z.string().nullable(),
  kind: z.enum(campaignKinds),
  title: z.string(),
  fundedBy: z.enum(fundingSources),
  amountCents: z.number().int().positive(),
});
export type GrantedDiscount = z.infer<typeof discount>;

const pricing = z.object({
  discounts: z.array(discount),
  /** The sum of the discounts, never more than the items' total. */
  discountCents: z.number().int().min(0),
});
export type DiscountPricing = z.infer<typeof pricing>;

/**
 * Operations' campaigns API, called by orders while a customer waits on quoteOrder and
 * createOrder. Discounts are held like stock: `reserve` holds the budget, the per-customer
 * use and the coupon for an order (idempotent per order); paying the order consumes them, and
 * cancelling it or letting its payment window pass gives them back (operations reads both from
 * orders.events). A campaign whose budget or limit cannot cover a basket is left out of the
 * answer, never refused: the order is priced without it.
 */
export const campaignsApi = defineInternalApi({
  name: 'campaigns API',
  service: 'operations',
  prefix: '/internal/campaigns',
  bodyLimit: '64kb',
  calls: {
    /** The discounts the basket would get now; reserves nothing. */
    quote: defineInternalCall({
      method: 'POST',
      path: '/quotes',
      request: basket,
      response: pricing,
      refusals: {},
      idempotent: true,
      callers: ['orders'],
    }),
    /** Holds the discounts for `orderId` and answers them; a repeat answers the same hold. */
    reserve: defineInternalCall({
      method: 'POST',
      path: '/reservations',
      request: basket.extend({ orderId: entityId }),
      response: pricing,
      refusals: {},
      idempotent: true,
      callers: ['orders'],
    }),
    /** Gives the order's discounts back (the order was never written, or was cancelled), once. */
    release: holdReleaseCall(),
  },
});
export type CampaignsApiClient = InternalClient<typeof campaignsApi>;
