import {
  adDay,
  AdPlacementChanged,
  auditEvent,
  derivedId,
  entityId,
  ForbiddenError,
  geoPointInput,
  InternalCallError,
  InvalidStateTransitionError,
  isStaff,
  MerchantSuspendedError,
  newEvent,
  newId,
  NotFoundError,
  ServiceUnavailableError,
  text,
  validateInput,
  z,
  type AdCounters,
  type AdDayCounters,
  type AdPlacementStatus,
  type AuditAction,
  type Identity,
  type Keyset,
  type Logger,
  type MerchantsApiClient,
  type OrderStatusChangedData,
  type OutboxRelay,
} from '@waimai/platform';
import type { AdPlacementFilter, AdStore } from '../db/ad-store';
import type { AdPlacementRow } from '../db/schema';

const SERVICE = 'operations';
const DAY_MS = 86_400_000;
/** An order is the ad's when placed by the clicking customer at the shop within this long after the click. */
export const ATTRIBUTION_WINDOW_MS = DAY_MS;
// The widest area, as products bounds its search box with it (domain/sponsored.ts there).
export const MAX_AD_RADIUS_METERS = 50_000;
// A year: longer windows are bought again, so a forgotten placement does not spend for ever.
const MAX_WINDOW_MS = 366 * DAY_MS;
const MAX_CPC_CENTS = 100_000;
const MAX_DAILY_BUDGET_CENTS = 100_000_000;
// 200 placements per settlement page: 400 HMGETs in one pipeline and one INSERT of at most 400 rows.
const SETTLE_PAGE = 200;

export const buyAdPlacementInput = z
  .object({
    merchantId: entityId,
    center: geoPointInput,
    radiusMeters: z.number().int().min(100, 'must be at least 100 m').max(MAX_AD_RADIUS_METERS, `must be at most ${MAX_AD_RADIUS_METERS} m`),
    startsAt: z.date(),
    endsAt: z.date(),
    dailyBudgetCents: z.number().int().min(1, 'must be at least 1').max(MAX_DAILY_BUDGET_CENTS, `must be at most ${MAX_DAILY_BUDGET_CENTS}`),
    cpcCents: z.number().int().min(1, 'must be at least 1').max(MAX_CPC_CENTS, `must be at most ${MAX_CPC_CENTS}`),
  })
  .superRefine((input, ctx) => {
    if (input.endsAt.getTime() <= input.startsAt.getTime()) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
    else if (input.endsAt.getTime() - input.startsAt.getTime() > MAX_WINDOW_MS) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be within 366 days of startsAt' });
    if (input.endsAt.getTime() <= Date.now()) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be in the future' });
    if (input.dailyBudgetCents < input.cpcCents) ctx.addIssue({ code: 'custom', path: ['dailyBudgetCents'], message: 'must cover at least one click (cpcCents)' });
  });
export type BuyAdPlacementInput = z.output<typeof buyAdPlacementInput>;

/** Why a placement's status changes: mandatory, 1..500 characters once trimmed. */
export const adChangeReason = text(500);
const adChangeArguments = z.object({ id: entityId, reason: adChangeReason });

const adFilter = z.object({
  merchantId: entityId.nullish(),
  status: z.enum(['ACTIVE', 'PAUSED', 'ENDED']).nullish(),
});

/** Who may manage a placement: staff, or the merchant who owned its shop when it was bought. */
export const canManageAd = (caller: Identity, placement: Pick<AdPlacementRow, 'ownerId'>) => isStaff(caller) || placement.ownerId === caller.sub;

/** The lifecycle: which status each change leads from, and to. A change to where it already is does nothing. */
const changes = {
  pause: { from: ['ACTIVE'], to: 'PAUSED', action: 'AD_PAUSE' },
  resume: { from: ['PAUSED'], to: 'ACTIVE', action: 'AD_RESUME' },
  end: { from: ['ACTIVE', 'PAUSED'], to: 'ENDED', action: 'AD_END' },
} as const satisfies Record<string, { from: readonly AdPlacementStatus[]; to: AdPlacementStatus; action: AuditAction }>;
export type AdChange = keyof typeof changes;

export interface AdFigures {
  placementId: string;
  impressions: number;
  clicks: number;
  /** clicks / impressions; null before the first impression. */
  ctr: number | null;
  spentCents: number;
  spentTodayCents: number;
  /** What today's budget still covers (never below 0). */
  budgetLeftTodayCents: number;
  ordersAttributed: number;
}

export type AdClickResult = { placement: AdPlacementRow; outcome: 'CHARGED' | 'REPEATED' | 'BUDGET_SPENT' | 'NOT_SERVING' };

export interface AdsDeps {
  /** On the primary: the use cases' transactions and what a click or a change must read fresh. */
  store: AdStore;
  /** Reads that may lag a little (pages, figures). */
  reads: Pick<AdStore, 'byId' | 'byIds' | 'page' | 'dailyStats' | 'attributedOrders'>;
  counters: Pick<AdCounters, 'recordClick' | 'read'>;
  merchants: MerchantsApiClient;
  relay: Pick<OutboxRelay, 'kick'>;
  logger: Logger;
}

/** The snapshot products keeps (ads.events). */
const changed = (placement: AdPlacementRow, at: Date) =>
  newEvent(
    AdPlacementChanged,
    placement.id,
    {
      placementId: placement.id,
      merchantId: placement.merchantId,
      center: { lat: placement.lat, lng: placement.lng },
      radiusMeters: placement.radiusMeters,
      startsAt: placement.startsAt.toISOString(),
      endsAt: placement.endsAt.toISOString(),
      dailyBudgetCents: placement.dailyBudgetCents,
      cpcCents: placement.cpcCents,
      status: placement.status,
      version: placement.version,
      at: at.toISOString(),
    },
    at,
  );

/**
 * Sponsored placements: buying and managing them (each change audited and published to
 * products in its transaction), clicks charged against the day's budget in Redis, orders
 * attributed to clicks, and the figures.
 */
export function createAds(deps: AdsDeps) {
  const { store, reads, counters, merchants, relay } = deps;
  const log = deps.logger.child({ component: 'ads' });

  /** Products' word on the shop, outside any transaction. */
  async function shopOf(merchantId: string) {
    try {
      const { value } = await merchants.merchantStatus({ params: { merchantId } });
      return value;
    } catch (err) {
      if (!(err instanceof InternalCallError)) throw err;
      log.warn({ err, merchantId }, 'Products did not answer who owns a shop.');
      throw new ServiceUnavailableError('products', 'the shop could not be checked');
    }
  }

  async function change(actor: Identity, placementIdInput: string, kind: AdChange, reasonInput: string): Promise<AdPlacementRow> {
    // Parsed like every id that comes in (unsafe characters, over 64): BAD_USER_INPUT, as for campaigns.
    const { id: placementId, reason } = validateInput(adChangeArguments, { id: placementIdInput, reason: reasonInput }, 'arguments');
    const rule = changes[kind];
    const outcome = await store.transaction(async (tx) => {
      const placement = await tx.lock(placementId);
      if (!placement) throw new NotFoundError('AdPlacement', placementId);
      if (!canManageAd(actor, placement)) throw new ForbiddenError('Only staff or the shop owner may manage this placement.');
      if (placement.status === rule.to) return { placement, enqueued: false };
      if (!(rule.from as readonly AdPlacementStatus[]).includes(placement.status)) throw new InvalidStateTransitionError(placementId, placement.status, kind, 'AdPlacement');
      const at = new Date();
      const updated = await tx.setStatus(placement, rule.to, at);
      await tx.enqueue([
        changed(updated, at),
        auditEvent(SERVICE, actor, { action: rule.action, targetType: 'AD_PLACEMENT', targetId: placementId, reason, before: placement.status, after: updated.status, details: { merchantId: placement.merchantId } }, at),
      ]);
      return { placement: updated, enqueued: true };
    });
    if (outcome.enqueued) relay.kick();
    return outcome.placement;
  }

  const api = {
    /** MERCHANT owning the shop, or staff on its behalf: a new ACTIVE placement, audited AD_BUY and published. */
    async buy(actor: Identity, input: unknown): Promise<AdPlacementRow> {
      const wanted = validateInput(buyAdPlacementInput, input, 'input');
      const shop = await shopOf(wanted.merchantId);
      if (!shop.exists || shop.ownerId === null) throw new NotFoundError('Merchant', wanted.merchantId);
      if (!isStaff(actor) && shop.ownerId !== actor.sub) throw new ForbiddenError('A merchant buys placements for its own shops only.');
      if (shop.suspended) throw new MerchantSuspendedError(wanted.merchantId);
      const at = new Date();
      const placement: AdPlacementRow = {
        id: newId(),
        merchantId: wanted.merchantId,
        ownerId: shop.ownerId,
        lat: wanted.center.lat,
        lng: wanted.center.lng,
        radiusMeters: wanted.radiusMeters,
        startsAt: wanted.startsAt,
        endsAt: wanted.endsAt,
        dailyBudgetCents: wanted.dailyBudgetCents,
        cpcCents: wanted.cpcCents,
        status: 'ACTIVE',
        version: 1,
        createdBy: actor.sub,
        createdAt: at,
        updatedAt: at,
      };
      await store.transaction(async (tx) => {
        await tx.insert(placement);
        await tx.enqueue([
          changed(placement, at),
          auditEvent(
            SERVICE,
            actor,
            {
              action: 'AD_BUY',
              targetType: 'AD_PLACEMENT',
              targetId: placement.id,
              reason: null,
              before: null,
              after: 'ACTIVE',
              details: { merchantId: placement.merchantId, radiusMeters: placement.radiusMeters, dailyBudgetCents: placement.dailyBudgetCents, cpcCents: placement.cpcCents },
            },
            at,
          ),
        ]);
      });
      relay.kick();
      return placement;
    },

    pause: (actor: Identity, placementId: string, reason: string) => change(actor, placementId, 'pause', reason),
    resume: (actor: Identity, placementId: string, reason: string) => change(actor, placementId, 'resume', reason),
    end: (actor: Identity, placementId: string, reason: string) => change(actor, placementId, 'end', reason),

    /**
     * A placement the caller may see (staff: any; a merchant: its own); null otherwise. A
     * merchant reads back its own placement, bought or paused a moment ago: on the primary.
     */
    async visible(caller: Identity, placementId: string): Promise<AdPlacementRow | null> {
      const placement = await (isStaff(caller) ? reads : store).byId(placementId);
      return placement && canManageAd(caller, placement) ? placement : null;
    },

    /** Newest first; a merchant sees its own only, on the primary (it has just bought one); staff's search may lag a little. */
    page(caller: Identity, filterInput: unknown, after: Keyset | null, limit: number): Promise<AdPlacementRow[]> {
      const filter = validateInput(adFilter, filterInput ?? {}, 'filter');
      const staff = isStaff(caller);
      const wanted: AdPlacementFilter = { merchantId: filter.merchantId ?? undefined, status: filter.status ?? undefined, ownerId: staff ? undefined : caller.sub };
      return (staff ? reads : store).page(wanted, after, limit);
    },

    /**
     * A customer opened the shop from the ad. Charged (cpc) only while the placement is
     * serving (ACTIVE, in its window), once per customer and day, and while the day's spend
     * plus this click stays within the budget (atomic in Redis); a charged click is kept for
     * the attribution of the customer's orders.
     */
    async click(customer: Identity, placementId: string, at = new Date()): Promise<AdClickResult> {
      const id = validateInput(entityId, placementId, 'placementId');
      const placement = await store.byId(id);
      if (!placement) throw new NotFoundError('AdPlacement', id);
      const serving = placement.status === 'ACTIVE' && placement.startsAt.getTime() <= at.getTime() && at.getTime() < placement.endsAt.getTime();
      if (!serving) return { placement, outcome: 'NOT_SERVING' };
      const settled = await store.settledSpentCents(placement.id, adDay(at));
      const outcome = await counters.recordClick({ placementId: placement.id, dailyBudgetCents: placement.dailyBudgetCents, cpcCents: placement.cpcCents }, customer.sub, at, settled);
      // One row per charged click (its id derived from placement, customer and day): written
      // again on a repeat, so a click charged in Redis whose row was lost (MySQL failed after
      // the charge) is kept for attribution on the customer's next try.
      const click = { id: derivedId('ad-click', placement.id, customer.sub, adDay(at)), placementId: placement.id, merchantId: placement.merchantId, customerId: customer.sub, clickedAt: at };
      if (outcome.charged || outcome.reason === 'REPEATED') await store.recordClick(click);
      if (!outcome.charged) return { placement, outcome: outcome.reason };
      return { placement, outcome: 'CHARGED' };
    },

    /**
     * Attributes each newly placed order among `changes` to its customer's latest click on the
     * shop's ads within 24 h before it: the clicks of the whole batch are read at once. Returns
     * how many orders were attributed now (none for an order without a click, or done before).
     */
    async attributeAll(changes: readonly OrderStatusChangedData[]): Promise<number> {
      const placed = changes.filter((change) => change.from === null).map((change) => ({ change, at: new Date(change.at) }));
      if (placed.length === 0) return 0;
      const times = placed.map(({ at }) => at.getTime());
      const clicks = await store.clicksOf(
        placed.map(({ change }) => change),
        new Date(Math.min(...times) - ATTRIBUTION_WINDOW_MS),
        new Date(Math.max(...times)),
      );
      let attributed = 0;
      for (const { change, at } of placed) {
        const from = at.getTime() - ATTRIBUTION_WINDOW_MS;
        // Newest first: the first inside this order's window is its latest click.
        const click = clicks.find((each) => each.customerId === change.customerId && each.merchantId === change.merchantId && each.clickedAt.getTime() >= from && each.clickedAt.getTime() <= at.getTime());
        if (click && (await store.attribute({ orderId: change.orderId, placementId: click.placementId, clickId: click.id, placedAt: at }))) attributed += 1;
      }
      return attributed;
    },

    /**
     * Copies today's and yesterday's counters of every placement that ran in those days from
     * Redis into ad_daily_stats, in pages of SETTLE_PAGE placements. Idempotent (the larger
     * value of each counter is kept) and safe on every replica at once. Returns the days written.
     */
    async settle(at = new Date()): Promise<number> {
      const yesterday = new Date(at.getTime() - DAY_MS);
      const days = [adDay(yesterday), adDay(at)];
      const from = new Date(`${days[0]}T00:00:00.000Z`);
      let afterId: string | null = null;
      let written = 0;
      for (;;) {
        const page = await store.runningBetween(from, at, afterId, SETTLE_PAGE);
        if (page.length === 0) break;
        const entries = page.flatMap((placement) => days.map((day) => ({ placementId: placement.id, day })));
        const values = await counters.read(entries);
        const rows = entries.map((entry, n) => ({ ...entry, ...values[n]! })).filter((row) => row.impressions > 0 || row.clicks > 0 || row.spentCents > 0);
        await store.settle(rows, at);
        written += rows.length;
        afterId = page[page.length - 1]!.id;
        if (page.length < SETTLE_PAGE) break;
      }
      return written;
    },

    /** The figures of the placements with these ids (those that exist). */
    async figuresByIds(ids: readonly string[]): Promise<AdFigures[]> {
      return api.figures(await reads.byIds(ids));
    },

    /**
     * The figures of each placement: MySQL's settled days, with today and yesterday read live
     * from Redis (the larger of the two per counter, as settlement keeps), and its orders.
     */
    async figures(placements: readonly AdPlacementRow[], at = new Date()): Promise<AdFigures[]> {
      const ids = placements.map((placement) => placement.id);
      const today = adDay(at);
      const liveDays = [today, adDay(new Date(at.getTime() - DAY_MS))];
      const [settled, orders, live] = await Promise.all([
        reads.dailyStats(ids),
        reads.attributedOrders(ids),
        counters.read(ids.flatMap((placementId) => liveDays.map((day) => ({ placementId, day })))),
      ]);
      return placements.map((placement, n) => {
        const days = new Map<string, AdDayCounters>();
        for (const row of settled) if (row.placementId === placement.id) days.set(row.day, row);
        liveDays.forEach((day, k) => {
          const fresh = live[n * liveDays.length + k]!;
          const kept = days.get(day);
          days.set(day, kept ? { impressions: Math.max(kept.impressions, fresh.impressions), clicks: Math.max(kept.clicks, fresh.clicks), spentCents: Math.max(kept.spentCents, fresh.spentCents) } : fresh);
        });
        const total = [...days.values()].reduce((sum, day) => ({ impressions: sum.impressions + day.impressions, clicks: sum.clicks + day.clicks, spentCents: sum.spentCents + day.spentCents }), { impressions: 0, clicks: 0, spentCents: 0 });
        const spentTodayCents = days.get(today)?.spentCents ?? 0;
        return {
          placementId: placement.id,
          ...total,
          ctr: total.impressions === 0 ? null : total.clicks / total.impressions,
          spentTodayCents,
          budgetLeftTodayCents: Math.max(0, placement.dailyBudgetCents - spentTodayCents),
          ordersAttributed: orders.get(placement.id) ?? 0,
        };
      });
    },
  };
  return api;
}
export type Ads = ReturnType<typeof createAds>;
