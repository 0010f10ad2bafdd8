import { decodeCursor, newestFirstPosition, pageSize, toConnection } from '@waimai/platform';
import type { MerchantResolvers } from '../generated/graphql';
import type { ProductRow } from '../db/schema';
import { canManage, canSeeOwner } from '../domain/ownership';

export const Merchant: MerchantResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.merchant.load(reference.id),

  location: (merchant) => ({ lat: merchant.lat, lng: merchant.lng }),

  ownerId: (merchant, _args, { caller }) => (canSeeOwner(caller, merchant) ? merchant.ownerId : null),

  // Who may see the owner may see why the shop is suspended: it is between them and operations.
  suspendedReason: (merchant, _args, { caller }) => (canSeeOwner(caller, merchant) ? merchant.suspendedReason : null),

  products: async (merchant, { first, after, status }, { caller, stores, ownStores }) => {
    const size = pageSize(first);
    // Customers see what they can order; the owner (and ADMIN) also sees what is off sale.
    const manager = canManage(caller, merchant);
    const visibleStatus = manager ? (status ?? undefined) : 'ON_SALE';
    if (status && status !== visibleStatus) return toConnection<ProductRow>([], size, newestFirstPosition);
    // A customer browses (a replica may answer); the owner reads back their own menu, on the primary.
    const reads = manager ? ownStores : stores;
    const rows = await reads.products.ofMerchant(merchant.id, { status: visibleStatus, after: decodeCursor(after), limit: size + 1 });
    return toConnection(rows, size, newestFirstPosition);
  },
};
