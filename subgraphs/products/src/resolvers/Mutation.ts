import { newId, NotFoundError, requireRole, validateInput } from '@waimai/platform';
import type { MutationResolvers } from '../generated/graphql';
import type { Context } from '../context';
import { requireManager } from '../domain/ownership';
import { createMerchantInput, newStockInput, publishProductInput } from '../domain/rules';

async function managedProduct(context: Context, productId: string) {
  const product = await context.loaders.product.load(productId);
  if (!product) throw new NotFoundError('Product', productId);
  const merchant = await context.loaders.merchant.load(product.merchantId);
  if (!merchant) throw new NotFoundError('Merchant', product.merchantId);
  requireManager(context.caller, merchant);
  return product;
}

export const Mutation: MutationResolvers = {
  createMerchant: async (_parent, { input }, { caller, stores }) => {
    const owner = requireRole(caller, 'MERCHANT');
    const valid = validateInput(createMerchantInput, input);
    return stores.merchants.insert({ id: newId(), ownerId: owner.sub, ...valid });
  },

  publishProduct: async (_parent, { input }, { caller, stores, loaders }) => {
    requireRole(caller, 'MERCHANT', 'ADMIN');
    const valid = validateInput(publishProductInput, input);
    const merchant = await loaders.merchant.load(valid.merchantId);
    if (!merchant) throw new NotFoundError('Merchant', valid.merchantId);
    requireManager(caller, merchant);
    return stores.products.insert({ id: newId(), ...valid });
  },

  updateProductStock: async (_parent, args, context) => {
    requireRole(context.caller, 'MERCHANT', 'ADMIN');
    const { productId, newStock } = validateInput(newStockInput, args, 'arguments');
    await managedProduct(context, productId);
    const updated = await context.stores.products.setStock(productId, newStock);
    if (!updated) throw new NotFoundError('Product', productId);
    return updated;
  },

  setProductStatus: async (_parent, { productId, status }, context) => {
    requireRole(context.caller, 'MERCHANT', 'ADMIN');
    await managedProduct(context, productId);
    const updated = await context.stores.products.setStatus(productId, status);
    if (!updated) throw new NotFoundError('Product', productId);
    return updated;
  },
};
