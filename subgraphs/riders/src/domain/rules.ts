import { optionalText, text, z, type OrderStatusChangedData } from '@waimai/platform';

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
  | { kind: 'withdraw-offers' }
  | { kind: 'ignore' };

const orderOver = new Set(['RECEIVED', 'CLOSED', 'CANCELLED']);

/**
 * The dispatcher's reading of orders.events:
 * - CREATED after payment, or after a round timed out while rounds remain → the next round;
 *   when orders flags needsAttention (the last round is done) operations take over;
 * - DELIVERING (from another status) → its rider is busy and the other offers are withdrawn;
 * - RECEIVED, CLOSED, CANCELLED → its rider may be free again; open offers are withdrawn.
 */
export function reactionTo(change: OrderStatusChangedData): DispatchReaction {
  if (change.to === 'CREATED' && (change.step === 'pay' || change.step === 'offerTimeout')) {
    return change.needsAttention ? { kind: 'ignore' } : { kind: 'dispatch', round: change.dispatchRound + 1 };
  }
  if (change.to === 'DELIVERING' && change.from !== 'DELIVERING' && change.riderId) {
    return { kind: 'rider-grabbed', riderId: change.riderId };
  }
  if (orderOver.has(change.to)) {
    return change.riderId ? { kind: 'rider-released', riderId: change.riderId } : { kind: 'withdraw-offers' };
  }
  return { kind: 'ignore' };
}
