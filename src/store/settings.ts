import type { Executor } from './schema.js';

/** Reads a setting, creating it with `make()` on first use; concurrent first uses agree on one value. */
export async function getOrCreate(db: Executor, key: string, make: () => string): Promise<string> {
  await db.insertInto('settings').values({ key, value: make() }).onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
  return row.value;
}
