import type { PaymentProvider } from './provider';
import { createSandboxProvider } from './sandbox';

export type { PaymentProvider } from './provider';

export interface ProviderOptions {
  PAYMENT_PROVIDER: 'sandbox' | 'none';
  PUBLIC_URL: string;
}

/**
 * The adapters this service talks to, by name; new payments use PAYMENT_PROVIDER. The sandbox
 * exists only when chosen: its pay page lets anyone with a payment id pay it.
 */
export function createProviders(options: ProviderOptions) {
  const all = new Map<string, PaymentProvider>();
  if (options.PAYMENT_PROVIDER === 'sandbox') all.set('sandbox', createSandboxProvider({ publicUrl: options.PUBLIC_URL }));
  const current = options.PAYMENT_PROVIDER === 'none' ? null : all.get(options.PAYMENT_PROVIDER);
  if (current === undefined) throw new Error(`No payment provider adapter named ${options.PAYMENT_PROVIDER}.`);
  return {
    /** The adapter new payments go through; null when PAYMENT_PROVIDER=none. */
    current,
    /** Whether the adapter `name` is enabled (its webhook and pages are mounted only then). */
    has(name: string): boolean {
      return all.has(name);
    },
    /** The adapter a payment was made with (refunds go back the same way). */
    byName(name: string): PaymentProvider | undefined {
      return all.get(name);
    },
  };
}
export type Providers = ReturnType<typeof createProviders>;
