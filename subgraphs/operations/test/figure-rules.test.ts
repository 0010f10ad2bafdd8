import type { OrderStatus, OrderStatusChangedData } from '@waimai/platform';
import type { OrderFactsRow } from '../src/db/schema';
import { average, bucketsOf, percentile } from '../src/domain/figures';
import { withAttention, withStatusChange } from '../src/domain/order-facts';

const bare: OrderFactsRow = {
  orderId: 'o1',
  merchantId: null,
  customerId: null,
  riderId: null,
  riderSeenAt: null,
  totalCents: null,
  placedAt: null,
  paidAt: null,
  grabbedAt: null,
  deliveredAt: null,
  cancelledAt: null,
  wasOvertime: false,
  neededAttention: false,
};

function change(from: OrderStatus | null, to: OrderStatus, at: string, fields: Partial<OrderStatusChangedData> = {}): OrderStatusChangedData {
  return {
    orderId: 'o1',
    step: 'step',
    from,
    to,
    at,
    customerId: 'c1',
    merchantId: 'm1',
    merchantLocation: { lat: 31.23, lng: 121.47 },
    deliveryLocation: { lat: 31.24, lng: 121.47 },
    riderId: null,
    totalCents: 4200,
    dispatchRound: 0,
    needsAttention: false,
    wasOvertime: false,
    ...fields,
  };
}

const history = [
  change(null, 'PENDING_PAYMENT', '2026-03-01T10:00:00.000Z'),
  change('PENDING_PAYMENT', 'CREATED', '2026-03-01T10:01:00.000Z'),
  change('CREATED', 'CREATED', '2026-03-01T10:20:00.000Z', { needsAttention: true }),
  change('CREATED', 'DELIVERING', '2026-03-01T10:25:00.000Z', { riderId: 'r1' }),
  change('DELIVERING', 'OVERTIME', '2026-03-01T10:50:00.000Z', { riderId: 'r1' }),
  change('OVERTIME', 'RECEIVED', '2026-03-01T11:00:00.000Z', { riderId: 'r2', wasOvertime: true }),
];
const fold = (events: readonly OrderStatusChangedData[]) => events.reduce(withStatusChange, bare);

test("an order's events folded in order give each fact its event's time, the flags and the rider of the latest event", () => {
  expect(fold(history)).toEqual({
    ...bare,
    merchantId: 'm1',
    customerId: 'c1',
    totalCents: 4200,
    riderId: 'r2',
    riderSeenAt: new Date('2026-03-01T11:00:00.000Z'),
    placedAt: new Date('2026-03-01T10:00:00.000Z'),
    paidAt: new Date('2026-03-01T10:01:00.000Z'),
    grabbedAt: new Date('2026-03-01T10:25:00.000Z'),
    deliveredAt: new Date('2026-03-01T11:00:00.000Z'),
    wasOvertime: true,
    neededAttention: true,
  });
});

test('folding the same events reversed, shuffled or each twice gives the same facts', () => {
  const expected = fold(history);
  expect(fold([...history].reverse())).toEqual(expected);
  expect(fold([history[3]!, history[0]!, history[5]!, history[1]!, history[4]!, history[2]!])).toEqual(expected);
  expect(fold(history.flatMap((event) => [event, event]))).toEqual(expected);
});

test('a cancellation sets only the cancellation time', () => {
  const cancelled = fold([change(null, 'PENDING_PAYMENT', '2026-03-01T10:00:00.000Z'), change('PENDING_PAYMENT', 'CANCELLED', '2026-03-01T10:15:00.000Z')]);
  expect([cancelled.cancelledAt, cancelled.paidAt, cancelled.deliveredAt]).toEqual([new Date('2026-03-01T10:15:00.000Z'), null, null]);
});

test("a stuck payment marks the order as having needed attention, before or after the order's own events", () => {
  expect(withStatusChange(withAttention(bare), history[0]!).neededAttention).toBe(true);
  expect(withAttention(fold(history.slice(0, 2))).neededAttention).toBe(true);
});

test('hour buckets are aligned to UTC hours and cut to the range at both ends', () => {
  expect(bucketsOf({ from: new Date('2026-03-01T10:30:00.000Z'), to: new Date('2026-03-01T12:15:00.000Z') }, 'HOUR')).toEqual([
    { from: new Date('2026-03-01T10:30:00.000Z'), to: new Date('2026-03-01T11:00:00.000Z') },
    { from: new Date('2026-03-01T11:00:00.000Z'), to: new Date('2026-03-01T12:00:00.000Z') },
    { from: new Date('2026-03-01T12:00:00.000Z'), to: new Date('2026-03-01T12:15:00.000Z') },
  ]);
});

test('day buckets are UTC days', () => {
  expect(bucketsOf({ from: new Date('2026-03-01T00:00:00.000Z'), to: new Date('2026-03-03T00:00:00.000Z') }, 'DAY')).toEqual([
    { from: new Date('2026-03-01T00:00:00.000Z'), to: new Date('2026-03-02T00:00:00.000Z') },
    { from: new Date('2026-03-02T00:00:00.000Z'), to: new Date('2026-03-03T00:00:00.000Z') },
  ]);
});

test('the 90th percentile is the nearest rank: the smallest value with at least 90 % of the values at or below it', () => {
  expect(percentile([], 90)).toBeNull();
  expect(percentile([7], 90)).toBe(7);
  expect(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 90)).toBe(9);
  expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
  expect(average([120, 300])).toBe(210);
  expect(average([])).toBeNull();
});
