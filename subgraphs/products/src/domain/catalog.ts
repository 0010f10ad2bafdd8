import { newId, NotFoundError, type Identity } from '@waimai/platform';
import type { MerchantStore } from '../db/merchant-store';
import type { ProductStore } from '../db/product-store';
import type { MerchantRow, ProductRow, ProductStatus } from '../db/schema';
import type { CreateMerchantInput, PublishProductInput } from './rules';

export interface CatalogServiceDeps {
  merchants: Pick<MerchantStore, 'insert'>;
  products: Pick<ProductStore, 'insert' | 'setStock' | 'setStatus'>;
}

/**
 * The merchant's use cases on shops and menus. Callers have parsed the input and checked
 * that the caller may manage the shop (domain/ownership.ts) before calling.
 */
export function createCatalogService({ merchants, products }: CatalogServiceDeps) {
  return {
    /** A new shop owned by `owner`. */
    openMerchant: (owner: Identity, input: CreateMerchantInput): Promise<MerchantRow> => merchants.insert({ id: newId(), ownerId: owner.sub, ...input }),

    /** A new product on sale in `input.merchantId`'s menu. */
    publishProduct: (input: PublishProductInput): Promise<ProductRow> => products.insert({ id: newId(), ...input }),

    /** Sets the units left to order (not a delta: the merchant counts what is there). */
    async setStock(productId: string, stock: number): Promise<ProductRow> {
      const updated = await products.setStock(productId, stock);
      if (!updated) throw new NotFoundError('Product', productId);
      return updated;
    },

    async setStatus(productId: string, status: ProductStatus): Promise<ProductRow> {
      const updated = await products.setStatus(productId, status);
      if (!updated) throw new NotFoundError('Product', productId);
      return updated;
    },
  };
}
export type CatalogService = ReturnType<typeof createCatalogService>;
