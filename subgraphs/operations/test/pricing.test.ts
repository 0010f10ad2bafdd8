import type { CampaignKind } from '@waimai/platform';
import { bestDiscounts, discountOf, stacks, type PricedCampaign, type PricedLine } from '../src/domain/pricing';

const campaign = (id: string, kind: CampaignKind, params: Partial<PricedCampaign> = {}): PricedCampaign => ({
  id,
  kind,
  title: `${kind} ${id}`,
  fundedBy: 'PLATFORM',
  thresholdCents: null,
  offCents: null,
  percent: null,
  capCents: null,
  productIds: null,
  stacksWith: [],
  ...params,
});
const line = (productId: string, unitPriceCents: number, quantity = 1): PricedLine => ({ productId, unitPriceCents, quantity });
const amounts = (discounts: ReturnType<typeof bestDiscounts>) => discounts.map((discount) => [discount.campaign.id, discount.amountCents]);

describe('one campaign alone', () => {
  const spendAndSave = campaign('s', 'SPEND_AND_SAVE', { thresholdCents: 3000, offCents: 500 });

  test.each([
    ['just below the threshold gets nothing', [line('a', 2999)], 0],
    ['exactly the threshold gets the amount off', [line('a', 3000)], 500],
    ['far above the threshold still gets only the amount off', [line('a', 1000, 9)], 500],
    ['quantities count towards the threshold', [line('a', 1000, 2), line('b', 1000)], 500],
  ])('spend-and-save: %s', (_name, lines, expected) => {
    expect(discountOf(spendAndSave, lines)).toBe(expected);
  });

  test('a percentage is rounded down to whole cents', () => {
    expect(discountOf(campaign('p', 'PERCENT_OFF', { percent: 15 }), [line('a', 999)])).toBe(149);
    expect(discountOf(campaign('p', 'PERCENT_OFF', { percent: 33 }), [line('a', 1)])).toBe(0);
  });

  test('a percentage stops at its cap', () => {
    const capped = campaign('p', 'PERCENT_OFF', { percent: 50, capCents: 800 });
    expect(discountOf(capped, [line('a', 1500)])).toBe(750);
    expect(discountOf(capped, [line('a', 1600)])).toBe(800);
    expect(discountOf(capped, [line('a', 10_000)])).toBe(800);
  });

  test('a percentage on some dishes counts only those lines', () => {
    const dishes = campaign('p', 'PERCENT_OFF', { percent: 20, productIds: ['b'] });
    expect(discountOf(dishes, [line('a', 1000), line('b', 500, 3)])).toBe(300);
    expect(discountOf(dishes, [line('a', 1000)])).toBe(0);
  });

  test("a percentage's minimum spend is on the whole basket", () => {
    const dishes = campaign('p', 'PERCENT_OFF', { percent: 10, productIds: ['b'], thresholdCents: 2000 });
    expect(discountOf(dishes, [line('a', 1000), line('b', 900)])).toBe(0);
    expect(discountOf(dishes, [line('a', 1100), line('b', 900)])).toBe(90);
  });

  test('a fixed amount off never exceeds the items', () => {
    expect(discountOf(campaign('f', 'FIRST_ORDER', { offCents: 2000 }), [line('a', 1200)])).toBe(1200);
    expect(discountOf(campaign('c', 'COUPON', { offCents: 300, thresholdCents: 1000 }), [line('a', 999)])).toBe(0);
    expect(discountOf(campaign('c', 'COUPON', { offCents: 300, thresholdCents: 1000 }), [line('a', 1000)])).toBe(300);
  });

  test('100 percent off takes the whole basket and nothing more', () => {
    expect(discountOf(campaign('p', 'PERCENT_OFF', { percent: 100 }), [line('a', 1234, 2)])).toBe(2468);
  });
});

describe('stacking', () => {
  test('two campaigns stack only when each lists the other kind', () => {
    const a = campaign('a', 'SPEND_AND_SAVE', { stacksWith: ['COUPON'] });
    const b = campaign('b', 'COUPON', { stacksWith: ['SPEND_AND_SAVE'] });
    const c = campaign('c', 'COUPON', { stacksWith: [] });
    expect(stacks(a, b)).toBe(true);
    expect(stacks(b, a)).toBe(true);
    expect(stacks(a, c)).toBe(false);
  });

  test('two campaigns of one kind never stack, whatever they list', () => {
    const a = campaign('a', 'PERCENT_OFF', { stacksWith: ['PERCENT_OFF'] });
    const b = campaign('b', 'PERCENT_OFF', { stacksWith: ['PERCENT_OFF'] });
    expect(stacks(a, b)).toBe(false);
  });

  test('without stacking the single largest discount wins', () => {
    const lines = [line('a', 5000)];
    const discounts = bestDiscounts(
      [campaign('small', 'SPEND_AND_SAVE', { thresholdCents: 3000, offCents: 300 }), campaign('big', 'PERCENT_OFF', { percent: 10 }), campaign('none', 'FIRST_ORDER', { offCents: 100, thresholdCents: 9000 })],
      lines,
    );
    expect(amounts(discounts)).toEqual([['big', 500]]);
  });

  test('stacking campaigns add up', () => {
    const discounts = bestDiscounts(
      [campaign('s', 'SPEND_AND_SAVE', { thresholdCents: 3000, offCents: 500, stacksWith: ['COUPON'] }), campaign('c', 'COUPON', { offCents: 300, stacksWith: ['SPEND_AND_SAVE'] })],
      [line('a', 3000)],
    );
    expect(amounts(discounts)).toEqual([['s', 500], ['c', 300]]);
  });

  test('the best combination may leave out the largest single discount', () => {
    // big (700) combines with nothing; s + c (500 + 400) combine and give more.
    const discounts = bestDiscounts(
      [
        campaign('big', 'PERCENT_OFF', { percent: 14 }),
        campaign('s', 'SPEND_AND_SAVE', { thresholdCents: 3000, offCents: 500, stacksWith: ['COUPON'] }),
        campaign('c', 'COUPON', { offCents: 400, stacksWith: ['SPEND_AND_SAVE'] }),
      ],
      [line('a', 5000)],
    );
    expect(amounts(discounts)).toEqual([['s', 500], ['c', 400]]);
  });

  test('three kinds stack only when every pair does', () => {
    const s = campaign('s', 'SPEND_AND_SAVE', { thresholdCents: 1000, offCents: 300, stacksWith: ['COUPON', 'FIRST_ORDER'] });
    const c = campaign('c', 'COUPON', { offCents: 300, stacksWith: ['SPEND_AND_SAVE'] });
    const f = campaign('f', 'FIRST_ORDER', { offCents: 200, stacksWith: ['SPEND_AND_SAVE'] });
    // c and f do not accept each other: s + c (600) beats s + f (500); equal amounts listed by id.
    expect(amounts(bestDiscounts([s, c, f], [line('a', 5000)]))).toEqual([['c', 300], ['s', 300]]);
  });
});

describe('the total', () => {
  test('never exceeds the items: the smaller discount is cut to what is left', () => {
    const discounts = bestDiscounts(
      [campaign('f', 'FIRST_ORDER', { offCents: 800, stacksWith: ['COUPON'] }), campaign('c', 'COUPON', { offCents: 500, stacksWith: ['FIRST_ORDER'] })],
      [line('a', 1000)],
    );
    expect(amounts(discounts)).toEqual([['f', 800], ['c', 200]]);
  });

  test('a discount that nothing is left for is left out', () => {
    const discounts = bestDiscounts(
      [campaign('f', 'FIRST_ORDER', { offCents: 1000, stacksWith: ['COUPON'] }), campaign('c', 'COUPON', { offCents: 500, stacksWith: ['FIRST_ORDER'] })],
      [line('a', 1000)],
    );
    expect(amounts(discounts)).toEqual([['f', 1000]]);
  });

  test('a basket no campaign applies to gets nothing', () => {
    expect(bestDiscounts([campaign('s', 'SPEND_AND_SAVE', { thresholdCents: 3000, offCents: 500 })], [line('a', 100)])).toEqual([]);
    expect(bestDiscounts([], [line('a', 100)])).toEqual([]);
  });

  test('equal totals go to fewer discounts, then to the campaign ids first in order, whatever order they come in', () => {
    const x = campaign('x', 'SPEND_AND_SAVE', { thresholdCents: 0, offCents: 500, stacksWith: ['COUPON'] });
    const y = campaign('y', 'PERCENT_OFF', { percent: 50 });
    const a = campaign('a', 'COUPON', { offCents: 500, stacksWith: ['SPEND_AND_SAVE'] });
    // x + a take 1000, y alone 500: the pair wins, its equal amounts listed by id.
    expect(amounts(bestDiscounts([x, y, a], [line('p', 1000)]))).toEqual([['a', 500], ['x', 500]]);
    // All three reach the whole basket (1000): one discount beats two.
    const whole = campaign('w', 'PERCENT_OFF', { percent: 100 });
    expect(amounts(bestDiscounts([x, a, whole], [line('p', 1000)]))).toEqual([['w', 1000]]);
    expect(amounts(bestDiscounts([whole, a, x], [line('p', 1000)]))).toEqual([['w', 1000]]);
  });

  test('every amount is a whole positive number of cents and the sum stays within the items, for many baskets', () => {
    const campaigns = [
      campaign('s', 'SPEND_AND_SAVE', { thresholdCents: 2500, offCents: 700, stacksWith: ['COUPON', 'PERCENT_OFF'] }),
      campaign('p', 'PERCENT_OFF', { percent: 17, capCents: 900, stacksWith: ['SPEND_AND_SAVE', 'COUPON'] }),
      campaign('c', 'COUPON', { offCents: 1200, stacksWith: ['SPEND_AND_SAVE', 'PERCENT_OFF'] }),
      campaign('f', 'FIRST_ORDER', { offCents: 1500 }),
    ];
    for (let cents = 1; cents <= 6000; cents += 37) {
      const lines = [line('a', cents), line('b', 13, cents % 3)].filter((l) => l.quantity > 0);
      const items = lines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0);
      const discounts = bestDiscounts(campaigns, lines);
      const total = discounts.reduce((sum, discount) => sum + discount.amountCents, 0);
      expect({ cents, ok: total <= items && discounts.every((d) => Number.isInteger(d.amountCents) && d.amountCents > 0) }).toEqual({ cents, ok: true });
    }
  });
});
