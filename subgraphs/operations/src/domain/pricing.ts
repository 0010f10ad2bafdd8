import type { CampaignKind, FundingSource } from '@waimai/platform';

/** What pricing needs of a campaign: what it gives and what it combines with. */
export interface PricedCampaign {
  id: string;
  kind: CampaignKind;
  title: string;
  fundedBy: FundingSource;
  /** SPEND_AND_SAVE: the items' total that earns the discount; the others: a minimum spend (null: none). */
  thresholdCents: number | null;
  /** The fixed amount off (SPEND_AND_SAVE, FIRST_ORDER, COUPON). */
  offCents: number | null;
  /** PERCENT_OFF: 1..100 percent of the items it covers. */
  percent: number | null;
  /** PERCENT_OFF: the most it gives per order (null: no cap). */
  capCents: number | null;
  /** PERCENT_OFF: the dishes it covers; null for every item. */
  productIds: readonly string[] | null;
  /** The kinds it combines with; two campaigns stack only when each lists the other's kind. */
  stacksWith: readonly CampaignKind[];
}

export interface PricedLine {
  productId: string;
  unitPriceCents: number;
  quantity: number;
}

export interface Discount {
  campaign: PricedCampaign;
  amountCents: number;
}

/**
 * Beyond this many applicable campaigns only the largest are combined: 2^12 combinations at
 * most per pricing (a basket rarely meets more than a handful).
 */
const MAX_COMBINED = 12;

export const itemsCentsOf = (lines: readonly PricedLine[]): number => lines.reduce((sum, line) => sum + line.unitPriceCents * line.quantity, 0);

/**
 * What `campaign` alone takes off `lines`, in whole cents (rounded down, never more than the
 * items' total); 0 when the basket does not qualify.
 */
export function discountOf(campaign: PricedCampaign, lines: readonly PricedLine[]): number {
  const itemsCents = itemsCentsOf(lines);
  const threshold = campaign.thresholdCents ?? 0;
  let amount = 0;
  switch (campaign.kind) {
    case 'SPEND_AND_SAVE':
    case 'FIRST_ORDER':
    case 'COUPON':
      amount = itemsCents >= threshold ? (campaign.offCents ?? 0) : 0;
      break;
    case 'PERCENT_OFF': {
      const covered = campaign.productIds;
      const coveredCents = itemsCentsOf(covered === null ? lines : lines.filter((line) => covered.includes(line.productId)));
      if (coveredCents === 0 || itemsCents < threshold) break;
      const percentOff = Math.floor((coveredCents * (campaign.percent ?? 0)) / 100);
      amount = campaign.capCents === null ? percentOff : Math.min(percentOff, campaign.capCents);
      break;
    }
  }
  return Math.max(0, Math.min(amount, itemsCents));
}

/** Whether two campaigns may both apply to one order: different kinds, each accepting the other's. */
export function stacks(a: PricedCampaign, b: PricedCampaign): boolean {
  return a.kind !== b.kind && a.stacksWith.includes(b.kind) && b.stacksWith.includes(a.kind);
}

const byAmountThenId = (a: Discount, b: Discount) => b.amountCents - a.amountCents || (a.campaign.id < b.campaign.id ? -1 : a.campaign.id > b.campaign.id ? 1 : 0);

/**
 * The discounts an order gets from the campaigns that apply to it: the combination of
 * mutually stacking campaigns that takes the most off (ties: fewer discounts, then the
 * campaigns first by id, so the same basket always gets the same answer). Their sum never
 * exceeds the items' total: the last discounts (largest first) are cut to fit, and a
 * discount cut to nothing is left out.
 */
export function bestDiscounts(campaigns: readonly PricedCampaign[], lines: readonly PricedLine[]): Discount[] {
  const itemsCents = itemsCentsOf(lines);
  const applicable = campaigns
    .map((campaign) => ({ campaign, amountCents: discountOf(campaign, lines) }))
    .filter((discount) => discount.amountCents > 0)
    .sort(byAmountThenId)
    .slice(0, MAX_COMBINED);

  let best: { set: Discount[]; total: number; key: string } = { set: [], total: 0, key: '' };
  const visit = (start: number, chosen: Discount[]) => {
    for (let index = start; index < applicable.length; index += 1) {
      const candidate = applicable[index] as Discount;
      if (!chosen.every((other) => stacks(other.campaign, candidate.campaign))) continue;
      const set = [...chosen, candidate];
      const total = Math.min(itemsCents, set.reduce((sum, discount) => sum + discount.amountCents, 0));
      const key = set.map((discount) => discount.campaign.id).sort().join(',');
      if (total > best.total || (total === best.total && (set.length < best.set.length || (set.length === best.set.length && key < best.key)))) {
        best = { set, total, key };
      }
      visit(index + 1, set);
    }
  };
  visit(0, []);

  let left = itemsCents;
  const fitted: Discount[] = [];
  for (const discount of [...best.set].sort(byAmountThenId)) {
    const amountCents = Math.min(discount.amountCents, left);
    if (amountCents <= 0) break;
    fitted.push({ campaign: discount.campaign, amountCents });
    left -= amountCents;
  }
  return fitted;
}
