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
  // Interventions from the back office (OPERATOR/ADMIN), each with a reason and audited.
  'staffCancel',
  'redispatch',
  'reassign',
] as const;
export type OrderStep = (typeof orderSteps)[number];

/**
 * The order lifecycle of DESIGN.md as data: (from, step) → to. Every mutation, consumer and
 * timer moves orders through `nextOrderStatus`; a pair that is not here is
 * INVALID_STATE_TRANSITION. `pickUp`, `dispatchGaveUp` and `reassign` record a time, a flag or a rider without
 * changing the status. Staff marking an order delivered uses `deliver`, the rider's own step, so
 * everything that follows a delivery (the late-delivery compensation) is the same.
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
  // Staff cancel anything the customer does not have yet; money taken is refunded in full.
  { from: 'PENDING_PAYMENT', step: 'staffCancel', to: 'CANCELLED' },
  { from: 'CREATED', step: 'staffCancel', to: 'CANCELLED' },
  { from: 'NOTIFIED', step: 'staffCancel', to: 'CANCELLED' },
  { from: 'DELIVERING', step: 'staffCancel', to: 'CANCELLED' },
  { from: 'OVERTIME', step: 'staffCancel', to: 'CANCELLED' },
  // Staff send a waiting order to dispatch again: offers still out are superseded (NOTIFIED goes
  // back to CREATED, as after an offer timeout), and dispatch's next round makes it NOTIFIED.
  { from: 'CREATED', step: 'redispatch', to: 'CREATED' },
  { from: 'NOTIFIED', step: 'redispatch', to: 'CREATED' },
  // Staff move a grabbed order to another rider; the clock keeps running.
  { from: 'DELIVERING', step: 'reassign', to: 'DELIVERING' },
  { from: 'OVERTIME', step: 'reassign', to: 'OVERTIME' },
];

const table = new Map(orderTransitions.map(({ from, step, to }) => [`${from}:${step}`, to]));

/** Where `step` takes an order in `from`, or null when the lifecycle does not allow it. */
export function nextOrderStatus(from: OrderStatus, step: OrderStep): OrderStatus | null {
  return table.get(`${from}:${step}`) ?? null;
}
