import { decodeCursor, entityId, newestFirstPosition, pageSize, requireRole, toConnection, validateInput } from '@waimai/platform';
import type { QueryResolvers } from '../generated/graphql';

/** The ad queries of Query (merged into it in ./index.ts). */
export const adQueries: QueryResolvers = {
  adPlacement: (_parent, { id }, { caller, ads }) => {
    const viewer = requireRole(caller, 'OPERATOR', 'ADMIN', 'MERCHANT');
    return ads.visible(viewer, validateInput(entityId, id, 'id'));
  },

  adPlacements: async (_parent, { filter, first, after }, { caller, ads }) => {
    const viewer = requireRole(caller, 'OPERATOR', 'ADMIN', 'MERCHANT');
    const size = pageSize(first);
    const rows = await ads.page(viewer, filter, decodeCursor(after), size + 1);
    return toConnection(rows, size, newestFirstPosition);
  },
};
