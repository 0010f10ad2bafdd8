import type { EventDefinition, EventOf } from './event-catalog';
import type { EventBus, EventEnvelope, EventMeta, ReceivedEvent, Subscription, TopicName } from './events';
import type { Logger } from './logger';
import type { Worker } from './service';

/**
 * One event type a consumer applies, and what it does with it (data already parsed): each event
 * alone (`on`), or every event of the type in a row of a fetched batch at once (`onBatch`).
 */
export type EventHandler =
  | { readonly event: EventDefinition; readonly handle: (event: EventEnvelope, meta: EventMeta) => Promise<void>; readonly handleMany?: undefined }
  | { readonly event: EventDefinition; readonly handleMany: (events: EventEnvelope[]) => Promise<void>; readonly handle?: undefined };

/** `handle` runs for each event of `definition`'s type, with its data parsed by the catalog's schema. */
export function on<Definition extends EventDefinition>(
  definition: Definition,
  handle: (event: EventOf<Definition>, meta: EventMeta) => Promise<void>,
): EventHandler {
  // eventConsumer calls this only with events of this type whose data this schema parsed.
  return { event: definition, handle: (event, meta) => handle(event as EventOf<Definition>, meta) };
}

/**
 * `handleMany` runs once for the events of `definition`'s type that come one after another in a
 * fetched batch (one partition's, in offset order; an event of another handled type in between
 * starts a new run), so that it can apply them in a few statements instead of a few each (the
 * consumer's `batched` fetches gather up to about a second of them). The same guarantees as
 * `on`: a throw delivers the whole batch again, so the effect of each event must be idempotent.
 */
export function onBatch<Definition extends EventDefinition>(
  definition: Definition,
  handleMany: (events: Array<EventOf<Definition>>) => Promise<void>,
): EventHandler {
  return { event: definition, handleMany: (events) => handleMany(events as Array<EventOf<Definition>>) };
}

export interface EventConsumerOptions {
  /** The consumer group (before KAFKA_TOPIC_PREFIX); also the name in logs. */
  group: string;
  bus: EventBus;
  logger: Logger;
  /** One per event type; the topics read are those of these types. */
  handlers: readonly EventHandler[];
  /** A new group starts at the oldest retained event (true) or at the newest. */
  fromBeginning?: boolean;
  partitionsConsumedConcurrently?: number;
  /** Nobody waits on this consumer: its fetches may gather events (SubscribeOptions.batched). */
  batched?: boolean;
}

/** A consumer is one of the service skeleton's workers: started after HTTP is open, stopped on shutdown. */
export type EventConsumer = Worker;

/**
 * The one consumer loop: reads the handlers' topics in one group, hands each event of a
 * handled type to its handler with its data parsed, and ignores the other types. An event
 * whose data does not match the catalog can never succeed: it is logged and skipped instead
 * of blocking its partition. A handler that throws makes Kafka deliver the event again (at
 * least once); handlers make their effect idempotent (`applyOnce`, or by nature).
 */
export function eventConsumer(options: EventConsumerOptions): EventConsumer {
  const { group, bus, handlers } = options;
  const log = options.logger.child({ component: 'event-consumer', group });
  const byType = new Map(handlers.map((handler) => [handler.event.type, handler]));
  if (byType.size !== handlers.length) throw new Error(`Consumer ${group} has two handlers for one event type.`);
  const topics: TopicName[] = [...new Set(handlers.map((handler) => handler.event.topic))];
  let subscription: Subscription | null = null;

  /** The event with its data parsed by its handler's schema; null (logged) when the data does not match the catalog. */
  function parsed(handler: EventHandler, event: EventEnvelope, meta: EventMeta): EventEnvelope | null {
    const data = handler.event.data.safeParse(event.data);
    if (data.success) return { ...event, data: data.data };
    log.error({ eventId: event.id, type: event.type, ...meta, problems: data.error.issues }, 'Skipped an event whose data does not match the catalog.');
    return null;
  }

  /** Hands a batch's events to their handlers in order: one call per run of a batch handler's events. */
  async function handleBatch(received: ReceivedEvent[]): Promise<void> {
    // The run being gathered: a handler's events, in order, not yet handed over.
    const run: { handleMany: ((events: EventEnvelope[]) => Promise<void>) | null; events: EventEnvelope[] } = { handleMany: null, events: [] };
    const flush = async () => {
      const { handleMany, events } = run;
      run.handleMany = null;
      run.events = [];
      if (handleMany && events.length) await handleMany(events);
    };
    for (const { event, meta } of received) {
      const handler = byType.get(event.type);
      if (!handler) continue;
      const ready = parsed(handler, event, meta);
      if (!ready) continue;
      if (handler.handleMany) {
        if (run.handleMany !== handler.handleMany) {
          await flush();
          run.handleMany = handler.handleMany;
        }
        run.events.push(ready);
      } else {
        await flush();
        await handler.handle(ready, meta);
      }
    }
    await flush();
  }

  const batches = handlers.some((handler) => handler.handleMany);
  return {
    name: group,
    async start() {
      subscription ??= await bus.subscribe({
        groupId: group,
        topics,
        fromBeginning: options.fromBeginning ?? true,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
        batched: options.batched,
        ...(batches
          ? { handleBatch }
          : {
              async handle(event: EventEnvelope, meta: EventMeta) {
                const handler = byType.get(event.type);
                const ready = handler && parsed(handler, event, meta);
                if (ready && handler.handle) await handler.handle(ready, meta);
              },
            }),
      });
    },
    async stop() {
      const running = subscription;
      subscription = null;
      await running?.stop();
    },
  };
}
