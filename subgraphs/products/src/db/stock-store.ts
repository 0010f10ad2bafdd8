import { and, asc, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import { affectedRows, isDuplicateKey, type Database } from '@waimai/platform';
import type { StockHoldStore, StockHoldWrites } from '../domain/stock';
import { merchants, products, stockHoldItems, stockHolds, type ProductsSchema } from './schema';

type Tx = Parameters<Parameters<Database<ProductsSchema>['transaction']>[0]>[0];

/** The statements of one stock transaction. */
function writesIn(tx: Tx): StockHoldWrites {
  return {
    async merchantSuspended(merchantId) {
      // MariaDB spells a shared row lock LOCK IN SHARE MODE (no FOR SHARE, which drizzle writes).
      const [rows] = (await tx.execute(sql`SELECT ${merchants.suspended} AS suspended FROM ${merchants} WHERE ${merchants.id} = ${merchantId} LOCK IN SHARE MODE`)) as unknown as [
        Array<{ suspended: number | boolean }>,
      ];
      return Boolean(rows[0]?.suspended);
    },

    async insertHold(orderId, merchantId) {
      const now = new Date();
      try {
        await tx.insert(stockHolds).values({ orderId, merchantId, status: 'RESERVED', createdAt: now, claimedAt: now });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },

    // One conditional UPDATE for every line: each row loses its quantity only if that much is
    // left, so concurrent holds can never take stock below zero; rows are locked in primary key
    // order (one index range), so two holds never wait on each other in a cycle.
    async takeStock(lines) {
      const quantity = sql.join(
        [sql`CASE ${products.id}`, ...lines.map((line) => sql`WHEN ${line.productId} THEN ${line.quantity}`), sql`END`],
        sql` `,
      );
      const result = await tx
        .update(products)
        .set({ stock: sql`${products.stock} - ${quantity}`, updatedAt: new Date() })
        .where(and(inArray(products.id, lines.map((line) => line.productId)), eq(products.status, 'ON_SALE'), gte(products.stock, quantity)));
      return affectedRows(result) === lines.length;
    },

    async insertItems(orderId, lines) {
      await tx.insert(stockHoldItems).values(lines.map((line) => ({ orderId, productId: line.productId, quantity: line.quantity })));
    },

    async lockHold(orderId) {
      const [hold] = await tx.select().from(stockHolds).where(eq(stockHolds.orderId, orderId)).for('update');
      return hold;
    },

    async insertTombstone(orderId) {
      const now = new Date();
      await tx
        .insert(stockHolds)
        .values({ orderId, merchantId: null, status: 'RELEASED', createdAt: now, releasedAt: now })
        .onDuplicateKeyUpdate({ set: { orderId } });
    },

    async itemsOf(orderId) {
      return tx
        .select({ productId: stockHoldItems.productId, quantity: stockHoldItems.quantity })
        .from(stockHoldItems)
        .where(eq(stockHoldItems.orderId, orderId))
        .orderBy(asc(stockHoldItems.productId));
    },

    async returnStock(productId, quantity) {
      await tx
        .update(products)
        .set({ stock: sql`${products.stock} + ${quantity}`, updatedAt: new Date() })
        .where(eq(products.id, productId));
    },

    async markReleased(orderId) {
      await tx.update(stockHolds).set({ status: 'RELEASED', releasedAt: new Date() }).where(eq(stockHolds.orderId, orderId));
    },
  };
}

/** Stock holds in MySQL, all on the primary: a hold decides on what was just written. */
export function createStockStore(primary: Database<ProductsSchema>): StockHoldStore {
  // Every reserve starts with this read: built once, so drizzle's query building is not paid per order.
  const holdById = primary.select().from(stockHolds).where(eq(stockHolds.orderId, sql.placeholder('orderId'))).prepare();
  return {
    async holdOf(orderId) {
      const [hold] = await holdById.execute({ orderId });
      return hold;
    },

    async claim(orderId) {
      const claimed = await primary
        .update(stockHolds)
        .set({ claimedAt: new Date() })
        .where(and(eq(stockHolds.orderId, orderId), eq(stockHolds.status, 'RESERVED')));
      return affectedRows(claimed) > 0;
    },

    async linesOf(orderId) {
      return primary
        .select({ productId: stockHoldItems.productId, quantity: stockHoldItems.quantity, name: products.name, unitPriceCents: products.priceCents })
        .from(stockHoldItems)
        .innerJoin(products, eq(products.id, stockHoldItems.productId))
        .where(eq(stockHoldItems.orderId, orderId))
        .orderBy(asc(stockHoldItems.productId));
    },

    async merchantById(merchantId) {
      const [merchant] = await primary.select().from(merchants).where(eq(merchants.id, merchantId));
      return merchant;
    },

    async productsByIds(productIds) {
      return primary
        .select({
          id: products.id,
          merchantId: products.merchantId,
          name: products.name,
          priceCents: products.priceCents,
          stock: products.stock,
          status: products.status,
          merchant: {
            id: merchants.id,
            ownerId: merchants.ownerId,
            name: merchants.name,
            lat: merchants.lat,
            lng: merchants.lng,
            deliveryRadiusMeters: merchants.deliveryRadiusMeters,
            suspended: merchants.suspended,
          },
        })
        .from(products)
        .innerJoin(merchants, eq(merchants.id, products.merchantId))
        .where(inArray(products.id, [...productIds]));
    },

    async stockLevels(productIds) {
      return primary.select({ id: products.id, stock: products.stock }).from(products).where(inArray(products.id, [...productIds]));
    },

    async confirm(orderIds) {
      if (orderIds.length === 0) return;
      await primary
        .update(stockHolds)
        .set({ confirmedAt: new Date() })
        .where(and(inArray(stockHolds.orderId, [...orderIds]), isNull(stockHolds.confirmedAt)));
    },

    async unconfirmedHolds(claimedBefore, limit) {
      const rows = await primary
        .select({ orderId: stockHolds.orderId })
        .from(stockHolds)
        .where(and(eq(stockHolds.status, 'RESERVED'), isNull(stockHolds.confirmedAt), lt(stockHolds.claimedAt, claimedBefore)))
        .orderBy(asc(stockHolds.claimedAt))
        .limit(limit);
      return rows.map((row) => row.orderId);
    },

    transaction: (work) => primary.transaction((tx) => work(writesIn(tx))),
  };
}
