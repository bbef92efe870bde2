import { type Compilable, CompiledQuery, type QueryResult, sql } from 'kysely';
import type { Executor } from './schema.js';

/** A value bound as one query parameter; `undefined` leaves the column out, as Kysely does. */
type Value = string | number | null | undefined;

interface Plan {
  sql: string;
  /** Where each bound parameter comes from: an argument by name, or a constant of the query. */
  parameters: ({ arg: string } | { constant: unknown })[];
}

const placeholders = new WeakMap<Executor, string>();

/** How an executor's dialect writes a bound parameter (`?` or `$1`): what tells its compiled SQL apart. */
function placeholderOf(db: Executor): string {
  let placeholder = placeholders.get(db);
  if (placeholder === undefined) {
    placeholder = sql`${0}`.compile(db).sql;
    placeholders.set(db, placeholder);
  }
  return placeholder;
}

function planOf<A>(db: Executor, build: (db: Executor, args: A) => Compilable<unknown>, names: string[]): Plan {
  // Each argument stands in as a marker no real value contains; the compiled query shows where it went.
  const marker = (name: string) => `\u0000prepared:${name}\u0000`;
  const compiled = build(db, Object.fromEntries(names.map((n) => [n, marker(n)])) as A).compile();
  const byMarker = new Map(names.map((n) => [marker(n), n]));
  const parameters = compiled.parameters.map((p) => (typeof p === 'string' && byMarker.has(p) ? { arg: byMarker.get(p)! } : { constant: p }));
  for (const name of names) {
    if (!parameters.some((p) => 'arg' in p && p.arg === name) || compiled.sql.includes(marker(name))) {
      throw new Error(`prepared query: argument ${name} must be bound as a parameter, not shape the SQL`);
    }
  }
  return { sql: compiled.sql, parameters };
}

/**
 * A query of fixed shape that Kysely builds and compiles once (per dialect and set of arguments
 * given); each call binds its values to the compiled SQL. Building and compiling a query costs
 * more CPU than SQLite takes to run a lookup by key: a third of a get-by-id request went there.
 * So the statements every request or upload runs are prepared. `build` must give the same SQL
 * for any values: no IN lists, no clause that depends on a value, every argument bound as a
 * parameter (checked when it is compiled). Rows given as arguments work too (`values(row)`).
 */
export function prepared<A extends { [K in keyof A]: Value }, R>(build: (db: Executor, args: A) => Compilable<R>): (db: Executor, args: A) => Promise<QueryResult<R>> {
  const plans = new Map<string, Plan>();
  return async (db, args) => {
    const values = args as Record<string, Value>;
    const names = Object.keys(values).filter((name) => values[name] !== undefined);
    const key = `${placeholderOf(db)} ${names.join(',')}`;
    let plan = plans.get(key);
    if (!plan) {
      plan = planOf(db, build, names);
      plans.set(key, plan);
    }
    const parameters = plan.parameters.map((p) => ('arg' in p ? values[p.arg] : p.constant));
    return db.executeQuery(CompiledQuery.raw(plan.sql, parameters) as CompiledQuery<R>);
  };
}
