import type { GraphQLError } from 'graphql';
import {
  OrderOffered,
  OrderStatusChanged,
  OrderWithdrawn,
  PaymentNeedsAttention,
  RiderSuspendedError,
  RiderUpdated,
  staffRoles,
  z,
  type Identity,
  type Role,
  type TopicName,
} from '@waimai/platform';
import type { CarriedState } from './carried-state';
import { dispatchActivityCounter } from './dispatch-activity';

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

/** An event type of the catalog: its name, its topic and the schema of its data. */
interface CatalogEntry<Data> {
  type: string;
  topic: TopicName;
  data: z.ZodType<Data>;
}

/** What one routed event asks of each subscriber it reaches. */
export type EventAction =
  /**
   * Load this entity through `entityField` and run the subscription's selection set on it; or,
   * when the event carries the entity (`state`), answer from that and load only what it lacks.
   */
  | { kind: 'entity'; entityId: string; state?: CarriedState }
  /** Run the subscription's selection set on this value, built in the gateway (a local source). */
  | { kind: 'payload'; payload: Record<string, unknown> }
  /** End the subscription with this error (graphql-ws `error` message). */
  | { kind: 'end'; error: GraphQLError };

/** A routed event: the keys of the subscribers it is for, and what each of them gets. */
export interface RoutedEvent {
  eventId: string;
  action: EventAction;
}

/**
 * How events of one catalog type feed a subscription field: which subscriber keys each event is
 * for (none: for nobody here) and what they get. `keys` runs only once the field has a
 * subscriber on this process, on data parsed with the catalog's schema.
 */
export type FeedDefinition<Data> =
  | {
      keys(event: SourceEvent<Data>): readonly string[];
      entityId(event: SourceEvent<Data>): string;
      /**
       * Event-carried state: the entity as this event carries it, shaped as the API schema's
       * type (field names, plain objects; leave out what the event does not say), or undefined
       * when it carries nothing (an older event). Everything in it must be what every
       * subscriber the keys name may see: the event goes to them without a load that would
       * check it.
       */
      carries?(event: SourceEvent<Data>): CarriedState | undefined;
    }
  | { keys(event: SourceEvent<Data>): readonly string[]; ends(event: SourceEvent<Data>): GraphQLError };

/** A feed with its data type erased behind parsing, so one field can take several event types. */
export interface EventFeedEntry {
  topic: TopicName;
  eventType: string;
  /**
   * The subscriber keys of one event and, once one of them has a listener, what they get; null
   * when its data does not match the catalog.
   */
  route(event: RawEvent): { keys: readonly string[]; action(): EventAction } | null;
}

export function feed<Data>(event: CatalogEntry<Data>, definition: FeedDefinition<Data>): EventFeedEntry {
  return {
    topic: event.topic,
    eventType: event.type,
    route(envelope) {
      const data = event.data.safeParse(envelope.data);
      if (!data.success) return null;
      const parsed: SourceEvent<Data> = { ...envelope, data: data.data };
      return {
        keys: definition.keys(parsed),
        action: (): EventAction => {
          if ('ends' in definition) return { kind: 'end', error: definition.ends(parsed) };
          const state = definition.carries?.(parsed);
          return state ? { kind: 'entity', entityId: definition.entityId(parsed), state } : { kind: 'entity', entityId: definition.entityId(parsed) };
        },
      };
    },
  };
}

/** A subscriber's key, or why the caller may not subscribe with these arguments (FORBIDDEN). */
export type SubscriberKey = { key: string } | { forbidden: string };

interface SourceBase<Args> {
  /** The root field's arguments, as the supergraph coerced them. */
  args: z.ZodType<Args>;
  /** Callers holding one of these roles may subscribe; anyone else gets FORBIDDEN. */
  roles: readonly Role[];
  /** The key a subscriber listens on; events reach the subscribers whose key is among theirs. */
  subscriberKey(args: Args, caller: Identity): SubscriberKey;
}

/**
 * A field whose events each name an entity of the supergraph, loaded with the subscription's
 * own selection set as the subscriber (orderOffers, orderUpdated, ...).
 */
export interface EntitySourceDefinition<Args> extends SourceBase<Args> {
  /** Where its events come from: one entry per event type. */
  feeds: readonly EventFeedEntry[];
  /** The Query field that loads one event's entity; it takes the entity's id as `id`. */
  entityField: string;
  /**
   * For subscriptions keyed by an argument (anyone may name any id): the entity the caller
   * must be able to load to subscribe. Null from `entityField` answers FORBIDDEN.
   */
  entityIdAtSubscribe?(args: Args, caller: Identity): string;
}

/**
 * Builds a local source's values from the events it observes and hands them out (`emit`) to
 * the subscribers of a key. It observes the raw envelope of every event of its types, whoever
 * listens, so it must stay cheap: no schema parsing, a few comparisons.
 */
export interface LocalProducer {
  observe(event: RawEvent): void;
  stop(): void;
}

/** What a local producer is started with: the gateway's settings for local sources, and where its values go. */
export interface LocalProducerContext {
  settings: LocalSourceSettings;
  emit(key: string, payload: Record<string, unknown>): void;
  /** Subscribers on this process listening on `key`. */
  listeners(key: string): number;
}

/** Gateway settings that local sources read (from env.ts). */
export interface LocalSourceSettings {
  /** DISPATCH_ACTIVITY_WINDOW_MS. */
  dispatchActivityWindowMs: number;
}

/**
 * A field whose values are built in the gateway from the event stream (no subgraph entity):
 * each value is run against the subscription's selection set with graphql-js on the API schema.
 */
export interface LocalSourceDefinition<Args> extends SourceBase<Args> {
  /** The event types its producer observes. */
  observes: ReadonlyArray<{ type: string; topic: TopicName }>;
  start(context: LocalProducerContext): LocalProducer;
}

/** One subscription root field's source, with its types erased so that the table can hold every field's. */
interface ErasedBase {
  roles: readonly Role[];
  /** The subscriber's key, or the problem with the arguments, or why the caller may not subscribe. */
  subscriberKey(args: Record<string, unknown>, caller: Identity): { key: string; authorizeEntityId: string | null } | { problem: string } | { forbidden: string };
}
export interface EntitySource extends ErasedBase {
  kind: 'entity';
  entityField: string;
  feeds: readonly EventFeedEntry[];
}
export interface LocalSource extends ErasedBase {
  kind: 'local';
  observes: ReadonlyArray<{ type: string; topic: TopicName }>;
  start(context: LocalProducerContext): LocalProducer;
}
export type EventSource = EntitySource | LocalSource;

function erasedKey<Args>(definition: SourceBase<Args>, entityIdAtSubscribe?: (args: Args, caller: Identity) => string): ErasedBase['subscriberKey'] {
  return (rawArgs, caller) => {
    const args = definition.args.safeParse(rawArgs);
    if (!args.success) return { problem: z.prettifyError(args.error) };
    const keyed = definition.subscriberKey(args.data, caller);
    if ('forbidden' in keyed) return keyed;
    return { key: keyed.key, authorizeEntityId: entityIdAtSubscribe ? entityIdAtSubscribe(args.data, caller) : null };
  };
}

export function entitySource<Args>(definition: EntitySourceDefinition<Args>): EntitySource {
  return {
    kind: 'entity',
    roles: definition.roles,
    entityField: definition.entityField,
    feeds: definition.feeds,
    subscriberKey: erasedKey(definition, definition.entityIdAtSubscribe?.bind(definition)),
  };
}

export function localSource<Args>(definition: LocalSourceDefinition<Args>): LocalSource {
  return {
    kind: 'local',
    roles: definition.roles,
    observes: definition.observes,
    start: (context) => definition.start(context),
    subscriberKey: erasedKey(definition),
  };
}

/**
 * The key of subscribers who get every event of a field (staff views of the whole city). Event
 * ids and user ids are never `*`, so it cannot collide with a per-entity key.
 */
export const EVERYONE = '*';
/** Staff following one rider's offers: apart from the rider's own key, which suspension ends. */
const watchingRider = (riderId: string) => `watch:${riderId}`;
const isStaff = (caller: Identity) => caller.roles.some((role) => (staffRoles as readonly Role[]).includes(role));

/** Steps of OrderStatusChanged that can raise needsAttention: dispatch gave up, or the last round ran out. */
const FLAGGING_STEPS = new Set(['dispatchGaveUp', 'offerTimeout']);

/**
 * One entry per Subscription root field of the supergraph (a test checks that none is
 * missing and that each entity field returns the subscription's type). A new subscription
 * in a subgraph's SDL needs a new entry here and nothing else.
 */
export const eventSources: Readonly<Record<string, EventSource>> = {
  /**
   * Offers as they go out: a rider gets their own (dispatch.offers is keyed by rider, one event
   * per rider offered), staff every rider's or one rider's. An order taken away from a rider
   * (OrderWithdrawn) reaches them as a frame of the same type; a rider suspended by staff has
   * their own subscriptions ended with RIDER_SUSPENDED.
   */
  orderOffers: entitySource({
    args: z.object({ riderId: z.string().nullish() }),
    roles: ['RIDER', ...staffRoles],
    subscriberKey: (args, caller) => {
      if (isStaff(caller)) return { key: args.riderId ? watchingRider(args.riderId) : EVERYONE };
      if (args.riderId && args.riderId !== caller.sub) return { forbidden: 'A rider may follow only their own offers.' };
      return { key: caller.sub };
    },
    entityField: 'orderOffer',
    feeds: [
      feed(OrderOffered, {
        keys: ({ data }) => [data.riderId, watchingRider(data.riderId), EVERYONE],
        entityId: ({ data }) => data.offerId,
        // The offer, and the order as the offered rider may see it (orders built it when it
        // accepted the round): both seen by the rider it goes to and by staff. Only while the
        // offer is live: a frame read after its expiry (a backlog) is loaded as the rider, and
        // the subgraphs' rules (an expired or withdrawn offer, an order taken by another rider)
        // decide what it shows.
        carries: ({ data }) =>
          data.kind !== 'ASSIGNED' && Date.parse(data.expiresAt) <= Date.now()
            ? undefined
            : {
                id: data.offerId,
                orderId: data.orderId,
                riderId: data.riderId,
                round: data.round,
                distanceMeters: data.distanceMeters,
                expiresAt: data.expiresAt,
                status: data.kind === 'ASSIGNED' ? 'ASSIGNED' : 'OFFERED',
                ...(data.createdAt ? { createdAt: data.createdAt } : {}),
                ...(data.order ? { order: data.order } : {}),
              },
      }),
      feed(OrderWithdrawn, {
        keys: ({ data }) => [data.riderId, watchingRider(data.riderId), EVERYONE],
        entityId: ({ data }) => data.offerId,
        // What the frame says about itself; the order (null for the rider now, not for staff) is loaded.
        carries: ({ data }) => ({ id: data.offerId, orderId: data.orderId, riderId: data.riderId, status: 'WITHDRAWN', createdAt: data.at }),
      }),
      // The rider's own key only: staff watching the rider keep watching.
      feed(RiderUpdated, {
        keys: ({ data }) => (data.suspended ? [data.riderId] : []),
        ends: ({ data }) => new RiderSuspendedError(data.riderId),
      }),
    ],
  }),
  /** Each status change of one order, for whoever may see the order (its customer, operations). */
  orderUpdated: entitySource({
    args: z.object({ orderId: z.string() }),
    roles: ['CUSTOMER', ...staffRoles],
    subscriberKey: (args) => ({ key: args.orderId }),
    entityField: 'order',
    entityIdAtSubscribe: (args) => args.orderId,
    feeds: [feed(OrderStatusChanged, { keys: (event) => [event.aggregateId], entityId: (event) => event.aggregateId })],
  }),
  /**
   * Orders staff must look at, for every staff subscriber: flagged needsAttention (dispatch gave
   * up, or its last round ran out), gone OVERTIME, or with a stuck payment. Only the events that
   * raise attention: later changes of a flagged order are on orderUpdated.
   */
  ordersNeedingAttention: entitySource({
    args: z.object({}),
    roles: staffRoles,
    subscriberKey: () => ({ key: EVERYONE }),
    entityField: 'order',
    feeds: [
      feed(OrderStatusChanged, {
        keys: ({ data }) => ((data.needsAttention && FLAGGING_STEPS.has(data.step)) || (data.step === 'deadlinePassed' && data.to === 'OVERTIME') ? [EVERYONE] : []),
        entityId: (event) => event.aggregateId,
      }),
      feed(PaymentNeedsAttention, { keys: () => [EVERYONE], entityId: ({ data }) => data.orderId }),
    ],
  }),
  /** One rider's status and suspension, for staff and the rider themself. */
  riderUpdated: entitySource({
    args: z.object({ riderId: z.string() }),
    roles: ['RIDER', ...staffRoles],
    subscriberKey: (args, caller) => {
      if (!isStaff(caller) && args.riderId !== caller.sub) return { forbidden: 'A rider may follow only themself.' };
      return { key: args.riderId };
    },
    entityField: 'rider',
    feeds: [feed(RiderUpdated, { keys: ({ data }) => [data.riderId], entityId: ({ data }) => data.riderId })],
  }),
  /** City-wide dispatch counts per window, counted by each gateway process from the events it reads anyway. */
  dispatchActivity: localSource({
    args: z.object({}),
    roles: staffRoles,
    subscriberKey: () => ({ key: EVERYONE }),
    observes: [OrderOffered, OrderStatusChanged],
    start: (context) => dispatchActivityCounter(context, EVERYONE),
  }),
};

/** The topics the table reads, each once. */
export function sourceTopics(sources: Readonly<Record<string, EventSource>>): TopicName[] {
  const topics = Object.values(sources).flatMap((source) => (source.kind === 'entity' ? source.feeds : source.observes).map((entry) => entry.topic));
  return [...new Set(topics)];
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
