import { auditEvent, isStaff, newId, NotFoundError, type AuditAction, type CatalogEvent, type Identity, type OutboxRelay } from '@waimai/platform';
import type { NewMerchant, NewProduct } from '../db/catalog-store';
import type { MerchantRow, ProductRow, ProductStatus } from '../db/schema';
import { merchantStatusOf, type CreateMerchantInput, type PublishProductInput } from './rules';

/** The statements a catalog use case runs inside its transaction (db/catalog-store.ts implements them). */
export interface CatalogWrites {
  insertMerchant(merchant: NewMerchant): Promise<MerchantRow>;
  insertProduct(product: NewProduct): Promise<ProductRow>;
  /** The merchant, locked until the transaction ends. */
  lockMerchant(id: string): Promise<MerchantRow | undefined>;
  /** Suspends the locked merchant with `reason`, or reinstates it when `reason` is null. */
  setSuspension(merchant: MerchantRow, reason: string | null): Promise<MerchantRow>;
  /** The product, locked until the transaction ends. */
  lockProduct(id: string): Promise<ProductRow | undefined>;
  updateProduct(product: ProductRow, change: Partial<Pick<ProductRow, 'stock' | 'status'>>): Promise<ProductRow>;
  /** Adds events to the outbox, committed with the change. */
  enqueue(events: readonly CatalogEvent[]): Promise<void>;
}

export interface CatalogStore {
  /** Runs `work` in one transaction; it commits when `work` resolves and rolls back when it throws. */
  transaction<T>(work: (tx: CatalogWrites) => Promise<T>): Promise<T>;
}

export interface CatalogServiceDeps {
  store: CatalogStore;
  /** Kicked after a commit that enqueued events, so they leave at once. */
  relay: Pick<OutboxRelay, 'kick'>;
}

const SERVICE = 'products';

type StaffEdit = Omit<Parameters<typeof auditEvent>[2], 'reason'> & { action: AuditAction };

/**
 * The use cases on shops and menus. Callers have parsed the input and checked that the caller
 * may do it (domain/ownership.ts, the staff role) before calling. Every change a member of
 * staff (OPERATOR, ADMIN) makes is audited: AuditRecorded goes to the outbox in the change's
 * own transaction, so there is no change without its audit event and no event without a change.
 */
export function createCatalogService({ store, relay }: CatalogServiceDeps) {
  /** The audit event of a staff edit (ordinary edits take no reason); none for the shop's own merchant. */
  const staffEdit = (actor: Identity, edit: StaffEdit) => (isStaff(actor) ? [auditEvent(SERVICE, actor, { ...edit, reason: null })] : []);

  /** Commits `work`, then kicks the relay when it enqueued anything. */
  async function commit<T>(work: (tx: CatalogWrites) => Promise<{ value: T; events: readonly CatalogEvent[] }>): Promise<T> {
    const { value, events } = await store.transaction(async (tx) => {
      const outcome = await work(tx);
      await tx.enqueue(outcome.events);
      return outcome;
    });
    if (events.length) relay.kick();
    return value;
  }

  async function updateProduct(actor: Identity, productId: string, change: { stock: number } | { status: ProductStatus }): Promise<ProductRow> {
    return commit(async (tx) => {
      const product = await tx.lockProduct(productId);
      if (!product) throw new NotFoundError('Product', productId);
      const updated = await tx.updateProduct(product, change);
      const details = { merchantId: product.merchantId };
      const events =
        'stock' in change
          ? staffEdit(actor, {
              action: 'PRODUCT_STOCK_SET',
              targetType: 'PRODUCT',
              targetId: productId,
              before: null,
              after: null,
              details: { ...details, stockBefore: product.stock, stockAfter: updated.stock },
            })
          : staffEdit(actor, { action: 'PRODUCT_STATUS_SET', targetType: 'PRODUCT', targetId: productId, before: product.status, after: updated.status, details });
      return { value: updated, events };
    });
  }

  /**
   * Suspends (`reason` given as the shop's reason) or reinstates a shop. Idempotent: when the
   * shop is already there, it is returned as it is and nothing is written, no audit event either.
   */
  async function setSuspension(actor: Identity, merchantId: string, suspend: boolean, reason: string): Promise<MerchantRow> {
    return commit(async (tx) => {
      const merchant = await tx.lockMerchant(merchantId);
      if (!merchant) throw new NotFoundError('Merchant', merchantId);
      if (merchant.suspended === suspend) return { value: merchant, events: [] };
      const updated = await tx.setSuspension(merchant, suspend ? reason : null);
      const audit = auditEvent(SERVICE, actor, {
        action: suspend ? 'MERCHANT_SUSPEND' : 'MERCHANT_REINSTATE',
        targetType: 'MERCHANT',
        targetId: merchantId,
        reason,
        before: merchantStatusOf(merchant),
        after: merchantStatusOf(updated),
      });
      return { value: updated, events: [audit] };
    });
  }

  return {
    /** A new shop owned by `owner`. */
    openMerchant: (owner: Identity, input: CreateMerchantInput): Promise<MerchantRow> =>
      commit(async (tx) => {
        const merchant = await tx.insertMerchant({ id: newId(), ownerId: owner.sub, ...input });
        const events = staffEdit(owner, { action: 'MERCHANT_CREATE', targetType: 'MERCHANT', targetId: merchant.id, before: null, after: merchantStatusOf(merchant) });
        return { value: merchant, events };
      }),

    /** A new product on sale in `input.merchantId`'s menu. */
    publishProduct: (actor: Identity, input: PublishProductInput): Promise<ProductRow> =>
      commit(async (tx) => {
        const product = await tx.insertProduct({ id: newId(), ...input });
        const events = staffEdit(actor, {
          action: 'PRODUCT_PUBLISH',
          targetType: 'PRODUCT',
          targetId: product.id,
          before: null,
          after: product.status,
          details: { merchantId: product.merchantId, priceCents: product.priceCents, stock: product.stock },
        });
        return { value: product, events };
      }),

    /** Sets the units left to order (not a delta: the merchant counts what is there). */
    setStock: (actor: Identity, productId: string, stock: number): Promise<ProductRow> => updateProduct(actor, productId, { stock }),

    setStatus: (actor: Identity, productId: string, status: ProductStatus): Promise<ProductRow> => updateProduct(actor, productId, { status }),

    /** Staff: hides the shop from merchantsNearby and refuses new stock holds (so new orders) for it. */
    suspendMerchant: (actor: Identity, merchantId: string, reason: string): Promise<MerchantRow> => setSuspension(actor, merchantId, true, reason),

    /** Staff: the shop is listed and takes orders again. */
    reinstateMerchant: (actor: Identity, merchantId: string, reason: string): Promise<MerchantRow> => setSuspension(actor, merchantId, false, reason),
  };
}
export type CatalogService = ReturnType<typeof createCatalogService>;
