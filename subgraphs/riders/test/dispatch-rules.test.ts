import type { OrderStatusChangedData } from '@waimai/platform';
import { emptyRetryRadius, radiusForRound, reactionTo, registerRiderInput } from '../src/domain/rules';

const change = (fields: Partial<OrderStatusChangedData>): OrderStatusChangedData => ({
  orderId: 'order-1',
  step: 'pay',
  from: 'PENDING_PAYMENT',
  to: 'CREATED',
  at: new Date().toISOString(),
  customerId: 'customer-1',
  merchantId: 'merchant-1',
  merchantLocation: { lat: 31.2, lng: 121.4 },
  deliveryLocation: { lat: 31.21, lng: 121.4 },
  riderId: null,
  totalCents: 2200,
  dispatchRound: 0,
  needsAttention: false,
  wasOvertime: false,
  ...fields,
});

describe('dispatch rules', () => {
  test('each round multiplies the first radius by the growth factor', () => {
    const policy = { DISPATCH_FIRST_RADIUS_METERS: 3000, DISPATCH_RADIUS_GROWTH: 2 };
    expect([1, 2, 3].map((round) => radiusForRound(round, policy))).toEqual([3000, 6000, 12000]);
    expect(radiusForRound(2, { DISPATCH_FIRST_RADIUS_METERS: 1000, DISPATCH_RADIUS_GROWTH: 1.5 })).toBe(1500);
  });

  test('a round that reached nobody is retried as wide as the next rounds would search, never past the last round nor below what it searched', () => {
    const policy = { DISPATCH_FIRST_RADIUS_METERS: 1000, DISPATCH_RADIUS_GROWTH: 3, DISPATCH_MAX_ROUNDS: 3 };
    expect([1, 2, 3, 4].map((attempt) => emptyRetryRadius(1, attempt, 1000, policy))).toEqual([3000, 9000, 9000, 9000]);
    expect([1, 2].map((attempt) => emptyRetryRadius(3, attempt, 9000, policy))).toEqual([9000, 9000]);
    // Round 2 that started from round 1's widened radius keeps it.
    expect(emptyRetryRadius(2, 1, 9000, policy)).toBe(9000);
    // Past the last round (rounds raised at runtime): its own radius, no wider.
    expect(emptyRetryRadius(4, 1, 27000, policy)).toBe(27000);
  });

  test.each([
    ['a paid order starts round 1', change({}), { kind: 'dispatch', round: 1 }],
    ['a timed-out round 2 starts round 3', change({ step: 'offerTimeout', from: 'NOTIFIED', dispatchRound: 2 }), { kind: 'dispatch', round: 3 }],
    ['the last round timed out: operations take over', change({ step: 'offerTimeout', from: 'NOTIFIED', dispatchRound: 3, needsAttention: true }), { kind: 'ignore' }],
    ['dispatch gave up on a round that reached nobody: operations take over', change({ step: 'dispatchGaveUp', from: 'CREATED', to: 'CREATED', needsAttention: true }), { kind: 'ignore' }],
    ['notified: nothing to do', change({ step: 'notify', from: 'CREATED', to: 'NOTIFIED', dispatchRound: 1 }), { kind: 'ignore' }],
    ['grabbed: the rider is busy', change({ step: 'grab', from: 'NOTIFIED', to: 'DELIVERING', riderId: 'rider-1' }), { kind: 'rider-grabbed', riderId: 'rider-1' }],
    ['picked up: nothing new', change({ step: 'pickUp', from: 'DELIVERING', to: 'DELIVERING', riderId: 'rider-1' }), { kind: 'ignore' }],
    ['overtime: still delivering', change({ step: 'deadlinePassed', from: 'DELIVERING', to: 'OVERTIME', riderId: 'rider-1' }), { kind: 'ignore' }],
    ['delivered: the rider may be free', change({ step: 'deliver', from: 'OVERTIME', to: 'RECEIVED', riderId: 'rider-1' }), { kind: 'rider-released', riderId: 'rider-1' }],
    ['closed after delivery: the rider may be free', change({ step: 'close', from: 'RECEIVED', to: 'CLOSED', riderId: 'rider-1' }), { kind: 'rider-released', riderId: 'rider-1' }],
    ['cancelled before anyone grabbed it: offers withdrawn', change({ step: 'cancel', from: 'NOTIFIED', to: 'CANCELLED' }), { kind: 'withdraw-offers' }],
    ['cancelled by staff while delivered: the rider is freed and told', change({ step: 'staffCancel', from: 'DELIVERING', to: 'CANCELLED', riderId: 'rider-1' }), { kind: 'rider-cancelled', riderId: 'rider-1' }],
    ['cancelled by staff while overtime: the rider is freed and told', change({ step: 'staffCancel', from: 'OVERTIME', to: 'CANCELLED', riderId: 'rider-1' }), { kind: 'rider-cancelled', riderId: 'rider-1' }],
    ['created unpaid: nothing to do', change({ step: 'create', from: null, to: 'PENDING_PAYMENT' }), { kind: 'ignore' }],
  ])('%s', (_name, event, reaction) => {
    expect(reactionTo(event)).toEqual(reaction);
  });

  test('a phone is 5 to 20 digits with an optional leading +; an empty vehicle is none', () => {
    const valid = (phone: string) => registerRiderInput.safeParse({ name: '骑手', phone }).success;
    expect(['12345', '+8613800138000', `+${'9'.repeat(20)}`].every(valid)).toBe(true);
    expect(['1234', '138-0013-8000', '++123456', `${'9'.repeat(21)}`, '+86 138'].some(valid)).toBe(false);
    expect(registerRiderInput.parse({ name: ' 骑手 ', phone: ' 12345 ', vehicle: '  ' })).toEqual({ name: '骑手', phone: '12345', vehicle: null });
  });
});
