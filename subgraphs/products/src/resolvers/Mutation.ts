import { entityId, NotFoundError, requireRole, validateInput, z, type Identity } from '@waimai/platform';
import type { MutationResolvers } from '../generated/graphql';
import type { Context } from '../context';
import type { MerchantRow } from '../db/schema';
import { requireManager } from '../domain/ownership';
import { createMerchantInput, interventionReason, newStockInput, publishProductInput } from '../domain/rules';

/**
 * The shop on the primary (a shop opened a moment ago is there), primed into the stale-ok
 * loader so that the mutation's answer shows the same shop; NOT_FOUND when missing.
 */
async function ownMerchant(context: Context, merchantId: string): Promise<MerchantRow> {
  const merchant = await context.ownLoaders.merchant.load(merchantId);
  if (!merchant) throw new NotFoundError('Merchant', merchantId);
  context.loaders.merchant.clear(merchantId).prime(merchantId, merchant);
  return merchant;
}

/** Checks that the caller may manage the product's shop; NOT_FOUND when either is missing. */
async function requireProductManager(context: Context, productId: string): Promise<Identity> {
  const product = await context.ownLoaders.product.load(productId);
  if (!product) throw new NotFoundError('Product', productId);
  return requireManager(context.caller, await ownMerchant(context, product.merchantId));
}

/** The arguments of a suspension or reinstatement, parsed: BAD_USER_INPUT names each problem. */
const suspensionArguments = z.object({ merchantId: entityId, reason: interventionReason });

export const Mutation: MutationResolvers = {
  createMerchant: async (_parent, { input }, { caller, catalog }) => {
    const owner = requireRole(caller, 'MERCHANT');
    return catalog.openMerchant(owner, validateInput(createMerchantInput, input));
  },

  publishProduct: async (_parent, { input }, context) => {
    requireRole(context.caller, 'MERCHANT', 'ADMIN');
    const valid = validateInput(publishProductInput, input);
    const merchant = await ownMerchant(context, valid.merchantId);
    return context.catalog.publishProduct(requireManager(context.caller, merchant), valid);
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
