import { decodeCursor, entityId, pageSize, requireRole, toConnection, validateInput, type Keyset } from '@waimai/platform';
import type { QueryResolvers } from '../generated/graphql';
import { campaignListFilter } from '../domain/campaigns';

const newestFirst = (row: { createdAt: Date; id: string }): Keyset => ({ sortKey: row.createdAt.toISOString(), id: row.id });

/** The campaign queries of Query (merged into it in ./index.ts). */
export const campaignQueries: QueryResolvers = {
  campaigns: async (_parent, { filter, first, after }, { caller, campaigns }) => {
    const viewer = requireRole(caller, 'OPERATOR', 'ADMIN', 'MERCHANT');
    const size = pageSize(first);
    const rows = await campaigns.page(viewer, validateInput(campaignListFilter, filter ?? {}, 'filter'), decodeCursor(after), size + 1);
    return toConnection(rows, size, newestFirst);
  },

  campaign: (_parent, { id }, { caller, campaigns }) => {
    requireRole(caller, 'OPERATOR', 'ADMIN', 'MERCHANT');
    return campaigns.visible(caller, validateInput(entityId, id, 'id'));
  },

  myCoupons: async (_parent, { first, after }, { caller, campaigns }) => {
    const customer = requireRole(caller, 'CUSTOMER');
    const size = pageSize(first);
    const rows = await campaigns.couponsOf(customer.sub, decodeCursor(after), size + 1);
    return toConnection(rows, size, (row) => ({ sortKey: row.issuedAt.toISOString(), id: row.id }));
  },
};
