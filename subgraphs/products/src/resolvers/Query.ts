import { decodeCursor, geoPointInput, newestFirstPosition, pageSize, requireRole, toConnection, validateInput } from '@waimai/platform';
import type { QueryResolvers } from '../generated/graphql';
import { merchantSearchFilter } from '../domain/rules';

export const Query: QueryResolvers = {
  merchant: (_parent, { id }, { loaders }) => loaders.merchant.load(id),

  product: (_parent, { id }, { loaders }) => loaders.product.load(id),

  merchantsNearby: async (_parent, { near, first }, { caller, nearbyShops, loaders }) => {
    const point = validateInput(geoPointInput, near, 'near');
    // The frequency cap counts per signed-in user; anonymous pages are not capped.
    const found = await nearbyShops.nearby(point, pageSize(first), caller?.sub ?? null);
    for (const { merchant } of found) loaders.merchant.prime(merchant.id, merchant);
    return found;
  },

  // On the primary: the merchant's own shops, one opened a moment ago included.
  myMerchants: async (_parent, _args, { caller, ownStores }) => {
    const merchant = requireRole(caller, 'MERCHANT');
    return ownStores.merchants.ownedBy(merchant.sub);
  },

  searchMerchants: async (_parent, { filter, first, after }, { caller, stores, loaders }) => {
    requireRole(caller, 'OPERATOR', 'ADMIN');
    const search = validateInput(merchantSearchFilter, filter ?? {}, 'filter');
    const size = pageSize(first);
    const rows = await stores.merchants.search(search, decodeCursor(after), size + 1);
    for (const merchant of rows) loaders.merchant.prime(merchant.id, merchant);
    return toConnection(rows, size, newestFirstPosition);
  },
};
