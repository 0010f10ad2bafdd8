import type { GrantedDiscount } from '@waimai/platform';
import { discountsAddUp, priceBreakdown } from '../src/domain/pricing';

const lines = [
  { productId: 'p1', productName: '牛肉面', unitPriceCents: 1800, quantity: 2 },
  { productId: 'p2', productName: '凉菜', unitPriceCents: 600, quantity: 1 },
];
const discount = (campaignId: string, amountCents: number): GrantedDiscount => ({
  campaignId,
  couponId: null,
  kind: 'SPEND_AND_SAVE',
  title: '满40减5',
  fundedBy: 'PLATFORM',
  amountCents,
});

describe('price breakdown', () => {
  test('the total is the items less the discounts plus the delivery fee', () => {
    const breakdown = priceBreakdown(lines, [discount('c1', 500), discount('c2', 300)], 400);

    expect(breakdown).toMatchObject({ itemsCents: 4200, discountCents: 800, deliveryFeeCents: 400, totalCents: 3800, discountsAvailable: true });
    expect(breakdown.discounts.map((d) => d.campaignId)).toEqual(['c1', 'c2']);
  });

  test('without an answer from operations there are no discounts and the breakdown says so', () => {
    expect(priceBreakdown(lines, null, 0)).toMatchObject({ itemsCents: 4200, discounts: [], discountCents: 0, totalCents: 4200, discountsAvailable: false });
  });

  test('no discount granted is still an answer: discounts were available, none applied', () => {
    expect(priceBreakdown(lines, [], 0)).toMatchObject({ discounts: [], totalCents: 4200, discountsAvailable: true });
  });

  test('discounts that add up to more than the items, repeat a campaign or take nothing off are not applied', () => {
    expect(discountsAddUp([discount('c1', 4200)], 4200)).toBe(true);
    expect(discountsAddUp([discount('c1', 4000), discount('c2', 201)], 4200)).toBe(false);
    expect(discountsAddUp([discount('c1', 100), discount('c1', 100)], 4200)).toBe(false);
    expect(discountsAddUp([discount('c1', 0)], 4200)).toBe(false);
  });
});
