import DataLoader from 'dataloader';

/**
 * A per-request DataLoader of rows by id: one `load(ids)` query per batch, null for an id
 * with no row (missing and hidden alike, when `load` filters).
 */
export function loaderById<T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = new Map((await load(ids)).map((row) => [row.id, row]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

/**
 * A per-request DataLoader of the rows belonging to each key (an order's items, its
 * payments): one `load(keys)` query per batch, rows kept in the order `load` returns them,
 * an empty list for a key with none.
 */
export function loaderOfGroups<T>(load: (keys: readonly string[]) => Promise<T[]>, keyOf: (row: T) => string): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (keys) => {
    const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
    for (const row of await load(keys)) groups.get(keyOf(row))?.push(row);
    return keys.map((key) => groups.get(key) ?? []);
  });
}
