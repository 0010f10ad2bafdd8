import { and, asc, eq, gt, inArray, isNull, lt, lte, ne, sql, type SQL } from 'drizzle-orm';
import { affectedRows, applyOnce, enqueueEvents, isDuplicateKey, newestFirst, type CampaignKind, type CatalogEvent, type Database, type FundingSource, type Keyset } from '@waimai/platform';
import {
  campaignCustomers,
  campaigns,
  coupons,
  discountLines,
  discountOrders,
  paidCustomers,
  type CampaignRow,
  type CampaignStatus,
  type CouponRow,
  type DiscountLineRow,
  type DiscountState,
  type OperationsSchema,
} from './schema';

type Tx = Parameters<Parameters<Database<OperationsSchema>['transaction']>[0]>[0];

export type NewCampaign = typeof campaigns.$inferInsert;
export type NewCoupon = typeof coupons.$inferInsert;

/** Which campaigns a list shows; every given field must match. */
export interface CampaignListFilter {
  /** Only those of this merchant owner (a MERCHANT's own). */
  ownerId?: string;
  statuses?: readonly CampaignStatus[];
  kinds?: readonly CampaignKind[];
  fundedBy?: FundingSource;
  merchantId?: string;
}

export interface DiscountHold {
  orderId: string;
  customerId: string;
  state: DiscountState;
  lines: DiscountLineRow[];
}

/** One campaign's discounts by the state of their orders. */
export interface CampaignUsage {
  /** Paid orders holding its discount, and the sum. */
  orders: number;
  discountCents: number;
  /** Orders holding it while they wait for payment, and the sum. */
  pendingOrders: number;
  pendingCents: number;
  couponsIssued: number;
  couponsUsed: number;
}

const counted = (value: unknown) => Number(value ?? 0);

/** The statements of one campaigns transaction. */
function writesIn(tx: Tx) {
  return {
    async insertCampaign(campaign: NewCampaign): Promise<void> {
      await tx.insert(campaigns).values(campaign);
    },

    async lockCampaign(id: string): Promise<CampaignRow | undefined> {
      const [row] = await tx.select().from(campaigns).where(eq(campaigns.id, id)).for('update');
      return row;
    },

    async setStatus(id: string, status: CampaignStatus, at: Date): Promise<void> {
      await tx.update(campaigns).set({ status, updatedAt: at }).where(eq(campaigns.id, id));
    },

    async insertCoupon(coupon: NewCoupon): Promise<void> {
      await tx.insert(coupons).values(coupon);
    },

    /** The order's hold, new and RESERVED; false when the order already has one (or a tombstone). */
    async insertHold(orderId: string, customerId: string, at: Date): Promise<boolean> {
      try {
        await tx.insert(discountOrders).values({ orderId, customerId, state: 'RESERVED', claimedAt: at, updatedAt: at });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },

    /** A RELEASED hold without discounts, unless the order has a hold already. */
    async insertTombstone(orderId: string, at: Date): Promise<void> {
      await tx
        .insert(discountOrders)
        .values({ orderId, customerId: '', state: 'RELEASED', claimedAt: at, updatedAt: at })
        .onDuplicateKeyUpdate({ set: { orderId } });
    },

    async lockHold(orderId: string) {
      const [row] = await tx.select().from(discountOrders).where(eq(discountOrders.orderId, orderId)).for('update');
      return row;
    },

    async linesOf(orderId: string): Promise<DiscountLineRow[]> {
      return tx.select().from(discountLines).where(eq(discountLines.orderId, orderId)).orderBy(asc(discountLines.campaignId));
    },

    async insertLine(line: DiscountLineRow): Promise<void> {
      await tx.insert(discountLines).values(line);
    },

    async setHoldState(orderId: string, state: DiscountState, at: Date, confirmed = false): Promise<void> {
      await tx
        .update(discountOrders)
        .set({ state, updatedAt: at, ...(confirmed ? { confirmedAt: sql`COALESCE(${discountOrders.confirmedAt}, ${at})` } : {}) })
        .where(eq(discountOrders.orderId, orderId));
    },

    /**
     * Holds `amountCents` of the campaign's budget: one conditional UPDATE, so however many
     * orders race, reserved + spent never passes the budget. Only while the campaign runs.
     */
    async takeBudget(campaignId: string, amountCents: number, at: Date): Promise<boolean> {
      const result = await tx
        .update(campaigns)
        .set({ reservedCents: sql`${campaigns.reservedCents} + ${amountCents}` })
        .where(
          and(
            eq(campaigns.id, campaignId),
            eq(campaigns.status, 'ACTIVE'),
            lte(campaigns.startsAt, at),
            gt(campaigns.endsAt, at),
            sql`${campaigns.reservedCents} + ${campaigns.spentCents} + ${amountCents} <= ${campaigns.budgetCents}`,
          ),
        );
      return affectedRows(result) > 0;
    },

    /** Moves a paid order's amount from reserved to spent. */
    async spendBudget(campaignId: string, amountCents: number): Promise<void> {
      await tx
        .update(campaigns)
        .set({ reservedCents: sql`${campaigns.reservedCents} - ${amountCents}`, spentCents: sql`${campaigns.spentCents} + ${amountCents}` })
        .where(eq(campaigns.id, campaignId));
    },

    /** Gives an amount back to the budget, from reserved (not paid yet) or spent (paid, then cancelled). */
    async returnBudget(campaignId: string, amountCents: number, from: 'reserved' | 'spent'): Promise<void> {
      const column = from === 'reserved' ? campaigns.reservedCents : campaigns.spentCents;
      await tx
        .update(campaigns)
        .set(from === 'reserved' ? { reservedCents: sql`${column} - ${amountCents}` } : { spentCents: sql`${column} - ${amountCents}` })
        .where(eq(campaigns.id, campaignId));
    },

    /**
     * One more use of the campaign by the customer, only below `limit`. The row is written
     * first under an exclusive lock (an upsert, not INSERT IGNORE, whose shared lock would let
     * two racing orders deadlock on the update), then counted with a conditional UPDATE.
     */
    async takeCustomerUse(campaignId: string, customerId: string, limit: number): Promise<boolean> {
      await tx
        .insert(campaignCustomers)
        .values({ campaignId, customerId, uses: 0 })
        .onDuplicateKeyUpdate({ set: { uses: sql`${campaignCustomers.uses}` } });
      const result = await tx
        .update(campaignCustomers)
        .set({ uses: sql`${campaignCustomers.uses} + 1` })
        .where(and(eq(campaignCustomers.campaignId, campaignId), eq(campaignCustomers.customerId, customerId), lt(campaignCustomers.uses, limit)));
      return affectedRows(result) > 0;
    },

    async returnCustomerUse(campaignId: string, customerId: string): Promise<void> {
      await tx
        .update(campaignCustomers)
        .set({ uses: sql`GREATEST(${campaignCustomers.uses} - 1, 0)` })
        .where(and(eq(campaignCustomers.campaignId, campaignId), eq(campaignCustomers.customerId, customerId)));
    },

    /** Holds the customer's coupon for `orderId`: only when free, unused and not expired, so one order gets it. */
    async takeCoupon(couponId: string, customerId: string, orderId: string, at: Date): Promise<boolean> {
      const result = await tx
        .update(coupons)
        .set({ orderId })
        .where(and(eq(coupons.id, couponId), eq(coupons.customerId, customerId), isNull(coupons.orderId), isNull(coupons.usedAt), gt(coupons.expiresAt, at)));
      return affectedRows(result) > 0;
    },

    async useCoupon(couponId: string, orderId: string, at: Date): Promise<void> {
      await tx.update(coupons).set({ usedAt: at }).where(and(eq(coupons.id, couponId), eq(coupons.orderId, orderId)));
    },

    async freeCoupon(couponId: string, orderId: string): Promise<void> {
      await tx.update(coupons).set({ orderId: null, usedAt: null }).where(and(eq(coupons.id, couponId), eq(coupons.orderId, orderId)));
    },

    async enqueue(events: readonly CatalogEvent[]): Promise<void> {
      await enqueueEvents(tx, events);
    },
  };
}
export type CampaignWrites = ReturnType<typeof writesIn>;

/**
 * Campaigns, coupons and the discounts held for orders: SQL only, plain objects out. Staff's
 * campaign list and a campaign's figures go through `db` (a replica a little behind may answer);
 * what pricing and holds decide on, and what a caller reads back after their own change, is
 * read on the primary.
 */
export function createCampaignStore(db: Database<OperationsSchema>, primary: Database<OperationsSchema>) {
  // The two reads every discount reservation makes, built once: drizzle's query building is not paid per order.
  const holdById = primary.select().from(discountOrders).where(eq(discountOrders.orderId, sql.placeholder('orderId'))).prepare();
  const runningAt = primary
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.status, 'ACTIVE'), gt(campaigns.endsAt, sql.placeholder('at')), lte(campaigns.startsAt, sql.placeholder('at'))))
    .prepare();
  return {
    /** Runs `work` in one transaction on the primary; it commits when `work` resolves. */
    transaction<T>(work: (tx: CampaignWrites) => Promise<T>): Promise<T> {
      return primary.transaction((tx) => work(writesIn(tx)));
    },

    /** Runs `work` once per (consumer, event id), in one transaction with the processed-event row. */
    async once<T>(consumer: string, eventId: string, work: (tx: CampaignWrites) => Promise<T>): Promise<{ done: true; value: T } | { done: false }> {
      return applyOnce(primary, consumer, eventId, (tx) => work(writesIn(tx)));
    },

    async byId(id: string): Promise<CampaignRow | undefined> {
      const [row] = await primary.select().from(campaigns).where(eq(campaigns.id, id));
      return row;
    },

    async byIds(ids: readonly string[]): Promise<CampaignRow[]> {
      if (ids.length === 0) return [];
      // The primary: a campaign is read back by whoever has just created or changed it.
      return primary.select().from(campaigns).where(inArray(campaigns.id, [...ids]));
    },

    /** ACTIVE campaigns whose window holds `at` (campaigns_status_ends, then the start in the rows). */
    async running(at: Date): Promise<CampaignRow[]> {
      return runningAt.execute({ at });
    },

    /** A newest-first page of the campaigns matching `filter`. */
    async page(filter: CampaignListFilter, after: Keyset | null, limit: number): Promise<CampaignRow[]> {
      const conditions: Array<SQL | undefined> = [
        filter.ownerId === undefined ? undefined : eq(campaigns.ownerId, filter.ownerId),
        filter.statuses === undefined ? undefined : inArray(campaigns.status, [...filter.statuses]),
        filter.kinds === undefined ? undefined : inArray(campaigns.kind, [...filter.kinds]),
        filter.fundedBy === undefined ? undefined : eq(campaigns.fundedBy, filter.fundedBy),
        filter.merchantId === undefined ? undefined : eq(campaigns.merchantId, filter.merchantId),
      ];
      const newest = newestFirst({ createdAt: campaigns.createdAt, id: campaigns.id }, after);
      // An owner's own campaigns on the primary (one created a moment ago is listed); staff's list may lag a little.
      return (filter.ownerId === undefined ? db : primary)
        .select()
        .from(campaigns)
        .where(and(...conditions, newest.after))
        .orderBy(...newest.orderBy)
        .limit(limit);
    },

    async couponById(id: string): Promise<CouponRow | undefined> {
      const [row] = await primary.select().from(coupons).where(eq(coupons.id, id));
      return row;
    },

    /** A newest-first page of a customer's coupons (coupons_customer_issued). */
    async couponsOf(customerId: string, after: Keyset | null, limit: number): Promise<CouponRow[]> {
      const newest = newestFirst({ createdAt: coupons.issuedAt, id: coupons.id }, after);
      // The primary: the customer's own coupons, held or used by the order placed a moment ago.
      return primary
        .select()
        .from(coupons)
        .where(and(eq(coupons.customerId, customerId), newest.after))
        .orderBy(...newest.orderBy)
        .limit(limit);
    },

    async hasPaid(customerId: string): Promise<boolean> {
      const [row] = await primary.select({ customerId: paidCustomers.customerId }).from(paidCustomers).where(eq(paidCustomers.customerId, customerId));
      return row !== undefined;
    },

    /** Remembers that each customer paid an order, in one statement: a customer's first paid order seen is kept. */
    async recordPaid(paid: ReadonlyArray<{ customerId: string; orderId: string; at: Date }>): Promise<void> {
      if (paid.length === 0) return;
      await primary
        .insert(paidCustomers)
        .values(paid.map(({ customerId, orderId, at }) => ({ customerId, firstOrderId: orderId, paidAt: at })))
        .onDuplicateKeyUpdate({ set: { customerId: sql`customer_id` } });
    },

    /** How many orders of the customer hold each campaign's discount. */
    async usesOf(customerId: string, campaignIds: readonly string[]): Promise<Map<string, number>> {
      if (campaignIds.length === 0) return new Map();
      const rows = await primary
        .select()
        .from(campaignCustomers)
        .where(and(eq(campaignCustomers.customerId, customerId), inArray(campaignCustomers.campaignId, [...campaignIds])));
      return new Map(rows.map((row) => [row.campaignId, row.uses]));
    },

    /** Of `orderIds`, those with a hold that is not RELEASED: one read for a batch of orders. */
    async holdingAmong(orderIds: readonly string[]): Promise<Set<string>> {
      if (orderIds.length === 0) return new Set();
      const rows = await primary
        .select({ orderId: discountOrders.orderId })
        .from(discountOrders)
        .where(and(inArray(discountOrders.orderId, [...new Set(orderIds)]), ne(discountOrders.state, 'RELEASED')));
      return new Set(rows.map((row) => row.orderId));
    },

    async holdOf(orderId: string): Promise<DiscountHold | undefined> {
      const [hold] = await holdById.execute({ orderId });
      if (!hold) return undefined;
      const lines = await primary.select().from(discountLines).where(eq(discountLines.orderId, orderId)).orderBy(asc(discountLines.campaignId));
      return { orderId, customerId: hold.customerId, state: hold.state, lines };
    },

    /** Restarts a RESERVED hold's orphan window (a repeated reserve resuming it); false when it is not RESERVED. */
    async claim(orderId: string, at: Date): Promise<boolean> {
      const result = await primary
        .update(discountOrders)
        .set({ claimedAt: at, updatedAt: at })
        .where(and(eq(discountOrders.orderId, orderId), eq(discountOrders.state, 'RESERVED')));
      return affectedRows(result) > 0;
    },

    /** Marks holds whose order is known to exist, so the sweep never asks about them. */
    async confirm(orderIds: readonly string[], at: Date): Promise<void> {
      if (orderIds.length === 0) return;
      await primary
        .update(discountOrders)
        .set({ confirmedAt: at })
        .where(and(inArray(discountOrders.orderId, [...orderIds]), isNull(discountOrders.confirmedAt)));
    },

    /** RESERVED holds of orders never seen, claimed before `claimedBefore`, oldest first (discount_orders_unconfirmed). */
    async unconfirmedHolds(claimedBefore: Date, limit: number): Promise<string[]> {
      const rows = await primary
        .select({ orderId: discountOrders.orderId })
        .from(discountOrders)
        .where(and(eq(discountOrders.state, 'RESERVED'), isNull(discountOrders.confirmedAt), lt(discountOrders.claimedAt, claimedBefore)))
        .orderBy(asc(discountOrders.claimedAt))
        .limit(limit);
      return rows.map((row) => row.orderId);
    },

    /** The campaign's discounts by state (discount_lines_campaign), and its coupons. */
    async usageOf(campaignId: string): Promise<CampaignUsage> {
      const rows = await db
        .select({ state: discountOrders.state, orders: sql<number>`COUNT(*)`, cents: sql<number>`COALESCE(SUM(${discountLines.amountCents}), 0)` })
        .from(discountLines)
        .innerJoin(discountOrders, eq(discountOrders.orderId, discountLines.orderId))
        .where(eq(discountLines.campaignId, campaignId))
        .groupBy(discountOrders.state);
      const of = (state: DiscountState) => rows.find((row) => row.state === state);
      const [couponCounts] = await db
        .select({ issued: sql<number>`COUNT(*)`, used: sql<number>`COALESCE(SUM(${coupons.usedAt} IS NOT NULL), 0)` })
        .from(coupons)
        .where(eq(coupons.campaignId, campaignId));
      return {
        orders: counted(of('CONSUMED')?.orders),
        discountCents: counted(of('CONSUMED')?.cents),
        pendingOrders: counted(of('RESERVED')?.orders),
        pendingCents: counted(of('RESERVED')?.cents),
        couponsIssued: counted(couponCounts?.issued),
        couponsUsed: counted(couponCounts?.used),
      };
    },
  };
}
export type CampaignStore = ReturnType<typeof createCampaignStore>;
