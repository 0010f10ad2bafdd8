import { eventConsumer, onBatch, OrderStatusChanged, type EventBus, type EventConsumer, type EventOf, type Logger } from '@waimai/platform';
import type { Discounts } from '../domain/discounts';

/**
 * Follows orders.events (group `operations.discounts`) for the discounts held by orders:
 * paying an order (step `pay`) spends them, cancelling it (any step to CANCELLED, paid or
 * not) gives them back, an order placed without discounts (its events say discountCents 0)
 * gives back a hold it never used, and any event of an order confirms it exists (the orphan sweep
 * leaves its hold alone). Each effect once per event (processed_events), written only for
 * orders that hold discounts; every paid order also marks its customer as no longer new.
 */
export function campaignConsumer(bus: EventBus, discounts: Discounts, logger: Logger): EventConsumer {
  const log = logger.child({ component: 'campaign-consumer' });
  return eventConsumer({
    group: 'operations.discounts',
    bus,
    logger,
    // Nobody waits on it: its fetches gather events (about one a second under load).
    batched: true,
    handlers: [
      // Most orders hold no discount: one read tells which of a batch's orders do, and only
      // their events go on to the per-event steps below, in order.
      onBatch(OrderStatusChanged, async (events) => {
        // Idempotent by nature (a customer's first paid order is kept), so no processed_events rows.
        const paid = events.filter((event) => event.data.step === 'pay');
        await discounts.recordPaid(paid.map(({ data }) => ({ customerId: data.customerId, orderId: data.orderId, at: new Date(data.at) })));
        const holding = await discounts.holdingAmong(events.map((event) => event.data.orderId));
        for (const event of events) if (holding.has(event.data.orderId)) await follow(event);
      }),
    ],
  });

  /** The discount steps of an event whose order held a discount when its batch began. */
  async function follow(event: EventOf<typeof OrderStatusChanged>): Promise<void> {
    const { orderId, step, to } = event.data;
    const at = new Date(event.data.at);
    // Asked again: an earlier event of the batch may have released it.
    if (!(await discounts.holds(orderId))) return;
    // Any event of the order shows it exists.
    await discounts.confirm([orderId], at);
    // The order was placed without discounts (orders gave up waiting for the reservation's
    // answer): the hold it never used is given back, never spent.
    if (event.data.discountCents === 0) {
      if (await discounts.releaseCancelled(event.id, orderId, at)) log.warn({ orderId }, 'Gave back a discount hold its order was placed without.');
      return;
    }
    if (to === 'CANCELLED') {
      if (await discounts.releaseCancelled(event.id, orderId, at)) log.info({ orderId }, 'Gave back the discounts of a cancelled order.');
    } else if (step === 'pay') {
      await discounts.consume(event.id, orderId, at);
    }
  }
}
