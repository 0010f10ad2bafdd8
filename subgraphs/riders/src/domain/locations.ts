import { BadUserInputError, type FieldProblem } from '@waimai/platform';
import { TRAIL_MAX_POINTS, TRAIL_SECONDS, type TimedPoint } from '../db/location-index';

/** 100 points: what a phone buffers in a minute or two at a fix a second; about 8 KB of JSON. */
export const MAX_POINTS_PER_BATCH = 100;
/** 10 s: how far ahead of the server's clock a phone's may run (NTP keeps phones well inside this). */
export const CLOCK_SKEW_MS = 10_000;
/** A point older than the trail keeps (1 hour) is refused: it could be neither position nor trail. */
export const MAX_POINT_AGE_MS = TRAIL_SECONDS * 1000;

export interface LocationPointInput {
  lat: number;
  lng: number;
  recordedAt: Date;
}

/**
 * The points of reportLocations as recorded, or BAD_USER_INPUT naming every problem
 * (`points`, `points.<i>.lat`, `points.<i>.recordedAt`…), before anything is written:
 * 1..100 points, coordinates in range, each recordedAt within [now − 1 h, now + 10 s] and later
 * than the one before. Points out of time order are refused, not sorted: the app records them in
 * order, so disorder means a broken clock or buffer, and two points at one time have no newest.
 */
export function locationBatch(points: readonly LocationPointInput[], now: Date): TimedPoint[] {
  const problems: FieldProblem[] = [];
  if (points.length === 0 || points.length > MAX_POINTS_PER_BATCH) {
    problems.push({ field: 'points', message: `must hold 1..${MAX_POINTS_PER_BATCH} points (got ${points.length})` });
  }
  const earliest = now.getTime() - MAX_POINT_AGE_MS;
  const latest = now.getTime() + CLOCK_SKEW_MS;
  let previous = Number.NEGATIVE_INFINITY;
  points.slice(0, MAX_POINTS_PER_BATCH).forEach((point, i) => {
    // geoPointInput's ranges and messages, checked by hand: a zod parse per point was 6% of a batch's CPU.
    if (!(point.lat >= -90 && point.lat <= 90)) problems.push({ field: `points.${i}.lat`, message: 'latitude must be within [-90, 90]' });
    if (!(point.lng >= -180 && point.lng <= 180)) problems.push({ field: `points.${i}.lng`, message: 'longitude must be within [-180, 180]' });
    const at = point.recordedAt.getTime();
    if (at > latest) problems.push({ field: `points.${i}.recordedAt`, message: `must not be more than ${CLOCK_SKEW_MS / 1000} s ahead of the server's clock` });
    else if (at < earliest) problems.push({ field: `points.${i}.recordedAt`, message: `must not be more than ${MAX_POINT_AGE_MS / 1000} s old` });
    if (at <= previous) problems.push({ field: `points.${i}.recordedAt`, message: 'must be later than the point before it (oldest first)' });
    previous = at;
  });
  if (problems.length) {
    throw new BadUserInputError(`Invalid points: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
  }
  return points.map((point) => ({ lat: point.lat, lng: point.lng, at: point.recordedAt }));
}

/** riderTrail's `last`: 1..500 (the trail holds no more). */
export function trailLength(last: number | null | undefined): number {
  const wanted = last ?? 50;
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > TRAIL_MAX_POINTS) {
    throw new BadUserInputError(`Invalid last: must be within 1..${TRAIL_MAX_POINTS}.`, [{ field: 'last', message: `must be within 1..${TRAIL_MAX_POINTS}` }]);
  }
  return wanted;
}
