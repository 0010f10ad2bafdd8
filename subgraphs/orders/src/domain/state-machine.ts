import type { OrderStatus } from '@waimai/platform';

// The table itself lives in packages/platform (order-lifecycle.ts): the fault suite checks
// every order history it observes against the same table orders enforces.
export { nextOrderStatus as nextStatus, orderSteps as steps, orderTransitions as transitions, type OrderStep as Step } from '@waimai/platform';

/** Statuses in which a rider holds the order. */
export const withRider: ReadonlySet<OrderStatus> = new Set(['DELIVERING', 'OVERTIME', 'RECEIVED', 'COMPENSATING', 'CLOSED']);
