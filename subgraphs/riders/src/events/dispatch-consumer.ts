import { OrderStatusChanged, Topics, type EventBus, type Logger, type Subscription } from '@waimai/platform';
import { DISPATCH_CONSUMER, type Dispatcher } from '../domain/dispatch';

/**
 * The dispatcher's consumer group on orders.events. kafkajs commits an offset only after
 * `handle` resolves, i.e. after the event's database work committed: a dispatcher that dies
 * or loses its partitions in a rebalance leaves the event to be replayed, and the replay is
 * idempotent (dispatch rounds and processed-event rows).
 */
export function consumeOrderEvents(bus: EventBus, dispatcher: Dispatcher, concurrency: number, logger: Logger): Promise<Subscription> {
  const log = logger.child({ component: 'dispatch-consumer' });
  return bus.subscribe({
    groupId: DISPATCH_CONSUMER,
    topics: [Topics.orderEvents],
    fromBeginning: true,
    partitionsConsumedConcurrently: concurrency,
    async handle(event, meta) {
      if (event.type !== OrderStatusChanged.type) return;
      const data = OrderStatusChanged.data.safeParse(event.data);
      if (!data.success) return log.error({ eventId: event.id, ...meta }, 'Skipped a malformed OrderStatusChanged.');
      await dispatcher.apply(event.id, data.data);
    },
  });
}
