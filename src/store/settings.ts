import type { Executor } from './schema.js';

/** Reads a setting, creating it with `make()` on first use; concurrent first uses agree on one value. */
export async function getOrCreate(db: Executor, key: string, make: () => string): Promise<string> {
  await db.insertInto('settings').values({ key, value: make() }).onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
  return row.value;
}

/**
 * Claims a periodic job whose last run is kept under `key` (an ISO time): true for exactly one
 * caller once `intervalMs` has passed since the last claim, however many workers ask at once.
 */
export async function claimPeriodic(db: Executor, key: string, now: Date, intervalMs: number): Promise<boolean> {
  await getOrCreate(db, key, () => new Date(0).toISOString());
  const r = await db
    .updateTable('settings')
    .set({ value: now.toISOString() })
    .where('key', '=', key)
    .where('value', '<=', new Date(now.getTime() - intervalMs).toISOString())
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
