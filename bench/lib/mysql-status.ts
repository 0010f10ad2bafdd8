import mysql from 'mysql2/promise';

/** MariaDB's statement counters the dispatch scenario reads (SHOW GLOBAL STATUS). */
const COUNTERS = ['Questions', 'Com_begin', 'Com_commit', 'Com_rollback', 'Com_select', 'Com_insert', 'Com_update', 'Com_delete', 'Com_set_option'] as const;

export type StatementCounts = Record<'questions' | 'begin' | 'commit' | 'rollback' | 'select' | 'insert' | 'update' | 'delete' | 'set', number>;

async function readCounters(url: string): Promise<Record<string, number>> {
  const connection = await mysql.createConnection({ uri: url });
  try {
    const [rows] = (await connection.query('SHOW GLOBAL STATUS WHERE Variable_name IN (?)', [COUNTERS])) as unknown as [Array<{ Variable_name: string; Value: string }>];
    return Object.fromEntries(rows.map((row) => [row.Variable_name, Number(row.Value)]));
  } finally {
    await connection.end();
  }
}

/**
 * Counts the statements the MySQL server runs from now until `end()`: every client of the server,
 * so the machine must be otherwise quiet (as the bench requires). Questions counts every statement
 * a client sent; the Com_ counters each kind. The two reads themselves add one statement each.
 */
export async function statementWindow(url: string): Promise<{ end(): Promise<StatementCounts> }> {
  const before = await readCounters(url);
  return {
    async end() {
      const after = await readCounters(url);
      const delta = (name: (typeof COUNTERS)[number]) => (after[name] ?? 0) - (before[name] ?? 0);
      return {
        questions: delta('Questions'),
        begin: delta('Com_begin'),
        commit: delta('Com_commit'),
        rollback: delta('Com_rollback'),
        select: delta('Com_select'),
        insert: delta('Com_insert'),
        update: delta('Com_update'),
        delete: delta('Com_delete'),
        set: delta('Com_set_option'),
      };
    },
  };
}

/** Counts divided by `orders`, one decimal. */
export function perOrder(counts: StatementCounts, orders: number): StatementCounts {
  return Object.fromEntries(Object.entries(counts).map(([name, count]) => [name, Math.round((count / Math.max(1, orders)) * 10) / 10])) as StatementCounts;
}
