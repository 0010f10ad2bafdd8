import { z } from 'zod';

/**
 * The data of every event type on the platform's topics: the one place producers and
 * consumers agree on. Consumers parse with these and skip (and log) what does not match.
 */
export const orderStatuses = [
  'PENDING_PAYMENT',
  'CREATED',
  'NOTIFIED',
  'DELIVERING',
  'OVERTIME',
  'RECEIVED',
  'COMPENSATING',
  'CLOSED',
  'CANCELLED',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

const point = z.object({ lat: z.number(), lng: z.number() });

/** orders.events — one per transition of an order, key = order id. */
export const OrderStatusChanged = {
  type: 'OrderStatusChanged',
  data: z.object({
    orderId: z.string(),
    step: z.string(),
    from: z.enum(orderStatuses).nullable(),
    to: z.enum(orderStatuses),
    at: z.string(),
    customerId: z.string(),
    merchantId: z.string(),
    merchantLocation: point,
    deliveryLocation: point,
    riderId: z.string().nullable(),
    totalCents: z.number().int(),
    dispatchRound: z.number().int(),
    needsAttention: z.boolean(),
    wasOvertime: z.boolean(),
  }),
} as const;
export type OrderStatusChangedData = z.infer<typeof OrderStatusChanged.data>;

/** orders.events — orders asks payments to give money back (late delivery, or a payment for an order that can no longer be paid). */
export const RefundRequested = {
  type: 'RefundRequested',
  data: z.object({
    orderId: z.string(),
    paymentId: z.string().nullable(),
    amountCents: z.number().int().positive(),
    reason: z.enum(['LATE_DELIVERY', 'ORDER_NOT_PAYABLE']),
  }),
} as const;
export type RefundRequestedData = z.infer<typeof RefundRequested.data>;

/** payments.events, key = order id. */
export const PaymentSucceeded = {
  type: 'PaymentSucceeded',
  data: z.object({ paymentId: z.string(), orderId: z.string(), amountCents: z.number().int(), paidAt: z.string() }),
} as const;
export const PaymentFailed = {
  type: 'PaymentFailed',
  data: z.object({ paymentId: z.string(), orderId: z.string(), reason: z.string() }),
} as const;
export const PaymentRefunded = {
  type: 'PaymentRefunded',
  data: z.object({
    paymentId: z.string(),
    orderId: z.string(),
    refundCents: z.number().int(),
    totalRefundedCents: z.number().int(),
    reason: z.enum(['LATE_DELIVERY', 'ORDER_NOT_PAYABLE']),
  }),
} as const;
export type PaymentSucceededData = z.infer<typeof PaymentSucceeded.data>;
export type PaymentRefundedData = z.infer<typeof PaymentRefunded.data>;

/** dispatch.offers — one per rider offered an order, key = rider id, so one rider's offers stay in order. */
export const OrderOffered = {
  type: 'OrderOffered',
  data: z.object({
    offerId: z.string(),
    orderId: z.string(),
    riderId: z.string(),
    round: z.number().int().positive(),
    distanceMeters: z.number().int().nonnegative(),
    expiresAt: z.string(),
  }),
} as const;
export type OrderOfferedData = z.infer<typeof OrderOffered.data>;
