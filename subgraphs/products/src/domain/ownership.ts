import { ForbiddenError, hasRole, isStaff, requireRole, type Caller, type Identity } from '@waimai/platform';

/** What ownership needs to know of a shop. */
export interface OwnedMerchant {
  id: string;
  ownerId: string;
}

/** A merchant's owner may manage it; ADMIN may step in anywhere. */
export function canManage(caller: Caller, merchant: OwnedMerchant): boolean {
  return caller !== null && (hasRole(caller, 'ADMIN') || (hasRole(caller, 'MERCHANT') && merchant.ownerId === caller.sub));
}

export function requireManager(caller: Caller, merchant: OwnedMerchant): Identity {
  const identity = requireRole(caller, 'MERCHANT', 'ADMIN');
  if (!canManage(identity, merchant)) throw new ForbiddenError(`You do not own merchant ${merchant.id}.`);
  return identity;
}

/** Who owns a shop is the owner's and staff's business (OPERATOR, ADMIN); customers and other merchants get null. */
export function canSeeOwner(caller: Caller, merchant: OwnedMerchant): boolean {
  return caller !== null && (isStaff(caller) || (hasRole(caller, 'MERCHANT') && merchant.ownerId === caller.sub));
}
