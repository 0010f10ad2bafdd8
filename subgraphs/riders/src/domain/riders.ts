import { InvalidStateTransitionError, NotFoundError, type GeoPoint } from '@waimai/platform';
import type { RiderStore } from '../db/rider-store';
import type { LocationIndex } from '../db/location-index';
import type { RiderRow } from '../db/schema';
import type { RegisterRiderInput } from './rules';

/**
 * The rider's own use cases. MySQL holds the status; every change is mirrored into the Redis
 * status cache after it commits, so location reports can keep the idle set without a query.
 * A failed mirror fails the call: the rider retries, the UPDATE matches nothing, the mirror runs again.
 */
export function createRiderService({ store, index }: { store: RiderStore; index: LocationIndex }) {
  const mirror = (rider: RiderRow) => index.setStatus(rider.id, rider.status, rider.statusVersion);

  return {
    /** Registers the caller; a second call returns the rider already registered. */
    async register(riderId: string, input: RegisterRiderInput): Promise<RiderRow> {
      const rider = await store.register({ id: riderId, ...input });
      await mirror(rider);
      return rider;
    },

    /** OFFLINE → IDLE. An IDLE or DELIVERING rider stays as they are. */
    async goOnline(riderId: string): Promise<RiderRow> {
      const outcome = await store.changeStatus(riderId, ['OFFLINE'], 'IDLE');
      if (!outcome) throw new NotFoundError('Rider', riderId);
      await mirror(outcome.rider);
      return outcome.rider;
    },

    /** IDLE → OFFLINE, out of the idle set at once; refused while DELIVERING. */
    async goOffline(riderId: string): Promise<RiderRow> {
      const outcome = await store.changeStatus(riderId, ['IDLE'], 'OFFLINE');
      if (!outcome) throw new NotFoundError('Rider', riderId);
      if (outcome.rider.status === 'DELIVERING') throw new InvalidStateTransitionError(riderId, outcome.rider.status, 'goOffline', 'Rider');
      await mirror(outcome.rider);
      return outcome.rider;
    },

    /**
     * The hot path: one Redis script. Only when the status cache has no entry for the rider
     * (first report, or after its TTL) is MySQL read, once, to fill it.
     */
    async reportLocation(riderId: string, point: GeoPoint): Promise<void> {
      if ((await index.report(riderId, point)) !== 'status-unknown') return;
      const rider = await store.byId(riderId);
      if (!rider) throw new NotFoundError('Rider', riderId);
      await mirror(rider);
      await index.report(riderId, point);
    },

    /** Re-reads the rider's status from MySQL into the cache (after the dispatcher changed it). */
    async mirrorStatusOf(riderId: string): Promise<void> {
      const rider = await store.byId(riderId);
      if (rider) await mirror(rider);
    },
  };
}
export type RiderService = ReturnType<typeof createRiderService>;
