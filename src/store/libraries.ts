import type { ExpressionBuilder } from 'kysely';
import type { DialectAdapter } from './dialect/adapter.js';
import type { Database, Executor, LibraryTable, Tx } from './schema.js';
import { prepared } from './prepared.js';

export type LibraryRow = LibraryTable;
export type LibraryState = 'live' | 'trashed' | 'all';

/** Whose libraries a caller reaches: the owner's, or only the ones its API key selects (§1.6). */
export interface LibraryAccess {
  readonly userId: string;
  /** null = every library of the user, now and future. */
  readonly libraryIds: readonly string[] | null;
}

/** The filter every read through `libraries` applies: a library outside the access is missing. */
export function reachable(eb: ExpressionBuilder<Database, 'libraries'>, access: LibraryAccess) {
  const owned = eb('libraries.user_id', '=', access.userId);
  // An empty selection reaches nothing; SQL has no empty IN list.
  return access.libraryIds === null ? owned : eb.and([owned, eb('libraries.id', 'in', access.libraryIds.length > 0 ? access.libraryIds : [''])]);
}

export function findOwned(db: Executor, access: LibraryAccess, id: string): Promise<LibraryRow | undefined> {
  return db.selectFrom('libraries').selectAll().where('id', '=', id).where((eb) => reachable(eb, access)).executeTakeFirst();
}

export function findById(db: Executor, id: string): Promise<LibraryRow | undefined> {
  return db.selectFrom('libraries').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Re-reads a library under a row lock: trash, restore, delete and each purge batch of one library serialise. */
export function lock(trx: Tx, dialect: DialectAdapter, id: string): Promise<LibraryRow | undefined> {
  return dialect.lockRows(trx.selectFrom('libraries').selectAll().where('id', '=', id), 'no_key_update').executeTakeFirst();
}

/** Live libraries by creation; trashed ones most recently trashed first (§1.7). */
export function listOwned(db: Executor, access: LibraryAccess, state: LibraryState): Promise<LibraryRow[]> {
  let q = db.selectFrom('libraries').selectAll().where((eb) => reachable(eb, access));
  if (state === 'live') q = q.where('trashed_at', 'is', null).orderBy('created_at', 'asc');
  else if (state === 'trashed') q = q.where('trashed_at', 'is not', null).orderBy('trashed_at', 'desc');
  else q = q.orderBy('created_at', 'asc');
  return q.orderBy('id').execute();
}

/** Trashed libraries whose purge is due: DELETE asked for it, or they were trashed before `cutoff`. */
export function listPurgeDue(db: Executor, cutoff: string): Promise<LibraryRow[]> {
  return db
    .selectFrom('libraries')
    .selectAll()
    .where('trashed_at', 'is not', null)
    .where((eb) => eb.or([eb('purge_requested_at', 'is not', null), eb('trashed_at', '<', cutoff)]))
    .orderBy('trashed_at')
    .orderBy('id')
    .execute();
}

export async function insert(db: Executor, row: LibraryRow): Promise<void> {
  await db.insertInto('libraries').values(row).execute();
}

export async function update(db: Executor, id: string, changes: Partial<LibraryRow>): Promise<void> {
  await db.updateTable('libraries').set(changes).where('id', '=', id).execute();
}

export async function deleteById(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('libraries').where('id', '=', id).execute();
}

const addUsage = prepared((db, a: { id: string; bytes: number; assets: number; now: string }) =>
  db
    .updateTable('libraries')
    .set((eb) => ({
      storage_used_bytes: eb('storage_used_bytes', '+', a.bytes),
      asset_count: eb('asset_count', '+', a.assets),
      updated_at: a.now,
    }))
    .where('id', '=', a.id),
);

/** Keeps the precomputed counters exact; called in the transaction that adds or removes assets. */
export async function adjustUsage(db: Executor, id: string, delta: { bytes: number; assets: number }, now: string): Promise<void> {
  await addUsage(db, { id, ...delta, now });
}

