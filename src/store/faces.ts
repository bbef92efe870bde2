import type { Selectable } from 'kysely';
import type { Executor, FaceTable } from './schema.js';
import { type LibraryAccess, reachable } from './libraries.js';

export type FaceRow = Selectable<FaceTable>;

export async function insertMany(db: Executor, rows: FaceRow[]): Promise<void> {
  if (rows.length) await db.insertInto('faces').values(rows).execute();
}

/** A face in one of the user's live libraries. */
export function findInLibraries(db: Executor, access: LibraryAccess, id: string): Promise<FaceRow | undefined> {
  return db
    .selectFrom('faces')
    .innerJoin('libraries', 'libraries.id', 'faces.library_id')
    .selectAll('faces')
    .where('faces.id', '=', id)
    .where((eb) => reachable(eb, access))
    .where('libraries.trashed_at', 'is', null)
    .executeTakeFirst();
}

export function findByIds(db: Executor, libraryId: string, ids: string[]): Promise<FaceRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('faces').selectAll().where('library_id', '=', libraryId).where('id', 'in', ids).execute();
}

/** For workers and media URLs, which act for the system rather than a caller. */
export function findByIdAnyLibrary(db: Executor, id: string): Promise<FaceRow | undefined> {
  return db.selectFrom('faces').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface FaceQuery {
  libraryId: string;
  assetId?: string;
  personId?: string;
  ids?: string[];
  /** The row the previous page ended with. */
  after?: { created_at: string; id: string };
  limit: number;
}

/** §1.12: newest first, ties by id. */
export function list(db: Executor, q: FaceQuery): Promise<FaceRow[]> {
  let query = db.selectFrom('faces').selectAll().where('library_id', '=', q.libraryId);
  if (q.assetId !== undefined) query = query.where('asset_id', '=', q.assetId);
  if (q.personId !== undefined) query = query.where('person_id', '=', q.personId);
  if (q.ids !== undefined) {
    if (q.ids.length === 0) return Promise.resolve([]);
    query = query.where('id', 'in', q.ids);
  }
  if (q.after) {
    const { created_at, id } = q.after;
    query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(created_at, id)));
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
}

export function byAssets(db: Executor, assetIds: string[]): Promise<FaceRow[]> {
  if (assetIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('faces').selectAll().where('asset_id', 'in', assetIds).orderBy('created_at').orderBy('id').execute();
}

export function byPeople(db: Executor, personIds: string[]): Promise<FaceRow[]> {
  if (personIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('faces').selectAll().where('person_id', 'in', personIds).orderBy('created_at').orderBy('id').execute();
}

export function byLibrary(db: Executor, libraryId: string): Promise<FaceRow[]> {
  return db.selectFrom('faces').selectAll().where('library_id', '=', libraryId).orderBy('created_at').orderBy('id').execute();
}

export async function setPerson(db: Executor, ids: string[], change: Pick<FaceRow, 'person_id' | 'assigned_by' | 'updated_at'> & { detached_from?: string | null }): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('faces').set(change).where('id', 'in', ids).execute();
}

/**
 * Clustering's move of one automatic face: only while the face is still where the plan saw it
 * and no user placed it meanwhile. Returns whether it moved.
 */
export async function moveIfUnchanged(db: Executor, id: string, from: string | null, to: string | null, now: string): Promise<boolean> {
  const r = await db
    .updateTable('faces')
    .set({ person_id: to, assigned_by: to === null ? null : 'cluster', updated_at: now })
    .where('id', '=', id)
    .where('source', '=', 'automatic')
    .where((eb) => eb.or([eb('assigned_by', 'is', null), eb('assigned_by', '=', 'cluster')]))
    .where((eb) => (from === null ? eb('person_id', 'is', null) : eb('person_id', '=', from)))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteByIds(db: Executor, ids: string[]): Promise<void> {
  if (ids.length) await db.deleteFrom('faces').where('id', 'in', ids).execute();
}
