import type { Executor, LibraryTable } from './schema.js';

export type LibraryRow = LibraryTable;
export type LibraryState = 'live' | 'trashed' | 'all';

export function findOwned(db: Executor, userId: string, id: string): Promise<LibraryRow | undefined> {
  return db.selectFrom('libraries').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
}

export function listOwned(db: Executor, userId: string, state: LibraryState): Promise<LibraryRow[]> {
  let q = db.selectFrom('libraries').selectAll().where('user_id', '=', userId);
  if (state === 'live') q = q.where('trashed_at', 'is', null).orderBy('created_at', 'asc');
  else if (state === 'trashed') q = q.where('trashed_at', 'is not', null).orderBy('trashed_at', 'desc');
  else q = q.orderBy('created_at', 'asc');
  return q.orderBy('id').execute();
}

export async function insert(db: Executor, row: LibraryRow): Promise<void> {
  await db.insertInto('libraries').values(row).execute();
}

/** Keeps the precomputed counters exact; called in the transaction that adds or removes assets. */
export async function adjustUsage(db: Executor, id: string, delta: { bytes: number; assets: number }, now: string): Promise<void> {
  await db
    .updateTable('libraries')
    .set((eb) => ({
      storage_used_bytes: eb('storage_used_bytes', '+', delta.bytes),
      asset_count: eb('asset_count', '+', delta.assets),
      updated_at: now,
    }))
    .where('id', '=', id)
    .execute();
}

/** For workers, which act for the system rather than a caller. */
export function findById(db: Executor, id: string): Promise<LibraryRow | undefined> {
  return db.selectFrom('libraries').selectAll().where('id', '=', id).executeTakeFirst();
}
