import type { MerchantFiguresResolvers } from '../generated/graphql';

export const MerchantFigures: MerchantFiguresResolvers = {
  merchant: (row) => ({ id: row.merchantId }),
};
