import { orderStatuses, type OrderStatus } from '@waimai/platform';
import { nextStatus, steps, type Step } from '../src/domain/state-machine';

/** DESIGN.md's lifecycle, written out independently of the implementation's table. */
const allowed: Record<OrderStatus, Partial<Record<Step, OrderStatus>>> = {
  PENDING_PAYMENT: { pay: 'CREATED', cancel: 'CANCELLED', expirePayment: 'CANCELLED', staffCancel: 'CANCELLED' },
  CREATED: { notify: 'NOTIFIED', dispatchGaveUp: 'CREATED', grab: 'DELIVERING', staffCancel: 'CANCELLED', redispatch: 'CREATED' },
  NOTIFIED: { offerTimeout: 'CREATED', grab: 'DELIVERING', staffCancel: 'CANCELLED', redispatch: 'CREATED' },
  DELIVERING: { pickUp: 'DELIVERING', deadlinePassed: 'OVERTIME', deliver: 'RECEIVED', confirmReceipt: 'RECEIVED', staffCancel: 'CANCELLED', reassign: 'DELIVERING' },
  OVERTIME: { pickUp: 'OVERTIME', deliver: 'RECEIVED', confirmReceipt: 'RECEIVED', staffCancel: 'CANCELLED', reassign: 'OVERTIME' },
  RECEIVED: { compensate: 'COMPENSATING', close: 'CLOSED' },
  COMPENSATING: { refunded: 'CLOSED' },
  CLOSED: {},
  CANCELLED: {},
};

const pairs = orderStatuses.flatMap((status) => steps.map((step) => [status, step, allowed[status][step] ?? null] as const));

describe('the order state machine', () => {
  test.each(pairs)('%s --%s--> %s', (status, step, expected) => {
    expect(nextStatus(status, step)).toBe(expected);
  });

  test('finished orders accept no step at all', () => {
    for (const step of steps) {
      expect(nextStatus('CLOSED', step)).toBeNull();
      expect(nextStatus('CANCELLED', step)).toBeNull();
    }
  });
});
