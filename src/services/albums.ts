import { type AdditionOutcome, classifyAdditions, countDeltas, DEFAULT_ALBUM_NAME, effectiveCover } from '../domain/albums.js';
import { newId } from '../domain/ids.js';
import { NotFound, unprocessable } from '../http/errors.js';
import * as albumStore from '../store/albums.js';
import type { AlbumAssetRow, AlbumRow } from '../store/albums.js';
import * as assetStore from '../store/assets.js';
import type { AssetRow } from '../store/assets.js';
import type { DialectAdapter } from '../store/dialect/adapter.js';
import * as eventStore from '../store/events.js';
import type { Executor, Tx } from '../store/schema.js';
import { type Deps, nowText, type Principal } from './deps.js';
import * as libraries from './libraries.js';
import * as searchIndex from './search-index.js';

/** An album with the assets its response describes: the effective cover and the live capture-time span. */
export interface AlbumView {
  album: AlbumRow;
  cover: AssetRow | null;
  first: AssetRow | null;
  last: AssetRow | null;
}

/** Builds views for a page of albums with three queries, whatever the page size. */
export async function views(db: Executor, albums: AlbumRow[]): Promise<AlbumView[]> {
  if (albums.length === 0) return [];
  const spans = new Map((await albumStore.liveSpans(db, albums.map((a) => a.id))).map((s) => [s.album_id, s]));
  const explicit = albums.filter((a) => a.cover_asset_id !== null).map((a) => ({ album_id: a.id, asset_id: a.cover_asset_id! }));
  const liveExplicit = await albumStore.liveMemberPairs(db, explicit);
  const covers = new Map(
    albums.map((a) => {
      const live = new Set(liveExplicit.has(`${a.id}/${a.cover_asset_id}`) ? [a.cover_asset_id!] : []);
      return [a.id, effectiveCover(a.cover_asset_id, live, spans.get(a.id)?.last_id ?? null)];
    }),
  );
  const wanted = new Set<string>();
  for (const a of albums) {
    const span = spans.get(a.id);
    if (span) wanted.add(span.first_id).add(span.last_id);
    const cover = covers.get(a.id);
    if (cover) wanted.add(cover);
  }
  const assets = new Map((await assetStore.findByIdsAnyLibrary(db, [...wanted])).map((r) => [r.id, r]));
  const pick = (id: string | null | undefined) => (id ? (assets.get(id) ?? null) : null);
  return albums.map((album) => {
    const span = spans.get(album.id);
    return { album, cover: pick(covers.get(album.id)), first: pick(span?.first_id), last: pick(span?.last_id) };
  });
}

async function view(db: Executor, album: AlbumRow): Promise<AlbumView> {
  return (await views(db, [album]))[0];
}

/**
 * One `album_updated` per album that still exists, carrying its cover at event time. Returned,
 * not appended: every transaction appends its events last, because the event stream's lock (on
 * PostgreSQL) must come after all row locks or two writers could deadlock.
 */
export async function albumUpdatedEvents(db: Executor, albumIds: string[]): Promise<eventStore.NewEvent[]> {
  if (albumIds.length === 0) return [];
  const albums = (await albumStore.findByIds(db, albumIds)).sort((a, b) => (a.id < b.id ? -1 : 1));
  return (await views(db, albums)).map((v) => ({
    library_id: v.album.library_id,
    entity_type: 'album' as const,
    entity_id: v.album.id,
    event_type: 'album_updated',
    payload: { album_cover_asset_id: v.cover?.id ?? null },
  }));
}

export const linkEvent = (link: AlbumAssetRow, event_type: 'album_asset_added' | 'album_asset_removed'): eventStore.NewEvent => ({
  library_id: link.library_id,
  entity_type: 'album_asset',
  entity_id: link.id,
  event_type,
  payload: { album_id: link.album_id, asset_id: link.asset_id },
});

async function findOrThrow(db: Executor, who: Principal, id: string): Promise<AlbumRow> {
  const album = await albumStore.findInLibraries(db, who, id);
  if (!album) throw new NotFound('Album not found');
  return album;
}

/** Finds the caller's album and re-reads it under a row lock, so membership changes to one album serialise. */
async function lockOrThrow(trx: Tx, dialect: DialectAdapter, who: Principal, id: string): Promise<AlbumRow> {
  await findOrThrow(trx, who, id);
  const album = await albumStore.lock(trx, dialect, id);
  if (!album) throw new NotFound('Album not found');
  return album;
}

export async function get(deps: Pick<Deps, 'db'>, who: Principal, id: string): Promise<AlbumView> {
  return view(deps.db, await findOrThrow(deps.db, who, id));
}

export interface CreateAlbumInput {
  name?: string | null;
  description?: string | null;
  library_id?: string;
}

/** §1.10: an empty album; without a name it is called `Untitled`. */
export async function create(deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config'>, who: Principal, input: CreateAlbumInput): Promise<AlbumView> {
  const library = await libraries.resolve(deps, who, input.library_id);
  return deps.db.transaction().execute(async (trx) => {
    const now = nowText(deps);
    const album: AlbumRow = {
      id: newId('album'),
      library_id: library.id,
      name: input.name ?? DEFAULT_ALBUM_NAME,
      description: input.description ?? null,
      cover_asset_id: null,
      asset_count: 0,
      created_at: now,
      updated_at: now,
    };
    await albumStore.insert(trx, album);
    await eventStore.append(trx, deps.dialect, now, [{ library_id: library.id, entity_type: 'album', entity_id: album.id, event_type: 'album_created' }]);
    return { album, cover: null, first: null, last: null };
  });
}

export interface UpdateAlbumInput {
  name?: string | null;
  description?: string | null;
  album_cover_asset_id?: string | null;
}

/**
 * §1.10 PATCH: omitted (or a null name) keeps a field; a null description clears it; a cover
 * must be a live member (else 422) and null returns the choice to the server. A PATCH that
 * changes nothing writes nothing.
 */
export async function update(deps: Pick<Deps, 'db' | 'dialect' | 'clock'>, who: Principal, id: string, input: UpdateAlbumInput): Promise<AlbumView> {
  return deps.db.transaction().execute(async (trx) => {
    const album = await lockOrThrow(trx, deps.dialect, who, id);
    const changes: Partial<AlbumRow> = {};
    if (input.name != null && input.name !== album.name) changes.name = input.name;
    if (input.description !== undefined && input.description !== album.description) changes.description = input.description;
    if (input.album_cover_asset_id !== undefined && input.album_cover_asset_id !== album.cover_asset_id) {
      const cover = input.album_cover_asset_id;
      if (cover !== null && !(await albumStore.liveMemberPairs(trx, [{ album_id: album.id, asset_id: cover }])).size) {
        throw unprocessable(['body', 'album_cover_asset_id'], 'The cover must be a live asset already in this album', 'value_error', cover);
      }
      changes.cover_asset_id = cover;
    }
    if (Object.keys(changes).length === 0) return view(trx, album);
    const now = nowText(deps);
    await albumStore.update(trx, album.id, { ...changes, updated_at: now });
    await eventStore.append(trx, deps.dialect, now, await albumUpdatedEvents(trx, [album.id]));
    if (changes.name !== undefined) await searchIndex.refreshAlbums(trx, now, [album.id]);
    return view(trx, { ...album, ...changes, updated_at: now });
  });
}

export interface ListAlbumsInput {
  library_id?: string;
  asset_id?: string;
  ids?: string[];
  limit: number;
  starting_after_id?: string;
}

export async function list(deps: Pick<Deps, 'db' | 'clock' | 'config'>, who: Principal, input: ListAlbumsInput) {
  const library = await libraries.resolve(deps, who, input.library_id);
  let after: { created_at: string; id: string } | undefined;
  if (input.starting_after_id !== undefined) {
    const [cursor] = (await albumStore.findByIds(deps.db, [input.starting_after_id])).filter((a) => a.library_id === library.id);
    if (!cursor) throw unprocessable(['query', 'starting_after_id'], 'starting_after_id is not an album of this listing', 'value_error', input.starting_after_id);
    after = { created_at: cursor.created_at, id: cursor.id };
  }
  const rows = await albumStore.listPage(deps.db, { libraryId: library.id, ids: input.ids, assetId: input.asset_id, after, limit: input.limit + 1 });
  return { data: await views(deps.db, rows.slice(0, input.limit)), has_more: rows.length > input.limit };
}

/** §1.10: the album and its links go (one `album_deleted` says so); the assets stay. */
export async function remove(deps: Pick<Deps, 'db' | 'dialect' | 'clock'>, who: Principal, id: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const album = await lockOrThrow(trx, deps.dialect, who, id);
    const members = (await albumStore.linksOfAlbum(trx, album.id)).map((l) => l.asset_id);
    await albumStore.deleteById(trx, album.id);
    const now = nowText(deps);
    await eventStore.append(trx, deps.dialect, now, [{ library_id: album.library_id, entity_type: 'album', entity_id: album.id, event_type: 'album_deleted' }]);
    await searchIndex.refresh(trx, now, members);
  });
}

/**
 * §1.10 add: one transaction. Live assets of the album's library are added (read under a share
 * lock, so a concurrent trash or delete waits or wins cleanly), links that exist are duplicates,
 * anything else is not found. Events: `album_asset_added` per new link, then `album_updated`.
 */
export async function addAssets(deps: Pick<Deps, 'db' | 'dialect' | 'clock'>, who: Principal, id: string, assetIds: string[]): Promise<AdditionOutcome> {
  return deps.db.transaction().execute(async (trx) => {
    const found = await findOrThrow(trx, who, id);
    // Assets before the album (the lock order of store/assets.ts).
    const live = new Set((await assetStore.lockLive(trx, deps.dialect, found.library_id, [...new Set(assetIds)], 'share')).map((a) => a.id));
    const album = await lockOrThrow(trx, deps.dialect, who, id);
    const linked = new Set((await albumStore.linksOf(trx, album.id, [...live])).map((l) => l.asset_id));
    const outcome = classifyAdditions(assetIds, live, linked);
    if (outcome.added_assets.length === 0) return outcome;
    const now = nowText(deps);
    const links: AlbumAssetRow[] = outcome.added_assets.map((assetId) => ({
      id: newId('album_asset'),
      album_id: album.id,
      asset_id: assetId,
      library_id: album.library_id,
      created_at: now,
      updated_at: now,
    }));
    await albumStore.insertLinks(trx, links);
    await albumStore.adjustCounts(trx, new Map([[album.id, links.length]]), now);
    await eventStore.append(trx, deps.dialect, now, [...links.map((l) => linkEvent(l, 'album_asset_added')), ...(await albumUpdatedEvents(trx, [album.id]))]);
    await searchIndex.refresh(trx, now, outcome.added_assets);
    return outcome;
  });
}

/**
 * §1.10 remove: drops the album's links to these assets (unknown ids are ignored), forgets an
 * explicit cover among them, and keeps the live count exact. Events: `album_asset_removed` per
 * link, then `album_updated`.
 */
export async function removeAssets(deps: Pick<Deps, 'db' | 'dialect' | 'clock'>, who: Principal, id: string, assetIds: string[]): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const found = await findOrThrow(trx, who, id);
    const seen = await albumStore.linksOf(trx, found.id, [...new Set(assetIds)]);
    // Assets before the album (the lock order of store/assets.ts); a link made meanwhile counts as made after this remove.
    const members = await assetStore.lockByIds(trx, deps.dialect, found.library_id, seen.map((l) => l.asset_id), 'share');
    const album = await lockOrThrow(trx, deps.dialect, who, id);
    const seenIds = new Set(seen.map((l) => l.id));
    const links = (await albumStore.linksOf(trx, album.id, seen.map((l) => l.asset_id))).filter((l) => seenIds.has(l.id));
    if (links.length === 0) return;
    const removed = new Set(links.map((l) => l.asset_id));
    const live = members.filter((a) => removed.has(a.id) && a.trashed_at === null);
    const now = nowText(deps);
    await albumStore.adjustCounts(trx, new Map([[album.id, -live.length]]), now);
    await albumStore.deleteLinks(trx, links.map((l) => l.id));
    await albumStore.clearCovers(trx, [album.id], [...removed], now);
    await eventStore.append(trx, deps.dialect, now, [...links.map((l) => linkEvent(l, 'album_asset_removed')), ...(await albumUpdatedEvents(trx, [album.id]))]);
    await searchIndex.refresh(trx, now, [...removed]);
  });
}

/**
 * Album side of assets leaving or rejoining the live set (trash, restore): each album holding
 * them gets its live-count delta; returns their `album_updated` events for the caller to append.
 */
export async function membersTrashedOrRestored(trx: Tx, assetIds: string[], sign: 1 | -1, now: string): Promise<eventStore.NewEvent[]> {
  const changes = countDeltas(await albumStore.linksOfAssets(trx, assetIds), sign);
  await albumStore.adjustCounts(trx, changes, now);
  return albumUpdatedEvents(trx, [...changes.keys()]);
}
