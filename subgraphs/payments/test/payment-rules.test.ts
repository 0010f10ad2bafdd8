import type { CallbackOutcome, PaymentStatus } from '../src/db/schema';
import { signCallback, verifyCallback } from '@waimai/platform';
import { canSeePayment, paymentExpiry, paymentThatMatters, refundOutcome, statusAfterCallback } from '../src/domain/payment-rules';

describe('what a provider callback does to a payment', () => {
  const table: Array<[PaymentStatus, CallbackOutcome, PaymentStatus | null]> = [
    ['PENDING', 'SUCCESS', 'SUCCEEDED'],
    ['FAILED', 'SUCCESS', 'SUCCEEDED'],
    ['SUCCEEDED', 'SUCCESS', null],
    ['PARTIALLY_REFUNDED', 'SUCCESS', null],
    ['REFUNDED', 'SUCCESS', null],
    ['PENDING', 'FAILURE', 'FAILED'],
    ['FAILED', 'FAILURE', null],
    ['SUCCEEDED', 'FAILURE', null],
    ['PARTIALLY_REFUNDED', 'FAILURE', null],
    ['REFUNDED', 'FAILURE', null],
  ];
  test.each(table)('%s + %s → %s', (from, outcome, to) => {
    expect(statusAfterCallback(from, outcome)).toBe(to);
  });
});

describe('refunds', () => {
  test('a refund never exceeds what is left, and the status says whether all of it went back', () => {
    expect(refundOutcome({ amountCents: 5000, refundedCents: 0 }, 1000)).toEqual({ refundCents: 1000, totalRefundedCents: 1000, status: 'PARTIALLY_REFUNDED' });
    expect(refundOutcome({ amountCents: 5000, refundedCents: 1000 }, 9000)).toEqual({ refundCents: 4000, totalRefundedCents: 5000, status: 'REFUNDED' });
    expect(refundOutcome({ amountCents: 5000, refundedCents: 5000 }, 100).refundCents).toBe(0);
  });
});

describe("an order's payment", () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute));
  test('the paid payment wins over newer attempts; otherwise the newest attempt', () => {
    const failed = { id: 'a', status: 'FAILED' as const, createdAt: at(1) };
    const paid = { id: 'b', status: 'SUCCEEDED' as const, createdAt: at(2) };
    const pending = { id: 'c', status: 'PENDING' as const, createdAt: at(3) };
    expect(paymentThatMatters([failed, paid, pending])).toBe(paid);
    expect(paymentThatMatters([failed, pending])).toBe(pending);
    expect(paymentThatMatters([])).toBeNull();
  });

  test('only the paying customer and staff see a payment', () => {
    const payment = { customerId: 'c-1' };
    expect(canSeePayment({ sub: 'c-1', roles: ['CUSTOMER'] }, payment)).toBe(true);
    expect(canSeePayment({ sub: 'ops', roles: ['OPERATOR'] }, payment)).toBe(true);
    expect(canSeePayment({ sub: 'c-2', roles: ['CUSTOMER'] }, payment)).toBe(false);
    expect(canSeePayment({ sub: 'm-1', roles: ['MERCHANT'] }, payment)).toBe(false);
    expect(canSeePayment(null, payment)).toBe(false);
  });

  test("a payment link ends with the payment window, or earlier when the order's own deadline is earlier", () => {
    const now = at(0);
    expect(paymentExpiry(now, 900, null)).toEqual(at(15));
    expect(paymentExpiry(now, 900, at(5))).toEqual(at(5));
    expect(paymentExpiry(now, 900, at(30))).toEqual(at(15));
  });
});

describe('the callback signature', () => {
  const secret = 'a-test-webhook-secret-of-some-length';
  const body = Buffer.from('{"eventId":"evt_1","amountCents":100}');
  const now = new Date('2026-03-01T10:00:00Z');

  test('what the sandbox signs, the webhook verifies; any other byte, secret or time does not', () => {
    const header = signCallback(secret, body, now);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyCallback(secret, header, body, now)).toEqual({ ok: true, timestamp: now.getTime() / 1000 });
    expect(verifyCallback(secret, header, Buffer.from(body.toString().replace('100', '101')), now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyCallback(`${secret}x`, header, body, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyCallback(secret, header, body, new Date(now.getTime() + 301_000))).toEqual({ ok: false, reason: 'stale' });
    expect(verifyCallback(secret, header, body, new Date(now.getTime() - 301_000))).toEqual({ ok: false, reason: 'stale' });
    expect(verifyCallback(secret, header, body, new Date(now.getTime() + 299_000)).ok).toBe(true);
  });

  test('missing and malformed headers are told apart from wrong signatures', () => {
    const v1 = signCallback(secret, body, now).split(',')[1];
    expect(verifyCallback(secret, undefined, body, now)).toEqual({ ok: false, reason: 'missing' });
    for (const header of ['garbage', `t=abc,${v1}`, 't=1700000000', `t=1,t=2,${v1}`, 't=1700000000,v1=xyz', 't=1700000000,v1=abcd']) {
      expect(verifyCallback(secret, header, body, now)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  test('during a secret rotation, any one matching v1 signature verifies', () => {
    const good = signCallback(secret, body, now);
    const [t, v1] = good.split(',');
    const other = signCallback('the-previous-secret-0123456789', body, now).split(',')[1];
    expect(verifyCallback(secret, `${t},${other},${v1}`, body, now).ok).toBe(true);
  });
});
