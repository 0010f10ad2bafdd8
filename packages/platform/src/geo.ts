import { BadUserInputError, type FieldProblem } from './errors';

export interface GeoPoint {
  lat: number;
  lng: number;
}

const EARTH_RADIUS_METERS = 6_371_008.8;
const toRadians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance in meters (haversine). */
export function distanceMeters(a: GeoPoint, b: GeoPoint): number {
  const dLat = toRadians(b.lat - a.lat);
  const dLng = toRadians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(a.lat)) * Math.cos(toRadians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A lat/lng box that contains every point within `radiusMeters` of `center`, for index range scans. */
export function boundingBox(center: GeoPoint, radiusMeters: number) {
  const dLat = (radiusMeters / EARTH_RADIUS_METERS) * (180 / Math.PI);
  const cosLat = Math.max(Math.cos(toRadians(center.lat)), 1e-6);
  const dLng = Math.min(180, dLat / cosLat);
  return {
    minLat: Math.max(-90, center.lat - dLat),
    maxLat: Math.min(90, center.lat + dLat),
    minLng: center.lng - dLng,
    maxLng: center.lng + dLng,
  };
}

export function geoPointProblems(point: GeoPoint, field: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!Number.isFinite(point.lat) || point.lat < -90 || point.lat > 90) {
    problems.push({ field: `${field}.lat`, message: 'latitude must be within [-90, 90]' });
  }
  if (!Number.isFinite(point.lng) || point.lng < -180 || point.lng > 180) {
    problems.push({ field: `${field}.lng`, message: 'longitude must be within [-180, 180]' });
  }
  return problems;
}

export function assertGeoPoint(point: GeoPoint, field: string): void {
  const problems = geoPointProblems(point, field);
  if (problems.length) throw new BadUserInputError(`${field} is not a valid location.`, problems);
}
