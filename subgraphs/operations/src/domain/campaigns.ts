import {
  auditEvent,
  BadUserInputError,
  campaignKinds,
  entityId,
  ForbiddenError,
  fundingSources,
  geoPointInput,
  hasRole,
  InternalCallError,
  InvalidStateTransitionError,
  isStaff,
  MerchantSuspendedError,
  newId,
  NotFoundError,
  ServiceUnavailableError,
  text,
  z,
  type AuditAction,
  type Caller,
  type Identity,
  type Keyset,
  type MerchantsApiClient,
  type OutboxRelay,
} from '@waimai/platform';
import type { CampaignListFilter, CampaignStore, CampaignUsage } from '../db/campaign-store';
import type { CampaignRow, CampaignStatus, CouponRow } from '../db/schema';

const SERVICE = 'operations';

/** The most a campaign may give in all: 10,000,000 CNY (int column, far below 2^31 cents). */
export const MAX_BUDGET_CENTS = 1_000_000_000;
const cents = z.number().int().min(1).max(MAX_BUDGET_CENTS);
const ids = z.array(entityId).min(1).max(100);

/** Why staff or a merchant pause, resume or end a campaign: 1..500 characters once trimmed. */
export const changeReason = text(500);

/** createCampaign's input, parsed; the rules each kind's parameters follow are below. */
export const createCampaignInput = z
  .object({
    kind: z.enum(campaignKinds),
    title: text(100),
    fundedBy: z.enum(fundingSources),
    merchantId: entityId.nullish(),
    merchantIds: ids.nullish(),
    area: z.object({ center: geoPointInput, radiusMeters: z.number().int().min(100).max(100_000) }).nullish(),
    startsAt: z.date(),
    endsAt: z.date(),
    budgetCents: cents,
    perCustomerLimit: z.number().int().min(1).max(1000).nullish(),
    stacksWith: z.array(z.enum(campaignKinds)).max(campaignKinds.length).nullish(),
    thresholdCents: z.number().int().min(0).max(MAX_BUDGET_CENTS).nullish(),
    offCents: cents.nullish(),
    percent: z.number().int().min(1).max(100).nullish(),
    capCents: cents.nullish(),
    productIds: ids.nullish(),
  })
  .superRefine((input, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (input.endsAt.getTime() <= input.startsAt.getTime()) problem('endsAt', 'must be after startsAt');
    if (input.fundedBy === 'MERCHANT' && !input.merchantId) problem('merchantId', 'is required for a MERCHANT-funded campaign');
    if (input.fundedBy === 'PLATFORM' && input.merchantId) problem('merchantId', 'is only for a MERCHANT-funded campaign');
    if (input.fundedBy === 'MERCHANT' && input.merchantIds && (input.merchantIds.length !== 1 || input.merchantIds[0] !== input.merchantId)) {
      problem('merchantIds', "a merchant's campaign applies to its own shop only");
    }
    if (input.fundedBy === 'PLATFORM' && !input.merchantIds && !input.area) problem('area', 'a platform campaign needs an area or a list of merchants');
    if (input.stacksWith?.includes(input.kind)) problem('stacksWith', 'a kind never stacks with itself');
    if (input.stacksWith && new Set(input.stacksWith).size !== input.stacksWith.length) problem('stacksWith', 'must not repeat a kind');
    const fixed = input.kind !== 'PERCENT_OFF';
    if (fixed && !input.offCents) problem('offCents', `is required for ${input.kind}`);
    if (fixed && (input.percent || input.capCents || input.productIds)) problem('percent', `percent, capCents and productIds are only for PERCENT_OFF`);
    if (!fixed && !input.percent) problem('percent', 'is required for PERCENT_OFF');
    if (!fixed && input.offCents) problem('offCents', 'is not for PERCENT_OFF (use percent and capCents)');
    if (input.kind === 'SPEND_AND_SAVE' && !input.thresholdCents) problem('thresholdCents', 'is required for SPEND_AND_SAVE');
    if (input.kind === 'SPEND_AND_SAVE' && input.offCents && input.thresholdCents && input.offCents > input.thresholdCents) problem('offCents', 'must not exceed thresholdCents');
    if (input.offCents && input.offCents > input.budgetCents) problem('offCents', 'must not exceed budgetCents');
    // One first order per customer: a limit above 1 would mean nothing.
    if (input.kind === 'FIRST_ORDER' && input.perCustomerLimit && input.perCustomerLimit !== 1) problem('perCustomerLimit', 'must be 1 for FIRST_ORDER');
  });
export type CreateCampaignInput = z.output<typeof createCampaignInput>;

/** issueCoupon's arguments, parsed. */
export const issueCouponArguments = z.object({ campaignId: entityId, customerId: z.string().trim().min(1).max(128), expiresAt: z.date() });

/** Which campaigns to list (a MERCHANT's list is always its own). */
export const campaignListFilter = z.object({
  statuses: z.array(z.enum(['ACTIVE', 'PAUSED', 'ENDED'] as const)).min(1).nullish(),
  kinds: z.array(z.enum(campaignKinds)).min(1).nullish(),
  fundedBy: z.enum(fundingSources).nullish(),
  merchantId: entityId.nullish(),
});

/** A campaign's figures: what it gave, to how many orders, and what is left of its budget. */
export interface CampaignFiguresModel extends CampaignUsage {
  budgetCents: number;
  spentCents: number;
  reservedCents: number;
  leftCents: number;
}

/** Staff manage every campaign; a merchant the ones it pays for. */
export function canManage(caller: Caller, campaign: Pick<CampaignRow, 'ownerId'>): boolean {
  return isStaff(caller) || (caller !== null && hasRole(caller, 'MERCHANT') && campaign.ownerId !== null && campaign.ownerId === caller.sub);
}

/** The status a change moves a campaign to, from where it may start; ENDED is for good. */
const changes = {
  pause: { action: 'CAMPAIGN_PAUSE', from: ['ACTIVE'], to: 'PAUSED' },
  resume: { action: 'CAMPAIGN_RESUME', from: ['PAUSED'], to: 'ACTIVE' },
  end: { action: 'CAMPAIGN_END', from: ['ACTIVE', 'PAUSED'], to: 'ENDED' },
} as const satisfies Record<string, { action: AuditAction; from: readonly CampaignStatus[]; to: CampaignStatus }>;
export type CampaignChange = keyof typeof changes;

export interface CampaignsDeps {
  store: CampaignStore;
  /** Asked who owns a shop before a campaign is created for it (outside any transaction). */
  merchants: Pick<MerchantsApiClient, 'merchantStatus'>;
  /** Kicked after a commit that enqueued events, so they leave at once. */
  relay: Pick<OutboxRelay, 'kick'>;
}

/**
 * The campaign use cases: create, pause, resume, end, issue coupons, and read them back with
 * their figures. Every change is audited: AuditRecorded goes to the outbox in the change's
 * own transaction. Callers have parsed the input and checked the role.
 */
export function createCampaigns({ store, merchants, relay }: CampaignsDeps) {
  /** The shop's owner, as products knows it now; NOT_FOUND, MERCHANT_SUSPENDED or SERVICE_UNAVAILABLE otherwise. */
  async function ownerOf(merchantId: string): Promise<string> {
    let answer;
    try {
      answer = (await merchants.merchantStatus({ params: { merchantId } })).value;
    } catch (err) {
      if (err instanceof InternalCallError) throw new ServiceUnavailableError('products', 'the campaign could not be checked against its merchant');
      throw err;
    }
    if (!answer.exists || answer.ownerId === null) throw new NotFoundError('Merchant', merchantId);
    if (answer.suspended) throw new MerchantSuspendedError(merchantId);
    return answer.ownerId;
  }

  /** The campaign `actor` may manage; NOT_FOUND when there is none, FORBIDDEN when it is someone else's. */
  async function managed(actor: Identity, campaignId: string): Promise<CampaignRow> {
    const campaign = await store.byId(campaignId);
    if (!campaign) throw new NotFoundError('Campaign', campaignId);
    if (!canManage(actor, campaign)) throw new ForbiddenError(`Campaign ${campaignId} is not yours to manage.`);
    return campaign;
  }

  return {
    /** A new ACTIVE campaign (running from its start); a merchant may create only its own shop's, funded by itself. */
    async create(actor: Identity, input: CreateCampaignInput, at = new Date()): Promise<CampaignRow> {
      if (!isStaff(actor) && input.fundedBy !== 'MERCHANT') throw new ForbiddenError('A merchant creates only campaigns it pays for (fundedBy MERCHANT).');
      const ownerId = input.merchantId ? await ownerOf(input.merchantId) : null;
      if (!isStaff(actor) && ownerId !== actor.sub) throw new ForbiddenError(`You do not own merchant ${input.merchantId}.`);
      const campaign: CampaignRow = {
        id: newId(),
        kind: input.kind,
        title: input.title,
        fundedBy: input.fundedBy,
        merchantId: input.merchantId ?? null,
        ownerId,
        merchantIds: JSON.stringify(input.merchantId ? [input.merchantId] : [...new Set(input.merchantIds ?? [])]),
        areaLat: input.area?.center.lat ?? null,
        areaLng: input.area?.center.lng ?? null,
        areaRadiusMeters: input.area?.radiusMeters ?? null,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        status: 'ACTIVE',
        budgetCents: input.budgetCents,
        reservedCents: 0,
        spentCents: 0,
        perCustomerLimit: input.kind === 'FIRST_ORDER' ? 1 : (input.perCustomerLimit ?? null),
        stacksWith: JSON.stringify(input.stacksWith ?? []),
        thresholdCents: input.thresholdCents ?? null,
        offCents: input.offCents ?? null,
        percent: input.percent ?? null,
        capCents: input.capCents ?? null,
        productIds: input.productIds ? JSON.stringify([...new Set(input.productIds)]) : null,
        createdBy: actor.sub,
        createdAt: at,
        updatedAt: at,
      };
      await store.transaction(async (tx) => {
        await tx.insertCampaign(campaign);
        await tx.enqueue([
          auditEvent(SERVICE, actor, {
            action: 'CAMPAIGN_CREATE',
            targetType: 'CAMPAIGN',
            targetId: campaign.id,
            reason: null,
            before: null,
            after: campaign.status,
            details: { kind: campaign.kind, fundedBy: campaign.fundedBy, merchantId: campaign.merchantId, budgetCents: campaign.budgetCents },
          }, at),
        ]);
      });
      relay.kick();
      return campaign;
    },

    /**
     * Pauses, resumes or ends a campaign, audited with the reason. Idempotent: a campaign
     * already where the change leads is returned as it is, nothing written; a change from
     * anywhere else (anything but end from ENDED) is INVALID_STATE_TRANSITION.
     */
    async change(actor: Identity, campaignId: string, change: CampaignChange, reason: string, at = new Date()): Promise<CampaignRow> {
      await managed(actor, campaignId);
      const rule = changes[change];
      const changed = await store.transaction(async (tx) => {
        const campaign = (await tx.lockCampaign(campaignId)) as CampaignRow;
        if (campaign.status === rule.to) return { campaign, changed: false };
        if (!(rule.from as readonly CampaignStatus[]).includes(campaign.status)) throw new InvalidStateTransitionError(campaignId, campaign.status, change, 'Campaign');
        await tx.setStatus(campaignId, rule.to, at);
        await tx.enqueue([auditEvent(SERVICE, actor, { action: rule.action, targetType: 'CAMPAIGN', targetId: campaignId, reason, before: campaign.status, after: rule.to }, at)]);
        return { campaign: { ...campaign, status: rule.to, updatedAt: at }, changed: true };
      });
      if (changed.changed) relay.kick();
      return changed.campaign;
    },

    /** A single-use coupon of a COUPON campaign for one customer, valid until `expiresAt` (in the future, within the campaign). */
    async issueCoupon(actor: Identity, input: z.output<typeof issueCouponArguments>, at = new Date()): Promise<CouponRow> {
      if (input.expiresAt.getTime() <= at.getTime()) throw new BadUserInputError('A coupon must expire in the future.', [{ field: 'expiresAt', message: 'must be in the future' }]);
      const campaign = await managed(actor, input.campaignId);
      if (campaign.kind !== 'COUPON') throw new BadUserInputError(`Campaign ${campaign.id} is ${campaign.kind}; coupons belong to COUPON campaigns.`, [{ field: 'campaignId', message: 'must be a COUPON campaign' }]);
      if (campaign.status === 'ENDED') throw new InvalidStateTransitionError(campaign.id, campaign.status, 'issueCoupon', 'Campaign');
      const coupon: CouponRow = {
        id: newId(),
        campaignId: campaign.id,
        customerId: input.customerId,
        expiresAt: input.expiresAt,
        orderId: null,
        usedAt: null,
        issuedBy: actor.sub,
        issuedAt: at,
      };
      await store.transaction(async (tx) => {
        await tx.insertCoupon(coupon);
        await tx.enqueue([
          auditEvent(SERVICE, actor, {
            action: 'COUPON_ISSUE',
            targetType: 'COUPON',
            targetId: coupon.id,
            reason: null,
            before: null,
            after: null,
            details: { campaignId: campaign.id, customerId: coupon.customerId, expiresAt: coupon.expiresAt.toISOString() },
          }, at),
        ]);
      });
      relay.kick();
      return coupon;
    },

    /** The campaign when `caller` may see it (staff, or the merchant paying for it); null otherwise. */
    async visible(caller: Caller, campaignId: string): Promise<CampaignRow | null> {
      const campaign = await store.byId(campaignId);
      return campaign && canManage(caller, campaign) ? campaign : null;
    },

    /** A newest-first page of campaigns: all for staff, a merchant's own for a MERCHANT. */
    page(caller: Identity, filter: z.output<typeof campaignListFilter>, after: Keyset | null, limit: number): Promise<CampaignRow[]> {
      const list: CampaignListFilter = {
        ...(isStaff(caller) ? {} : { ownerId: caller.sub }),
        ...(filter.statuses ? { statuses: filter.statuses } : {}),
        ...(filter.kinds ? { kinds: filter.kinds } : {}),
        ...(filter.fundedBy ? { fundedBy: filter.fundedBy } : {}),
        ...(filter.merchantId ? { merchantId: filter.merchantId } : {}),
      };
      return store.page(list, after, limit);
    },

    /** The customer's coupons, newest first. */
    couponsOf: (customerId: string, after: Keyset | null, limit: number): Promise<CouponRow[]> => store.couponsOf(customerId, after, limit),

    campaignsByIds: (campaignIds: readonly string[]) => store.byIds(campaignIds),

    async figures(campaign: CampaignRow): Promise<CampaignFiguresModel> {
      const usage = await store.usageOf(campaign.id);
      return {
        ...usage,
        budgetCents: campaign.budgetCents,
        spentCents: campaign.spentCents,
        reservedCents: campaign.reservedCents,
        leftCents: campaign.budgetCents - campaign.spentCents - campaign.reservedCents,
      };
    },
  };
}
export type Campaigns = ReturnType<typeof createCampaigns>;
