import { decodeCursor, newestFirstPosition, pageSize, requireRole, toConnection, validateInput } from '@waimai/platform';
import type { QueryResolvers } from '../generated/graphql';
import { orderSearchFilter, quoteOrderInput } from '../domain/rules';

export const Query: QueryResolvers = {
  order: (_parent, { id }, { loaders }) => loaders.visibleOrder.load(id),

  myOrders: async (_parent, { first, after }, { caller, store }) => {
    const customer = requireRole(caller, 'CUSTOMER');
    const size = pageSize(first);
    const rows = await store.page({ customerId: customer.sub }, decodeCursor(after), size + 1);
    return toConnection(rows, size, newestFirstPosition);
  },

  quoteOrder: async (_parent, { input }, { caller, orders }) => {
    const customer = requireRole(caller, 'CUSTOMER');
    return orders.quote(customer, validateInput(quoteOrderInput, input));
  },

  searchOrders: async (_parent, { filter, first, after }, { caller, store }) => {
    requireRole(caller, 'OPERATOR', 'ADMIN');
    const wanted = validateInput(orderSearchFilter, filter ?? {}, 'filter');
    const size = pageSize(first);
    const rows = await store.search(
      {
        statuses: wanted.statuses ?? undefined,
        merchantId: wanted.merchantId ?? undefined,
        riderId: wanted.riderId ?? undefined,
        customerId: wanted.customerId ?? undefined,
        createdFrom: wanted.createdFrom ?? undefined,
        createdTo: wanted.createdTo ?? undefined,
        needsAttention: wanted.needsAttention ?? undefined,
        overtime: wanted.overtime ?? undefined,
        text: wanted.text ?? undefined,
      },
      decodeCursor(after),
      size + 1,
    );
    return toConnection(rows, size, newestFirstPosition);
  },
};
