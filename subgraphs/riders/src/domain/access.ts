import { hasRole, isStaff, type Caller } from '@waimai/platform';
import type { OrderOfferRow } from '../db/schema';

/** The rider themselves, OPERATOR and ADMIN: the full profile (phone included) and rider(id). */
export function canSeeRiderProfile(caller: Caller, riderId: string): boolean {
  return caller !== null && (isStaff(caller) || (hasRole(caller, 'RIDER') && caller.sub === riderId));
}

/** An offer is seen by the rider it was made to, OPERATOR and ADMIN; everyone else gets null. */
export function canSeeOffer(caller: Caller, offer: OrderOfferRow): boolean {
  return canSeeRiderProfile(caller, offer.riderId);
}
