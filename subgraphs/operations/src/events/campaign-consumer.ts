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
        const holding = await discounts.holdingAmong(events.map((event) => event.data.orderId));
        for (const event of events) await follow(event, holding.has(event.data.orderId));
      }),
    ],
  });

  async function follow(event: EventOf<typeof OrderStatusChanged>, mayHold: boolean): Promise<void> {
    const { orderId, step, to, customerId } = event.data;
    const at = new Date(event.data.at);
    // Idempotent by nature (the first paid order is kept), so no processed_events row.
    if (step === 'pay') await discounts.recordPaid(customerId, orderId, at);
    // Asked again for an order that held one when the batch began: an earlier event of the batch may have released it.
    if (!mayHold || !(await discounts.holds(orderId))) return;
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
