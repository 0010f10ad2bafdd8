import { and, asc, eq, gte, inArray, isNull, lt, sql, TransactionRollbackError } from 'drizzle-orm';
import { affectedRows, distanceMeters, isDuplicateKey, type Database, type GeoPoint } from '@waimai/platform';
import { merchants, products, stockHoldItems, stockHolds, type MerchantRow, type ProductsSchema } from './schema';

export interface StockRequestLine {
  productId: string;
  quantity: number;
}

export interface ReservedLine {
  productId: string;
  name: string;
  unitPriceCents: number;
  quantity: number;
}

export interface Reservation {
  orderId: string;
  merchant: Pick<MerchantRow, 'id' | 'ownerId' | 'name' | 'lat' | 'lng' | 'deliveryRadiusMeters'>;
  lines: ReservedLine[];
}

/** Why a reservation was refused; nothing was reserved. */
export type ReservationRefusal =
  | { kind: 'unknown-products'; productIds: string[] }
  | { kind: 'not-on-sale'; productIds: string[] }
  | { kind: 'several-merchants'; merchantIds: string[] }
  | { kind: 'out-of-range'; merchantName: string; deliveryRadiusMeters: number }
  | { kind: 'out-of-stock'; productIds: string[] }
  | { kind: 'already-released' };

export type ReservationResult = { ok: true; reservation: Reservation } | { ok: false; refusal: ReservationRefusal };

type Tx = Parameters<Parameters<Database<ProductsSchema>['transaction']>[0]>[0];
type HoldRow = typeof stockHolds.$inferSelect;

/** Puts a locked, RESERVED hold's stock back and marks it RELEASED (inside `tx`). */
async function giveBack(tx: Tx, hold: HoldRow): Promise<void> {
  const items = await tx.select().from(stockHoldItems).where(eq(stockHoldItems.orderId, hold.orderId)).orderBy(asc(stockHoldItems.productId));
  for (const item of items) {
    await tx
      .update(products)
      .set({ stock: sql`${products.stock} + ${item.quantity}`, updatedAt: new Date() })
      .where(eq(products.id, item.productId));
  }
  await tx.update(stockHolds).set({ status: 'RELEASED', releasedAt: new Date() }).where(eq(stockHolds.orderId, hold.orderId));
}

export function createStockStore(primary: Database<ProductsSchema>) {
  /**
   * The authoritative prices and merchant of an existing hold (a repeated reserve call).
   * `claim`: the call is an attempt resuming the hold (a createOrder retry), so its orphan
   * window restarts now; conditional on RESERVED, so when the sweep released it first this
   * attempt is refused, and when the claim lands first the sweep's release skips it.
   */
  async function existingReservation(orderId: string, claim: boolean): Promise<ReservationResult | null> {
    const [hold] = await primary.select().from(stockHolds).where(eq(stockHolds.orderId, orderId));
    if (!hold) return null;
    if (hold.status === 'RELEASED' || !hold.merchantId) return { ok: false, refusal: { kind: 'already-released' } };
    if (claim) {
      const claimed = await primary
        .update(stockHolds)
        .set({ claimedAt: new Date() })
        .where(and(eq(stockHolds.orderId, orderId), eq(stockHolds.status, 'RESERVED')));
      if (affectedRows(claimed) === 0) return { ok: false, refusal: { kind: 'already-released' } };
    }
    const lines = await primary
      .select({ productId: stockHoldItems.productId, quantity: stockHoldItems.quantity, name: products.name, unitPriceCents: products.priceCents })
      .from(stockHoldItems)
      .innerJoin(products, eq(products.id, stockHoldItems.productId))
      .where(eq(stockHoldItems.orderId, orderId))
      .orderBy(asc(stockHoldItems.productId));
    const [merchant] = await primary.select().from(merchants).where(eq(merchants.id, hold.merchantId));
    if (!merchant) return { ok: false, refusal: { kind: 'already-released' } };
    return { ok: true, reservation: { orderId, merchant, lines } };
  }

  return {
    /**
     * Takes the lines out of stock for `orderId`, all or nothing: each line is one
     * `UPDATE products SET stock = stock - q WHERE id = ? AND stock >= q`, so concurrent
     * orders can never oversell. Idempotent per order: a repeat returns the same hold.
     */
    async reserve(orderId: string, request: StockRequestLine[], deliverTo?: GeoPoint): Promise<ReservationResult> {
      const previous = await existingReservation(orderId, true);
      if (previous) return previous;

      // One line per product, locked in id order so concurrent holds never deadlock.
      const quantities = new Map<string, number>();
      for (const line of request) quantities.set(line.productId, (quantities.get(line.productId) ?? 0) + line.quantity);
      const productIds = [...quantities.keys()].sort();

      const catalog = await primary.select().from(products).where(inArray(products.id, productIds));
      const unknown = productIds.filter((id) => !catalog.some((product) => product.id === id));
      if (unknown.length) return { ok: false, refusal: { kind: 'unknown-products', productIds: unknown } };
      const merchantIds = [...new Set(catalog.map((product) => product.merchantId))];
      if (merchantIds.length > 1) return { ok: false, refusal: { kind: 'several-merchants', merchantIds } };
      const offSale = catalog.filter((product) => product.status !== 'ON_SALE').map((product) => product.id);
      if (offSale.length) return { ok: false, refusal: { kind: 'not-on-sale', productIds: offSale } };
      const merchantId = merchantIds[0] as string;
      if (deliverTo) {
        // Checked before the hold: an address the shop does not serve must leave nothing behind.
        const [merchant] = await primary.select().from(merchants).where(eq(merchants.id, merchantId));
        if (merchant && distanceMeters({ lat: merchant.lat, lng: merchant.lng }, deliverTo) > merchant.deliveryRadiusMeters) {
          return { ok: false, refusal: { kind: 'out-of-range', merchantName: merchant.name, deliveryRadiusMeters: merchant.deliveryRadiusMeters } };
        }
      }

      try {
        await primary.transaction(async (tx) => {
          const now = new Date();
          await tx.insert(stockHolds).values({ orderId, merchantId, status: 'RESERVED', createdAt: now, claimedAt: now });
          for (const productId of productIds) {
            const quantity = quantities.get(productId) as number;
            const result = await tx
              .update(products)
              .set({ stock: sql`${products.stock} - ${quantity}`, updatedAt: new Date() })
              .where(and(eq(products.id, productId), eq(products.status, 'ON_SALE'), gte(products.stock, quantity)));
            // Not enough left (or it went off sale meanwhile): undo every line of this hold.
            if (affectedRows(result) === 0) tx.rollback();
          }
          await tx
            .insert(stockHoldItems)
            .values(productIds.map((productId) => ({ orderId, productId, quantity: quantities.get(productId) as number })));
        });
      } catch (err) {
        if (err instanceof TransactionRollbackError) {
          return { ok: false, refusal: { kind: 'out-of-stock', productIds: await shortOf(primary, quantities) } };
        }
        // The same order reserved concurrently: the first hold wins and this call returns it.
        if (isDuplicateKey(err)) return (await existingReservation(orderId, true)) ?? { ok: false, refusal: { kind: 'already-released' } };
        throw err;
      }
      return (await existingReservation(orderId, false)) as ReservationResult;
    },

    /**
     * Gives a hold's stock back, once. A release for an order with no hold leaves a
     * RELEASED tombstone so a reservation arriving late for it is refused.
     */
    async release(orderId: string): Promise<{ released: boolean }> {
      return primary.transaction(async (tx) => {
        const [hold] = await tx.select().from(stockHolds).where(eq(stockHolds.orderId, orderId)).for('update');
        if (!hold) {
          const now = new Date();
          await tx
            .insert(stockHolds)
            .values({ orderId, merchantId: null, status: 'RELEASED', createdAt: now, releasedAt: now })
            .onDuplicateKeyUpdate({ set: { orderId } });
          return { released: false };
        }
        if (hold.status === 'RELEASED') return { released: false };
        await giveBack(tx, hold);
        return { released: true };
      });
    },

    /** Holds whose order is known to exist: the orphan-hold sweep skips them from now on. */
    async confirm(orderIds: readonly string[]): Promise<void> {
      if (orderIds.length === 0) return;
      await primary
        .update(stockHolds)
        .set({ confirmedAt: new Date() })
        .where(and(inArray(stockHolds.orderId, [...orderIds]), isNull(stockHolds.confirmedAt)));
    },

    /** RESERVED holds not known to have an order, last claimed before `claimedBefore`, oldest first. */
    async unconfirmedHolds(claimedBefore: Date, limit: number): Promise<string[]> {
      const rows = await primary
        .select({ orderId: stockHolds.orderId })
        .from(stockHolds)
        .where(and(eq(stockHolds.status, 'RESERVED'), isNull(stockHolds.confirmedAt), lt(stockHolds.claimedAt, claimedBefore)))
        .orderBy(asc(stockHolds.claimedAt))
        .limit(limit);
      return rows.map((row) => row.orderId);
    },

    /**
     * Releases a hold whose order orders said does not exist, only if it is still what the
     * sweep saw: RESERVED, unconfirmed and not claimed again since `claimedBefore`. The row lock
     * orders this against a resuming reserve's claim: whichever commits first wins.
     */
    async releaseOrphan(orderId: string, claimedBefore: Date): Promise<boolean> {
      return primary.transaction(async (tx) => {
        const [hold] = await tx.select().from(stockHolds).where(eq(stockHolds.orderId, orderId)).for('update');
        if (!hold || hold.status !== 'RESERVED' || hold.confirmedAt || !hold.claimedAt || hold.claimedAt >= claimedBefore) return false;
        await giveBack(tx, hold);
        return true;
      });
    },
  };
}
export type StockStore = ReturnType<typeof createStockStore>;

/** After a refused hold: which products cannot cover their line right now (for the error). */
async function shortOf(primary: Database<ProductsSchema>, quantities: Map<string, number>): Promise<string[]> {
  const rows = await primary.select({ id: products.id, stock: products.stock }).from(products).where(inArray(products.id, [...quantities.keys()]));
  const short = rows.filter((row) => row.stock < (quantities.get(row.id) ?? 0)).map((row) => row.id);
  return short.length ? short : [...quantities.keys()];
}
