import { decodeCursor, newestFirstPosition, pageSize, requireRole, toConnection } from '@waimai/platform';
import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  order: (_parent, { id }, { loaders }) => loaders.visibleOrder.load(id),

  myOrders: async (_parent, { first, after }, { caller, store }) => {
    const customer = requireRole(caller, 'CUSTOMER');
    const size = pageSize(first);
    const rows = await store.page({ customerId: customer.sub }, decodeCursor(after), size + 1);
    return toConnection(rows, size, newestFirstPosition);
  },
};
