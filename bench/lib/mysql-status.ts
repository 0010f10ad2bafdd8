import mysql from 'mysql2/promise';

/** MariaDB's statement counters the dispatch scenario reads (SHOW GLOBAL STATUS), by the name its figures give them. */
const COUNTERS = {
  questions: 'Questions',
  begin: 'Com_begin',
  commit: 'Com_commit',
  rollback: 'Com_rollback',
  select: 'Com_select',
  insert: 'Com_insert',
  update: 'Com_update',
  delete: 'Com_delete',
  set: 'Com_set_option',
} as const;

export type StatementCounts = Record<keyof typeof COUNTERS, number>;

async function readCounters(url: string): Promise<Record<string, number>> {
  const connection = await mysql.createConnection({ uri: url });
  try {
    const [rows] = (await connection.query('SHOW GLOBAL STATUS WHERE Variable_name IN (?)', [Object.values(COUNTERS)])) as unknown as [Array<{ Variable_name: string; Value: string }>];
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
      return Object.fromEntries(Object.entries(COUNTERS).map(([name, counter]) => [name, (after[counter] ?? 0) - (before[counter] ?? 0)])) as StatementCounts;
    },
  };
}

/** No statements: what a part that was not measured counted. */
export function noStatements(): StatementCounts {
  return Object.fromEntries(Object.keys(COUNTERS).map((name) => [name, 0])) as StatementCounts;
}

/** Counts divided by `orders`, one decimal. */
export function perOrder(counts: StatementCounts, orders: number): StatementCounts {
  return Object.fromEntries(Object.entries(counts).map(([name, count]) => [name, Math.round((count / Math.max(1, orders)) * 10) / 10])) as StatementCounts;
}

/** "55.2 (select 17.1, insert 14.7, …)": the total, then each kind. */
export function statementKinds(counts: StatementCounts): string {
  return `${counts.questions} (${(['select', 'insert', 'update', 'delete', 'begin', 'commit', 'rollback', 'set'] as const).map((kind) => `${kind} ${counts[kind]}`).join(', ')})`;
}
