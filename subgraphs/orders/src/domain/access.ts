import { hasRole, isStaff, type Caller } from '@waimai/platform';
import type { OrderRow } from '../db/schema';

/** Statuses in which an order waits for a rider: the only time an offer means anything. */
const onOffer: ReadonlySet<OrderRow['status']> = new Set(['CREATED', 'NOTIFIED']);

/**
 * Who may see an order (customer address included), decided on the order as it is now,
 * never on a relation that once held:
 * - its customer, and the owner of its merchant (both fixed when the order is placed);
 * - its rider (`riderId`, set by the winning grab and never moved to another rider);
 * - a rider holding a live offer for it (`holdsLiveOffer`: not expired, see
 *   OrderStore.liveOffersTo) while nobody has grabbed it yet. Once another rider grabs it,
 *   it is cancelled, or the offer expires, that rider gets null like anyone else;
 * - OPERATOR and ADMIN.
 * Everyone else gets null, as if it did not exist.
 */
export function canSeeOrder(caller: Caller, order: OrderRow, holdsLiveOffer: boolean): boolean {
  if (caller === null) return false;
  if (isStaff(caller)) return true;
  if (hasRole(caller, 'CUSTOMER') && order.customerId === caller.sub) return true;
  if (hasRole(caller, 'MERCHANT') && order.merchantOwnerId === caller.sub) return true;
  if (hasRole(caller, 'RIDER')) {
    if (order.riderId === caller.sub) return true;
    return holdsLiveOffer && order.riderId === null && onOffer.has(order.status);
  }
  return false;
}
