import type { Selectable } from 'kysely';
import { centroidOf, cohesion, fromBytes, toBytes } from '../domain/face-clustering.js';
import type { Executor, PersonTable } from './schema.js';
import { type LibraryAccess, reachable } from './libraries.js';

export type PersonRow = Selectable<PersonTable>;

export async function insert(db: Executor, row: PersonRow): Promise<void> {
  await db.insertInto('people').values(row).execute();
}

/** A person in one of the user's live libraries. */
export function findInLibraries(db: Executor, access: LibraryAccess, id: string): Promise<PersonRow | undefined> {
  return db
    .selectFrom('people')
    .innerJoin('libraries', 'libraries.id', 'people.library_id')
    .selectAll('people')
    .where('people.id', '=', id)
    .where((eb) => reachable(eb, access))
    .where('libraries.trashed_at', 'is', null)
    .executeTakeFirst();
}

export function findByIds(db: Executor, libraryId: string, ids: string[]): Promise<PersonRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('people').selectAll().where('library_id', '=', libraryId).where('id', 'in', ids).execute();
}

export function findByIdAnyLibrary(db: Executor, id: string): Promise<PersonRow | undefined> {
  return db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst();
}

export function byLibrary(db: Executor, libraryId: string): Promise<PersonRow[]> {
  return db.selectFrom('people').selectAll().where('library_id', '=', libraryId).execute();
}

/** People with at least one face on one of these assets. */
export async function idsOnAssets(db: Executor, assetIds: string[]): Promise<string[]> {
  if (assetIds.length === 0) return [];
  const rows = await db.selectFrom('faces').select('person_id').distinct().where('asset_id', 'in', assetIds).where('person_id', 'is not', null).execute();
  return rows.map((r) => r.person_id!);
}

export async function update(db: Executor, id: string, changes: Partial<PersonRow>): Promise<void> {
  await db.updateTable('people').set(changes).where('id', '=', id).execute();
}

/**
 * Takes the person's face lock: bumps `faces_version` only if it still is `expected` (when
 * given). On PostgreSQL the row stays locked until commit, so a concurrent writer of the
 * person's faces waits and then sees the new version. Returns whether the person was taken.
 */
export async function lockFaces(db: Executor, id: string, expected?: number): Promise<boolean> {
  let q = db
    .updateTable('people')
    .set((eb) => ({ faces_version: eb('faces_version', '+', 1) }))
    .where('id', '=', id);
  if (expected !== undefined) q = q.where('faces_version', '=', expected);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteByIds(db: Executor, ids: string[]): Promise<void> {
  if (ids.length) await db.deleteFrom('people').where('id', 'in', ids).execute();
}

/**
 * Recomputes what is derived from a person's faces: face and (live) asset counts, the
 * centroid and its cohesion, and a thumbnail face when it has none or lost it. Returns the
 * ids whose row changed.
 */
export async function refresh(db: Executor, ids: string[], now: string): Promise<string[]> {
  const changed: string[] = [];
  for (const id of [...new Set(ids)]) {
    const person = await db.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst();
    if (!person) continue;
    const faces = await db
      .selectFrom('faces')
      .innerJoin('assets', 'assets.id', 'faces.asset_id')
      .select(['faces.id', 'faces.asset_id', 'faces.embedding', 'faces.confidence', 'faces.w', 'faces.h', 'assets.trashed_at'])
      .where('faces.person_id', '=', id)
      .orderBy('faces.created_at')
      .orderBy('faces.id')
      .execute();
    const vectors = faces.filter((f) => f.embedding).map((f) => fromBytes(f.embedding!));
    const centroid = centroidOf(vectors);
    const stats = vectors.length ? cohesion(vectors) : undefined;
    const assetCount = new Set(faces.filter((f) => f.trashed_at === null).map((f) => f.asset_id)).size;
    const hasThumbnail = person.thumbnail_face_id !== null && (await db.selectFrom('faces').select('id').where('id', '=', person.thumbnail_face_id).executeTakeFirst()) !== undefined;
    // The clearest face: highest confidence, then the largest.
    const best = [...faces].sort((a, b) => (b.confidence ?? 0) - (a.confidence ?? 0) || b.w * b.h - a.w * a.h)[0];
    const next = {
      face_count: faces.length,
      asset_count: assetCount,
      centroid: centroid ? toBytes(centroid) : null,
      pairwise_mean: stats && vectors.length > 1 ? stats.pairwise_mean : null,
      pairwise_p90: stats && vectors.length > 1 ? stats.pairwise_p90 : null,
      thumbnail_face_id: hasThumbnail ? person.thumbnail_face_id : (best?.id ?? null),
    };
    const same =
      next.face_count === person.face_count &&
      next.asset_count === person.asset_count &&
      next.thumbnail_face_id === person.thumbnail_face_id &&
      next.pairwise_mean === person.pairwise_mean &&
      next.pairwise_p90 === person.pairwise_p90 &&
      ((next.centroid === null && person.centroid === null) || (next.centroid !== null && person.centroid !== null && Buffer.compare(next.centroid, Buffer.from(person.centroid)) === 0));
    if (same) continue;
    await db.updateTable('people').set({ ...next, updated_at: now }).where('id', '=', id).execute();
    changed.push(id);
  }
  return changed;
}
