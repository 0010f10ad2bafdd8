import { z } from 'zod';
import { newId } from './ids';
import { Topics, type EventEnvelope, type TopicName } from './events';
import { adPlacementStatuses } from './ads';

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

/**
 * Why money is given back: RefundRequested, PaymentRefunded and the refunds table's enum.
 * ORDER_CANCELLED: staff cancelled a paid order (cancelOrderAsStaff), refunded in full.
 * GOODWILL: staff compensated a customer (compensateOrder), a partial refund of their choosing.
 */
export const refundReasons = ['LATE_DELIVERY', 'ORDER_NOT_PAYABLE', 'ORDER_CANCELLED', 'GOODWILL'] as const;
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
    /**
     * The discounts the order was placed with, in cents (0: none). Absent from events written
     * before campaigns: read as unknown. Operations gives back a discount hold of an order that
     * carries none (placed without discounts after a reservation it could not confirm in time).
     */
    discountCents: z.number().int().min(0).optional(),
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

/**
 * The order as a rider holding a live offer for it may see it: the fields of the supergraph's
 * `Order` that a rider's offer screen shows, and its merchant's id and location (and public name
 * and address, from products). Built by orders (the owner) when it accepts a dispatch round
 * (notifyOffers' answer), with the shop's card from products (the dispatcher), and carried in
 * OrderOffered so that the gateway answers an offer frame without loading the order again
 * (event-carried state, docs/subscriptions.md). Fields named and shaped as in the API schema.
 */
export const offeredOrderView = z.object({
  id: z.string(),
  status: z.enum(orderStatuses),
  totalCents: z.number().int(),
  deliveryAddress: z.string(),
  deliveryLocation: point,
  deadlineAt: z.string(),
  /** The shop: its id and location (orders' snapshot); its name and address when products answered them for the round (the dispatcher asks). */
  merchant: z.object({ id: z.string(), location: point, name: z.string().optional(), address: z.string().optional() }),
});
export type OfferedOrderView = z.infer<typeof offeredOrderView>;

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
    /**
     * OFFER: an order offered to grab; ASSIGNED: an order handed to the rider by staff
     * (reassignOrder). Absent in events written before reassignment existed: an offer.
     */
    kind: z.enum(['OFFER', 'ASSIGNED']).optional(),
    /** When the offer was written (OrderOffer.createdAt). Absent in older events. */
    createdAt: z.string().optional(),
    /**
     * The order as the offered rider may see it when the round went out (orders' view, above).
     * Absent in older events and in ASSIGNED notices: the gateway then loads the order.
     */
    order: offeredOrderView.optional(),
  }),
});
export type OrderOfferedData = z.infer<typeof OrderOffered.data>;

/** Who may act from the back office; every change they make is audited. */
export const staffRoles = ['OPERATOR', 'ADMIN'] as const;

/**
 * Every audited action, written once: AuditRecorded's `action`, the operations database's
 * enum and the GraphQL enum `AuditAction`. Interventions by staff and every mutation a staff
 * member makes are audited by the service that owns the data, in the transaction of the effect.
 */
export const auditActions = [
  'ORDER_CANCEL',
  'ORDER_REDISPATCH',
  'ORDER_REASSIGN',
  'ORDER_MARK_DELIVERED',
  'ORDER_COMPENSATE',
  'RIDER_SUSPEND',
  'RIDER_REINSTATE',
  'MERCHANT_SUSPEND',
  'MERCHANT_REINSTATE',
  'MERCHANT_CREATE',
  'PRODUCT_PUBLISH',
  'PRODUCT_STOCK_SET',
  'PRODUCT_STATUS_SET',
  'CAMPAIGN_CREATE',
  'CAMPAIGN_PAUSE',
  'CAMPAIGN_RESUME',
  'CAMPAIGN_END',
  'COUPON_ISSUE',
  'AD_BUY',
  'AD_PAUSE',
  'AD_RESUME',
  'AD_END',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** What an audited action touched: the GraphQL enum `AuditTargetType`. */
export const auditTargetTypes = ['ORDER', 'RIDER', 'MERCHANT', 'PRODUCT', 'PAYMENT', 'CAMPAIGN', 'COUPON', 'AD_PLACEMENT'] as const;
export type AuditTargetType = (typeof auditTargetTypes)[number];

/** audit.events — one per audited action, key = target id, written in the same transaction as the effect. */
export const AuditRecorded = defineEvent({
  type: 'AuditRecorded',
  topic: Topics.auditEvents,
  data: z.object({
    /** The service that recorded it (its registry name). */
    service: z.string(),
    actorId: z.string(),
    actorRoles: z.array(z.string()),
    action: z.enum(auditActions),
    targetType: z.enum(auditTargetTypes),
    targetId: z.string(),
    /** Mandatory for interventions; null for ordinary staff edits that take none. */
    reason: z.string().nullable(),
    /** The target's status before and after (null where the action has none, e.g. a stock count in `details`). */
    before: z.string().nullable(),
    after: z.string().nullable(),
    /** Action-specific facts (amounts, rider ids, radius), small and free of personal data. */
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())])).default({}),
    at: z.string(),
  }),
});
export type AuditRecordedData = z.infer<typeof AuditRecorded.data>;

/** The audit event of `actor`'s action, for the outbox of the transaction that makes the change. */
export function auditEvent(
  service: string,
  actor: { sub: string; roles: readonly string[] },
  entry: Omit<z.input<typeof AuditRecorded.data>, 'service' | 'actorId' | 'actorRoles' | 'at'>,
  at = new Date(),
): EventOf<typeof AuditRecorded> {
  return newEvent(AuditRecorded, entry.targetId, { ...entry, service, actorId: actor.sub, actorRoles: [...actor.roles], at: at.toISOString() }, at);
}

/**
 * orders.events — staff asked dispatch to offer a flagged order again: farther than the
 * usual rounds (`radiusMeters`) and/or to the named riders only. Key = order id.
 */
export const OrderRedispatchRequested = defineEvent({
  type: 'OrderRedispatchRequested',
  topic: Topics.orderEvents,
  data: z.object({
    orderId: z.string(),
    radiusMeters: z.number().int().positive().nullable(),
    riderIds: z.array(z.string()).nullable(),
    merchantLocation: point,
    requestedBy: z.string(),
    at: z.string(),
    /** The last round orders recorded (Order.dispatchRound): dispatch's next round is this + 1. Optional: added after the first producers. */
    dispatchRound: z.number().int().nonnegative().optional(),
  }),
});
export type OrderRedispatchRequestedData = z.infer<typeof OrderRedispatchRequested.data>;

/** orders.events — staff moved a grabbed order from one rider to another. Key = order id. */
export const OrderReassigned = defineEvent({
  type: 'OrderReassigned',
  topic: Topics.orderEvents,
  data: z.object({ orderId: z.string(), fromRiderId: z.string(), toRiderId: z.string(), requestedBy: z.string(), at: z.string() }),
});
export type OrderReassignedData = z.infer<typeof OrderReassigned.data>;

/**
 * dispatch.offers — an order a rider held (an offer, or a grabbed order) was taken away from
 * them: reassigned by staff, or cancelled. Key = rider id, like the offers, so that it
 * follows them on the rider's socket.
 */
export const OrderWithdrawn = defineEvent({
  type: 'OrderWithdrawn',
  topic: Topics.dispatchOffers,
  data: z.object({
    /** The id of the offer frame the rider's socket receives (a new one; the OrderOffer loaded by it says WITHDRAWN). */
    offerId: z.string(),
    orderId: z.string(),
    riderId: z.string(),
    reason: z.enum(['REASSIGNED', 'CANCELLED']),
    at: z.string(),
  }),
});
export type OrderWithdrawnData = z.infer<typeof OrderWithdrawn.data>;

/** Where a rider is in their working day, and whether operations suspended them. */
export const riderStatuses = ['OFFLINE', 'IDLE', 'DELIVERING'] as const;

/** riders.events — a rider's status or suspension changed. Key = rider id. */
export const RiderUpdated = defineEvent({
  type: 'RiderUpdated',
  topic: Topics.riderEvents,
  data: z.object({
    riderId: z.string(),
    status: z.enum(riderStatuses),
    suspended: z.boolean(),
    /** What changed it: a rider's own step, a delivery, or staff. */
    cause: z.enum(['STATUS', 'SUSPENDED', 'REINSTATED', 'ASSIGNED', 'RELEASED']),
    at: z.string(),
  }),
});
export type RiderUpdatedData = z.infer<typeof RiderUpdated.data>;

/** payments.events — a payment or refund that will not finish by itself: operations must look. Key = order id. */
export const PaymentNeedsAttention = defineEvent({
  type: 'PaymentNeedsAttention',
  topic: Topics.paymentEvents,
  data: z.object({ paymentId: z.string(), orderId: z.string(), problem: z.enum(['REFUND_FAILED', 'PROVIDER_SILENT']), at: z.string() }),
});
export type PaymentNeedsAttentionData = z.infer<typeof PaymentNeedsAttention.data>;

/**
 * ads.events — a sponsored placement as operations holds it after a change (bought, paused,
 * resumed, ended). Key = placement id. A full snapshot with a version that grows by one per
 * change, so products' read model keeps the newest whatever order or how often it arrives.
 */
export const AdPlacementChanged = defineEvent({
  type: 'AdPlacementChanged',
  topic: Topics.adEvents,
  data: z.object({
    placementId: z.string(),
    merchantId: z.string(),
    /** The area where the shop is sponsored: customers within `radiusMeters` of `center`. */
    center: point,
    radiusMeters: z.number().int().positive(),
    startsAt: z.string(),
    endsAt: z.string(),
    dailyBudgetCents: z.number().int().positive(),
    cpcCents: z.number().int().positive(),
    status: z.enum(adPlacementStatuses),
    version: z.number().int().positive(),
    at: z.string(),
  }),
});
export type AdPlacementChangedData = z.infer<typeof AdPlacementChanged.data>;

/** The catalog, by type name: what the outbox may hold and where each type is published. */
export const eventCatalog = {
  OrderStatusChanged,
  RefundRequested,
  PaymentSucceeded,
  PaymentFailed,
  PaymentRefunded,
  OrderOffered,
  AuditRecorded,
  OrderRedispatchRequested,
  OrderReassigned,
  OrderWithdrawn,
  RiderUpdated,
  PaymentNeedsAttention,
  AdPlacementChanged,
} as const;

/** An event of any type in the catalog, as a producer built it. */
export type CatalogEvent = { [Type in keyof typeof eventCatalog]: EventOf<(typeof eventCatalog)[Type]> }[keyof typeof eventCatalog];

/** The topic an event of the catalog is published on. */
export function topicOf(event: CatalogEvent): TopicName {
  return eventCatalog[event.type].topic;
}
