import type { GeoPoint } from '@waimai/platform';
import { moved } from '../../scripts/lib/simulator/geo';

/** People's Square, Shanghai: the middle of the bench city. */
export const CITY_CENTER: GeoPoint = { lat: 31.2304, lng: 121.4737 };

// One copy of the seeded random source and the flat-earth step, shared with the city simulator.
export { moved, randomSource } from '../../scripts/lib/simulator/geo';

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
