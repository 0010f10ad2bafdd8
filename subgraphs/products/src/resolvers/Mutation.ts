import { entityId, NotFoundError, requireRole, validateInput, z, type Identity } from '@waimai/platform';
import type { MutationResolvers } from '../generated/graphql';
import type { Context } from '../context';
import { requireManager } from '../domain/ownership';
import { createMerchantInput, interventionReason, newStockInput, publishProductInput } from '../domain/rules';

/** Checks that the caller may manage the product's shop; NOT_FOUND when either is missing. */
async function requireProductManager(context: Context, productId: string): Promise<Identity> {
  const product = await context.loaders.product.load(productId);
  if (!product) throw new NotFoundError('Product', productId);
  const merchant = await context.loaders.merchant.load(product.merchantId);
  if (!merchant) throw new NotFoundError('Merchant', product.merchantId);
  return requireManager(context.caller, merchant);
}

/** The arguments of a suspension or reinstatement, parsed: BAD_USER_INPUT names each problem. */
const suspensionArguments = z.object({ merchantId: entityId, reason: interventionReason });

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
    return catalog.publishProduct(requireManager(caller, merchant), valid);
  },

  updateProductStock: async (_parent, args, context) => {
    requireRole(context.caller, 'MERCHANT', 'ADMIN');
    const { productId, newStock } = validateInput(newStockInput, args, 'arguments');
    const actor = await requireProductManager(context, productId);
    return context.catalog.setStock(actor, productId, newStock);
  },

  setProductStatus: async (_parent, { productId, status }, context) => {
    requireRole(context.caller, 'MERCHANT', 'ADMIN');
    const actor = await requireProductManager(context, productId);
    return context.catalog.setStatus(actor, productId, status);
  },

  suspendMerchant: async (_parent, args, { caller, catalog }) => {
    const staff = requireRole(caller, 'OPERATOR', 'ADMIN');
    const { merchantId, reason } = validateInput(suspensionArguments, args, 'arguments');
    return catalog.suspendMerchant(staff, merchantId, reason);
  },

  reinstateMerchant: async (_parent, args, { caller, catalog }) => {
    const staff = requireRole(caller, 'OPERATOR', 'ADMIN');
    const { merchantId, reason } = validateInput(suspensionArguments, args, 'arguments');
    return catalog.reinstateMerchant(staff, merchantId, reason);
  },
};
