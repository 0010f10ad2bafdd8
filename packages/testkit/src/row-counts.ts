import mysql from 'mysql2/promise';

/** Exact row counts of every table of every database of a stack, keyed `<database>.<table>`. */
export type RowCounts = Record<string, number>;

/**
 * Counts the rows of every table in the databases named `<DB_PREFIX>_<service>` (a stack's
 * env has its own DB_PREFIX). COUNT(*), not information_schema's estimates: a test compares
 * two readings for equality.
 */
export async function rowCounts(env: { MYSQL_URL?: string | undefined; DB_PREFIX?: string | undefined }): Promise<RowCounts> {
  if (!env.DB_PREFIX) throw new Error('rowCounts needs the stack env with its DB_PREFIX.');
  const prefix = `${env.DB_PREFIX}_`;
  const connection = await mysql.createConnection({ uri: env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306' });
  try {
    const [tables] = await connection.query(
      "SELECT table_schema AS db, table_name AS name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND LEFT(table_schema, ?) = ?",
      [prefix.length, prefix],
    );
    const list = tables as Array<{ db: string; name: string }>;
    if (list.length === 0) throw new Error(`No tables in databases starting with ${prefix}.`);
    const counts: RowCounts = {};
    for (const { db, name } of list) {
      const [rows] = await connection.query(`SELECT COUNT(*) AS n FROM \`${db}\`.\`${name}\``);
      counts[`${db.slice(prefix.length)}.${name}`] = Number((rows as Array<{ n: number | string }>)[0]!.n);
    }
    return counts;
  } finally {
    await connection.end();
  }
}

/** The tables whose counts differ between two readings, as `table: before → after`. */
export function rowCountChanges(before: RowCounts, after: RowCounts): string[] {
  const tables = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...tables].filter((table) => before[table] !== after[table]).map((table) => `${table}: ${before[table] ?? 'absent'} → ${after[table] ?? 'absent'}`);
}
