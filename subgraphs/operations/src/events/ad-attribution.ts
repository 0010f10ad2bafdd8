import { eventConsumer, onBatch, OrderStatusChanged, type EventBus, type EventConsumer, type Logger } from '@waimai/platform';
import type { Ads } from '../domain/ads';

/**
 * Reads orders.events (group `operations.ad-attribution`): each newly placed order is
 * attributed to the placement of its customer's latest click on the shop's ads within 24 h
 * before it. One row per order, so a redelivered event adds nothing.
 */
export function adAttributionConsumer(bus: EventBus, ads: Pick<Ads, 'attributeAll'>, logger: Logger): EventConsumer {
  const log = logger.child({ component: 'ad-attribution' });
  return eventConsumer({
    group: 'operations.ad-attribution',
    bus,
    logger,
    // Nobody waits on it: its fetches gather events (about one a second under load).
    batched: true,
    handlers: [
      // A batch's placed orders look for their clicks in one read.
      onBatch(OrderStatusChanged, async (events) => {
        const attributed = await ads.attributeAll(events.map((event) => event.data));
        if (attributed > 0) log.debug({ attributed }, 'Orders were attributed to ad clicks.');
      }),
    ],
  });
}
