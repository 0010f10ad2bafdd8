import type { OrderStatus } from './event-catalog';

/** Every step that can move an order, by a person, a consumer or a timer. */
export const orderSteps = [
  'pay',
  'cancel',
  'expirePayment',
  'notify',
  'dispatchGaveUp',
  'offerTimeout',
  'grab',
  'pickUp',
  'deadlinePassed',
  'deliver',
  'confirmReceipt',
  'compensate',
  'close',
  'refunded',
] as const;
export type OrderStep = (typeof orderSteps)[number];

/**
 * The order lifecycle of DESIGN.md as data: (from, step) → to. Every mutation, consumer and
 * timer moves orders through `nextOrderStatus`; a pair that is not here is
 * INVALID_STATE_TRANSITION. `pickUp` and `dispatchGaveUp` record a time or a flag without changing the status.
 */
export const orderTransitions: ReadonlyArray<{ from: OrderStatus; step: OrderStep; to: OrderStatus }> = [
  { from: 'PENDING_PAYMENT', step: 'pay', to: 'CREATED' },
  { from: 'PENDING_PAYMENT', step: 'cancel', to: 'CANCELLED' },
  { from: 'PENDING_PAYMENT', step: 'expirePayment', to: 'CANCELLED' },
  { from: 'CREATED', step: 'notify', to: 'NOTIFIED' },
  // Dispatch reached no rider within its window: the order stays CREATED, flagged for operations.
  { from: 'CREATED', step: 'dispatchGaveUp', to: 'CREATED' },
  { from: 'NOTIFIED', step: 'offerTimeout', to: 'CREATED' },
  { from: 'CREATED', step: 'grab', to: 'DELIVERING' },
  { from: 'NOTIFIED', step: 'grab', to: 'DELIVERING' },
  { from: 'DELIVERING', step: 'pickUp', to: 'DELIVERING' },
  { from: 'OVERTIME', step: 'pickUp', to: 'OVERTIME' },
  { from: 'DELIVERING', step: 'deadlinePassed', to: 'OVERTIME' },
  { from: 'DELIVERING', step: 'deliver', to: 'RECEIVED' },
  { from: 'OVERTIME', step: 'deliver', to: 'RECEIVED' },
  { from: 'DELIVERING', step: 'confirmReceipt', to: 'RECEIVED' },
  { from: 'OVERTIME', step: 'confirmReceipt', to: 'RECEIVED' },
  { from: 'RECEIVED', step: 'compensate', to: 'COMPENSATING' },
  { from: 'RECEIVED', step: 'close', to: 'CLOSED' },
  { from: 'COMPENSATING', step: 'refunded', to: 'CLOSED' },
];

const table = new Map(orderTransitions.map(({ from, step, to }) => [`${from}:${step}`, to]));

/** Where `step` takes an order in `from`, or null when the lifecycle does not allow it. */
export function nextOrderStatus(from: OrderStatus, step: OrderStep): OrderStatus | null {
  return table.get(`${from}:${step}`) ?? null;
}
