import { eventConsumer, onBatch, OrderStatusChanged, type EventBus, type EventConsumer, type Logger } from '@waimai/platform';
import type { StockService } from '../domain/stock';

/**
 * Gives stock back when an order is cancelled (by the customer or the payment window), and
 * marks a hold confirmed when its order's first event shows the order exists, so the
 * orphan-hold sweep never needs to ask orders about it. Both are idempotent per order, so a
 * redelivered event changes nothing.
 */
export function stockReleaseConsumer(bus: EventBus, stock: Pick<StockService, 'confirm' | 'release'>, logger: Logger): EventConsumer {
  const log = logger.child({ component: 'order-consumer' });
  return eventConsumer({
    group: 'products.stock',
    bus,
    logger,
    // Nobody waits on it: its fetches gather events (about one a second under load).
    batched: true,
    handlers: [
      // A batch's new orders confirm their holds in one statement; cancellations, rare, release
      // one by one after that, in order (an order placed and cancelled within one batch is
      // confirmed, then released, as event by event).
      onBatch(OrderStatusChanged, async (events) => {
        const placed = events.filter(({ data }) => data.from === null).map(({ data }) => data.orderId);
        if (placed.length) await stock.confirm(placed);
        for (const { data } of events) {
          if (data.to !== 'CANCELLED') continue;
          const { released } = await stock.release(data.orderId);
          log.info({ orderId: data.orderId, released }, 'Released the stock of a cancelled order.');
        }
      }),
    ],
  });
}
