import type { GeoPoint } from '@waimai/platform';

/** People's Square, Shanghai: the middle of the bench city. */
export const CITY_CENTER: GeoPoint = { lat: 31.2304, lng: 121.4737 };

const METERS_PER_DEGREE_LAT = 111_195;

/** A deterministic pseudo-random source (mulberry32), so every run lays out the same city. */
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

/** `point` moved `north` and `east` meters (flat-earth, fine over a city). */
export function moved(point: GeoPoint, north: number, east: number): GeoPoint {
  return {
    lat: point.lat + north / METERS_PER_DEGREE_LAT,
    lng: point.lng + east / (METERS_PER_DEGREE_LAT * Math.cos((point.lat * Math.PI) / 180)),
  };
}

/** `count` points spread uniformly over a square of `sideMeters` around `center`. */
export function scatter(center: GeoPoint, sideMeters: number, count: number, random: () => number): GeoPoint[] {
  return Array.from({ length: count }, () => moved(center, (random() - 0.5) * sideMeters, (random() - 0.5) * sideMeters));
}

/** `count` points within `radiusMeters` of `center`, uniform over the disc. */
export function cluster(center: GeoPoint, radiusMeters: number, count: number, random: () => number): GeoPoint[] {
  return Array.from({ length: count }, () => {
    const r = radiusMeters * Math.sqrt(random());
    const angle = 2 * Math.PI * random();
    return moved(center, r * Math.cos(angle), r * Math.sin(angle));
  });
}
