/** The plan MySQL chose for a statement: the key of its first table and the access type. */
export interface QueryPlan {
  key: string | null;
  type: string;
}

/**
 * Catches the SQL a store sends (pass `logQuery` to connectDatabase) and asks MySQL how it
 * runs it: `planOf(run)` runs `run`, which must send exactly one statement, and EXPLAINs it
 * through `explain` (a plain connection's query). The index tests of the services use it to
 * show that the queries a busy console polls use their indexes.
 */
export function queryPlanProbe(explain: (sql: string, params: unknown[]) => Promise<unknown>) {
  const captured: Array<{ query: string; params: unknown[] }> = [];
  return {
    logQuery(query: string, params: unknown[]): void {
      captured.push({ query, params });
    },
    async planOf(run: () => Promise<unknown>): Promise<QueryPlan> {
      captured.length = 0;
      await run();
      if (captured.length !== 1) throw new Error(`Expected one statement, got ${captured.length}: ${captured.map((each) => each.query).join('; ')}`);
      const [plan] = (await explain(`EXPLAIN ${captured[0]!.query}`, captured[0]!.params)) as [QueryPlan[]];
      return { key: plan[0]!.key, type: plan[0]!.type };
    },
  };
}
