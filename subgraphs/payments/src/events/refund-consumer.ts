import { eventConsumer, on, RefundRequested, type EventBus, type EventConsumer, type Logger } from '@waimai/platform';
import type { PaymentService } from '../domain/payments';

export interface RefundConsumerOptions {
  bus: EventBus;
  payments: PaymentService;
  logger: Logger;
}

/**
 * Reads orders.events (group `payments`) and gives money back for each RefundRequested,
 * exactly once however often Kafka delivers it. Other event types are not for payments.
 */
export function refundConsumer(options: RefundConsumerOptions): EventConsumer {
  const { payments } = options;
  const log = options.logger.child({ component: 'refund-consumer' });
  return eventConsumer({
    group: 'payments',
    bus: options.bus,
    logger: options.logger,
    // Nobody waits on it: its fetches gather events (about one a second under load).
    batched: true,
    // A new group starts at the oldest retained event: a refund requested before payments
    // first ran is still paid; replays are harmless (processed_events).
    fromBeginning: true,
    handlers: [
      on(RefundRequested, async (event) => {
        const request = event.data;
        const result = await payments.refund(event.id, request);
        const context = { eventId: event.id, orderId: request.orderId, reason: request.reason };
        switch (result.kind) {
          case 'refunded':
            log.info({ ...context, paymentId: result.payment.id, refundCents: result.refund.amountCents, status: result.payment.status }, 'Refunded a payment.');
            return;
          case 'duplicate-event':
            log.debug(context, 'A RefundRequested event was delivered again; it was applied before.');
            return;
          case 'already-refunded':
            log.warn({ ...context, refundId: result.refund.id }, 'A second refund for the same payment and reason was refused.');
            return;
          case 'nothing-left':
            log.warn({ ...context, paymentId: result.payment.id }, 'A refund was requested for a payment refunded in full already.');
            return;
          case 'no-refundable-payment':
            log.error({ ...context, paymentId: request.paymentId }, 'A refund was requested for an order with no paid payment.');
            return;
        }
      }),
    ],
  });
}
