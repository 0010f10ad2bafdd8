import { eventConsumer, on, PaymentRefunded, PaymentSucceeded, type EventBus, type EventConsumer, type Logger } from '@waimai/platform';
import type { OrderService } from '../domain/orders';

/**
 * Applies payments' events to orders, each once (processed-event row in the same
 * transaction as the effect): success → CREATED, late-delivery refund → CLOSED.
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
      on(PaymentSucceeded, (event) => service.paid(event.id, event.data.paymentId, event.data.orderId, new Date(event.data.paidAt), event.data.amountCents)),
      on(PaymentRefunded, async (event) => {
        if (event.data.reason === 'LATE_DELIVERY') await service.compensated(event.id, event.data.orderId);
      }),
    ],
  });
}
