import { distanceMeters, ORPHAN_SWEEP_BATCH, sweepOrphanHolds, type CampaignKind, type DiscountPricing, type GrantedDiscount, type Logger, type OrdersApiClient, type PricingBasket, type SweepOutcome } from '@waimai/platform';
import type { CampaignStore, CampaignWrites, DiscountHold } from '../db/campaign-store';
import type { CampaignRow, CouponRow } from '../db/schema';
import { bestDiscounts, type Discount, type PricedCampaign } from './pricing';

/** The consumer name in processed_events of the discount lifecycle; part of the deployed state, never renamed. */
export const DISCOUNTS_CONSUMER = 'operations.discounts';

/** A deadlock between racing holds is retried this many times before the error surfaces. */
const DEADLOCK_RETRIES = 5;

/** What pricing reads of a campaign row (the JSON columns parsed). */
export function pricedCampaign(row: CampaignRow): PricedCampaign {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    fundedBy: row.fundedBy,
    thresholdCents: row.thresholdCents,
    offCents: row.offCents,
    percent: row.percent,
    capCents: row.capCents,
    productIds: row.productIds === null ? null : (JSON.parse(row.productIds) as string[]),
    stacksWith: JSON.parse(row.stacksWith) as CampaignKind[],
  };
}

/** Whether `campaign` runs at `at`: ACTIVE and inside its window. */
export const runsAt = (campaign: Pick<CampaignRow, 'status' | 'startsAt' | 'endsAt'>, at: Date) =>
  campaign.status === 'ACTIVE' && campaign.startsAt.getTime() <= at.getTime() && at.getTime() < campaign.endsAt.getTime();

/** What a basket brings to the question of which campaigns apply, besides its shop and address. */
export interface CustomerFacts {
  /** The customer has paid an order before (FIRST_ORDER is for the others). */
  hasPaid: boolean;
  /** The coupon the basket names, when it is the customer's, free and not expired at `at`. */
  coupon: CouponRow | null;
}

/**
 * Whether a running campaign applies to a basket: its shop in the campaign's list (when it
 * has one), its delivery address in the campaign's area (when it has one), a FIRST_ORDER
 * only for a customer who has never paid, a COUPON only with one of its coupons.
 */
export function appliesTo(campaign: CampaignRow, basket: Pick<PricingBasket, 'merchantId' | 'deliveryLocation'>, facts: CustomerFacts, at: Date): boolean {
  if (!runsAt(campaign, at)) return false;
  const merchantIds = JSON.parse(campaign.merchantIds) as string[];
  if (merchantIds.length > 0 && !merchantIds.includes(basket.merchantId)) return false;
  if (campaign.areaLat !== null && campaign.areaLng !== null && campaign.areaRadiusMeters !== null) {
    if (distanceMeters({ lat: campaign.areaLat, lng: campaign.areaLng }, basket.deliveryLocation) > campaign.areaRadiusMeters) return false;
  }
  if (campaign.kind === 'FIRST_ORDER' && facts.hasPaid) return false;
  if (campaign.kind === 'COUPON' && facts.coupon?.campaignId !== campaign.id) return false;
  return true;
}

const granted = (discount: Discount, coupon: CouponRow | null): GrantedDiscount => ({
  campaignId: discount.campaign.id,
  couponId: discount.campaign.kind === 'COUPON' ? (coupon?.id ?? null) : null,
  kind: discount.campaign.kind,
  title: discount.campaign.title,
  fundedBy: discount.campaign.fundedBy,
  amountCents: discount.amountCents,
});

const pricingOf = (discounts: GrantedDiscount[]): DiscountPricing => ({ discounts, discountCents: discounts.reduce((sum, discount) => sum + discount.amountCents, 0) });

/** The answer of an existing hold: its discounts while it holds them, none once released. */
function answerOf(hold: DiscountHold): DiscountPricing {
  if (hold.state === 'RELEASED') return pricingOf([]);
  return pricingOf(hold.lines.map((line) => ({ campaignId: line.campaignId, couponId: line.couponId, kind: line.kind, title: line.title, fundedBy: line.fundedBy, amountCents: line.amountCents })));
}

/** Thrown inside a hold's transaction to roll it back: this campaign cannot cover the order. */
class NotCovered extends Error {
  constructor(readonly campaignId: string) {
    super(`Campaign ${campaignId} cannot cover this order.`);
  }
}
/** Thrown inside a hold's transaction: the order got a hold concurrently (or a release came first). */
class AlreadyHeld extends Error {}

const isDeadlock = (err: unknown) => {
  const cause = err as { code?: string; cause?: { code?: string } };
  return cause?.code === 'ER_LOCK_DEADLOCK' || cause?.cause?.code === 'ER_LOCK_DEADLOCK';
};

export interface DiscountsDeps {
  store: CampaignStore;
  /** Asked, outside any transaction, which orders of unconfirmed holds exist. */
  orders: Pick<OrdersApiClient, 'existing'>;
  /** A hold unclaimed this long without a known order is asked about. */
  orphanSeconds: number;
  logger: Logger;
}

/**
 * Discounts at checkout, held like stock: quote (holds nothing), reserve (per order, once),
 * consume when the order is paid, release when it is cancelled or never appeared. Budgets,
 * per-customer limits and single-use coupons are taken with conditional UPDATEs inside the
 * hold's transaction, so they hold however many orders race; a campaign that cannot cover an
 * order is left out of its answer, never refused.
 */
export function createDiscounts({ store, orders, orphanSeconds, logger }: DiscountsDeps) {
  const sweepLog = logger.child({ component: 'orphan-discount-sweep' });

  /** The running campaigns that apply to the basket, and the customer's coupon (when usable). */
  async function candidatesFor(basket: PricingBasket, at: Date): Promise<{ campaigns: CampaignRow[]; coupon: CouponRow | null }> {
    const [running, named] = await Promise.all([store.running(at), basket.couponId ? store.couponById(basket.couponId) : Promise.resolve(undefined)]);
    if (running.length === 0) return { campaigns: [], coupon: null };
    // Whether the customer paid before matters to FIRST_ORDER campaigns only: asked only when one runs.
    const hasPaid = running.some((campaign) => campaign.kind === 'FIRST_ORDER') ? await store.hasPaid(basket.customerId) : true;
    const coupon = named && named.customerId === basket.customerId && named.orderId === null && named.usedAt === null && named.expiresAt.getTime() > at.getTime() ? named : null;
    return { campaigns: running.filter((campaign) => appliesTo(campaign, basket, { hasPaid, coupon }, at)), coupon };
  }

  /** Gives a locked hold's discounts back (budget, coupon, customer use) and marks it RELEASED. */
  async function giveBack(tx: CampaignWrites, orderId: string, customerId: string, state: 'RESERVED' | 'CONSUMED', at: Date): Promise<void> {
    for (const line of await tx.linesOf(orderId)) {
      await tx.returnBudget(line.campaignId, line.amountCents, state === 'RESERVED' ? 'reserved' : 'spent');
      await tx.returnCustomerUse(line.campaignId, customerId);
      if (line.couponId) await tx.freeCoupon(line.couponId, orderId);
    }
    await tx.setHoldState(orderId, 'RELEASED', at);
  }

  async function release(tx: CampaignWrites, orderId: string, at: Date): Promise<boolean> {
    const hold = await tx.lockHold(orderId);
    if (!hold || hold.state === 'RELEASED') return false;
    await giveBack(tx, orderId, hold.customerId, hold.state, at);
    return true;
  }

  /** One attempt at holding `chosen` for the order, all or nothing. */
  async function hold(basket: PricingBasket & { orderId: string }, chosen: Discount[], coupon: CouponRow | null, limits: Map<string, number | null>, at: Date): Promise<DiscountPricing> {
    return store.transaction(async (tx) => {
      if (!(await tx.insertHold(basket.orderId, basket.customerId, at))) throw new AlreadyHeld();
      // Campaign rows locked in id order, so two holds never wait on each other in a cycle.
      const discounts = [...chosen].sort((a, b) => (a.campaign.id < b.campaign.id ? -1 : 1)).map((discount) => granted(discount, coupon));
      for (const discount of discounts) {
        if (discount.couponId && !(await tx.takeCoupon(discount.couponId, basket.customerId, basket.orderId, at))) throw new NotCovered(discount.campaignId);
        const limit = limits.get(discount.campaignId) ?? null;
        if (limit !== null && !(await tx.takeCustomerUse(discount.campaignId, basket.customerId, limit))) throw new NotCovered(discount.campaignId);
        if (!(await tx.takeBudget(discount.campaignId, discount.amountCents, at))) throw new NotCovered(discount.campaignId);
        await tx.insertLine({ orderId: basket.orderId, ...discount });
      }
      return pricingOf(discounts);
    });
  }

  return {
    /**
     * The discounts the basket would get now, holding nothing. A campaign whose budget, or the
     * customer's limit, cannot cover it right now is left out; a reservation decides for real.
     */
    async quote(basket: PricingBasket, at = new Date()): Promise<DiscountPricing> {
      const { campaigns, coupon } = await candidatesFor(basket, at);
      const uses = await store.usesOf(basket.customerId, campaigns.map((campaign) => campaign.id));
      const rows = new Map(campaigns.map((campaign) => [campaign.id, campaign]));
      let available = campaigns.map(pricedCampaign);
      for (;;) {
        const chosen = bestDiscounts(available, basket.lines);
        const uncovered = chosen.find(({ campaign, amountCents }) => {
          const row = rows.get(campaign.id) as CampaignRow;
          return row.reservedCents + row.spentCents + amountCents > row.budgetCents || (row.perCustomerLimit !== null && (uses.get(row.id) ?? 0) >= row.perCustomerLimit);
        });
        if (!uncovered) return pricingOf(chosen.map((discount) => granted(discount, coupon)));
        available = available.filter((campaign) => campaign.id !== uncovered.campaign.id);
      }
    },

    /**
     * Holds the basket's discounts for `orderId` and answers them. Idempotent per order: a
     * repeat answers the same hold (and restarts its orphan window); after a release, none.
     * A campaign that cannot cover the order (budget, limit, coupon taken meanwhile) is left
     * out and the order priced again without it.
     */
    async reserve(basket: PricingBasket & { orderId: string }, at = new Date()): Promise<DiscountPricing> {
      const previous = await store.holdOf(basket.orderId);
      if (previous) {
        await store.claim(basket.orderId, at);
        return answerOf(previous);
      }
      const { campaigns, coupon } = await candidatesFor(basket, at);
      const limits = new Map(campaigns.map((campaign) => [campaign.id, campaign.perCustomerLimit]));
      let available = campaigns.map(pricedCampaign);
      let deadlocks = 0;
      for (;;) {
        const chosen = bestDiscounts(available, basket.lines);
        // Nothing to hold: no row is written (a hold without lines would hold nothing), so the order
        // costs operations no transaction here and none in the discount consumer (holds() is false).
        // A release arriving later leaves its tombstone as for any order without a hold.
        if (chosen.length === 0) return pricingOf([]);
        try {
          return await hold(basket, chosen, coupon, limits, at);
        } catch (err) {
          if (err instanceof NotCovered) {
            available = available.filter((campaign) => campaign.id !== err.campaignId);
          } else if (err instanceof AlreadyHeld) {
            const held = await store.holdOf(basket.orderId);
            if (held) return answerOf(held);
          } else if (isDeadlock(err) && deadlocks < DEADLOCK_RETRIES) {
            deadlocks += 1;
          } else {
            throw err;
          }
        }
      }
    },

    /**
     * Gives the order's discounts back, once (orders never wrote the order). With no hold, a
     * RELEASED tombstone is left so a reservation arriving late for the order holds nothing.
     */
    async release(orderId: string, at = new Date()): Promise<{ released: boolean }> {
      return store.transaction(async (tx) => {
        await tx.insertTombstone(orderId, at);
        return { released: await release(tx, orderId, at) };
      });
    },

    /** The order was paid: its held discounts are spent and its coupon used. Once per event. */
    async consume(eventId: string, orderId: string, at = new Date()): Promise<boolean> {
      const outcome = await store.once(DISCOUNTS_CONSUMER, eventId, async (tx) => {
        const held = await tx.lockHold(orderId);
        if (!held || held.state !== 'RESERVED') return false;
        for (const line of await tx.linesOf(orderId)) {
          await tx.spendBudget(line.campaignId, line.amountCents);
          if (line.couponId) await tx.useCoupon(line.couponId, orderId, at);
        }
        await tx.setHoldState(orderId, 'CONSUMED', at, true);
        return true;
      });
      return outcome.done && outcome.value;
    },

    /** The order was cancelled: budget, coupon and customer use come back, paid or not. Once per event. */
    async releaseCancelled(eventId: string, orderId: string, at = new Date()): Promise<boolean> {
      const outcome = await store.once(DISCOUNTS_CONSUMER, eventId, (tx) => release(tx, orderId, at));
      return outcome.done && outcome.value;
    },

    /** Whether the order holds discounts (the consumer skips the others without writing anything). */
    async holds(orderId: string): Promise<boolean> {
      const held = await store.holdOf(orderId);
      return held !== undefined && held.state !== 'RELEASED';
    },

    /**
     * Of `orderIds`, those holding discounts now (holds() of each, in one read). A hold is taken
     * before its order exists, so an order its consumer finds without one never gets one later.
     */
    holdingAmong: (orderIds: readonly string[]): Promise<Set<string>> => store.holdingAmong(orderIds),

    /** Orders known to exist: the orphan sweep skips their holds from now on. */
    confirm: (orderIds: readonly string[], at = new Date()) => store.confirm(orderIds, at),

    /** The customers paid these orders, in order: FIRST_ORDER campaigns are no longer theirs. */
    recordPaid: (paid: ReadonlyArray<{ customerId: string; orderId: string; at: Date }>) => store.recordPaid(paid),

    /**
     * Releases holds whose order never appeared (orders died between the reservation and its
     * insert, and no retry resumed it), as products does for stock: a hold unclaimed for
     * `orphanSeconds` without any event of its order is asked about; orders reads its primary
     * and only the holds of orders it does not know are released, conditionally on the claim
     * seen (a retry that resumed the hold meanwhile wins). No answer, no release.
     */
    async sweepOrphans(now = new Date()): Promise<SweepOutcome> {
      const claimedBefore = new Date(now.getTime() - orphanSeconds * 1000);
      return sweepOrphanHolds({
        candidates: await store.unconfirmedHolds(claimedBefore, ORPHAN_SWEEP_BATCH),
        orders,
        confirm: (orderIds) => store.confirm(orderIds, now),
        release: (orderId) =>
          store.transaction(async (tx) => {
            const held = await tx.lockHold(orderId);
            if (!held || held.state !== 'RESERVED' || held.confirmedAt || held.claimedAt.getTime() >= claimedBefore.getTime()) return false;
            await giveBack(tx, orderId, held.customerId, 'RESERVED', now);
            return true;
          }),
        what: 'a discount hold',
        log: sweepLog,
      });
    },
  };
}
export type Discounts = ReturnType<typeof createDiscounts>;
