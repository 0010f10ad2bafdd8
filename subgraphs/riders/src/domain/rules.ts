import { geoPointInput, optionalText, riderStatuses, text, z, type OrderStatusChangedData } from '@waimai/platform';
import type { RiderSearch } from '../db/rider-store';

export const registerRiderInput = z.object({
  name: text(50),
  phone: z
    .string()
    .trim()
    .regex(/^\+?\d{5,20}$/, 'must be 5 to 20 digits, optionally after a leading +'),
  vehicle: optionalText(30),
});
export type RegisterRiderInput = z.infer<typeof registerRiderInput>;

/** How far each dispatch round searches (riders' config, DISPATCH_*). */
export interface DispatchPolicy {
  DISPATCH_FIRST_RADIUS_METERS: number;
  DISPATCH_RADIUS_GROWTH: number;
}

/** Round 1 searches the first radius; each later round multiplies it by the growth factor. */
export function radiusForRound(round: number, policy: DispatchPolicy): number {
  return Math.round(policy.DISPATCH_FIRST_RADIUS_METERS * policy.DISPATCH_RADIUS_GROWTH ** (round - 1));
}

/**
 * The radius of the `attempt`-th retry of round `round` after it reached nobody: as wide as
 * the round `attempt` later would search, never wider than the last round (DISPATCH_MAX_ROUNDS)
 * and never narrower than the round searched already. An empty round widens like a round
 * would, because nobody in the radius now is the same news as nobody grabbing it there:
 * a shop in a sparse area is served by farther riders rather than waiting to be flagged;
 * but it does not use up a round, so the riders it reaches get the full rounds after it.
 */
export function emptyRetryRadius(round: number, attempt: number, searchedMeters: number, policy: DispatchPolicy & { DISPATCH_MAX_ROUNDS: number }): number {
  const widestRound = Math.max(round, policy.DISPATCH_MAX_ROUNDS);
  return Math.max(searchedMeters, radiusForRound(Math.min(round + attempt, widestRound), policy));
}

/** What the dispatcher does about one order event. */
export type DispatchReaction =
  | { kind: 'dispatch'; round: number }
  | { kind: 'rider-grabbed'; riderId: string }
  | { kind: 'rider-released'; riderId: string }
  | { kind: 'rider-cancelled'; riderId: string }
  | { kind: 'withdraw-offers' }
  | { kind: 'ignore' };

const orderOver = new Set(['RECEIVED', 'CLOSED', 'CANCELLED']);

/**
 * The dispatcher's reading of orders.events:
 * - CREATED after payment, or after a round timed out while rounds remain → the next round;
 *   when orders flags needsAttention (the last round is done) operations take over;
 * - DELIVERING (from another status) → its rider is busy and the other offers are withdrawn;
 * - RECEIVED, CLOSED, CANCELLED → its rider may be free again; open offers are withdrawn;
 *   cancelled while a rider delivered it (staff cancel) → that rider is also told it was taken away.
 */
export function reactionTo(change: OrderStatusChangedData): DispatchReaction {
  if (change.to === 'CREATED' && (change.step === 'pay' || change.step === 'offerTimeout')) {
    return change.needsAttention ? { kind: 'ignore' } : { kind: 'dispatch', round: change.dispatchRound + 1 };
  }
  if (change.to === 'DELIVERING' && change.from !== 'DELIVERING' && change.riderId) {
    return { kind: 'rider-grabbed', riderId: change.riderId };
  }
  if (change.to === 'CANCELLED' && (change.from === 'DELIVERING' || change.from === 'OVERTIME') && change.riderId) {
    return { kind: 'rider-cancelled', riderId: change.riderId };
  }
  if (orderOver.has(change.to)) {
    return change.riderId ? { kind: 'rider-released', riderId: change.riderId } : { kind: 'withdraw-offers' };
  }
  return { kind: 'ignore' };
}

/** Why staff suspend or reinstate a rider: required, audited. */
export const interventionReason = text(500);

// 50 km: a city; a wider search is a different question than "riders near this point".
const MAX_SEARCH_RADIUS_METERS = 50_000;

/** searchRiders' filter, checked before anything is read; every problem is reported at once. */
export const riderSearchFilter = z
  .object({
    statuses: z.array(z.enum(riderStatuses)).min(1, 'must name at least one status').nullish(),
    suspended: z.boolean().nullish(),
    lastSeenFrom: z.date().nullish(),
    lastSeenTo: z.date().nullish(),
    near: geoPointInput.nullish(),
    radiusMeters: z.number().int().min(1, `must be within 1..${MAX_SEARCH_RADIUS_METERS}`).max(MAX_SEARCH_RADIUS_METERS, `must be within 1..${MAX_SEARCH_RADIUS_METERS}`).nullish(),
  })
  .superRefine((filter, ctx) => {
    if (filter.lastSeenFrom && filter.lastSeenTo && filter.lastSeenTo <= filter.lastSeenFrom) {
      ctx.addIssue({ code: 'custom', path: ['lastSeenTo'], message: 'must be after lastSeenFrom' });
    }
    if (filter.near && filter.radiusMeters == null) ctx.addIssue({ code: 'custom', path: ['radiusMeters'], message: 'is required with near' });
    if (!filter.near && filter.radiusMeters != null) ctx.addIssue({ code: 'custom', path: ['near'], message: 'is required with radiusMeters' });
  })
  .transform(
    (filter): RiderSearch => ({
      statuses: filter.statuses ?? undefined,
      suspended: filter.suspended ?? undefined,
      lastSeenFrom: filter.lastSeenFrom ?? undefined,
      lastSeenTo: filter.lastSeenTo ?? undefined,
      near: filter.near && filter.radiusMeters ? { center: filter.near, radiusMeters: filter.radiusMeters } : undefined,
    }),
  );
