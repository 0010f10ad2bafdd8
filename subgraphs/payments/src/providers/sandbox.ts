import { createHash } from 'node:crypto';
import type { PaymentProvider } from './provider';

export const SANDBOX_PROVIDER = 'sandbox';

/** The sandbox's pay page for a payment, under the public webhooks path the gateway forwards. */
export const sandboxPayPath = (paymentId: string) => `/webhooks/payments/sandbox/pay/${encodeURIComponent(paymentId)}`;

/**
 * The built-in provider for development and tests: the pay page (served by this service)
 * lets a person press Pay or Fail, and sends the signed callback a real provider would.
 * Refunds go through at once.
 */
export function createSandboxProvider(options: { publicUrl: string }): PaymentProvider {
  const base = options.publicUrl.replace(/\/+$/, '');
  return {
    name: SANDBOX_PROVIDER,

    async createPayment({ paymentId, expiresAt }) {
      const payUrl = `${base}${sandboxPayPath(paymentId)}`;
      // A phone renders the QR code of the same page.
      return { payUrl, qrCode: payUrl, expiresAt };
    },

    async refund({ refundKey }) {
      // Derived from the refund key, as a real provider answers a repeated refund with the same id.
      return { providerRefundId: `sbx_rf_${createHash('sha256').update(refundKey).digest('hex').slice(0, 24)}` };
    },
  };
}
