import { NotFoundError } from '@waimai/platform';
import type { ProductResolvers } from '../generated/graphql';

export const Product: ProductResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.product.load(reference.id),

  merchant: async (product, _args, { loaders }) => {
    const merchant = await loaders.merchant.load(product.merchantId);
    if (!merchant) throw new NotFoundError('Merchant', product.merchantId);
    return merchant;
  },
};
