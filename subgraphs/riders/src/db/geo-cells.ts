import { distanceMeters, type GeoPoint } from '@waimai/platform';

/**
 * The fixed lat/lng grid that splits the idle-rider GEO index into one GEO set per cell, so
 * that no single Redis key (hence no single cluster slot) holds a whole country's riders.
 *
 * A cell is `sizeDegrees` of latitude by `sizeDegrees` of longitude, counted from (-90, -180):
 * row = floor((lat + 90) / size), col = floor((lng + 180) / size), id "row:col". The size comes
 * from RIDER_GEO_CELL_KM as degrees of latitude (111.32 km a degree), and longitude uses the
 * same number of degrees, so a cell is narrower east-west away from the equator (at 40°N a
 * 20 km cell is 20 km × 15 km). The easternmost column is narrower when 360 is not a multiple
 * of the size.
 */
export interface GeoCellGrid {
  sizeDegrees: number;
  /** The cell holding `point`; '' when the point is outside the GEO range (never indexed). */
  cellOf(point: GeoPoint): string;
  /** Every cell that holds a point within `radiusMeters` of `center`, with its least distance to `center`, nearest first. */
  cellsCovering(center: GeoPoint, radiusMeters: number): CoveringCell[];
}

export interface CoveringCell {
  cell: string;
  /** The least distance from the centre to any point of the cell (0 for the cell holding it). */
  nearestMeters: number;
}

const METERS_PER_DEGREE_LATITUDE = 111_320;
// GEO sets only hold latitudes within the Web Mercator range.
export const MAX_GEO_LATITUDE = 85.05112878;
// 0.5 % + 10 m: Redis measures GEO distances on a sphere of 6,372,797.56 m, platform's
// distanceMeters on 6,371,008.8 m (0.03 % apart); the margin keeps every cell Redis could
// find a rider in among those read.
const cover = (radiusMeters: number) => radiusMeters * 1.005 + 10;

export function geoCellGrid(cellKm: number): GeoCellGrid {
  const size = (cellKm * 1000) / METERS_PER_DEGREE_LATITUDE;
  const columns = Math.ceil(360 / size);
  const rowOf = (lat: number) => Math.floor((lat + 90) / size);
  const colOf = (lng: number) => Math.min(columns - 1, Math.floor((((lng + 180) % 360) + 360) % 360 / size));
  const idOf = (row: number, col: number) => `${row}:${col}`;

  /** Distance from `center` to the nearest point of the cell (its lat/lng box; `center` clamped into it). */
  function nearestMeters(center: GeoPoint, row: number, col: number): number {
    const south = row * size - 90;
    const west = col * size - 180;
    const east = Math.min(west + size, 180);
    const lat = Math.min(Math.max(center.lat, south), south + size);
    // The longitude of the box nearest the centre, going round whichever way is shorter.
    const offsetEast = (((center.lng - west) % 360) + 360) % 360;
    const lng = offsetEast <= east - west ? center.lng : offsetEast - (east - west) < 360 - offsetEast ? east : west;
    return distanceMeters(center, { lat, lng });
  }

  return {
    sizeDegrees: size,

    cellOf(point) {
      if (!(Math.abs(point.lat) <= MAX_GEO_LATITUDE) || !Number.isFinite(point.lng)) return '';
      return idOf(rowOf(point.lat), colOf(point.lng));
    },

    cellsCovering(center, radiusMeters) {
      const reach = cover(radiusMeters);
      const dLat = reach / METERS_PER_DEGREE_LATITUDE;
      const south = Math.max(-MAX_GEO_LATITUDE, center.lat - dLat);
      const north = Math.min(MAX_GEO_LATITUDE, center.lat + dLat);
      if (south > north) return [];
      // The widest longitude span is at the band's latitude farthest from the equator.
      const cosLat = Math.cos((Math.max(Math.abs(south), Math.abs(north)) * Math.PI) / 180);
      const dLng = reach / (METERS_PER_DEGREE_LATITUDE * Math.max(cosLat, 1e-9));
      const cols = new Set<number>();
      if (dLng >= 180) {
        for (let col = 0; col < columns; col += 1) cols.add(col);
      } else {
        // Walk the span west to east in steps of less than a cell, wrapping at ±180.
        const west = center.lng - dLng;
        const steps = Math.ceil((2 * dLng) / size) + 1;
        for (let i = 0; i <= steps; i += 1) cols.add(colOf(Math.min(west + (i * 2 * dLng) / steps, center.lng + dLng)));
      }
      const cells: CoveringCell[] = [];
      for (let row = rowOf(south); row <= rowOf(north); row += 1) {
        for (const col of cols) {
          const nearest = nearestMeters(center, row, col);
          if (nearest <= reach) cells.push({ cell: idOf(row, col), nearestMeters: nearest });
        }
      }
      return cells.sort((a, b) => a.nearestMeters - b.nearestMeters);
    },
  };
}
