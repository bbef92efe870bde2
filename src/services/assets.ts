import { applyPatch, type AssetPatch, captureColumns, effectiveValues, gpsPairProblem } from '../domain/asset-metadata.js';
import { parseIsoDateTime, toUtcText } from '../domain/capture-time.js';
import { parseGeoFilter } from '../domain/geo-filters.js';
import { NotFound, unprocessable, type ValidationIssue, Unprocessable } from '../http/errors.js';
import * as assetStore from '../store/assets.js';
import type { AlbumFilter, AssetFilters, AssetRow, AssetState, ExistenceCriterion, MetadataRow, TimeBound } from '../store/assets.js';
import * as eventStore from '../store/events.js';
import * as faceStore from '../store/faces.js';
import type { FaceRow } from '../store/faces.js';
import * as peopleStore from '../store/people.js';
import type { PersonRow } from '../store/people.js';
import * as taskStore from '../store/tasks.js';
import { assetTask } from '../jobs/asset-task.js';
import { burstTask } from '../jobs/burst-detection.js';
import type { Executor, Tx } from '../store/schema.js';
import { type Deps, nowText, type Principal } from './deps.js';
import * as libraries from './libraries.js';
import * as searchIndex from './search-index.js';

export interface AssetView {
  asset: AssetRow;
  /** Loaded only when the response needs it. */
  metadata?: MetadataRow;
  faces?: FaceRow[];
  people?: PersonRow[];
}

/** `include=faces|people` (§3.6): the asset's faces, and the distinct people they belong to. */
export async function withFaces<V extends AssetView>(deps: Pick<Deps, 'db'>, views: V[], wanted: { faces: boolean; people: boolean }): Promise<V[]> {
  if ((!wanted.faces && !wanted.people) || views.length === 0) return views;
  const faces = await faceStore.byAssets(deps.db, views.map((v) => v.asset.id));
  const personIds = [...new Set(faces.map((f) => f.person_id).filter((p): p is string => p !== null))];
  const people = new Map<string, PersonRow>();
  for (const libraryId of new Set(views.map((v) => v.asset.library_id))) {
    for (const p of await peopleStore.findByIds(deps.db, libraryId, personIds)) people.set(p.id, p);
  }
  return views.map((v) => {
    const own = faces.filter((f) => f.asset_id === v.asset.id);
    const ids = [...new Set(own.map((f) => f.person_id).filter((p): p is string => p !== null && people.has(p)))];
    return { ...v, faces: wanted.faces ? own : undefined, people: wanted.people ? ids.map((id) => people.get(id)!) : undefined };
  });
}

/** The query of §1.2/§3.7 as the HTTP layer validated it. */
export interface AssetFilterInput {
  library_id?: string;
  ids?: string[];
  state?: AssetState;
  local_datetime_after?: string;
  local_datetime_before?: string;
  bbox?: string;
  center?: string;
  radius?: number;
  media_type?: 'image' | 'video';
  ratings?: number[];
  person_ids?: string[];
  album_id?: string;
  album_filter?: AlbumFilter;
  stack_id?: string;
}

export interface ListInput extends AssetFilterInput {
  order?: 'asc' | 'desc';
  limit: number;
  starting_after_id?: string;
}

function timeBound(text: string | undefined, field: string): TimeBound | undefined {
  if (text === undefined) return undefined;
  const t = parseIsoDateTime(text);
  if (!t) throw unprocessable(['query', field], 'Input should be a valid datetime or date', 'datetime_from_date_parsing', text);
  return { wall: t.wall, utc: toUtcText(t) };
}

/** Resolves the library and turns validated query text into store filters; 422 for contradictions. */
export async function resolveFilters(deps: Pick<Deps, 'db' | 'clock' | 'config'>, who: Principal, input: AssetFilterInput): Promise<AssetFilters> {
  const geo = parseGeoFilter(input);
  if (!geo.ok) throw unprocessable(['query', geo.field], geo.message);
  if (input.album_filter === 'not_in_album' && input.album_id !== undefined) {
    throw unprocessable(['query', 'album_filter'], 'album_filter=not_in_album cannot be combined with album_id', 'value_error', input.album_filter);
  }
  const library = await libraries.resolve(deps, who, input.library_id);
  return {
    libraryId: library.id,
    state: input.state ?? 'live',
    ids: input.ids,
    after: timeBound(input.local_datetime_after, 'local_datetime_after'),
    before: timeBound(input.local_datetime_before, 'local_datetime_before'),
    bbox: geo.bbox,
    near: geo.near,
    mediaType: input.media_type,
    ratings: input.ratings,
    personIds: input.person_ids,
    albumId: input.album_id,
    albumFilter: input.album_filter,
    stackId: input.stack_id,
  };
}

export async function withMetadata(db: Executor, assets: AssetRow[], wanted: boolean): Promise<AssetView[]> {
  if (!wanted) return assets.map((asset) => ({ asset }));
  const rows = await assetStore.findMetadata(db, assets.map((a) => a.id));
  const byId = new Map(rows.map((m) => [m.asset_id, m]));
  return assets.map((asset) => ({ asset, metadata: byId.get(asset.id) }));
}

export async function get(deps: Pick<Deps, 'db'>, who: Principal, id: string, withMeta: boolean): Promise<AssetView> {
  const asset = await assetStore.findInLibraries(deps.db, who, id);
  if (!asset) throw new NotFound('Asset not found');
  const [view] = await withMetadata(deps.db, [asset], withMeta);
  return view;
}

export async function list(deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'config'>, who: Principal, input: ListInput, withMeta: boolean) {
  const filters = await resolveFilters(deps, who, input);
  let after: { key: string; id: string } | undefined;
  if (input.starting_after_id !== undefined) {
    const [cursor] = await assetStore.findByIds(deps.db, filters.libraryId, [input.starting_after_id]);
    const key = cursor && (filters.state === 'trashed' ? cursor.trashed_at : cursor.local_wall);
    if (!cursor || !key) {
      throw unprocessable(['query', 'starting_after_id'], 'starting_after_id is not an asset of this listing', 'value_error', input.starting_after_id);
    }
    after = { key, id: cursor.id };
  }
  const rows = await assetStore.listPage(deps.db, deps.dialect, filters, { order: input.order ?? 'desc', after, limit: input.limit + 1 });
  const hasMore = rows.length > input.limit;
  const data = await withMetadata(deps.db, rows.slice(0, input.limit), withMeta);
  return { data, has_more: hasMore };
}

function checkPatch(patch: AssetPatch, loc: (string | number)[]): void {
  const field = gpsPairProblem(patch);
  if (field) {
    throw unprocessable([...loc, field], 'latitude and longitude must be set together (both values or both null)', 'value_error');
  }
}

/** Applies one PATCH inside `trx`; returns the updated view (with metadata). */
async function applyUpdate(trx: Tx, deps: Pick<Deps, 'dialect'>, asset: AssetRow, patch: AssetPatch, now: string): Promise<AssetView> {
  const [metadata] = await assetStore.findMetadata(trx, [asset.id]);
  const user = applyPatch(metadata, patch);
  const effective = effectiveValues(user, metadata);
  const assetChanges = {
    ...captureColumns(user, metadata, asset),
    latitude: effective.latitude,
    longitude: effective.longitude,
    rating: effective.rating,
    updated_at: now,
  };
  const metadataChanges = { ...user, updated_at: now };
  await assetStore.update(trx, asset.id, assetChanges);
  await assetStore.updateMetadata(trx, asset.id, metadataChanges);
  await eventStore.append(trx, deps.dialect, now, [
    { library_id: asset.library_id, entity_type: 'asset', entity_id: asset.id, event_type: 'asset_updated', payload: { stack_id: asset.stack_id } },
    { library_id: asset.library_id, entity_type: 'metadata', entity_id: asset.id, event_type: 'metadata_updated' },
  ]);
  // New effective GPS: place names (and the zone-derived capture offset) must follow.
  if (effective.latitude !== asset.latitude || effective.longitude !== asset.longitude) {
    await taskStore.enqueue(trx, now, [assetTask('reverse_geocoding', asset)]);
  }
  // A new capture time can make or break a burst (§3.14).
  if (asset.media_type === 'image' && assetChanges.local_wall !== asset.local_wall) {
    await taskStore.enqueue(trx, now, [burstTask(asset.library_id, now)]);
  }
  await searchIndex.refresh(trx, now, [asset.id]);
  return { asset: { ...asset, ...assetChanges }, metadata: { ...metadata, ...metadataChanges } };
}

export async function update(deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'wake'>, who: Principal, id: string, patch: AssetPatch): Promise<AssetView> {
  checkPatch(patch, ['body']);
  return deps.db.transaction().execute(async (trx) => {
    const asset = await assetStore.findInLibraries(trx, who, id);
    if (!asset) throw new NotFound('Asset not found');
    return applyUpdate(trx, deps, asset, patch, nowText(deps));
  }).finally(deps.wake);
}

/** §1.8 bulk-update: every item valid and every id visible, or nothing is written. */
export async function bulkUpdate(deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'wake'>, who: Principal, updates: { id: string; change: AssetPatch }[]): Promise<void> {
  const issues: ValidationIssue[] = [];
  updates.forEach((u, i) => {
    try {
      checkPatch(u.change, ['body', 'updates', i, 'change']);
    } catch (err) {
      if (err instanceof Unprocessable) issues.push(...err.issues);
      else throw err;
    }
  });
  if (issues.length) throw new Unprocessable(issues);
  await deps.db.transaction().execute(async (trx) => {
    const now = nowText(deps);
    const missing: string[] = [];
    const found: AssetRow[] = [];
    for (const u of updates) {
      const asset = await assetStore.findInLibraries(trx, who, u.id);
      if (asset) found.push(asset);
      else missing.push(u.id);
    }
    if (missing.length) throw new NotFound(`Assets not found: ${missing.join(', ')}`);
    // Every row lock before the first event (each update appends): see the lock order in store/assets.ts.
    await assetStore.lockAll(trx, deps.dialect, found.map((a) => a.id));
    for (const [i, u] of updates.entries()) await applyUpdate(trx, deps, found[i], u.change, now);
  });
  deps.wake();
}

export async function exist(deps: Pick<Deps, 'db' | 'clock' | 'config'>, who: Principal, libraryId: string | undefined, criterion: ExistenceCriterion): Promise<AssetRow[]> {
  const library = await libraries.resolve(deps, who, libraryId);
  return assetStore.findExisting(deps.db, library.id, criterion);
}
