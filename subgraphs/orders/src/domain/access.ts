import { hasRole, isStaff, type Caller } from '@waimai/platform';
import type { OrderRow } from '../db/schema';

/**
 * Who may see an order: its customer, the merchant's owner, its rider, a rider it is
 * being offered to, OPERATOR and ADMIN. Everyone else gets null, as if it did not exist.
 */
export function canSeeOrder(caller: Caller, order: OrderRow, offeredToCaller: boolean): boolean {
  if (caller === null) return false;
  if (isStaff(caller)) return true;
  if (hasRole(caller, 'CUSTOMER') && order.customerId === caller.sub) return true;
  if (hasRole(caller, 'MERCHANT') && order.merchantOwnerId === caller.sub) return true;
  if (hasRole(caller, 'RIDER') && (order.riderId === caller.sub || offeredToCaller)) return true;
  return false;
}
