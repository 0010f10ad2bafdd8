import { distanceMeters, type GeoPoint } from '@waimai/platform';
import { geoCellGrid, MAX_GEO_LATITUDE } from '../src/db/geo-cells';

/*
 * The grid that splits the idle-rider GEO index (db/geo-cells.ts): pure geometry. The one
 * property the nearby search relies on: every point within the radius lies in one of the
 * cells `cellsCovering` names, and no named cell is farther than the radius.
 */

/** A deterministic stream of numbers in [0, 1) (xorshift32), so a failure can be replayed. */
function numbers(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** A point `meters` from `from` in direction `bearing` (radians from north), on the sphere. */
function destination(from: GeoPoint, meters: number, bearing: number): GeoPoint {
  const R = 6_371_008.8;
  const lat1 = (from.lat * Math.PI) / 180;
  const lng1 = (from.lng * Math.PI) / 180;
  const d = meters / R;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(bearing));
  const lng2 = lng1 + Math.atan2(Math.sin(bearing) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
  return { lat: (lat2 * 180) / Math.PI, lng: ((((lng2 * 180) / Math.PI + 540) % 360) - 180) };
}

test.each([
  ['20 km cells (the default) around cities', 20, 60],
  ['2 km cells, searches wider than a cell', 2, 60],
  ['the antimeridian and high latitudes, 20 km cells', 20, 85],
])('%s: every point within the radius is in a covering cell, and every covering cell is within reach', (_, cellKm, maxLat) => {
  const grid = geoCellGrid(cellKm);
  const next = numbers(cellKm * 7919 + maxLat);
  const misses: string[] = [];
  // Bounded: 300 centres × 40 points.
  for (let round = 0; round < 300; round += 1) {
    const center = maxLat === 85 && round % 2 === 0 ? { lat: (next() - 0.5) * 2 * 80, lng: 179.9 + next() * 0.2 - 0.1 } : { lat: (next() - 0.5) * 2 * maxLat, lng: (next() - 0.5) * 360 };
    const radius = 200 + next() * 15_000;
    const covering = grid.cellsCovering(center, radius);
    const cells = new Set(covering.map((cell) => cell.cell));
    for (let i = 0; i < 40; i += 1) {
      const point = destination(center, radius * Math.sqrt(next()), next() * 2 * Math.PI);
      if (Math.abs(point.lat) > MAX_GEO_LATITUDE || distanceMeters(center, point) > radius) continue;
      if (!cells.has(grid.cellOf(point))) misses.push(`${JSON.stringify(center)} r=${radius.toFixed(0)}: ${JSON.stringify(point)} in ${grid.cellOf(point)}`);
    }
    expect(covering[0]?.nearestMeters).toBe(0);
    expect(covering[0]?.cell).toBe(grid.cellOf(center));
    expect(covering.every((cell) => cell.nearestMeters <= radius * 1.005 + 10)).toBe(true);
  }

  expect(misses).toEqual([]);
});

test('a search much smaller than a cell, away from its edges, reads one cell', () => {
  const grid = geoCellGrid(20);
  const center = { lat: 31.2304, lng: 121.4737 };
  const cell = grid.cellOf(center);
  const [row, col] = cell.split(':').map(Number);
  const middle = { lat: (row! + 0.5) * grid.sizeDegrees - 90, lng: (col! + 0.5) * grid.sizeDegrees - 180 };

  expect(grid.cellsCovering(middle, 3000).map((covering) => covering.cell)).toEqual([grid.cellOf(middle)]);
  expect(grid.cellsCovering(middle, 15_000).length).toBe(9);
});

test('points outside the GEO range have no cell; the east edge wraps to the west', () => {
  const grid = geoCellGrid(20);

  expect(grid.cellOf({ lat: 86, lng: 0 })).toBe('');
  expect(grid.cellOf({ lat: 10, lng: 180 })).toBe(grid.cellOf({ lat: 10, lng: -180 }));
  expect(grid.cellsCovering({ lat: 10, lng: 179.99 }, 5000).map((covering) => covering.cell)).toContain(grid.cellOf({ lat: 10, lng: -179.99 }));
});
