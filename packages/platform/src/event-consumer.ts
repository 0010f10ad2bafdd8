import type { EventDefinition, EventOf } from './event-catalog';
import type { EventBus, EventEnvelope, EventMeta, Subscription, TopicName } from './events';
import type { Logger } from './logger';
import type { Worker } from './service';

/** One event type a consumer applies, and what it does with it (data already parsed). */
export interface EventHandler {
  readonly event: EventDefinition;
  handle(event: EventEnvelope, meta: EventMeta): Promise<void>;
}

/** `handle` runs for each event of `definition`'s type, with its data parsed by the catalog's schema. */
export function on<Definition extends EventDefinition>(
  definition: Definition,
  handle: (event: EventOf<Definition>, meta: EventMeta) => Promise<void>,
): EventHandler {
  // eventConsumer calls this only with events of this type whose data this schema parsed.
  return { event: definition, handle: (event, meta) => handle(event as EventOf<Definition>, meta) };
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

  return {
    name: group,
    async start() {
      subscription ??= await bus.subscribe({
        groupId: group,
        topics,
        fromBeginning: options.fromBeginning ?? true,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
        batched: options.batched,
        async handle(event, meta) {
          const handler = byType.get(event.type);
          if (!handler) return;
          const data = handler.event.data.safeParse(event.data);
          if (!data.success) {
            log.error({ eventId: event.id, type: event.type, ...meta, problems: data.error.issues }, 'Skipped an event whose data does not match the catalog.');
            return;
          }
          await handler.handle({ ...event, data: data.data }, meta);
        },
      });
    },
    async stop() {
      const running = subscription;
      subscription = null;
      await running?.stop();
    },
  };
}
