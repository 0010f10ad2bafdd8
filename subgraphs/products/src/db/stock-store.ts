import { and, asc, eq, gte, inArray, sql, TransactionRollbackError } from 'drizzle-orm';
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

export function createStockStore(primary: Database<ProductsSchema>) {
  /** The authoritative prices and merchant of an existing hold (a repeated reserve call). */
  async function existingReservation(orderId: string): Promise<ReservationResult | null> {
    const [hold] = await primary.select().from(stockHolds).where(eq(stockHolds.orderId, orderId));
    if (!hold) return null;
    if (hold.status === 'RELEASED' || !hold.merchantId) return { ok: false, refusal: { kind: 'already-released' } };
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
      const previous = await existingReservation(orderId);
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
          await tx.insert(stockHolds).values({ orderId, merchantId, status: 'RESERVED', createdAt: new Date() });
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
        if (isDuplicateKey(err)) return (await existingReservation(orderId)) ?? { ok: false, refusal: { kind: 'already-released' } };
        throw err;
      }
      return (await existingReservation(orderId)) as ReservationResult;
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
        const items = await tx.select().from(stockHoldItems).where(eq(stockHoldItems.orderId, orderId)).orderBy(asc(stockHoldItems.productId));
        for (const item of items) {
          await tx
            .update(products)
            .set({ stock: sql`${products.stock} + ${item.quantity}`, updatedAt: new Date() })
            .where(eq(products.id, item.productId));
        }
        await tx.update(stockHolds).set({ status: 'RELEASED', releasedAt: new Date() }).where(eq(stockHolds.orderId, orderId));
        return { released: true };
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
