import { eventConsumer, on, onBatch, OrderStatusChanged, PaymentNeedsAttention, PaymentRefunded, type EventBus, type EventConsumer, type Logger } from '@waimai/platform';
import type { Figures } from '../domain/figures';

/**
 * Reads orders.events and payments.events (group `operations.figures`) into the figures'
 * read models: each order's facts, and the refunds. Every effect is applied once per event
 * and does not depend on the order events arrive in, so the models can be rebuilt by
 * replaying the topics into empty tables.
 */
export function figuresConsumer(bus: EventBus, figures: Figures, logger: Logger): EventConsumer {
  const log = logger.child({ component: 'figures-consumer' });
  const again = (eventId: string, type: string) => log.debug({ eventId, type }, 'An event was delivered again; it was applied before.');
  return eventConsumer({
    group: 'operations.figures',
    bus,
    logger,
    // Nobody waits on it: its fetches gather events (about one a second under load).
    batched: true,
    fromBeginning: true,
    handlers: [
      // A batch's status changes are folded together: a few statements per batch, not per event.
      onBatch(OrderStatusChanged, async (events) => {
        const folded = await figures.foldStatusChanges(events);
        if (folded < events.length) log.debug({ type: OrderStatusChanged.type, events: events.length, folded }, 'Some events were delivered again; they were folded before.');
      }),
      on(PaymentNeedsAttention, async (event) => {
        if (!(await figures.foldPaymentAttention(event.id, event.data.orderId))) again(event.id, event.type);
      }),
      on(PaymentRefunded, async (event) => {
        // PaymentRefunded carries no time of its own: payments builds it when it records the refund.
        if (!(await figures.recordRefund(event.id, event.data, new Date(event.occurredAt)))) again(event.id, event.type);
      }),
    ],
  });
}
