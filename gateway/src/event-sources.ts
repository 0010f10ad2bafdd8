import { OrderOffered, OrderStatusChanged, z, type Identity, type Role, type TopicName } from '@waimai/platform';

/**
 * The parts of an event envelope the gateway reads. Only these are checked on every event
 * (every replica decodes every event, so this check is the hot path); `data` is validated
 * with the event catalog's schema once the event turns out to be for someone here.
 */
export interface RawEvent {
  id: string;
  type: string;
  aggregateId: string;
  data: Record<string, unknown>;
}

/** An event of one type, its data parsed with the event catalog's schema. */
export interface SourceEvent<Data> extends Omit<RawEvent, 'data'> {
  data: Data;
}

/**
 * Where one subscription root field's events come from and how each is turned into the
 * entity the subscription's selection set is run against. This is the whole per-field
 * knowledge of the subscription engine: the websocket server, the Kafka feed and the
 * router read nothing else.
 */
export interface EventSourceDefinition<Data, Args> {
  /**
   * The event catalog's entry: its type name, its topic (one broadcast consumer per topic per
   * gateway process) and the schema of its data.
   */
  event: { type: string; topic: TopicName; data: z.ZodType<Data> };
  /** The root field's arguments, as the supergraph coerced them. */
  args: z.ZodType<Args>;
  /** Callers holding one of these roles may subscribe; anyone else gets FORBIDDEN. */
  roles: readonly Role[];
  /** Which subscribers an event is for: compared with each subscriber's `subscriberKey`. */
  routingKey(event: SourceEvent<Data>): string;
  /** The key a subscriber listens on. */
  subscriberKey(args: Args, caller: Identity): string;
  /** The Query field that loads one event's entity; it takes the entity's id as `id`. */
  entityField: string;
  /** The id passed to `entityField` for an event. */
  entityId(event: SourceEvent<Data>): string;
  /**
   * For subscriptions keyed by an argument (anyone may name any id): the entity the caller
   * must be able to load to subscribe. Null from `entityField` answers FORBIDDEN.
   */
  entityIdAtSubscribe?(args: Args, caller: Identity): string;
}

/** A routed event: who it is for and which entity to load for them. */
export interface RoutedEvent {
  eventId: string;
  routingKey: string;
  entityId: string;
}

/** A definition with its types erased behind parsing, so the table can hold every field's. */
export interface EventSource {
  topic: TopicName;
  eventType: string;
  roles: readonly Role[];
  entityField: string;
  /** The event's routing, or null when its data does not match the catalog. */
  route(event: RawEvent): RoutedEvent | null;
  /** The subscriber's key, or the problem with the arguments. */
  subscriberKey(args: Record<string, unknown>, caller: Identity): { key: string; authorizeEntityId: string | null } | { problem: string };
}

export function eventSource<Data, Args>(definition: EventSourceDefinition<Data, Args>): EventSource {
  return {
    topic: definition.event.topic,
    eventType: definition.event.type,
    roles: definition.roles,
    entityField: definition.entityField,
    route(envelope) {
      const data = definition.event.data.safeParse(envelope.data);
      if (!data.success) return null;
      const event: SourceEvent<Data> = { ...envelope, data: data.data };
      return { eventId: envelope.id, routingKey: definition.routingKey(event), entityId: definition.entityId(event) };
    },
    subscriberKey(rawArgs, caller) {
      const args = definition.args.safeParse(rawArgs);
      if (!args.success) return { problem: z.prettifyError(args.error) };
      return {
        key: definition.subscriberKey(args.data, caller),
        authorizeEntityId: definition.entityIdAtSubscribe ? definition.entityIdAtSubscribe(args.data, caller) : null,
      };
    },
  };
}

/**
 * One entry per Subscription root field of the supergraph (a test checks that none is
 * missing and that each entity field returns the subscription's type). A new subscription
 * in a subgraph's SDL needs a new entry here and nothing else.
 */
export const eventSources: Readonly<Record<string, EventSource>> = {
  /** Offers for the calling rider: dispatch.offers is keyed by rider, one event per rider offered. */
  orderOffers: eventSource({
    event: OrderOffered,
    args: z.object({}),
    roles: ['RIDER'],
    routingKey: (event) => event.data.riderId,
    subscriberKey: (_args, caller) => caller.sub,
    entityField: 'orderOffer',
    entityId: (event) => event.data.offerId,
  }),
  /** Each status change of one order, for whoever may see the order (its customer, operations). */
  orderUpdated: eventSource({
    event: OrderStatusChanged,
    args: z.object({ orderId: z.string() }),
    roles: ['CUSTOMER', 'OPERATOR', 'ADMIN'],
    routingKey: (event) => event.aggregateId,
    subscriberKey: (args) => args.orderId,
    entityField: 'order',
    entityId: (event) => event.aggregateId,
    entityIdAtSubscribe: (args) => args.orderId,
  }),
};

/** The topics the table reads, each once. */
export function sourceTopics(sources: Readonly<Record<string, EventSource>>): TopicName[] {
  return [...new Set(Object.values(sources).map((source) => source.topic))];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * Parses a Kafka message's value into the envelope fields the gateway uses, or null when it
 * is not an envelope. Deliberately lighter than the platform's zod envelope schema, which
 * takes twice as long as JSON.parse itself (gateway/bench/fan-out.ts).
 */
export function decodeEnvelope(value: Buffer | null): RawEvent | null {
  if (!value) return null;
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return null;
  }
  if (!isObject(json) || !isId(json.id) || !isId(json.type) || !isId(json.aggregateId) || !isObject(json.data)) return null;
  return { id: json.id, type: json.type, aggregateId: json.aggregateId, data: json.data };
}
