import { OrderStatusChanged, Topics, type EventBus, type Logger, type Subscription } from '@waimai/platform';
import type { StockStore } from '../db/stock-store';

/**
 * Gives stock back when an order is cancelled (by the customer or the payment window), and
 * marks a hold confirmed when its order's first event shows the order exists, so the
 * orphan-hold sweep never needs to ask orders about it. Both are idempotent per order, so a
 * redelivered event changes nothing.
 */
export function releaseStockOfCancelledOrders(bus: EventBus, stock: StockStore, logger: Logger): Promise<Subscription> {
  const log = logger.child({ component: 'order-consumer' });
  return bus.subscribe({
    groupId: 'products.stock',
    topics: [Topics.orderEvents],
    fromBeginning: true,
    async handle(event) {
      if (event.type !== OrderStatusChanged.type) return;
      const data = OrderStatusChanged.data.safeParse(event.data);
      if (!data.success) return log.error({ eventId: event.id }, 'Skipped a malformed OrderStatusChanged.');
      if (data.data.from === null) await stock.confirm([data.data.orderId]);
      if (data.data.to !== 'CANCELLED') return;
      const { released } = await stock.release(data.data.orderId);
      log.info({ orderId: data.data.orderId, released }, 'Released the stock of a cancelled order.');
    },
  });
}
