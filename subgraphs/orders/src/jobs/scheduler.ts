import { DomainError, repeatEvery, type Logger } from '@waimai/platform';
import type { OrderStore } from '../db/order-store';
import type { OrderService } from '../domain/orders';

/** Orders moved per timer per tick: bounds one tick's work when a backlog builds up. */
const BATCH = 200;

/**
 * Sweeps the order timers kept in the rows (payment window, offer time, delivery deadline,
 * closing). Every move is a conditional transition, so any number of replicas may sweep at
 * once: a loser's UPDATE matches nothing and is skipped.
 */
export function startScheduler(store: OrderStore, service: OrderService, intervalMs: number, logger: Logger) {
  const log = logger.child({ component: 'scheduler' });

  async function each(ids: string[], move: (id: string) => Promise<unknown>) {
    for (const id of ids) {
      try {
        await move(id);
      } catch (err) {
        // Someone else moved it first (a payment, a grab, another replica): nothing to do.
        if (!(err instanceof DomainError)) log.error({ err, orderId: id }, 'A timer step failed.');
      }
    }
  }

  async function tick() {
    const now = new Date();
    await each(await store.due('PENDING_PAYMENT', 'paymentDueAt', now, BATCH), service.timers.expirePayment);
    await each(await store.due('NOTIFIED', 'offerExpiresAt', now, BATCH), service.timers.offerTimeout);
    await each(await store.due('DELIVERING', 'deadlineAt', now, BATCH), service.timers.deadlinePassed);
    await each(await store.due('RECEIVED', 'closeDueAt', now, BATCH), service.timers.close);
  }

  return repeatEvery(intervalMs, tick, (err) => log.error({ err }, 'A scheduler tick failed.'));
}
