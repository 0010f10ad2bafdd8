import { newEvent, RiderUpdated, type RiderUpdatedData } from '@waimai/platform';
import type { RiderRow } from '../db/schema';

/** RiderUpdated for the rider as they are after a change (riders.events, key = rider id). */
export function riderUpdatedEvent(rider: RiderRow, cause: RiderUpdatedData['cause'], at = new Date()) {
  return newEvent(RiderUpdated, rider.id, { riderId: rider.id, status: rider.status, suspended: rider.suspended, cause, at: at.toISOString() }, at);
}

/** What the Redis index holds for a rider: a suspended rider is never idle there. */
export const indexedStatusOf = (rider: RiderRow) => (rider.suspended ? 'SUSPENDED' : rider.status);
