import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { AnyMySqlColumn } from 'drizzle-orm/mysql-core';
import { BadUserInputError } from './errors';

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
export interface Edge<T> {
  cursor: string;
  node: T;
}
export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

/** A keyset position: the sort value and the id that breaks ties. */
export interface Keyset {
  sortKey: string;
  id: string;
}

export const MAX_PAGE_SIZE = 100;

export function encodeCursor(position: Keyset): string {
  return Buffer.from(JSON.stringify([position.sortKey, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): Keyset | null {
  if (cursor === null || cursor === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return { sortKey: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through: reported below
  }
  throw new BadUserInputError('The cursor is not one this API gave out.', [{ field: 'after', message: 'invalid cursor' }]);
}

export function pageSize(first: number | null | undefined, fallback = 20): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 1 and ${MAX_PAGE_SIZE}.`, [
      { field: 'first', message: `between 1 and ${MAX_PAGE_SIZE}` },
    ]);
  }
  return size;
}

/** Builds a connection from `size + 1` fetched rows: the extra row only says there is a next page. */
export function toConnection<T>(rows: T[], size: number, keyOf: (row: T) => Keyset): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/** The keyset position of a row in a newest-first list: its creation time, then its id. */
export const newestFirstPosition = (row: { createdAt: Date; id: string }): Keyset => ({ sortKey: row.createdAt.toISOString(), id: row.id });

/**
 * A newest-first keyset page over (created_at, id), for a store's query: `after` is the
 * condition for the rows past the cursor (undefined on the first page), `orderBy` the order
 * the cursor follows. Ties on created_at (same millisecond) are broken by id.
 */
export function newestFirst(columns: { createdAt: AnyMySqlColumn; id: AnyMySqlColumn }, after: Keyset | null): { after: SQL | undefined; orderBy: [SQL, SQL] } {
  const afterDate = after ? new Date(after.sortKey) : null;
  return {
    after: after && afterDate ? or(lt(columns.createdAt, afterDate), and(eq(columns.createdAt, afterDate), lt(columns.id, after.id))) : undefined,
    orderBy: [desc(columns.createdAt), desc(columns.id)],
  };
}
