import { ConfigError, isId, newId } from '@waimai/platform';
import { loadOrdersConfig } from '../src/env';
import { orderIdFor } from '../src/domain/orders';

describe('the order id of an idempotency key', () => {
  test('is the same for the same customer and key, and an id like any other', () => {
    const id = orderIdFor('customer-1', 'checkout-42');
    expect(orderIdFor('customer-1', 'checkout-42')).toBe(id);
    expect(isId(id)).toBe(true);
    expect(id).toHaveLength(newId().length);
  });

  test('differs for another customer, another key, or the same characters split differently', () => {
    const ids = [orderIdFor('customer-1', 'checkout-42'), orderIdFor('customer-2', 'checkout-42'), orderIdFor('customer-1', 'checkout-43'), orderIdFor('customer-1c', 'heckout-42')];
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('the fault point FAULT_CRASH_AFTER_STOCK_HOLD', () => {
  test('is off unless set, and can be armed in tests', () => {
    expect(loadOrdersConfig({ NODE_ENV: 'test' }).FAULT_CRASH_AFTER_STOCK_HOLD).toBe(false);
    expect(loadOrdersConfig({ NODE_ENV: 'test', FAULT_CRASH_AFTER_STOCK_HOLD: 'true' }).FAULT_CRASH_AFTER_STOCK_HOLD).toBe(true);
  });

  test('is refused under NODE_ENV=production, named with the other problems', () => {
    const secrets = { JWT_SECRET: 'a-jwt-secret-of-this-test-0123456789', INTERNAL_SECRET: 'an-internal-secret-of-this-test-0123' };
    let problems: string[] = [];
    try {
      loadOrdersConfig({ NODE_ENV: 'production', ...secrets, FAULT_CRASH_AFTER_STOCK_HOLD: '1' });
    } catch (err) {
      if (err instanceof ConfigError) problems = err.problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^FAULT_CRASH_AFTER_STOCK_HOLD: a test-only fault point/)]);
    expect(loadOrdersConfig({ NODE_ENV: 'production', ...secrets }).FAULT_CRASH_AFTER_STOCK_HOLD).toBe(false);
  });
});
