import { eventConsumer, on, RiderUpdated, type EventBus, type EventConsumer, type Logger } from '@waimai/platform';
import type { OrderStore } from '../db/order-store';

/**
 * Keeps riders' suspensions (RiderUpdated on riders.events) for the grab step's guard. Each
 * event carries the rider's whole suspension state and its time, and only a newer one is
 * kept: applying one twice, or after a newer one, changes nothing, so no processed-event row
 * is needed.
 */
export function riderEventsConsumer(bus: EventBus, store: Pick<OrderStore, 'recordRiderSuspension'>, logger: Logger): EventConsumer {
  const log = logger.child({ component: 'rider-events' });
  return eventConsumer({
    group: 'orders.riders',
    bus,
    logger,
    handlers: [
      on(RiderUpdated, async (event) => {
        const at = new Date(event.data.at);
        if (Number.isNaN(at.getTime())) {
          // Could never be ordered against the others: skipped rather than blocking the partition.
          log.error({ eventId: event.id, riderId: event.data.riderId, at: event.data.at }, 'Skipped a RiderUpdated whose time does not parse.');
          return;
        }
        await store.recordRiderSuspension(event.data.riderId, event.data.suspended, at);
      }),
    ],
  });
}
