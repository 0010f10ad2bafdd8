import { ConfigError } from '@waimai/platform';
import { loadPaymentsConfig } from '../src/env';
import { callbackFor, startPayments, type PaymentsHarness } from './harness';

// Strong secrets, so that only the provider choice decides whether production configuration parses.
const productionEnv = {
  NODE_ENV: 'production',
  JWT_SECRET: 'a-production-jwt-secret-of-some-length',
  INTERNAL_SECRET: 'a-production-internal-secret-of-some-length',
  PAYMENT_WEBHOOK_SECRET: 'a-production-webhook-secret-of-some-length',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadPaymentsConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('choosing the payment provider', () => {
  test('under NODE_ENV=production PAYMENT_PROVIDER must be set: the sandbox is never a default there', () => {
    expect(problemsOf(productionEnv).filter((problem) => problem.startsWith('PAYMENT_PROVIDER'))).toHaveLength(1);
    expect(problemsOf({ ...productionEnv, PAYMENT_PROVIDER: 'sandbox' }).filter((problem) => problem.startsWith('PAYMENT_PROVIDER'))).toEqual([]);
    expect(problemsOf({ ...productionEnv, PAYMENT_PROVIDER: 'none' }).filter((problem) => problem.startsWith('PAYMENT_PROVIDER'))).toEqual([]);
    expect(problemsOf({ ...productionEnv, PAYMENT_PROVIDER: 'paypal' }).filter((problem) => problem.startsWith('PAYMENT_PROVIDER'))).toHaveLength(1);
  });

  test('development and test default to the sandbox', () => {
    expect(loadPaymentsConfig({ NODE_ENV: 'development' }).PAYMENT_PROVIDER).toBe('sandbox');
    expect(loadPaymentsConfig({ NODE_ENV: 'test' }).PAYMENT_PROVIDER).toBe('sandbox');
  });
});

describe('with PAYMENT_PROVIDER=none', () => {
  let h: PaymentsHarness;
  beforeAll(async () => {
    h = await startPayments({ PAYMENT_PROVIDER: 'none' });
  });
  afterAll(async () => {
    await h.stop();
  });

  test('the sandbox pay page and its webhook answer JSON 404, and nobody can pay or fail a payment through them', async () => {
    const payment = await h.aPendingPayment();
    const base = `${h.service.baseUrl}/webhooks/payments/sandbox`;

    const answers = await Promise.all([
      fetch(`${base}/pay/${payment.id}`),
      fetch(`${base}/pay/${payment.id}/succeed`, { method: 'POST' }),
      fetch(`${base}/pay/${payment.id}/fail`, { method: 'POST' }),
    ]);
    const webhook = await h.deliver(callbackFor(payment, 'SUCCESS'));

    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404]);
    expect(answers.every((answer) => /application\/json/.test(answer.headers.get('content-type') ?? ''))).toBe(true);
    expect(await answers[0]!.json()).toEqual({ error: 'Not found.' });
    expect(webhook).toEqual({ status: 404, body: { error: 'Not found.' } });
    expect((await h.paymentRow(payment.id))?.status).toBe('PENDING');
    expect(await h.eventRecords(payment.id)).toEqual([]);
  });
});
