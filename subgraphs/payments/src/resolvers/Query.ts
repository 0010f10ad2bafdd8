import { decodeCursor, newestFirstPosition, pageSize, requireRole, toConnection } from '@waimai/platform';
import type { QueryResolvers } from '../generated/graphql';
import { canSeePayment } from '../domain/payment-rules';

export const Query: QueryResolvers = {
  payment: async (_parent, { id }, { caller, loaders }) => {
    const payment = await loaders.payment.load(id);
    return payment && canSeePayment(caller, payment) ? payment : null;
  },

  searchPayments: async (_parent, { filter, first, after }, { caller, payments }) => {
    requireRole(caller, 'OPERATOR', 'ADMIN');
    const size = pageSize(first);
    return toConnection(await payments.searchPayments(filter, decodeCursor(after), size + 1), size, newestFirstPosition);
  },

  searchRefunds: async (_parent, { filter, first, after }, { caller, payments }) => {
    requireRole(caller, 'OPERATOR', 'ADMIN');
    const size = pageSize(first);
    return toConnection(await payments.searchRefunds(filter, decodeCursor(after), size + 1), size, newestFirstPosition);
  },
};
