import { hasRole, isStaff, type Caller } from '@waimai/platform';
import type { OrderOfferRow } from '../db/schema';

/** The rider themselves, OPERATOR and ADMIN: the full profile (phone included) and rider(id). */
export function canSeeRiderProfile(caller: Caller, riderId: string): boolean {
  return caller !== null && (isStaff(caller) || (hasRole(caller, 'RIDER') && caller.sub === riderId));
}

/**
 * Where a rider is: the rider themselves and staff always; through an order (Order.rider,
 * seen by its customer and merchant) only while the rider is delivering that order. Once it
 * is delivered or cancelled the customer no longer follows the rider: null.
 */
export function canSeeRiderLocation(caller: Caller, riderId: string, deliveringViaOrder: boolean): boolean {
  return canSeeRiderProfile(caller, riderId) || deliveringViaOrder;
}

/** An offer that can still be grabbed: offered, not expired, and not withdrawn (grabbed, cancelled, round refused, rider suspended). */
export function isLiveOffer(offer: OrderOfferRow, now: Date): boolean {
  return offer.status === 'OFFERED' && offer.withdrawnAt === null && offer.expiresAt > now;
}

/** A frame telling the rider of a change (an order assigned to them or taken away), not an offer to grab. */
export const isNotice = (offer: OrderOfferRow) => offer.noticeOf !== '';

/**
 * OPERATOR and ADMIN see any offer. The rider it was made to sees it only while it is live,
 * the same rule orders applies to the order behind it: once it expired or was withdrawn
 * (another rider grabbed the order, it was cancelled) the rider gets null, as does
 * everyone else. Withdrawal follows orders' events, so for a moment an offer can still
 * look live here after a grab; OrderOffer.order is then null (orders has decided already).
 * A notice (ASSIGNED or WITHDRAWN frame) stays readable by its rider: it says what happened.
 */
export function canSeeOffer(caller: Caller, offer: OrderOfferRow, now = new Date()): boolean {
  if (caller === null) return false;
  if (isStaff(caller)) return true;
  return hasRole(caller, 'RIDER') && caller.sub === offer.riderId && (isLiveOffer(offer, now) || isNotice(offer));
}
