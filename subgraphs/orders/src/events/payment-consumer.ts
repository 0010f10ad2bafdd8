import { eventConsumer, on, onBatch, PaymentRefunded, PaymentSucceeded, type EventBus, type EventConsumer, type Logger } from '@waimai/platform';
import type { OrderService } from '../domain/orders';

/**
 * Applies payments' events to orders, each once (processed-event row in the same
 * transaction as the effect): success → CREATED, late-delivery refund → CLOSED.
 * Successes come in fetched batches (`onBatch`); refunds one at a time.
 */
export function paymentEventsConsumer(bus: EventBus, service: OrderService, logger: Logger): EventConsumer {
  return eventConsumer({
    group: 'orders.payments',
    bus,
    logger,
    // One order's events share a partition, so partitions in parallel keep each order's
    // order; one at a time was the queue in front of CREATED under load (pnpm bench).
    partitionsConsumedConcurrently: 3,
    handlers: [
      // In fetched batches: a backlog of payments becomes CREATED in one transaction per batch;
      // the consumer is not `batched`, so a lone payment is handled as soon as it arrives.
      onBatch(PaymentSucceeded, (events) =>
        service.paidAll(events.map((event) => ({ eventId: event.id, paymentId: event.data.paymentId, orderId: event.data.orderId, paidAt: new Date(event.data.paidAt), amountCents: event.data.amountCents }))),
      ),
      on(PaymentRefunded, async (event) => {
        if (event.data.reason === 'LATE_DELIVERY') await service.compensated(event.id, event.data.orderId);
      }),
    ],
  });
}
