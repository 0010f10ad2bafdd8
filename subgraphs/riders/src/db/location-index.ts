import type { GeoPoint, Redis } from '@waimai/platform';
import { geoCellGrid, MAX_GEO_LATITUDE } from './geo-cells';
import type { RiderStatus } from './schema';

/**
 * Where riders are, in Redis: the hot path of the whole platform (every online rider reports
 * every few seconds; the target is 5,000 reports/s), so a report never touches MySQL: one
 * script on the rider's own keys, then one on the GEO cell they are in.
 *
 * Keys (all under REDIS_KEY_PREFIX, passed to the scripts as KEYS so the prefix applies). On a
 * Redis Cluster a script's keys must share a hash slot, so each family carries a hash tag
 * (docs/redis-cluster.md):
 *
 * Per rider shard, tag `{rs:<n>}` (n = FNV-1a of the rider id mod RIDER_SHARDS): everything a
 * report, a status change or the persister must change together for one rider.
 * - `riders:{rs:n}:status:<id>` "version:STATUS", a cache of the rider's MySQL status with a
 *                     TTL, so a report knows whether the rider belongs in the idle index
 *                     without a query. Writes carry the row's status_version and never go
 *                     backwards. A suspended rider is cached as SUSPENDED whatever their
 *                     status: never idle.
 * - `riders:{rs:n}:trail:<id>` stream of the rider's recorded points (entry id = the point's
 *                     time in ms, fields lat and lng), capped at TRAIL_MAX_POINTS and expiring
 *                     TRAIL_SECONDS after its last point: what riderTrail reads.
 * - `riders:{rs:n}:loc` hash rider → "lat,lng,ms": the live location of every reporting rider
 *                     of the shard (what Rider.location shows, what the persister copies to MySQL).
 * - `riders:{rs:n}:unsaved` set of the shard's riders whose live location is not in MySQL yet.
 * - `riders:{rs:n}:placed` hash rider → "seq:cell": the cell whose idle set the rider belongs
 *                     in ('' when none) and the sequence number of that decision. Every
 *                     decision (a report of an idle rider, a status change, a report of a
 *                     rider who is not idle) takes the next number.
 *
 * Per GEO cell, tag `{cell:<row>:<col>}` (geo-cells.ts: a fixed lat/lng grid of
 * RIDER_GEO_CELL_KM, a city's size by default): the idle index of one area.
 * - `riders:{cell:c}:idle` GEO set of the online IDLE riders in the cell with a fresh position.
 * - `riders:{cell:c}:seen` sorted set, score = ms: for a rider in the idle set, their last
 *                     report (the nearby query ignores riders silent longer than
 *                     RIDER_LOCATION_TTL_SECONDS, the sweep drops them); for a rider who left,
 *                     when they left (a tombstone, dropped by the sweep as well).
 * - `riders:{cell:c}:seq` hash rider → the sequence number of the last decision applied to
 *                     this cell. A cell applies an add or a removal only when its number is
 *                     higher, so decisions that reach a cell out of order (two replicas, a slow
 *                     process) never undo a newer one: a rider who stopped being idle is never
 *                     put back by a report that was already on its way.
 * And `riders:cells`, the set of cells that ever held a rider: what the sweep walks.
 *
 * A report: the rider script records the points, decides (idle or not, which cell) and
 * returns the decision's number and the cell the rider was placed in before; then the rider
 * is added to the new cell, and only after that removed from the old one when they crossed
 * into another cell. So a rider is never missing from the index; for the moment between the
 * two calls (or until the sweep, if the process died between them) they may be listed in both
 * cells, and the nearby query keeps the entry with the newest report. Dispatch checks in MySQL
 * that every rider it picks is still IDLE, so an entry left behind costs an offer at worst.
 *
 * Points carry their time (reportLocation's is the server's clock when it arrives,
 * reportLocations' the phone's recordedAt), and the time in the live location is the rider's
 * newest recorded point: a report records only the points newer than it, in the same script,
 * so a batch that arrives late (or twice) never moves the rider back in time nor repeats
 * points in the trail.
 *
 * The merchant → nearby riders inverted index (商家→骑士倒排表) is the GEO sets themselves,
 * queried with GEOSEARCH FROMLONLAT BYRADIUS at dispatch time. A GEO set is a sorted set
 * scored by each rider's 52-bit geohash, i.e. an inverted index from geohash cell to riders;
 * a radius query reads the 9 geohash boxes around the merchant and only the riders inside
 * them: O(N + log M) for N riders in those boxes out of M in the set. The search starts at
 * 500 m and widens (NEARBY_IDLE below), so N stays small where riders are dense. It reads the
 * grid cell holding the merchant first, and the neighbouring cells the search circle reaches
 * only when they could hold a rider nearer than the ones found (a merchant near a cell's
 * edge); the answers are merged by distance. Measured on Redis 7.0 with one GEO set (2 busy
 * cores, server time from INFO commandstats): 50,000 idle riders over 40 km × 40 km, the 40
 * nearest within 3 km in 150-180 µs (one plain full-radius GEOSEARCH: 430-650 µs), within
 * 9 km in 170-240 µs; 2,000 riders over the same area: 120-135 µs (docs/redis-cluster.md has
 * the figures with cells). We did not keep an explicit per-merchant set of nearby riders because:
 * - it moves the cost to the hot path: every report would have to find the merchants around
 *   the rider (a GEOSEARCH on merchants) and move the rider between their sets, i.e. tens to
 *   hundreds of writes per report at 5,000 reports/s, to serve a few dispatches per second;
 * - the radius is not fixed: each dispatch round widens it, so per-merchant sets would have to
 *   be kept for the largest radius and filtered by distance anyway;
 * - riders would need the merchants' locations (owned by products) copied and kept current.
 * Answering the question at dispatch time from the geohash index is exact, always current, and
 * costs nothing on the report path.
 */
/**
 * 64 shards: a rider's keys spread over 64 hash slots, enough to spread the report load over
 * a cluster of dozens of masters. Fixed: changing it moves every rider's keys (their cached
 * status and trail are lost, which a report heals; their live location waits for the next one).
 */
export const RIDER_SHARDS = 64;

/** FNV-1a (32 bits) of the rider id: the rider's shard. */
export function riderShard(riderId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < riderId.length; i += 1) {
    hash ^= riderId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % RIDER_SHARDS;
}

export const locationKeys = {
  status: (riderId: string) => `riders:{rs:${riderShard(riderId)}}:status:${riderId}`,
  trail: (riderId: string) => `riders:{rs:${riderShard(riderId)}}:trail:${riderId}`,
  locations: (shard: number) => `riders:{rs:${shard}}:loc`,
  unsaved: (shard: number) => `riders:{rs:${shard}}:unsaved`,
  placed: (shard: number) => `riders:{rs:${shard}}:placed`,
  idle: (cell: string) => `riders:{cell:${cell}}:idle`,
  seen: (cell: string) => `riders:{cell:${cell}}:seen`,
  seq: (cell: string) => `riders:{cell:${cell}}:seq`,
  cells: 'riders:cells',
};
const KEYS = locationKeys;

/** 500 points: 8 minutes at a fix a second, 40 at one every 5 s; about 30 bytes each in the stream. */
export const TRAIL_MAX_POINTS = 500;
/** 1 hour: a trail is forgotten this long after the rider's last point; older points are refused. */
export const TRAIL_SECONDS = 3600;

// 300 s: a status write lost to a Redis hiccup heals within this; a report after it reads MySQL once.
const STATUS_CACHE_SECONDS = 300;

/**
 * Runs on the rider's shard. KEYS: status, locations, unsaved, trail, placed. ARGV: rider, now
 * (ms), whether a point at the newest recorded time is still newer (1: reportLocation, whose
 * time is the server's clock; 0: a batch, so that a batch sent twice records nothing), trail
 * cap, trail TTL (s), the cell of the newest point ('' outside the GEO range), then lat, lng,
 * time (ms) per point, oldest first, times strictly increasing.
 * → { -1 } when the status is not cached (nothing written); { 2, 0, newest recorded time }
 * when nothing was newer; else { 1 idle | 0 not idle, points recorded, newest recorded time,
 * decision number (0: nothing for any cell to do), cell placed in before ('' none) }.
 * On 1 the caller adds the rider to the newest point's cell, then removes them from the old
 * cell if it differs; on 0 with a number it removes them from the old cell.
 */
const REPORT_POINTS = `
local cached = redis.call('GET', KEYS[1])
if not cached then return { -1 } end
local status = string.match(cached, ':(%u+)$')
local rider = ARGV[1]
local now = tonumber(ARGV[2])
local last = nil
local current = redis.call('HGET', KEYS[2], rider)
if current then last = tonumber(string.match(current, ',(%-?%d+)$')) end
local floor = last or -1
if last and ARGV[3] == '1' then floor = last - 1 end
local accepted = 0
local newest = nil
for i = 7, #ARGV, 3 do
  local at = tonumber(ARGV[i + 2])
  if at > floor then
    -- pcall: a trail entry that cannot be added (the stream somehow ahead of the position) must not stop the script half-way.
    redis.pcall('XADD', KEYS[4], ARGV[i + 2] .. '-*', 'lat', ARGV[i], 'lng', ARGV[i + 1])
    accepted = accepted + 1
    newest = i
  end
end
if not newest then return { 2, 0, last or 0 } end
local lat, lng, at = ARGV[newest], ARGV[newest + 1], ARGV[newest + 2]
redis.call('XTRIM', KEYS[4], 'MAXLEN', ARGV[4])
redis.call('EXPIRE', KEYS[4], ARGV[5])
redis.call('HSET', KEYS[2], rider, lat .. ',' .. lng .. ',' .. at)
redis.call('SADD', KEYS[3], rider)
local placed = redis.call('HGET', KEYS[5], rider)
local seq, before = 0, ''
if placed then seq, before = string.match(placed, '^(%d+):(.*)$') seq = tonumber(seq) end
local cell = ARGV[6]
if status == 'IDLE' and cell ~= '' then
  redis.call('HSET', KEYS[5], rider, (seq + 1) .. ':' .. cell)
  return { 1, accepted, tonumber(at), seq + 1, before }
end
if before == '' then return { 0, accepted, tonumber(at), 0, '' } end
redis.call('HSET', KEYS[5], rider, (seq + 1) .. ':')
return { 0, accepted, tonumber(at), seq + 1, before }
`;

/**
 * Runs on the rider's shard. KEYS: status, placed. ARGV: rider, status, version, ttl (s). Never
 * overwrites a newer version. → { 0 } when older; { 1, decision number, cell } when the rider
 * must leave `cell` (number 0 and '' when not).
 */
const SET_STATUS = `
local cached = redis.call('GET', KEYS[1])
if cached then
  local version = tonumber(string.match(cached, '^(%d+):'))
  if version and version > tonumber(ARGV[3]) then return { 0 } end
end
redis.call('SET', KEYS[1], ARGV[3] .. ':' .. ARGV[2], 'EX', ARGV[4])
if ARGV[2] ~= 'IDLE' then
  local placed = redis.call('HGET', KEYS[2], ARGV[1])
  if placed then
    local seq, before = string.match(placed, '^(%d+):(.*)$')
    if before ~= '' then
      redis.call('HSET', KEYS[2], ARGV[1], (tonumber(seq) + 1) .. ':')
      return { 1, tonumber(seq) + 1, before }
    end
  end
end
return { 1, 0, '' }
`;

/**
 * Runs on a cell. KEYS: idle, seen, seq. ARGV: rider, lng, lat, report time (ms), decision
 * number. Places the rider unless the cell already applied a newer decision about them.
 */
const CELL_ADD = `
if tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0') >= tonumber(ARGV[5]) then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[5])
redis.call('GEOADD', KEYS[1], ARGV[2], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return 1
`;

/**
 * Runs on a cell. KEYS: idle, seen, seq. ARGV: rider, decision number, now (ms). Takes the rider
 * out unless the cell already applied a newer decision; the number stays, as a tombstone
 * the sweep drops RIDER_LOCATION_TTL_SECONDS later (its time is in `seen`).
 */
const CELL_REMOVE = `
if tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0') >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
`;

/**
 * Runs on a cell. KEYS: idle, seen. ARGV: lng, lat, radius (m), count, freshness cut-off (ms),
 * first radius (m). → [rider, distance, last report (ms), ...], nearest first. A GEOSEARCH
 * costs what lies in the geohash boxes it reads, not what it returns; so the search starts
 * small and doubles its radius until it has `count` fresh riders or reaches the full radius.
 * The `count` nearest within a radius are the `count` nearest overall, so the answer is the
 * same as one search of the full radius.
 */
const NEARBY_IDLE = `
local radius = tonumber(ARGV[3])
local count = tonumber(ARGV[4])
local cutoff = tonumber(ARGV[5])
local r = math.min(tonumber(ARGV[6]), radius)
while true do
  local found = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[1], ARGV[2], 'BYRADIUS', r, 'm', 'ASC', 'COUNT', count, 'WITHDIST')
  local out = {}
  if #found > 0 then
    local ids = {}
    for i, hit in ipairs(found) do ids[i] = hit[1] end
    local seen = redis.call('ZMSCORE', KEYS[2], unpack(ids))
    for i, hit in ipairs(found) do
      if seen[i] and tonumber(seen[i]) >= cutoff then
        out[#out + 1] = hit[1]
        out[#out + 1] = hit[2]
        out[#out + 1] = seen[i]
      end
    end
  end
  if #out >= 3 * count or r >= radius then return out end
  r = math.min(r * 2, radius)
end
`;

/**
 * Runs on a cell. KEYS: seen, idle, seq. ARGV: cut-off (ms), limit. Drops riders silent since
 * before the cut-off, and tombstones older than it. → { entries dropped, of them riders that were idle }.
 */
const SWEEP_SILENT = `
local silent = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, ARGV[2])
if #silent == 0 then return { 0, 0 } end
redis.call('ZREM', KEYS[1], unpack(silent))
local idle = redis.call('ZREM', KEYS[2], unpack(silent))
redis.call('HDEL', KEYS[3], unpack(silent))
return { #silent, idle }
`;

/** Runs on a rider shard. KEYS: unsaved, locations. ARGV: count. → [rider, location or false, ...]. */
const TAKE_UNSAVED = `
local riders = redis.call('SPOP', KEYS[1], ARGV[1])
if #riders == 0 then return {} end
local locations = redis.call('HMGET', KEYS[2], unpack(riders))
local out = {}
for i, rider in ipairs(riders) do
  out[#out + 1] = rider
  out[#out + 1] = locations[i]
end
return out
`;

type ReportReply = [number, number?, number?, number?, string?];

interface IndexCommands {
  riderReportPoints(status: string, locations: string, unsaved: string, trail: string, placed: string, riderId: string, nowMs: string, tieIsNewer: '0' | '1', trailMax: string, trailSeconds: string, cell: string, ...points: string[]): Promise<ReportReply>;
  riderSetStatus(status: string, placed: string, riderId: string, value: IndexedStatus, version: string, ttl: string): Promise<[number, number?, string?]>;
  riderCellAdd(idle: string, seen: string, seq: string, riderId: string, lng: string, lat: string, seenMs: string, decision: string): Promise<number>;
  riderCellRemove(idle: string, seen: string, seq: string, riderId: string, decision: string, nowMs: string): Promise<number>;
  ridersNearbyIdle(idle: string, seen: string, lng: string, lat: string, radius: string, count: string, cutoffMs: string, firstRadius: string): Promise<string[]>;
  ridersSweepSilent(seen: string, idle: string, seq: string, cutoffMs: string, limit: string): Promise<[number, number]>;
  ridersTakeUnsaved(unsaved: string, locations: string, count: string): Promise<Array<string | null>>;
}

/** What the index knows of a rider: their status, or SUSPENDED (never in the idle set). */
export type IndexedStatus = RiderStatus | 'SUSPENDED';

/** Indexed: in the idle set now; recorded: position and trail written, not idle; nothing-newer: every point was older. */
export type ReportOutcome = 'status-unknown' | 'indexed' | 'recorded' | 'nothing-newer';

export type RecordOutcome =
  | { outcome: 'status-unknown' }
  | { outcome: Exclude<ReportOutcome, 'status-unknown'>; accepted: number; latestRecordedAt: Date };


export interface NearbyRider {
  riderId: string;
  distanceMeters: number;
}

export interface LiveLocation {
  lat: number;
  lng: number;
  at: Date;
}

/** A point with its time: the phone's recordedAt, or the server's clock for reportLocation. */
export type TimedPoint = LiveLocation;

function parseLocation(value: string | null | undefined): LiveLocation | null {
  if (!value) return null;
  const [lat, lng, ms] = value.split(',').map(Number);
  if (lat === undefined || lng === undefined || ms === undefined || [lat, lng, ms].some(Number.isNaN)) return null;
  return { lat, lng, at: new Date(ms) };
}

/** A trail entry: id "<ms>-<seq>", fields lat and lng. */
function parseTrailEntry(id: string, fields: string[]): TimedPoint | null {
  let lat = Number.NaN;
  let lng = Number.NaN;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'lat') lat = Number(fields[i + 1]);
    else if (fields[i] === 'lng') lng = Number(fields[i + 1]);
  }
  const ms = Number(id.slice(0, id.indexOf('-')));
  return [lat, lng, ms].some(Number.isNaN) ? null : { lat, lng, at: new Date(ms) };
}

/** `ids` grouped by rider shard, each with its positions in `ids`. */
function byShard(ids: readonly string[]): Map<number, Array<{ id: string; at: number }>> {
  const groups = new Map<number, Array<{ id: string; at: number }>>();
  ids.forEach((id, at) => {
    const shard = riderShard(id);
    const group = groups.get(shard);
    if (group) group.push({ id, at });
    else groups.set(shard, [{ id, at }]);
  });
  return groups;
}

const SWEEP_BATCH = 1000;
// 500 m: in a dense district the nearest riders are this close, and the first search is all it takes.
const FIRST_SEARCH_RADIUS_METERS = 500;
/** 20 km: a cell is about a city district's size, so a dispatch search (3-12 km) reads one to four cells. */
export const DEFAULT_GEO_CELL_KM = 20;

export interface LocationIndexPolicy {
  RIDER_LOCATION_TTL_SECONDS: number;
  /** The side of a GEO cell in km (geo-cells.ts); DEFAULT_GEO_CELL_KM when left out. */
  RIDER_GEO_CELL_KM?: number;
}

export function createLocationIndex(client: Redis, policy: LocationIndexPolicy) {
  client.defineCommand('riderReportPoints', { numberOfKeys: 5, lua: REPORT_POINTS });
  client.defineCommand('riderSetStatus', { numberOfKeys: 2, lua: SET_STATUS });
  client.defineCommand('riderCellAdd', { numberOfKeys: 3, lua: CELL_ADD });
  client.defineCommand('riderCellRemove', { numberOfKeys: 3, lua: CELL_REMOVE });
  client.defineCommand('ridersNearbyIdle', { numberOfKeys: 2, lua: NEARBY_IDLE });
  client.defineCommand('ridersSweepSilent', { numberOfKeys: 3, lua: SWEEP_SILENT });
  client.defineCommand('ridersTakeUnsaved', { numberOfKeys: 2, lua: TAKE_UNSAVED });
  const redis = client as Redis & IndexCommands;
  const grid = geoCellGrid(policy.RIDER_GEO_CELL_KM ?? DEFAULT_GEO_CELL_KM);
  const freshSince = (now: Date) => now.getTime() - policy.RIDER_LOCATION_TTL_SECONDS * 1000;

  const removeFromCell = (cell: string, riderId: string, decision: number, now: Date) =>
    redis.riderCellRemove(KEYS.idle(cell), KEYS.seen(cell), KEYS.seq(cell), riderId, String(decision), String(now.getTime()));

  /**
   * The hot path: one script call on the rider's shard records `points` (oldest first, times
   * strictly increasing) newer than the rider's newest recorded point, the newest of them as
   * the rider's position; then the rider's cell learns the decision (and the cell they left,
   * after it). 'status-unknown' (nothing written) asks the caller to load the status from
   * MySQL (setStatus) and call again. `tieIsNewer`: a point at the newest recorded time still
   * counts (reportLocation, timed by the server's clock).
   */
  async function record(riderId: string, points: readonly TimedPoint[], { now = new Date(), tieIsNewer = false } = {}): Promise<RecordOutcome> {
    const args: string[] = [];
    for (const point of points) args.push(String(point.lat), String(point.lng), String(point.at.getTime()));
    const newest = points[points.length - 1];
    const cell = newest ? grid.cellOf(newest) : '';
    const shard = riderShard(riderId);
    const [code, accepted = 0, latestMs = 0, decision = 0, before = ''] = await redis.riderReportPoints(
      KEYS.status(riderId),
      KEYS.locations(shard),
      KEYS.unsaved(shard),
      KEYS.trail(riderId),
      KEYS.placed(shard),
      riderId,
      String(now.getTime()),
      tieIsNewer ? '1' : '0',
      String(TRAIL_MAX_POINTS),
      String(TRAIL_SECONDS),
      cell,
      ...args,
    );
    if (code === -1) return { outcome: 'status-unknown' };
    if (code === 1 && newest) {
      // Add first, then leave the old cell: never out of the index in between.
      const seenMs = String(Math.min(latestMs, now.getTime()));
      await Promise.all([
        redis.riderCellAdd(KEYS.idle(cell), KEYS.seen(cell), KEYS.seq(cell), riderId, String(newest.lng), String(newest.lat), seenMs, String(decision)),
        before === cell ? null : redis.sadd(KEYS.cells, cell),
      ]);
      if (before && before !== cell) await removeFromCell(before, riderId, decision, now);
    } else if (code === 0 && decision > 0 && before) {
      await removeFromCell(before, riderId, decision, now);
    }
    return { outcome: code === 1 ? 'indexed' : code === 0 ? 'recorded' : 'nothing-newer', accepted, latestRecordedAt: new Date(latestMs) };
  }

  /** The cell `riderId` is placed in ('' when none). */
  async function placedCell(riderId: string): Promise<string> {
    const placed = await redis.hget(KEYS.placed(riderShard(riderId)), riderId);
    return placed?.slice(placed.indexOf(':') + 1) ?? '';
  }

  return {
    record,

    /** One point at `now` (reportLocation): `record` with the server's clock as its time. */
    async report(riderId: string, point: GeoPoint, now = new Date()): Promise<ReportOutcome> {
      const result = await record(riderId, [{ ...point, at: now }], { now, tieIsNewer: true });
      return result.outcome;
    },

    /** The rider's most recent `last` recorded points, oldest first. */
    async trail(riderId: string, last: number): Promise<TimedPoint[]> {
      const entries = await redis.xrevrange(KEYS.trail(riderId), '+', '-', 'COUNT', last);
      const points: TimedPoint[] = [];
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [id, fields] = entries[i]!;
        const point = parseTrailEntry(id, fields);
        if (point) points.push(point);
      }
      return points;
    },

    /** Mirrors a committed status change; anything but IDLE takes the rider out of their cell at once. */
    async setStatus(riderId: string, status: IndexedStatus, version: number, now = new Date()): Promise<void> {
      const [, decision = 0, cell = ''] = await redis.riderSetStatus(KEYS.status(riderId), KEYS.placed(riderShard(riderId)), riderId, status, String(version), String(STATUS_CACHE_SECONDS));
      if (decision > 0 && cell) await removeFromCell(cell, riderId, decision, now);
    },

    /**
     * Idle riders with a fresh position within `radiusMeters` of `center`, nearest first. Reads
     * the cell holding `center`, then, at once, the other cells the circle reaches that could
     * hold a rider nearer than the `limit`-th found so far; merges them by distance.
     */
    async nearbyIdleRiders(center: GeoPoint, radiusMeters: number, limit: number, now = new Date()): Promise<NearbyRider[]> {
      if (Math.abs(center.lat) > MAX_GEO_LATITUDE || limit <= 0) return [];
      const cells = grid.cellsCovering(center, radiusMeters);
      const search = (cell: string, radius: number) =>
        redis.ridersNearbyIdle(
          KEYS.idle(cell),
          KEYS.seen(cell),
          String(center.lng),
          String(center.lat),
          String(radius),
          String(limit),
          String(freshSince(now)),
          String(FIRST_SEARCH_RADIUS_METERS),
        );
      const [first, ...others] = cells;
      if (!first) return [];
      const found = [await search(first.cell, radiusMeters)];
      // The limit-th distance found so far bounds where a nearer rider could still be.
      const reach = found[0]!.length >= 3 * limit ? Number(found[0]![found[0]!.length - 2]) : radiusMeters;
      const needed = others.filter((other) => other.nearestMeters <= reach * 1.005 + 10);
      found.push(...(await Promise.all(needed.map((other) => search(other.cell, Math.min(radiusMeters, reach * 1.005 + 10))))));
      // One entry per rider: a rider crossing cells can be listed in both for a moment; the newest report wins.
      const best = new Map<string, { distance: number; seenMs: number }>();
      for (const flat of found) {
        for (let i = 0; i + 2 < flat.length; i += 3) {
          const riderId = flat[i] as string;
          const entry = { distance: Number(flat[i + 1]), seenMs: Number(flat[i + 2]) };
          const kept = best.get(riderId);
          if (!kept || entry.seenMs > kept.seenMs) best.set(riderId, entry);
        }
      }
      return [...best]
        .filter(([, entry]) => entry.distance <= radiusMeters)
        .sort((a, b) => a[1].distance - b[1].distance)
        .slice(0, limit)
        .map(([riderId, entry]) => ({ riderId, distanceMeters: Math.round(entry.distance) }));
    },

    /** Drops riders silent longer than RIDER_LOCATION_TTL_SECONDS from the idle sets, cell by cell; returns how many. */
    async sweep(now = new Date()): Promise<number> {
      const cells = await redis.smembers(KEYS.cells);
      const cutoff = String(freshSince(now));
      const counts = await Promise.all(
        cells.map(async (cell) => {
          let total = 0;
          for (;;) {
            const [dropped, idle] = await redis.ridersSweepSilent(KEYS.seen(cell), KEYS.idle(cell), KEYS.seq(cell), cutoff, String(SWEEP_BATCH));
            total += idle;
            if (dropped < SWEEP_BATCH) return total;
          }
        }),
      );
      return counts.reduce((sum, count) => sum + count, 0);
    },

    /** Live locations of `riderIds`, in order (null for riders who never reported); one HMGET per shard. */
    async liveLocations(riderIds: readonly string[]): Promise<Array<LiveLocation | null>> {
      const locations: Array<LiveLocation | null> = riderIds.map(() => null);
      await Promise.all(
        [...byShard(riderIds)].map(async ([shard, riders]) => {
          const values = await redis.hmget(KEYS.locations(shard), ...riders.map((rider) => rider.id));
          riders.forEach((rider, i) => {
            locations[rider.at] = parseLocation(values[i]);
          });
        }),
      );
      return locations;
    },

    /**
     * Takes riders whose live location is not in MySQL yet, with that location: about `limit`,
     * an equal part from each shard (at least one each), all shards at once.
     */
    async takeUnsaved(limit: number): Promise<Array<{ riderId: string; location: LiveLocation }>> {
      const perShard = String(Math.max(1, Math.ceil(limit / RIDER_SHARDS)));
      const taken = await Promise.all(Array.from({ length: RIDER_SHARDS }, (_, shard) => redis.ridersTakeUnsaved(KEYS.unsaved(shard), KEYS.locations(shard), perShard)));
      return taken.flatMap((flat) => {
        const entries: Array<{ riderId: string; location: LiveLocation }> = [];
        for (let i = 0; i + 1 < flat.length; i += 2) {
          const location = parseLocation(flat[i + 1]);
          if (location) entries.push({ riderId: flat[i] as string, location });
        }
        return entries;
      });
    },

    /** Puts riders back for the next persist (their MySQL write failed). */
    async markUnsaved(riderIds: string[]): Promise<void> {
      await Promise.all([...byShard(riderIds)].map(([shard, riders]) => redis.sadd(KEYS.unsaved(shard), ...riders.map((rider) => rider.id))));
    },

    /** Whether the rider is in an idle set right now (tests, diagnostics). */
    async isIndexed(riderId: string): Promise<boolean> {
      const cell = await placedCell(riderId);
      return cell !== '' && (await redis.zscore(KEYS.idle(cell), riderId)) !== null;
    },

    /** The cell the rider is placed in, '' when none (tests, diagnostics). */
    placedCell,

    /** The cell grid this index uses. */
    grid,
  };
}
export type LocationIndex = ReturnType<typeof createLocationIndex>;
