import type { CampaignKind, FundingSource, GrantedDiscount } from '@waimai/platform';

/** One priced line: the product's price from products when it was priced. */
export interface PricedLine {
  productId: string;
  productName: string;
  unitPriceCents: number;
  quantity: number;
}

/** One discount of a breakdown, with the campaign that pays for it. */
export interface BreakdownDiscount {
  campaignId: string;
  couponId: string | null;
  kind: CampaignKind;
  title: string;
  fundedBy: FundingSource;
  amountCents: number;
}

/** What a checkout page shows and an order keeps: every amount in CNY cents. */
export interface PriceBreakdown {
  lines: PricedLine[];
  itemsCents: number;
  discounts: BreakdownDiscount[];
  discountCents: number;
  deliveryFeeCents: number;
  /** itemsCents - discountCents + deliveryFeeCents: what the customer pays. */
  totalCents: number;
  /** False when operations did not price discounts in time: the breakdown has none. */
  discountsAvailable: boolean;
}

/** The discounts operations granted, or null when it could not be asked (down, slow, or an answer that does not add up). */
export type DiscountAnswer = GrantedDiscount[] | null;

export const itemsCentsOf = (lines: readonly Pick<PricedLine, 'unitPriceCents' | 'quantity'>[]): number =>
  lines.reduce((sum, line) => sum + line.unitPriceCents * line.quantity, 0);

/**
 * Whether operations' discounts can be applied as they are: each positive, at most one per
 * campaign, and together no more than the items (a total never goes below the delivery fee).
 * Anything else is a bug on their side; the order is then priced without discounts.
 */
export function discountsAddUp(discounts: readonly GrantedDiscount[], itemsCents: number): boolean {
  const campaigns = new Set(discounts.map((discount) => discount.campaignId));
  const sum = discounts.reduce((total, discount) => total + discount.amountCents, 0);
  return campaigns.size === discounts.length && discounts.every((discount) => discount.amountCents > 0) && sum <= itemsCents;
}

/** The breakdown of `lines` with `discounts` (null: operations did not answer) and the delivery fee. */
export function priceBreakdown(lines: PricedLine[], discounts: DiscountAnswer, deliveryFeeCents: number): PriceBreakdown {
  const itemsCents = itemsCentsOf(lines);
  const granted: BreakdownDiscount[] = (discounts ?? []).map(({ campaignId, couponId, kind, title, fundedBy, amountCents }) => ({
    campaignId,
    couponId,
    kind,
    title,
    fundedBy,
    amountCents,
  }));
  const discountCents = granted.reduce((sum, discount) => sum + discount.amountCents, 0);
  return {
    lines,
    itemsCents,
    discounts: granted,
    discountCents,
    deliveryFeeCents,
    totalCents: itemsCents - discountCents + deliveryFeeCents,
    discountsAvailable: discounts !== null,
  };
}
