import { PaymentRefunded, PaymentSucceeded, Topics, type EventBus, type Logger, type Subscription } from '@waimai/platform';
import type { OrderService } from '../domain/orders';

/**
 * Applies payments' events to orders, each once (processed-event row in the same
 * transaction as the effect): success → CREATED, late-delivery refund → CLOSED.
 */
export function consumePaymentEvents(bus: EventBus, service: OrderService, logger: Logger): Promise<Subscription> {
  const log = logger.child({ component: 'payment-consumer' });
  return bus.subscribe({
    groupId: 'orders.payments',
    topics: [Topics.paymentEvents],
    fromBeginning: true,
    // One order's events share a partition, so partitions in parallel keep each order's
    // order; one at a time was the queue in front of CREATED under load (pnpm bench).
    partitionsConsumedConcurrently: 3,
    async handle(event) {
      if (event.type === PaymentSucceeded.type) {
        const data = PaymentSucceeded.data.safeParse(event.data);
        if (!data.success) return log.error({ eventId: event.id }, 'Skipped a malformed PaymentSucceeded.');
        await service.paid(event.id, data.data.paymentId, data.data.orderId, new Date(data.data.paidAt), data.data.amountCents);
      } else if (event.type === PaymentRefunded.type) {
        const data = PaymentRefunded.data.safeParse(event.data);
        if (!data.success) return log.error({ eventId: event.id }, 'Skipped a malformed PaymentRefunded.');
        if (data.data.reason === 'LATE_DELIVERY') await service.compensated(event.id, data.data.orderId);
      }
    },
  });
}
