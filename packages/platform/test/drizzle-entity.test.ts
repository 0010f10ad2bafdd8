import { Column, entityKind, is, Param, Placeholder, SQL, sql, StringChunk, Table, View } from 'drizzle-orm';
import { datetime, int, MySqlColumn, mysqlTable, MySqlTable, varchar } from 'drizzle-orm/mysql-core';
import { drizzle } from 'drizzle-orm/mysql2';

/**
 * drizzle-orm's is() is patched (patches/drizzle-orm@0.45.4.patch,
 * docs/performance/query-building.md): a class's chain of entity kinds is read once and kept,
 * instead of walked on every "no". These tests hold it to drizzle's own answers, which the
 * reference below restates.
 */

type EntityClass = { [entityKind]: string; name?: string };

/** drizzle 0.45.4's is(), as shipped: instanceof, else a walk up the value's class chain. */
function shippedIs(value: unknown, type: EntityClass): boolean {
  if (!value || typeof value !== 'object') return false;
  if (value instanceof (type as unknown as new () => unknown)) return true;
  if (!Object.prototype.hasOwnProperty.call(type, entityKind)) throw new Error(`Class "${type.name ?? '<unknown>'}" doesn't look like a Drizzle entity.`);
  let cls = (Object.getPrototypeOf(value) as { constructor?: unknown }).constructor as Record<symbol, unknown> | undefined;
  while (cls) {
    if (entityKind in cls && cls[entityKind] === type[entityKind]) return true;
    cls = Object.getPrototypeOf(cls) as Record<symbol, unknown> | undefined;
  }
  return false;
}

const dishes = mysqlTable('dishes', {
  id: varchar('id', { length: 36 }).primaryKey(),
  stock: int('stock').notNull(),
  updatedAt: datetime('updated_at'),
});

// Classes another copy of drizzle would have: the same kinds, not the same classes.
class ForeignColumn {
  static readonly [entityKind]: string = 'Column';
}
class ForeignMySqlColumn extends ForeignColumn {
  static override readonly [entityKind]: string = 'MySqlColumn';
}
class Unrelated {
  static readonly [entityKind]: string = 'Unrelated';
}

const values: Array<[string, unknown]> = [
  ['a column', dishes.id],
  ['another column of another type', dishes.stock],
  ['a table', dishes],
  ['an sql fragment', sql`select 1`],
  ['a string chunk', new StringChunk('x')],
  ['a placeholder', sql.placeholder('id')],
  ['a bound param', new Param(1)],
  ["another copy's column", new ForeignColumn()],
  ["another copy's MySQL column", new ForeignMySqlColumn()],
  ['an unrelated entity', new Unrelated()],
  ['a plain object', { a: 1 }],
  ['an array', [1, 2]],
  ['a date', new Date(0)],
  ['a string', 'column'],
  ['a number', 7],
  ['null', null],
  ['undefined', undefined],
];
const types: Array<[string, EntityClass]> = [
  ['Column', Column as unknown as EntityClass],
  ['MySqlColumn', MySqlColumn as unknown as EntityClass],
  ['Table', Table as unknown as EntityClass],
  ['MySqlTable', MySqlTable as unknown as EntityClass],
  ['SQL', SQL as unknown as EntityClass],
  ['StringChunk', StringChunk as unknown as EntityClass],
  ['Placeholder', Placeholder as unknown as EntityClass],
  ['Param', Param as unknown as EntityClass],
  ['View', View as unknown as EntityClass],
  ['ForeignColumn', ForeignColumn],
];

describe("drizzle's is(), patched", () => {
  test('the patch is what runs', () => {
    expect(String(is)).toContain('kindsOf');
  });

  test.each(values)('answers as drizzle does for %s, against every entity class', (_label, value) => {
    for (const [, type] of types) {
      expect([type, is(value, type as never)]).toEqual([type, shippedIs(value, type)]);
    }
  });

  test('asked twice, with the kinds of a class already kept, it answers the same', () => {
    const first = values.flatMap(([, value]) => types.map(([, type]) => is(value, type as never)));
    const second = values.flatMap(([, value]) => types.map(([, type]) => is(value, type as never)));
    expect(second).toEqual(first);
    // Spot checks of what the reference agrees with: subclasses and another copy's classes count.
    expect(is(dishes.stock, Column)).toBe(true);
    expect(is(new ForeignMySqlColumn(), Column)).toBe(true);
    expect(is(new ForeignMySqlColumn(), MySqlColumn)).toBe(true);
    expect(is(new ForeignColumn(), MySqlColumn)).toBe(false);
    expect(is(new Unrelated(), Column)).toBe(false);
  });

  test('a class that is not a drizzle entity is refused, as drizzle refuses it', () => {
    class NotAnEntity {}
    expect(() => is({}, NotAnEntity as never)).toThrow("doesn't look like a Drizzle entity");
    expect(() => shippedIs({}, NotAnEntity as unknown as EntityClass)).toThrow("doesn't look like a Drizzle entity");
  });

  test('queries build to the same SQL and parameters', () => {
    const db = drizzle.mock();
    const at = new Date('2026-12-05T10:00:00Z');
    const select = db.select().from(dishes).where(sql`${dishes.id} in (${sql.join(['a', 'b'].map((id) => sql`${id}`), sql`, `)})`).for('update').toSQL();
    expect(select).toEqual({
      sql: 'select `id`, `stock`, `updated_at` from `dishes` where `dishes`.`id` in (?, ?) for update',
      params: ['a', 'b'],
    });
    const update = db.update(dishes).set({ stock: sql`${dishes.stock} - ${2}`, updatedAt: at }).where(sql`${dishes.id} = ${'a'}`).toSQL();
    expect(update).toEqual({ sql: 'update `dishes` set `stock` = `dishes`.`stock` - ?, `updated_at` = ? where `dishes`.`id` = ?', params: [2, '2026-12-05 10:00:00.000', 'a'] });
    const insert = db.insert(dishes).values([{ id: 'c', stock: 3 }]).toSQL();
    expect(insert).toEqual({ sql: 'insert into `dishes` (`id`, `stock`, `updated_at`) values (?, ?, default)', params: ['c', 3] });
  });
});
