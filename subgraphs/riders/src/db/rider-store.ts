import { and, eq, inArray, sql } from 'drizzle-orm';
import { affectedRows, isDuplicateKey, type Database } from '@waimai/platform';
import { riders, type RiderRow, type RidersSchema, type RiderStatus } from './schema';
import type { LiveLocation } from './location-index';

export interface NewRider {
  id: string;
  name: string;
  phone: string;
  vehicle: string | null;
}

// Rows per persist statement: keeps the CASE expressions and the IN list small.
const PERSIST_CHUNK = 200;

/**
 * Riders in MySQL: the source of truth for who is registered and their status. Reads go to
 * the primary: a rider acts on what they just changed (register, go online, read it back).
 */
export function createRiderStore(primary: Database<RidersSchema>) {
  async function byId(id: string): Promise<RiderRow | undefined> {
    const [row] = await primary.select().from(riders).where(eq(riders.id, id));
    return row;
  }

  return {
    byId,

    async byIds(ids: readonly string[]): Promise<RiderRow[]> {
      if (ids.length === 0) return [];
      return primary.select().from(riders).where(inArray(riders.id, [...ids]));
    },

    /** Registers the rider, or returns the one already registered under that id unchanged. */
    async register(rider: NewRider): Promise<RiderRow> {
      const row: RiderRow = {
        ...rider,
        status: 'OFFLINE',
        statusVersion: 0,
        lat: null,
        lng: null,
        locationUpdatedAt: null,
        createdAt: new Date(),
      };
      try {
        await primary.insert(riders).values(row);
        return row;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const existing = await byId(rider.id);
        if (!existing) throw err;
        return existing;
      }
    },

    /**
     * One conditional UPDATE: `to` only from one of `from`, bumping status_version. Returns the
     * row as it is afterwards (changed or not), or undefined when there is no such rider.
     */
    async changeStatus(id: string, from: readonly RiderStatus[], to: RiderStatus): Promise<{ rider: RiderRow; changed: boolean } | undefined> {
      const result = await primary
        .update(riders)
        .set({ status: to, statusVersion: sql`${riders.statusVersion} + 1` })
        .where(and(eq(riders.id, id), inArray(riders.status, [...from])));
      const rider = await byId(id);
      return rider ? { rider, changed: affectedRows(result) > 0 } : undefined;
    },

    /** Which of `ids` are IDLE right now: the dispatcher's check of what the Redis index says. */
    async idleAmong(ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await primary
        .select({ id: riders.id })
        .from(riders)
        .where(and(inArray(riders.id, [...ids]), eq(riders.status, 'IDLE')));
      return new Set(rows.map((row) => row.id));
    },

    /** Copies live locations to MySQL in a few statements (the persister, off the report path). */
    async saveLocations(batch: Array<{ riderId: string; location: LiveLocation }>): Promise<void> {
      for (let start = 0; start < batch.length; start += PERSIST_CHUNK) {
        const chunk = batch.slice(start, start + PERSIST_CHUNK);
        const cases = (value: (entry: (typeof chunk)[number]) => number | Date) =>
          sql`CASE ${riders.id} ${sql.join(
            chunk.map((entry) => sql`WHEN ${entry.riderId} THEN ${value(entry)}`),
            sql` `,
          )} END`;
        await primary
          .update(riders)
          .set({
            lat: cases((entry) => entry.location.lat),
            lng: cases((entry) => entry.location.lng),
            locationUpdatedAt: cases((entry) => entry.location.at),
          })
          .where(inArray(riders.id, chunk.map((entry) => entry.riderId)));
      }
    },
  };
}
export type RiderStore = ReturnType<typeof createRiderStore>;
