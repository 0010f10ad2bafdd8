import { eventConsumer, on, OrderStatusChanged, type EventBus, type EventConsumer, type Logger } from '@waimai/platform';
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
      on(OrderStatusChanged, async ({ data }) => {
        if (data.from === null) await stock.confirm([data.orderId]);
        if (data.to !== 'CANCELLED') return;
        const { released } = await stock.release(data.orderId);
        log.info({ orderId: data.orderId, released }, 'Released the stock of a cancelled order.');
      }),
    ],
  });
}
