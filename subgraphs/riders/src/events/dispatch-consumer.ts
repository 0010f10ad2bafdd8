import { eventConsumer, on, onBatch, OrderReassigned, OrderRedispatchRequested, OrderStatusChanged, type EventBus, type EventConsumer, type Logger } from '@waimai/platform';
import { DISPATCH_CONSUMER, type Dispatcher } from '../domain/dispatch';

/**
 * The dispatcher's consumer group on orders.events: order status changes, and staff's
 * redispatch and reassignment requests (keyed by order like the changes, so one order's events
 * arrive in order). kafkajs commits an offset only after the handler resolves, i.e. after the
 * event's database work committed: a dispatcher that dies or loses its partitions in a
 * rebalance leaves the event to be replayed, and the replay is idempotent (dispatch rounds and
 * processed-event rows). Status changes come in fetched batches (`onBatch`), so that the
 * dispatcher plans and sends a backlog's rounds together; the consumer is not `batched`: a
 * fetch is answered as soon as one event is there, and a lone event is a batch of one.
 */
export function orderEventsConsumer(bus: EventBus, dispatcher: Dispatcher, concurrency: number, logger: Logger): EventConsumer {
  return eventConsumer({
    group: DISPATCH_CONSUMER,
    bus,
    logger,
    partitionsConsumedConcurrently: concurrency,
    handlers: [
      onBatch(OrderStatusChanged, (events) => dispatcher.applyAll(events)),
      on(OrderRedispatchRequested, (event) => dispatcher.redispatch(event.id, event.data)),
      on(OrderReassigned, (event) => dispatcher.reassigned(event.id, event.data)),
    ],
  });
}
