import { and, count, desc, eq, gte, inArray, lte, or, sql } from 'drizzle-orm';
import { enqueueEvents, newestFirst, type AdDayCounters, type AdPlacementStatus, type CatalogEvent, type Database, type Keyset, type Transaction } from '@waimai/platform';
import { adAttributions, adClicks, adDailyStats, adPlacements, type AdDailyStatsRow, type AdPlacementRow, type OperationsSchema } from './schema';

export interface AdPlacementFilter {
  /** Only the placements of shops this user owned when they were bought (a merchant's own). */
  ownerId?: string;
  merchantId?: string;
  status?: AdPlacementStatus;
}

/** The writes of one ad use case, inside its transaction. */
function writesIn(tx: Transaction<OperationsSchema>) {
  return {
    async insert(row: AdPlacementRow): Promise<void> {
      await tx.insert(adPlacements).values(row);
    },
    /** The placement, locked until the transaction ends (changes to one placement take turns). */
    async lock(placementId: string): Promise<AdPlacementRow | undefined> {
      const [row] = await tx.select().from(adPlacements).where(eq(adPlacements.id, placementId)).for('update');
      return row;
    },
    async setStatus(placement: AdPlacementRow, status: AdPlacementStatus, at: Date): Promise<AdPlacementRow> {
      const changed = { status, version: placement.version + 1, updatedAt: at };
      await tx.update(adPlacements).set(changed).where(eq(adPlacements.id, placement.id));
      return { ...placement, ...changed };
    },
    enqueue: (events: readonly CatalogEvent[]) => enqueueEvents(tx, events),
  };
}
export type AdWrites = ReturnType<typeof writesIn>;

/** Ads in MySQL: SQL only, plain objects out. */
export function createAdStore(db: Database<OperationsSchema>) {
  return {
    transaction: <T>(work: (tx: AdWrites) => Promise<T>): Promise<T> => db.transaction((tx) => work(writesIn(tx))),

    async byId(placementId: string): Promise<AdPlacementRow | undefined> {
      const [row] = await db.select().from(adPlacements).where(eq(adPlacements.id, placementId));
      return row;
    },

    async byIds(ids: readonly string[]): Promise<AdPlacementRow[]> {
      if (ids.length === 0) return [];
      return db.select().from(adPlacements).where(inArray(adPlacements.id, [...ids]));
    },

    /** Newest first (created_at, id) after `after`; each filter walks its own index. */
    async page(filter: AdPlacementFilter, after: Keyset | null, limit: number): Promise<AdPlacementRow[]> {
      const keyset = newestFirst(adPlacements, after);
      return db
        .select()
        .from(adPlacements)
        .where(
          and(
            filter.ownerId === undefined ? undefined : eq(adPlacements.ownerId, filter.ownerId),
            filter.merchantId === undefined ? undefined : eq(adPlacements.merchantId, filter.merchantId),
            filter.status === undefined ? undefined : eq(adPlacements.status, filter.status),
            keyset.after,
          ),
        )
        .orderBy(...keyset.orderBy)
        .limit(limit);
    },

    /** Placements whose window had begun by `to` and had not ended before `from`: the ones that may have counters in [from, to]. */
    async runningBetween(from: Date, to: Date, afterId: string | null, limit: number): Promise<Array<Pick<AdPlacementRow, 'id' | 'startsAt' | 'endsAt'>>> {
      return db
        .select({ id: adPlacements.id, startsAt: adPlacements.startsAt, endsAt: adPlacements.endsAt })
        .from(adPlacements)
        .where(and(gte(adPlacements.endsAt, from), lte(adPlacements.startsAt, to), afterId === null ? undefined : sql`${adPlacements.id} > ${afterId}`))
        .orderBy(adPlacements.id)
        .limit(limit);
    },

    /** Writes each day's counters, keeping the larger of what is kept and what is given (counters only grow within a day). */
    async settle(rows: ReadonlyArray<{ placementId: string; day: string } & AdDayCounters>, at: Date): Promise<void> {
      if (rows.length === 0) return;
      await db
        .insert(adDailyStats)
        .values(rows.map((row) => ({ ...row, settledAt: at })))
        .onDuplicateKeyUpdate({
          set: {
            impressions: sql`GREATEST(impressions, VALUES(impressions))`,
            clicks: sql`GREATEST(clicks, VALUES(clicks))`,
            spentCents: sql`GREATEST(spent_cents, VALUES(spent_cents))`,
            settledAt: sql`VALUES(settled_at)`,
          },
        });
    },

    async dailyStats(placementIds: readonly string[]): Promise<AdDailyStatsRow[]> {
      if (placementIds.length === 0) return [];
      return db.select().from(adDailyStats).where(inArray(adDailyStats.placementId, [...placementIds]));
    },

    async attributedOrders(placementIds: readonly string[]): Promise<Map<string, number>> {
      if (placementIds.length === 0) return new Map();
      const rows = await db
        .select({ placementId: adAttributions.placementId, orders: count() })
        .from(adAttributions)
        .where(inArray(adAttributions.placementId, [...placementIds]))
        .groupBy(adAttributions.placementId);
      return new Map(rows.map((row) => [row.placementId, Number(row.orders)]));
    },

    /** Once per click id (derived from placement, customer and day): a repeat writes nothing. */
    async recordClick(click: typeof adClicks.$inferInsert): Promise<void> {
      await db.insert(adClicks).values(click).onDuplicateKeyUpdate({ set: { id: sql`id` } });
    },

    /** The day's spend of the placement as last settled into MySQL; 0 before the first settlement. */
    async settledSpentCents(placementId: string, day: string): Promise<number> {
      const [row] = await db.select({ spentCents: adDailyStats.spentCents }).from(adDailyStats).where(and(eq(adDailyStats.placementId, placementId), eq(adDailyStats.day, day)));
      return row ? Number(row.spentCents) : 0;
    },

    /**
     * The clicks of each (customer, shop) pair between `from` and `to`, newest first: the
     * candidates of a batch of placed orders, in one read (each order then takes the newest
     * inside its own window). Through ad_clicks_customer_merchant.
     */
    async clicksOf(pairs: ReadonlyArray<{ customerId: string; merchantId: string }>, from: Date, to: Date) {
      const distinct = [...new Map(pairs.map((pair) => [`${pair.customerId}\u0000${pair.merchantId}`, pair])).values()];
      if (distinct.length === 0) return [];
      return db
        .select()
        .from(adClicks)
        .where(
          and(
            or(...distinct.map((pair) => and(eq(adClicks.customerId, pair.customerId), eq(adClicks.merchantId, pair.merchantId)))),
            gte(adClicks.clickedAt, from),
            lte(adClicks.clickedAt, to),
          ),
        )
        .orderBy(desc(adClicks.clickedAt));
    },

    /** Attributes the order to the click's placement, once per order (a redelivered event adds nothing). */
    async attribute(attribution: typeof adAttributions.$inferInsert): Promise<boolean> {
      const [result] = await db.insert(adAttributions).values(attribution).onDuplicateKeyUpdate({ set: { orderId: sql`order_id` } });
      return (result as { affectedRows: number }).affectedRows === 1;
    },
  };
}
export type AdStore = ReturnType<typeof createAdStore>;
