import { entityId, isStaff, safeString, z, type Caller } from '@waimai/platform';
import { callbackOutcomes, type CallbackOutcome, type PaymentRow, type PaymentStatus } from '../db/schema';

/** Statuses in which the provider holds the customer's money (some of it may be refunded). */
export const PAID_STATUSES: readonly PaymentStatus[] = ['SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED'];
/** Statuses from which money can still be given back. */
export const REFUNDABLE_STATUSES: readonly PaymentStatus[] = ['SUCCEEDED', 'PARTIALLY_REFUNDED'];

/**
 * Where a provider's report moves a payment, or null when it changes nothing:
 * - SUCCESS: PENDING or FAILED → SUCCEEDED (a provider may report success after a failure,
 *   e.g. the customer retried in the provider's own app); once paid, nothing changes.
 * - FAILURE: PENDING → FAILED; a failure after success never takes the money back.
 */
export function statusAfterCallback(current: PaymentStatus, outcome: CallbackOutcome): PaymentStatus | null {
  if (outcome === 'SUCCESS') return current === 'PENDING' || current === 'FAILED' ? 'SUCCEEDED' : null;
  return current === 'PENDING' ? 'FAILED' : null;
}

/** How much of `requestedCents` can still be refunded, and the status afterwards. */
export function refundOutcome(payment: Pick<PaymentRow, 'amountCents' | 'refundedCents'>, requestedCents: number) {
  const refundCents = Math.max(0, Math.min(requestedCents, payment.amountCents - payment.refundedCents));
  const totalRefundedCents = payment.refundedCents + refundCents;
  const status: PaymentStatus = totalRefundedCents >= payment.amountCents ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  return { refundCents, totalRefundedCents, status };
}

/** The payment that tells an order's story: the paid one first, else the newest attempt. */
export function paymentThatMatters<T extends Pick<PaymentRow, 'status' | 'createdAt' | 'id'>>(payments: readonly T[]): T | null {
  const newestFirst = [...payments].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
  return newestFirst.find((payment) => PAID_STATUSES.includes(payment.status)) ?? newestFirst[0] ?? null;
}

/** The paying customer, OPERATOR and ADMIN see a payment; nobody else learns it exists. */
export function canSeePayment(caller: Caller, payment: Pick<PaymentRow, 'customerId'>): boolean {
  return caller !== null && (isStaff(caller) || caller.sub === payment.customerId);
}

/** A pending payment whose link has expired can no longer be paid: a new one replaces it. */
export function isExpired(payment: Pick<PaymentRow, 'status' | 'expiresAt'>, now: Date): boolean {
  return payment.status === 'PENDING' && payment.expiresAt !== null && payment.expiresAt.getTime() <= now.getTime();
}

/** The payment link lives as long as the payment window, and never beyond the order's own deadline. */
export function paymentExpiry(now: Date, windowSeconds: number, orderPaymentDueAt: Date | null): Date {
  const window = new Date(now.getTime() + windowSeconds * 1000);
  return orderPaymentDueAt && orderPaymentDueAt < window ? orderPaymentDueAt : window;
}

export const initiatePaymentArgs = z.object({ orderId: entityId });

/** The provider callback's body (shared/contract/README.md); anything else is refused with 400. */
export const providerCallback = z.object({
  // Safe characters only: an unpaired surrogate would be stored as U+FFFD, so two event ids could become one.
  eventId: safeString().min(1).max(64),
  paymentId: safeString().min(1).max(64),
  orderId: safeString().min(1).max(64),
  paymentStatus: z.enum(callbackOutcomes),
  amountCents: z.number().int().min(0),
  providerTxnId: safeString().min(1).max(128).nullish(),
});
export type ProviderCallback = z.infer<typeof providerCallback>;
