import { NotFoundError, requireRole, validateInput } from '@waimai/platform';
import type { MutationResolvers } from '../generated/graphql';
import type { Context } from '../context';
import { requireManager } from '../domain/ownership';
import { createMerchantInput, newStockInput, publishProductInput } from '../domain/rules';

/** Checks that the caller may manage the product's shop; NOT_FOUND when either is missing. */
async function requireProductManager(context: Context, productId: string): Promise<void> {
  const product = await context.loaders.product.load(productId);
  if (!product) throw new NotFoundError('Product', productId);
  const merchant = await context.loaders.merchant.load(product.merchantId);
  if (!merchant) throw new NotFoundError('Merchant', product.merchantId);
  requireManager(context.caller, merchant);
}

export const Mutation: MutationResolvers = {
  createMerchant: async (_parent, { input }, { caller, catalog }) => {
    const owner = requireRole(caller, 'MERCHANT');
    return catalog.openMerchant(owner, validateInput(createMerchantInput, input));
  },

  publishProduct: async (_parent, { input }, { caller, catalog, loaders }) => {
    requireRole(caller, 'MERCHANT', 'ADMIN');
    const valid = validateInput(publishProductInput, input);
    const merchant = await loaders.merchant.load(valid.merchantId);
    if (!merchant) throw new NotFoundError('Merchant', valid.merchantId);
    requireManager(caller, merchant);
    return catalog.publishProduct(valid);
  },

  updateProductStock: async (_parent, args, context) => {
    requireRole(context.caller, 'MERCHANT', 'ADMIN');
    const { productId, newStock } = validateInput(newStockInput, args, 'arguments');
    await requireProductManager(context, productId);
    return context.catalog.setStock(productId, newStock);
  },

  setProductStatus: async (_parent, { productId, status }, context) => {
    requireRole(context.caller, 'MERCHANT', 'ADMIN');
    await requireProductManager(context, productId);
    return context.catalog.setStatus(productId, status);
  },
};
