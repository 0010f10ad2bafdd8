import { entityId, isStaff, refundReasons, safeString, text, z, type Caller } from '@waimai/platform';
import { callbackOutcomes, paymentStatuses, type CallbackOutcome, type PaymentRow, type PaymentStatus, type RefundReason, type RefundRow } from '../db/schema';

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

/**
 * How much a refund request asks for: a cancellation by staff gives back everything still
 * left of the payment, whatever amount the request names; other requests their own amount.
 */
export function requestedRefundCents(reason: RefundReason, requestedCents: number, remainingCents: number): number {
  return reason === 'ORDER_CANCELLED' ? remainingCents : requestedCents;
}

/** A requested refund's key: one per payment and reason, so a request seen twice pays once. */
export const requestedRefundKey = (paymentId: string, reason: RefundReason) => `${paymentId}:${reason}`;

/** A compensation's key: one per order and staff idempotency key. */
export const compensationRefundKey = (idempotencyKey: string) => `GOODWILL:${idempotencyKey}`;

/**
 * The idempotency key the provider gets for a refund. A requested refund's key names its payment
 * and is sent as it is (as it always was, so a payout resumed after an upgrade keeps its key); a
 * compensation's key is unique only within its order, so the refund's own id is sent instead.
 */
export function providerRefundKey(refund: Pick<RefundRow, 'id' | 'refundKey' | 'paymentId' | 'reason'>): string {
  return refund.refundKey === requestedRefundKey(refund.paymentId, refund.reason) ? refund.refundKey : refund.id;
}

/** 1 h: however often a payout failed, it is tried again at least hourly. */
const MAX_PAYOUT_DELAY_SECONDS = 3600;

/** When an unpaid refund's payout is tried again after `failures` failed calls: doubling from `baseSeconds`, at most an hour. */
export function nextPayoutDue(now: Date, failures: number, baseSeconds: number): Date {
  const delay = Math.min(MAX_PAYOUT_DELAY_SECONDS, baseSeconds * 2 ** Math.min(Math.max(failures, 0), 16));
  return new Date(now.getTime() + delay * 1000);
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

/** 500 characters: a staff member's reason, as every intervention takes it. */
export const STAFF_REASON_MAX = 500;

export const compensateOrderArgs = z.object({
  orderId: entityId,
  amountCents: z.number().int().min(1, 'must be at least 1 cent'),
  reason: text(STAFF_REASON_MAX),
  // 128: room for a UUID or a client's own key, well inside refunds.refund_key (200).
  idempotencyKey: safeString().trim().min(1, 'must not be empty').max(128),
});
export type CompensateOrderArgs = z.infer<typeof compensateOrderArgs>;

const dateRange = {
  createdFrom: z.date().optional(),
  createdTo: z.date().optional(),
};
const fromBeforeTo = (filter: { createdFrom?: Date; createdTo?: Date }) =>
  !filter.createdFrom || !filter.createdTo || filter.createdFrom.getTime() < filter.createdTo.getTime();

/** searchPayments' filter: an empty list of statuses matches nothing and is refused, like a range that ends before it starts. */
export const paymentSearchFilter = z
  .object({ statuses: z.array(z.enum(paymentStatuses)).min(1).optional(), orderId: entityId.optional(), ...dateRange })
  .refine(fromBeforeTo, { path: ['createdTo'], message: 'must be after createdFrom' });

/** searchRefunds' filter, read like searchPayments'. */
export const refundSearchFilter = z
  .object({ reasons: z.array(z.enum(refundReasons)).min(1).optional(), orderId: entityId.optional(), ...dateRange })
  .refine(fromBeforeTo, { path: ['createdTo'], message: 'must be after createdFrom' });

/** A filter as GraphQL gives it: absent and null alike mean "any". */
export function presentFields<T extends object>(filter: T | null | undefined): Partial<{ [K in keyof T]: NonNullable<T[K]> }> {
  return Object.fromEntries(Object.entries(filter ?? {}).filter(([, value]) => value !== null && value !== undefined)) as Partial<{ [K in keyof T]: NonNullable<T[K]> }>;
}

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
