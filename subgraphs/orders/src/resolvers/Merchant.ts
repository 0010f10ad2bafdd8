import { decodeCursor, ForbiddenError, hasRole, isStaff, newestFirstPosition, pageSize, requireRole, toConnection } from '@waimai/platform';
import type { MerchantResolvers } from '../generated/graphql';

export const Merchant: MerchantResolvers = {
  orders: async (merchant, { status, first, after }, { caller, store }) => {
    const viewer = requireRole(caller, 'MERCHANT', 'OPERATOR', 'ADMIN');
    // ownerId comes from products through @requires: the owner check needs no call of ours.
    if (!isStaff(viewer) && !(hasRole(viewer, 'MERCHANT') && merchant.ownerId === viewer.sub)) {
      throw new ForbiddenError(`You do not own merchant ${merchant.id}.`);
    }
    const size = pageSize(first);
    const rows = await store.page({ merchantId: merchant.id, statuses: status ?? undefined }, decodeCursor(after), size + 1);
    return toConnection(rows, size, newestFirstPosition);
  },
};
