import { z } from 'zod';
import { newId } from './ids';
import { Topics, type EventEnvelope, type TopicName } from './events';

/**
 * Every event type on the platform's topics, defined once: its type name, its topic and the
 * schema of its data. Producers build events only through `newEvent(Definition, …)`, typed
 * from the definition and checked against its schema; consumers receive data parsed with
 * the same schema (`eventConsumer` in ./event-consumer). The envelope on Kafka is unchanged.
 */
export interface EventDefinition<Type extends string = string, Topic extends TopicName = TopicName, Data extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>> {
  readonly type: Type;
  readonly topic: Topic;
  readonly data: Data;
}

/** The envelope of one event type, its data typed by the definition's schema. */
export type EventOf<Definition extends EventDefinition> = Omit<EventEnvelope, 'type' | 'data'> & {
  type: Definition['type'];
  data: z.output<Definition['data']>;
};

export function defineEvent<const Type extends string, const Topic extends TopicName, Data extends z.ZodType<Record<string, unknown>>>(
  definition: EventDefinition<Type, Topic, Data>,
): EventDefinition<Type, Topic, Data> {
  return Object.freeze({ ...definition });
}

/**
 * Builds an event of `definition`'s type. The data is typed from the definition and parsed
 * with its schema here, once: an invalid event throws in the producer, before it can reach
 * the outbox, never in a consumer.
 */
export function newEvent<Type extends string, Topic extends TopicName, Data extends z.ZodType<Record<string, unknown>>>(
  definition: EventDefinition<Type, Topic, Data>,
  aggregateId: string,
  data: z.input<Data>,
  at = new Date(),
): EventOf<EventDefinition<Type, Topic, Data>> {
  return { id: newId(), type: definition.type, version: 1, aggregateId, occurredAt: at.toISOString(), data: definition.data.parse(data) };
}

/** An order's statuses: the orders table's enum, the events' schema and the GraphQL enum `OrderStatus`. */
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

/** Why money is given back: RefundRequested, PaymentRefunded and the refunds table's enum. */
export const refundReasons = ['LATE_DELIVERY', 'ORDER_NOT_PAYABLE'] as const;
export type RefundReason = (typeof refundReasons)[number];

/** Why a payment failed: PaymentFailed's reason (a link that expired, or the provider's own report). */
export const paymentFailureReasons = ['EXPIRED', 'PROVIDER_REPORTED_FAILURE'] as const;
export type PaymentFailureReason = (typeof paymentFailureReasons)[number];

const point = z.object({ lat: z.number(), lng: z.number() });

/** orders.events — one per transition of an order, key = order id. */
export const OrderStatusChanged = defineEvent({
  type: 'OrderStatusChanged',
  topic: Topics.orderEvents,
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
});
export type OrderStatusChangedData = z.infer<typeof OrderStatusChanged.data>;

/** orders.events — orders asks payments to give money back (late delivery, or a payment for an order that can no longer be paid). */
export const RefundRequested = defineEvent({
  type: 'RefundRequested',
  topic: Topics.orderEvents,
  data: z.object({
    orderId: z.string(),
    paymentId: z.string().nullable(),
    amountCents: z.number().int().positive(),
    reason: z.enum(refundReasons),
  }),
});
export type RefundRequestedData = z.infer<typeof RefundRequested.data>;

/** payments.events, key = order id. */
export const PaymentSucceeded = defineEvent({
  type: 'PaymentSucceeded',
  topic: Topics.paymentEvents,
  data: z.object({ paymentId: z.string(), orderId: z.string(), amountCents: z.number().int(), paidAt: z.string() }),
});
export const PaymentFailed = defineEvent({
  type: 'PaymentFailed',
  topic: Topics.paymentEvents,
  data: z.object({ paymentId: z.string(), orderId: z.string(), reason: z.enum(paymentFailureReasons) }),
});
export const PaymentRefunded = defineEvent({
  type: 'PaymentRefunded',
  topic: Topics.paymentEvents,
  data: z.object({
    paymentId: z.string(),
    orderId: z.string(),
    refundCents: z.number().int(),
    totalRefundedCents: z.number().int(),
    reason: z.enum(refundReasons),
  }),
});
export type PaymentSucceededData = z.infer<typeof PaymentSucceeded.data>;
export type PaymentFailedData = z.infer<typeof PaymentFailed.data>;
export type PaymentRefundedData = z.infer<typeof PaymentRefunded.data>;

/** dispatch.offers — one per rider offered an order, key = rider id, so one rider's offers stay in order. */
export const OrderOffered = defineEvent({
  type: 'OrderOffered',
  topic: Topics.dispatchOffers,
  data: z.object({
    offerId: z.string(),
    orderId: z.string(),
    riderId: z.string(),
    round: z.number().int().positive(),
    distanceMeters: z.number().int().nonnegative(),
    expiresAt: z.string(),
  }),
});
export type OrderOfferedData = z.infer<typeof OrderOffered.data>;

/** The catalog, by type name: what the outbox may hold and where each type is published. */
export const eventCatalog = {
  OrderStatusChanged,
  RefundRequested,
  PaymentSucceeded,
  PaymentFailed,
  PaymentRefunded,
  OrderOffered,
} as const;

/** An event of any type in the catalog, as a producer built it. */
export type CatalogEvent = { [Type in keyof typeof eventCatalog]: EventOf<(typeof eventCatalog)[Type]> }[keyof typeof eventCatalog];

/** The topic an event of the catalog is published on. */
export function topicOf(event: CatalogEvent): TopicName {
  return eventCatalog[event.type].topic;
}
