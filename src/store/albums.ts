import { type Selectable, sql } from 'kysely';
import type { DialectAdapter } from './dialect/adapter.js';
import type { AlbumAssetTable, AlbumTable, Executor, Tx } from './schema.js';
import { type LibraryAccess, reachable } from './libraries.js';

export type AlbumRow = Selectable<AlbumTable>;
export type AlbumAssetRow = Selectable<AlbumAssetTable>;

/** An album in one of the user's live libraries (a trashed library hides its albums). */
export function findInLibraries(db: Executor, access: LibraryAccess, id: string): Promise<AlbumRow | undefined> {
  return db
    .selectFrom('albums')
    .innerJoin('libraries', 'libraries.id', 'albums.library_id')
    .selectAll('albums')
    .where('albums.id', '=', id)
    .where((eb) => reachable(eb, access))
    .where('libraries.trashed_at', 'is', null)
    .executeTakeFirst();
}

/** Re-reads an album under a row lock, so concurrent membership changes to it run one after another. */
export function lock(trx: Tx, dialect: DialectAdapter, id: string): Promise<AlbumRow | undefined> {
  return dialect.lockRows(trx.selectFrom('albums').selectAll().where('id', '=', id), 'no_key_update').executeTakeFirst();
}

export function findByIds(db: Executor, ids: string[]): Promise<AlbumRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('albums').selectAll().where('id', 'in', ids).execute();
}

export async function insert(db: Executor, row: AlbumRow): Promise<void> {
  await db.insertInto('albums').values(row).execute();
}

export async function update(db: Executor, id: string, changes: Partial<AlbumRow>): Promise<void> {
  await db.updateTable('albums').set(changes).where('id', '=', id).execute();
}

/** Deletes the album; its links go with it (the caller has read them if it needs them). */
export async function deleteById(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('album_assets').where('album_id', '=', id).execute();
  await db.deleteFrom('albums').where('id', '=', id).execute();
}

export interface AlbumQuery {
  libraryId: string;
  ids?: string[];
  /** Albums holding this asset while it is live. */
  assetId?: string;
  after?: { created_at: string; id: string };
  limit: number;
}

/** Newest first: (created_at, id) descending (§1.10). */
export function listPage(db: Executor, q: AlbumQuery): Promise<AlbumRow[]> {
  let query = db.selectFrom('albums').selectAll().where('library_id', '=', q.libraryId);
  if (q.ids) query = q.ids.length ? query.where('id', 'in', q.ids) : query.where(sql<boolean>`1 = 0`);
  if (q.assetId !== undefined) {
    const assetId = q.assetId;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('album_assets')
          .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
          .select('album_assets.id')
          .whereRef('album_assets.album_id', '=', 'albums.id')
          .where('album_assets.asset_id', '=', assetId)
          .where('assets.trashed_at', 'is', null),
      ),
    );
  }
  if (q.after) {
    const { created_at, id } = q.after;
    query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(created_at, id)));
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
}

/**
 * Adds each album's delta to its live count and stamps `updated_at` (deltas stay exact under
 * concurrency), in id order: this is also where a transaction takes its album row locks.
 */
export async function adjustCounts(db: Executor, deltas: Map<string, number>, now: string): Promise<void> {
  for (const [id, delta] of [...deltas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    await db
      .updateTable('albums')
      .set((eb) => ({ asset_count: eb('asset_count', '+', delta), updated_at: now }))
      .where('id', '=', id)
      .execute();
  }
}

/** Forgets explicit covers that point at these assets (removed from the album or deleted); returns the albums changed. */
export async function clearCovers(db: Executor, albumIds: string[], assetIds: string[], now: string): Promise<string[]> {
  if (albumIds.length === 0 || assetIds.length === 0) return [];
  const rows = await db
    .updateTable('albums')
    .set({ cover_asset_id: null, updated_at: now })
    .where('id', 'in', albumIds)
    .where('cover_asset_id', 'in', assetIds)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export interface LiveSpan {
  album_id: string;
  /** Member with the earliest capture time (ties: smaller id). */
  first_id: string;
  /** Member with the latest capture time (ties: greater id): also the server-chosen cover. */
  last_id: string;
}

const WALL_LENGTH = 23; // `YYYY-MM-DDTHH:MM:SS.mmm`, fixed width

/** The earliest and latest live members of each album, by capture time, in one query. */
export async function liveSpans(db: Executor, albumIds: string[]): Promise<LiveSpan[]> {
  if (albumIds.length === 0) return [];
  const rows = await db
    .selectFrom('album_assets')
    .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
    .select([
      'album_assets.album_id',
      sql<string>`min(assets.local_wall || assets.id)`.as('first'),
      sql<string>`max(assets.local_wall || assets.id)`.as('last'),
    ])
    .where('album_assets.album_id', 'in', albumIds)
    .where('assets.trashed_at', 'is', null)
    .groupBy('album_assets.album_id')
    .execute();
  return rows.map((r) => ({ album_id: r.album_id, first_id: r.first.slice(WALL_LENGTH), last_id: r.last.slice(WALL_LENGTH) }));
}

/** Which of these (album, asset) pairs are links to a live asset: the explicit covers that still count. */
export async function liveMemberPairs(db: Executor, pairs: { album_id: string; asset_id: string }[]): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const rows = await db
    .selectFrom('album_assets')
    .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
    .select(['album_assets.album_id', 'album_assets.asset_id'])
    .where('assets.trashed_at', 'is', null)
    .where((eb) => eb.or(pairs.map((p) => eb.and([eb('album_assets.album_id', '=', p.album_id), eb('album_assets.asset_id', '=', p.asset_id)]))))
    .execute();
  return new Set(rows.map((r) => `${r.album_id}/${r.asset_id}`));
}

// ---- links ----

export function linksOf(db: Executor, albumId: string, assetIds: string[]): Promise<AlbumAssetRow[]> {
  if (assetIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('album_assets').selectAll().where('album_id', '=', albumId).where('asset_id', 'in', assetIds).execute();
}

/** Every link of these assets, in any album. */
export function linksOfAssets(db: Executor, assetIds: string[]): Promise<AlbumAssetRow[]> {
  if (assetIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('album_assets').selectAll().where('asset_id', 'in', assetIds).orderBy('id').execute();
}

export function linksOfAlbum(db: Executor, albumId: string): Promise<AlbumAssetRow[]> {
  return db.selectFrom('album_assets').selectAll().where('album_id', '=', albumId).execute();
}

export async function insertLinks(db: Executor, rows: AlbumAssetRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('album_assets').values(rows).execute();
}

export async function deleteLinks(db: Executor, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('album_assets').where('id', 'in', ids).execute();
}

/** A link in one of the user's live libraries whose asset is live (a trashed asset's memberships are hidden). */
export function findLinkInLibraries(db: Executor, access: LibraryAccess, id: string): Promise<AlbumAssetRow | undefined> {
  return db
    .selectFrom('album_assets')
    .innerJoin('libraries', 'libraries.id', 'album_assets.library_id')
    .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
    .selectAll('album_assets')
    .where('album_assets.id', '=', id)
    .where((eb) => reachable(eb, access))
    .where('libraries.trashed_at', 'is', null)
    .where('assets.trashed_at', 'is', null)
    .executeTakeFirst();
}

export function findLinkInLibrary(db: Executor, libraryId: string, id: string): Promise<AlbumAssetRow | undefined> {
  return db.selectFrom('album_assets').selectAll().where('library_id', '=', libraryId).where('id', '=', id).executeTakeFirst();
}

export interface LinkQuery {
  libraryId: string;
  albumId?: string;
  assetId?: string;
  ids?: string[];
  after?: { created_at: string; id: string };
  limit: number;
}

/** Links of live assets, newest first: (created_at, id) descending. */
export function listLinksPage(db: Executor, q: LinkQuery): Promise<AlbumAssetRow[]> {
  let query = db
    .selectFrom('album_assets')
    .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
    .selectAll('album_assets')
    .where('album_assets.library_id', '=', q.libraryId)
    .where('assets.trashed_at', 'is', null);
  if (q.albumId !== undefined) query = query.where('album_assets.album_id', '=', q.albumId);
  if (q.assetId !== undefined) query = query.where('album_assets.asset_id', '=', q.assetId);
  if (q.ids) query = q.ids.length ? query.where('album_assets.id', 'in', q.ids) : query.where(sql<boolean>`1 = 0`);
  if (q.after) {
    const { created_at, id } = q.after;
    query = query.where((eb) => eb(eb.refTuple('album_assets.created_at', 'album_assets.id'), '<', eb.tuple(created_at, id)));
  }
  return query.orderBy('album_assets.created_at', 'desc').orderBy('album_assets.id', 'desc').limit(q.limit).execute();
}

// ---- library purge ----

export async function deleteAllOfLibrary(db: Executor, libraryId: string): Promise<void> {
  await db.deleteFrom('album_assets').where('library_id', '=', libraryId).execute();
  await db.deleteFrom('albums').where('library_id', '=', libraryId).execute();
}
