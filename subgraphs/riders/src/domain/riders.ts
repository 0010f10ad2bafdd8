import { auditEvent, InvalidStateTransitionError, NotFoundError, type GeoPoint, type Identity, type Keyset, type OutboxRelay } from '@waimai/platform';
import type { RiderSearch, RiderStore } from '../db/rider-store';
import type { DispatchStore } from '../db/dispatch-store';
import type { LocationIndex, RecordOutcome, TimedPoint } from '../db/location-index';
import type { RiderRow, RiderStatus } from '../db/schema';
import type { RegisterRiderInput } from './rules';
import { indexedStatusOf, riderUpdatedEvent } from './rider-events';

export interface RiderServiceDeps {
  store: RiderStore;
  dispatch: DispatchStore;
  index: LocationIndex;
  relay: Pick<OutboxRelay, 'kick'>;
}

/** What a location report recorded: how many points, and the rider's newest recorded time after it. */
export interface LocationReport {
  accepted: number;
  latestRecordedAt: Date;
}

/** How a suspension shows in the audit log's before/after. */
const standing = (suspended: boolean) => (suspended ? 'SUSPENDED' : 'ACTIVE');

/**
 * The rider's own use cases and staff's interventions on riders. MySQL holds the status and the
 * suspension; each change commits with its RiderUpdated (and, for staff, its AuditRecorded) in
 * the outbox, then is mirrored into the Redis status cache, so location reports can keep the
 * idle set without a query. A failed mirror fails the call: the caller retries, the change
 * finds itself done, the mirror runs again.
 */
export function createRiderService({ store, dispatch, index, relay }: RiderServiceDeps) {
  const mirror = (rider: RiderRow) => index.setStatus(rider.id, indexedStatusOf(rider), rider.statusVersion);

  /**
   * Runs a location script; when the status cache has no entry for the rider (it wrote
   * nothing then), fills it from MySQL once and runs it again. NOT_FOUND for a caller who
   * never registered.
   */
  async function recordWithStatus(riderId: string, script: () => Promise<RecordOutcome>): Promise<LocationReport> {
    let result = await script();
    if (result.outcome === 'status-unknown') {
      const rider = await store.byId(riderId);
      if (!rider) throw new NotFoundError('Rider', riderId);
      await mirror(rider);
      result = await script();
    }
    // The cache entry was just written with a 300 s TTL: only a Redis that lost it again in between gets here.
    if (result.outcome === 'status-unknown') throw new Error(`The status of rider ${riderId} is not cached after filling it.`);
    return { accepted: result.accepted, latestRecordedAt: result.latestRecordedAt };
  }

  /** The rider's own step from `from` to `to`, with RiderUpdated when it changed something. */
  async function changeOwnStatus(riderId: string, from: RiderStatus[], to: RiderStatus): Promise<RiderRow> {
    const outcome = await store.inTransaction(async (tx) => {
      const changed = await store.changeStatus(tx, riderId, from, to);
      if (changed?.changed) await store.enqueue(tx, [riderUpdatedEvent(changed.rider, 'STATUS')]);
      return changed;
    });
    if (!outcome) throw new NotFoundError('Rider', riderId);
    if (outcome.changed) relay.kick();
    return outcome.rider;
  }

  /**
   * Staff set the rider's suspension: one transaction reads the rider locked, and when the
   * suspension is not yet what was asked writes it, withdraws the rider's live offers (on a
   * suspension), and enqueues RiderUpdated and the audit entry. Asked again, nothing is written.
   */
  async function setSuspension(actor: Identity, riderId: string, suspend: boolean, reason: string): Promise<RiderRow> {
    const outcome = await store.inTransaction(async (tx) => {
      const before = await store.lockById(tx, riderId);
      if (!before) return undefined;
      if (before.suspended === suspend) return { rider: before, changed: false };
      const now = new Date();
      await store.setSuspension(tx, riderId, suspend, suspend ? reason : null);
      const withdrawn = suspend ? await dispatch.withdrawOffersOfRider(tx, riderId, now) : 0;
      const rider = (await store.byId(riderId, tx))!;
      await store.enqueue(tx, [
        riderUpdatedEvent(rider, suspend ? 'SUSPENDED' : 'REINSTATED', now),
        auditEvent(
          'riders',
          actor,
          {
            action: suspend ? 'RIDER_SUSPEND' : 'RIDER_REINSTATE',
            targetType: 'RIDER',
            targetId: riderId,
            reason,
            before: standing(before.suspended),
            after: standing(rider.suspended),
            details: { status: rider.status, offersWithdrawn: withdrawn },
          },
          now,
        ),
      ]);
      return { rider, changed: true };
    });
    if (!outcome) throw new NotFoundError('Rider', riderId);
    if (outcome.changed) relay.kick();
    await mirror(outcome.rider);
    return outcome.rider;
  }

  return {
    /** Registers the caller; a second call returns the rider already registered. */
    async register(riderId: string, input: RegisterRiderInput): Promise<RiderRow> {
      const rider = await store.register({ id: riderId, ...input });
      await mirror(rider);
      return rider;
    },

    /** OFFLINE → IDLE. An IDLE or DELIVERING rider stays as they are. */
    async goOnline(riderId: string): Promise<RiderRow> {
      const rider = await changeOwnStatus(riderId, ['OFFLINE'], 'IDLE');
      await mirror(rider);
      return rider;
    },

    /** IDLE → OFFLINE, out of the idle set at once; refused while DELIVERING. */
    async goOffline(riderId: string): Promise<RiderRow> {
      const rider = await changeOwnStatus(riderId, ['IDLE'], 'OFFLINE');
      if (rider.status === 'DELIVERING') throw new InvalidStateTransitionError(riderId, rider.status, 'goOffline', 'Rider');
      await mirror(rider);
      return rider;
    },

    /** Staff: no offers, no grabs until reinstated; the rider's live offers are withdrawn. Idempotent. */
    suspend: (actor: Identity, riderId: string, reason: string) => setSuspension(actor, riderId, true, reason),

    /** Staff: the suspension is lifted. Idempotent. */
    reinstate: (actor: Identity, riderId: string, reason: string) => setSuspension(actor, riderId, false, reason),

    /** Staff: a page of riders matching `filter`, newest registered first (`limit` rows: the page and one more). */
    search: (filter: RiderSearch, after: Keyset | null, limit: number) => store.search(filter, after, limit),

    /**
     * The hot path: one Redis script. Only when the status cache has no entry for the rider
     * (first report, or after its TTL) is MySQL read, once, to fill it. False when the rider
     * already has a newer point (a batch from a phone clock running ahead).
     */
    async reportLocation(riderId: string, point: GeoPoint, now = new Date()): Promise<boolean> {
      const recorded = await recordWithStatus(riderId, () => index.record(riderId, [{ ...point, at: now }], { now, tieIsNewer: true }));
      return recorded.accepted > 0;
    },

    /**
     * A batch the rider app buffered (validated: oldest first, strictly increasing times): the
     * points newer than the rider's newest go into their trail, the newest becomes their
     * position, as reportLocation's would; one Redis script, as reportLocation.
     */
    reportLocations: (riderId: string, points: readonly TimedPoint[], now = new Date()): Promise<LocationReport> =>
      recordWithStatus(riderId, () => index.record(riderId, points, { now })),

    /** Staff: the rider's most recent `last` points, oldest first. */
    trail: (riderId: string, last: number) => index.trail(riderId, last),

    /** Re-reads the rider's status from MySQL into the cache (after the dispatcher changed it). */
    async mirrorStatusOf(riderId: string): Promise<void> {
      const rider = await store.byId(riderId);
      if (rider) await mirror(rider);
    },
  };
}
export type RiderService = ReturnType<typeof createRiderService>;
