import { distanceMeters, type GeoPoint } from '@waimai/platform';

export type { GeoPoint };

const METERS_PER_DEGREE_LAT = 111_195;

/** A deterministic pseudo-random source (mulberry32): the same seed lays out the same city and choices. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `point` moved `north` and `east` meters (flat earth, fine over a city). */
export function moved(point: GeoPoint, north: number, east: number): GeoPoint {
  return {
    lat: point.lat + north / METERS_PER_DEGREE_LAT,
    lng: point.lng + east / (METERS_PER_DEGREE_LAT * Math.cos((point.lat * Math.PI) / 180)),
  };
}

/** A point between `minMeters` and `maxMeters` from `center`, in a random direction. */
export function somewhereAround(center: GeoPoint, minMeters: number, maxMeters: number, random: () => number): GeoPoint {
  const r = minMeters + (maxMeters - minMeters) * Math.sqrt(random());
  const angle = 2 * Math.PI * random();
  return moved(center, r * Math.cos(angle), r * Math.sin(angle));
}

/**
 * The corners of a ride through a street grid from `from` to `to`: along one axis first, then
 * the other (north–south or east–west first, by `random`), as a rider follows blocks.
 */
export function gridRoute(from: GeoPoint, to: GeoPoint, random: () => number): GeoPoint[] {
  const corner = random() < 0.5 ? { lat: to.lat, lng: from.lng } : { lat: from.lat, lng: to.lng };
  return [corner, to];
}

/** `from` moved `meters` towards `to`, never past it. */
export function stepTowards(from: GeoPoint, to: GeoPoint, meters: number): GeoPoint {
  const left = distanceMeters(from, to);
  if (left <= meters || left === 0) return { ...to };
  const share = meters / left;
  return { lat: from.lat + (to.lat - from.lat) * share, lng: from.lng + (to.lng - from.lng) * share };
}

export { distanceMeters };
