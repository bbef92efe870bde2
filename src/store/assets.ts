import { type ExpressionBuilder, type Selectable, sql } from 'kysely';
import type { BBox, Circle } from '../domain/geo-filters.js';
import type { DialectAdapter } from './dialect/adapter.js';
import type { AssetMetadataTable, AssetTable, Database, Executor } from './schema.js';
import { type LibraryAccess, reachable } from './libraries.js';
import { prepared } from './prepared.js';

export type AssetRow = Selectable<AssetTable>;
export type MetadataRow = Selectable<AssetMetadataTable>;
export type AssetState = 'live' | 'trashed' | 'all';

/** A capture-time bound as the list filters need it: its wall clock and, when aware, its UTC instant. */
export interface TimeBound {
  wall: string;
  utc: string | undefined;
}


/** The filters of §1.2/§3.7 that concern assets alone; lists, counts and geo-clusters share them. */
export interface AssetFilters {
  libraryId: string;
  state: AssetState;
  ids?: string[];
  after?: TimeBound;
  before?: TimeBound;
  bbox?: BBox;
  near?: Circle;
  mediaType?: 'image' | 'video';
  ratings?: number[];
  /** Assets with faces of every one of these people (intersection, §1.2). */
  personIds?: string[];
  /** Members of this album (§1.2). */
  albumId?: string;
  /** Membership of any album; `all` (or omitted) does not filter. */
  albumFilter?: 'all' | 'in_album' | 'not_in_album';
  /** Members of this stack (`asset_stack_…`). */
  stackId?: string;
}

export type AlbumFilter = NonNullable<AssetFilters['albumFilter']>;

type AssetEb = ExpressionBuilder<Database, 'assets'>;

function bound(eb: AssetEb, op: '>' | '<', b: TimeBound) {
  // §1.2: an aware bound compares in UTC with assets whose offset is known, by wall clock otherwise.
  if (b.utc === undefined) return eb('assets.local_wall', op, b.wall);
  return eb.or([
    eb.and([eb('assets.local_utc', 'is not', null), eb('assets.local_utc', op, b.utc)]),
    eb.and([eb('assets.local_utc', 'is', null), eb('assets.local_wall', op, b.wall)]),
  ]);
}

function longitudeRange(eb: AssetEb, west: number, east: number) {
  // A box whose west edge is east of its east edge wraps across the antimeridian.
  return west <= east
    ? eb.and([eb('assets.longitude', '>=', west), eb('assets.longitude', '<=', east)])
    : eb.or([eb('assets.longitude', '>=', west), eb('assets.longitude', '<=', east)]);
}

const METRES_PER_DEGREE = 111_194.9;

function nearPrefilter(eb: AssetEb, near: Circle) {
  const dLat = near.radiusM / METRES_PER_DEGREE;
  const south = near.lat - dLat;
  const north = near.lat + dLat;
  const conditions = [eb('assets.latitude', '>=', Math.max(-90, south)), eb('assets.latitude', '<=', Math.min(90, north))];
  // Near a pole the circle spans every meridian; elsewhere widen by the latitude's shrinkage.
  if (south > -90 && north < 90) {
    const widest = Math.max(Math.abs(south), Math.abs(north));
    const dLon = dLat / Math.cos((widest * Math.PI) / 180);
    if (dLon < 180) {
      const west = ((near.lon - dLon + 540) % 360) - 180;
      const east = ((near.lon + dLon + 540) % 360) - 180;
      conditions.push(longitudeRange(eb, west, east));
    }
  }
  return eb.and(conditions);
}

export function filtered(db: Executor, dialect: DialectAdapter, f: AssetFilters) {
  return db
    .selectFrom('assets')
    .where('assets.library_id', '=', f.libraryId)
    .where((eb) => {
      const c = [];
      if (f.state === 'live') c.push(eb('assets.trashed_at', 'is', null));
      if (f.state === 'trashed') c.push(eb('assets.trashed_at', 'is not', null));
      // An empty list matches nothing; a constant, as better-sqlite3 cannot bind a boolean.
      if (f.ids) c.push(f.ids.length ? eb('assets.id', 'in', f.ids) : sql<boolean>`1 = 0`);
      if (f.after) c.push(bound(eb, '>', f.after));
      if (f.before) c.push(bound(eb, '<', f.before));
      if (f.mediaType) c.push(eb('assets.media_type', '=', f.mediaType));
      if (f.stackId !== undefined) c.push(eb('assets.stack_id', '=', f.stackId));
      if (f.bbox) {
        c.push(eb('assets.latitude', '>=', f.bbox.minLat), eb('assets.latitude', '<=', f.bbox.maxLat));
        c.push(longitudeRange(eb, f.bbox.minLon, f.bbox.maxLon));
      }
      if (f.near) {
        c.push(nearPrefilter(eb, f.near));
        c.push(eb(dialect.distanceMetres(f.near.lat, f.near.lon, 'assets.latitude', 'assets.longitude'), '<=', f.near.radiusM));
      }
      if (f.albumId !== undefined) {
        const albumId = f.albumId;
        c.push(eb.exists(eb.selectFrom('album_assets').select('album_assets.id').whereRef('album_assets.asset_id', '=', 'assets.id').where('album_assets.album_id', '=', albumId)));
      }
      if (f.albumFilter === 'in_album' || f.albumFilter === 'not_in_album') {
        const member = eb.exists(eb.selectFrom('album_assets').select('album_assets.id').whereRef('album_assets.asset_id', '=', 'assets.id'));
        c.push(f.albumFilter === 'in_album' ? member : eb.not(member));
      }
      if (f.ratings) {
        // §1.2: 0 matches every unrated form: explicit 0, null or a legacy out-of-range value.
        const stars = f.ratings.filter((r) => r > 0);
        const any = [];
        if (stars.length) any.push(eb('assets.rating', 'in', stars));
        if (f.ratings.includes(0)) {
          any.push(eb('assets.rating', 'is', null), eb('assets.rating', '<', 1), eb('assets.rating', '>', 5));
        }
        c.push(eb.or(any));
      }
      for (const personId of new Set(f.personIds ?? [])) {
        c.push(eb.exists(eb.selectFrom('faces').select('faces.id').whereRef('faces.asset_id', '=', 'assets.id').where('faces.person_id', '=', personId)));
      }
      return eb.and(c);
    });
}

export interface PageQuery {
  order: 'asc' | 'desc';
  /** The sort key and id of the last row of the previous page. */
  after?: { key: string; id: string };
  limit: number;
}

/** Column the list is ordered by: trash time for the trash view, capture time otherwise (§1.8). */
export function sortColumn(state: AssetState): 'assets.trashed_at' | 'assets.local_wall' {
  return state === 'trashed' ? 'assets.trashed_at' : 'assets.local_wall';
}

export function listPage(db: Executor, dialect: DialectAdapter, f: AssetFilters, page: PageQuery): Promise<AssetRow[]> {
  const column = sortColumn(f.state);
  const op = page.order === 'desc' ? '<' : '>';
  let q = filtered(db, dialect, f).selectAll('assets');
  if (page.after) {
    const { key, id } = page.after;
    q = q.where((eb) => eb(eb.refTuple(column, 'assets.id'), op, eb.tuple(key, id)));
  }
  return q.orderBy(column, page.order).orderBy('assets.id', page.order).limit(page.limit).execute();
}

const inLibraries = (db: Executor, access: LibraryAccess, id: string) =>
  db
    .selectFrom('assets')
    .innerJoin('libraries', 'libraries.id', 'assets.library_id')
    .selectAll('assets')
    .where('assets.id', '=', id)
    .where((eb) => reachable(eb, access))
    .where('libraries.trashed_at', 'is', null);

/** Every request for one asset looks it up: prepared for keys that reach all the owner's libraries. */
const inAllLibraries = prepared((db, a: { userId: string; id: string }) => inLibraries(db, { userId: a.userId, libraryIds: null }, a.id));

export async function findInLibraries(db: Executor, access: LibraryAccess, id: string): Promise<AssetRow | undefined> {
  if (access.libraryIds === null) return (await inAllLibraries(db, { userId: access.userId, id })).rows[0];
  return inLibraries(db, access, id).executeTakeFirst();
}

/**
 * Row-lock order, everywhere, so concurrent writers on PostgreSQL wait instead of deadlocking:
 * library → assets (by id) → albums (by id) → user → the event stream → search documents (by id;
 * services/search-index.ts writes them after the events).
 * Each function below locks in id order.
 */

/** Assets of a library among `ids` (live ones only with `liveOnly`), read under a row lock, in id order. */
export function lockByIds(db: Executor, dialect: DialectAdapter, libraryId: string, ids: string[], mode: 'update' | 'share', liveOnly = false): Promise<AssetRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  let q = db.selectFrom('assets').selectAll().where('library_id', '=', libraryId).where('id', 'in', ids);
  if (liveOnly) q = q.where('trashed_at', 'is', null);
  return dialect.lockRows(q.orderBy('id'), mode).execute();
}

/** Row locks on these assets, whatever their library, in id order (a bulk update across libraries). */
export async function lockAll(db: Executor, dialect: DialectAdapter, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await dialect.lockRows(db.selectFrom('assets').select('id').where('id', 'in', ids).orderBy('id'), 'update').execute();
}

/** Live assets of a library among `ids`, read under a row lock, in id order. */
export const lockLive = (db: Executor, dialect: DialectAdapter, libraryId: string, ids: string[], mode: 'update' | 'share') => lockByIds(db, dialect, libraryId, ids, mode, true);

export interface DeletionScope {
  libraryId: string;
  /** The assets to delete; omit for "any" (a library purge batch). */
  ids?: string[];
  /** Only assets in the trash (empty-trash), or trashed before this instant (retention). */
  trashed?: true | { before: string };
  limit?: number;
}

/**
 * The assets a permanent delete will remove, read under `FOR UPDATE`: a concurrent restore or
 * delete of the same rows finishes first and the rows are re-checked, so each is deleted (and
 * counted) once.
 */
export function lockForDeletion(db: Executor, dialect: DialectAdapter, scope: DeletionScope): Promise<AssetRow[]> {
  if (scope.ids?.length === 0) return Promise.resolve([]);
  let q = db.selectFrom('assets').selectAll().where('library_id', '=', scope.libraryId);
  if (scope.ids) q = q.where('id', 'in', scope.ids);
  if (scope.trashed) q = q.where('trashed_at', 'is not', null);
  if (typeof scope.trashed === 'object') q = q.where('trashed_at', '<', scope.trashed.before);
  q = q.orderBy('id');
  if (scope.limit !== undefined) q = q.limit(scope.limit);
  return dialect.lockRows(q, 'update').execute();
}

/** Libraries holding assets trashed before `before`, oldest trash first (the retention sweep). */
export async function librariesWithTrashBefore(db: Executor, before: string): Promise<string[]> {
  const rows = await db.selectFrom('assets').select('library_id').distinct().where('trashed_at', 'is not', null).where('trashed_at', '<', before).execute();
  return rows.map((r) => r.library_id);
}

export async function countInLibrary(db: Executor, libraryId: string): Promise<number> {
  const row = await db.selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n')).where('library_id', '=', libraryId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function findByIds(db: Executor, libraryId: string, ids: string[]): Promise<AssetRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('assets').selectAll().where('library_id', '=', libraryId).where('id', 'in', ids).execute();
}

/** An asset whose library is live, whoever asks (signed media URLs carry no caller); a trashed library hides its files too. */
/** Every media request (a grid of thumbnails is hundreds) looks its asset up: prepared. */
const inLiveLibrary = prepared((db, a: { id: string }) =>
  db
    .selectFrom('assets')
    .innerJoin('libraries', 'libraries.id', 'assets.library_id')
    .selectAll('assets')
    .where('assets.id', '=', a.id)
    .where('libraries.trashed_at', 'is', null),
);

export async function findInLiveLibrary(db: Executor, id: string): Promise<AssetRow | undefined> {
  return (await inLiveLibrary(db, { id })).rows[0];
}

const byIdAnyLibrary = prepared((db, a: { id: string }) => db.selectFrom('assets').selectAll().where('id', '=', a.id));

/** For workers, which act for the system rather than a caller. */
export async function findByIdsAnyLibrary(db: Executor, ids: string[]): Promise<AssetRow[]> {
  if (ids.length === 0) return [];
  // Each task handler looks up its one asset: that lookup is prepared.
  if (ids.length === 1) return (await byIdAnyLibrary(db, { id: ids[0] })).rows;
  return db.selectFrom('assets').selectAll().where('id', 'in', ids).execute();
}

/** The video half of an Apple Live Photo: same library, same content identifier. */
export function findLivePairVideo(db: Executor, libraryId: string, contentId: string): Promise<AssetRow | undefined> {
  return db
    .selectFrom('assets')
    .innerJoin('asset_metadata', 'asset_metadata.asset_id', 'assets.id')
    .selectAll('assets')
    .where('assets.library_id', '=', libraryId)
    .where('assets.media_type', '=', 'video')
    .where('asset_metadata.live_photo_cid', '=', contentId)
    .orderBy('assets.trashed_at', 'desc')
    .executeTakeFirst();
}

export function findByChecksum(db: Executor, libraryId: string, checksum: string): Promise<AssetRow | undefined> {
  return db.selectFrom('assets').selectAll().where('library_id', '=', libraryId).where('checksum', '=', checksum).executeTakeFirst();
}

export function findMetadata(db: Executor, assetIds: string[]): Promise<MetadataRow[]> {
  if (assetIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('asset_metadata').selectAll().where('asset_id', 'in', assetIds).execute();
}

const insertAsset = prepared((db, row: AssetRow) => db.insertInto('assets').values(row));
const insertMetadata = prepared((db, row: MetadataRow) => db.insertInto('asset_metadata').values(row));

export async function insert(db: Executor, asset: AssetRow, metadata: MetadataRow): Promise<void> {
  await insertAsset(db, asset);
  await insertMetadata(db, metadata);
}

export async function update(db: Executor, id: string, changes: Partial<AssetRow>): Promise<void> {
  await db.updateTable('assets').set(changes).where('id', '=', id).execute();
}

/** Changes the asset only if its current version is still `expected` (concurrent version edits); false otherwise. */
export async function updateIfCurrentVersion(db: Executor, id: string, expected: string, changes: Partial<AssetRow>): Promise<boolean> {
  const r = await db.updateTable('assets').set(changes).where('id', '=', id).where('current_version_id', '=', expected).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function updateMetadata(db: Executor, assetId: string, changes: Partial<MetadataRow>): Promise<void> {
  await db.updateTable('asset_metadata').set(changes).where('asset_id', '=', assetId).execute();
}

export async function setTrashed(db: Executor, libraryId: string, ids: string[], trashedAt: string | null, now: string): Promise<string[]> {
  if (ids.length === 0) return [];
  const changed = await db
    .updateTable('assets')
    .set({ trashed_at: trashedAt, updated_at: now })
    .where('library_id', '=', libraryId)
    .where('id', 'in', ids)
    .where('trashed_at', trashedAt === null ? 'is not' : 'is', null)
    .returning('id')
    .execute();
  return changed.map((r) => r.id);
}

export async function deleteByIds(db: Executor, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('asset_metadata').where('asset_id', 'in', ids).execute();
  await db.deleteFrom('assets').where('id', 'in', ids).execute();
}

export function trashedIds(db: Executor, libraryId: string): Promise<{ id: string }[]> {
  return db.selectFrom('assets').select('id').where('library_id', '=', libraryId).where('trashed_at', 'is not', null).execute();
}

export type ExistenceCriterion =
  | { checksums: string[] }
  | { checksumSha1s: string[] }
  | { deviceId: string; deviceAssetIds: string[] };

export function findExisting(db: Executor, libraryId: string, c: ExistenceCriterion): Promise<AssetRow[]> {
  const q = db.selectFrom('assets').selectAll().where('library_id', '=', libraryId);
  if ('checksums' in c) return c.checksums.length ? q.where('checksum', 'in', c.checksums).execute() : Promise.resolve([]);
  if ('checksumSha1s' in c) return c.checksumSha1s.length ? q.where('checksum_sha1', 'in', c.checksumSha1s).execute() : Promise.resolve([]);
  return c.deviceAssetIds.length
    ? q.where('device_id', '=', c.deviceId).where('device_asset_id', 'in', c.deviceAssetIds).execute()
    : Promise.resolve([]);
}

/** Asset counts per capture day (naive local calendar); coarser buckets fold these. */
export async function countByDay(db: Executor, dialect: DialectAdapter, f: AssetFilters): Promise<{ day: string; count: number }[]> {
  const day = sql<string>`substr(assets.local_wall, 1, 10)`;
  const rows = await filtered(db, dialect, f).select([day.as('day'), (eb) => eb.fn.countAll<number>().as('count')]).groupBy(day).execute();
  return rows.map((r) => ({ day: r.day, count: Number(r.count) }));
}

export interface GeoCell {
  count: number;
  latitude: number;
  longitude: number;
  representative: string;
}

/**
 * One row per non-empty grid cell. Longitudes west of a wrapping box's west edge are shifted by
 * 360° so the cells of one box stay contiguous; the representative is the newest capture, ties
 * broken by the greater id (wall clocks are fixed width, so `wall || id` orders both).
 */
export async function geoCells(db: Executor, dialect: DialectAdapter, f: AssetFilters & { bbox: BBox }, cellSize: number): Promise<GeoCell[]> {
  const wraps = f.bbox.minLon > f.bbox.maxLon;
  const lon = wraps ? sql<number>`(case when assets.longitude < ${f.bbox.minLon} then assets.longitude + 360 else assets.longitude end)` : sql<number>`assets.longitude`;
  const cx = sql<number>`floor(${lon} / ${cellSize})`;
  const cy = sql<number>`floor(assets.latitude / ${cellSize})`;
  const rows = await filtered(db, dialect, f)
    .select([
      (eb) => eb.fn.countAll<number>().as('count'),
      sql<number>`avg(assets.latitude)`.as('latitude'),
      sql<number>`avg(${lon})`.as('longitude'),
      sql<string>`max(assets.local_wall || assets.id)`.as('best'),
    ])
    .groupBy([cx, cy])
    .limit(1001)
    .execute();
  return rows.map((r) => {
    let longitude = Number(r.longitude);
    if (longitude > 180) longitude -= 360;
    return { count: Number(r.count), latitude: Number(r.latitude), longitude, representative: r.best.slice(23) };
  });
}
