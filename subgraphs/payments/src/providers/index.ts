import type { PaymentProvider } from './provider';
import { createSandboxProvider } from './sandbox';

export type { PaymentProvider } from './provider';

export interface ProviderOptions {
  PAYMENT_PROVIDER: 'sandbox';
  PUBLIC_URL: string;
}

/** Every adapter this service can talk to, by name; new payments use PAYMENT_PROVIDER. */
export function createProviders(options: ProviderOptions) {
  const all = new Map<string, PaymentProvider>([['sandbox', createSandboxProvider({ publicUrl: options.PUBLIC_URL })]]);
  const current = all.get(options.PAYMENT_PROVIDER);
  if (!current) throw new Error(`No payment provider adapter named ${options.PAYMENT_PROVIDER}.`);
  return {
    /** The adapter new payments go through. */
    current,
    /** The adapter a payment was made with (refunds go back the same way). */
    byName(name: string): PaymentProvider | undefined {
      return all.get(name);
    },
  };
}
export type Providers = ReturnType<typeof createProviders>;
