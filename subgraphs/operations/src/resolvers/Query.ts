import { decodeCursor, pageSize, requireRole, toConnection, type Keyset } from '@waimai/platform';
import type { QueryResolvers } from '../generated/graphql';

/** Keyset of a list ordered by one unique id (merchant figures by merchant, rider figures by rider). */
const byId = (id: string): Keyset => ({ sortKey: id, id });

export const Query: QueryResolvers = {
  auditLog: async (_parent, { filter, first, after }, { caller, auditLog }) => {
    requireRole(caller, 'OPERATOR', 'ADMIN');
    const size = pageSize(first);
    const rows = await auditLog.page(filter, decodeCursor(after), size + 1);
    return toConnection(rows, size, (row) => ({ sortKey: row.at.toISOString(), id: row.id }));
  },

  businessFigures: (_parent, { from, to, bucket }, { caller, figures }) => {
    requireRole(caller, 'OPERATOR', 'ADMIN');
    return figures.business({ from, to }, bucket);
  },

  merchantFigures: async (_parent, { from, to, first, after }, { caller, figures }) => {
    requireRole(caller, 'OPERATOR', 'ADMIN');
    const size = pageSize(first);
    const rows = await figures.merchants({ from, to }, decodeCursor(after)?.id ?? null, size + 1);
    return toConnection(rows, size, (row) => byId(row.merchantId));
  },

  riderFigures: async (_parent, { from, to, first, after }, { caller, figures }) => {
    requireRole(caller, 'OPERATOR', 'ADMIN');
    const size = pageSize(first);
    const rows = await figures.riders({ from, to }, decodeCursor(after)?.id ?? null, size + 1);
    return toConnection(rows, size, (row) => byId(row.riderId));
  },
};
