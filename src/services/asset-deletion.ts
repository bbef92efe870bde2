import { countDeltas } from '../domain/albums.js';
import { assetStorageCleanupTasks } from '../jobs/asset-storage-cleanup.js';
import * as albumStore from '../store/albums.js';
import * as assetStore from '../store/assets.js';
import type { AssetRow, DeletionScope } from '../store/assets.js';
import type { DialectAdapter } from '../store/dialect/adapter.js';
import * as eventStore from '../store/events.js';
import * as faceStore from '../store/faces.js';
import * as libraryStore from '../store/libraries.js';
import type { Tx } from '../store/schema.js';
import * as taskStore from '../store/tasks.js';
import * as userStore from '../store/users.js';
import { albumUpdatedEvents, linkEvent } from './albums.js';
import { settlePeople } from './faces.js';
import { beforeAssetsDeleted } from './asset-dependents.js';

/**
 * Permanent deletion of one library's assets inside the caller's transaction, shared by
 * DELETE /api/assets[/{id}], empty-trash and the purge (§1.8, §3.13). Row locks follow the order
 * of store/assets.ts and the events are appended last. In order:
 * - the assets are read under FOR UPDATE within `scope`, so each is deleted and counted once;
 * - their album links go (`album_asset_removed` each), explicit covers on them are forgotten,
 *   album live counts drop for live members (`album_updated` per album);
 * - the rows go, library and owner usage drop by their bytes (`asset_deleted` each);
 * - `asset_storage_cleanup` tasks (one per 200 assets) remove the originals and renditions later.
 * Returns the assets deleted.
 */
export async function deleteAssets(trx: Tx, dialect: DialectAdapter, scope: DeletionScope, now: string): Promise<AssetRow[]> {
  // Lock order library → assets → albums → user (store/assets.ts).
  const library = await libraryStore.lock(trx, dialect, scope.libraryId);
  const assets = await assetStore.lockForDeletion(trx, dialect, scope);
  if (!library || assets.length === 0) return [];
  const ids = assets.map((a) => a.id);
  const links = await albumStore.linksOfAssets(trx, ids);
  const live = new Set(assets.filter((a) => a.trashed_at === null).map((a) => a.id));
  const albumChanges = countDeltas(links.filter((l) => live.has(l.asset_id)), -1, new Map(links.map((l) => [l.album_id, 0])));
  await albumStore.adjustCounts(trx, albumChanges, now);
  await albumStore.deleteLinks(trx, links.map((l) => l.id));
  await albumStore.clearCovers(trx, [...albumChanges.keys()], ids, now);
  const albumEvents = await albumUpdatedEvents(trx, [...albumChanges.keys()]);

  // Faces go with their asset; their people's counts and thumbnails settle.
  const faces = await faceStore.byAssets(trx, ids);
  await faceStore.deleteByIds(trx, faces.map((f) => f.id));
  const peopleEvents = await settlePeople(trx, scope.libraryId, faces.map((f) => f.person_id), now);

  // Stacks lose the assets (dissolving below two members), edit versions release their files.
  await beforeAssetsDeleted(trx, { dialect }, library.user_id, scope.libraryId, assets, now);
  await assetStore.deleteByIds(trx, ids);
  const bytes = assets.reduce((sum, a) => sum + a.file_size_bytes, 0);
  await libraryStore.adjustUsage(trx, scope.libraryId, { bytes: -bytes, assets: -assets.length }, now);
  await userStore.addStorageUsed(trx, library.user_id, -bytes, now);
  await taskStore.enqueue(trx, now, assetStorageCleanupTasks(assets));
  // Events last: the event stream's lock comes after every row lock.
  await eventStore.append(trx, dialect, now, [
    ...links.map((l) => linkEvent(l, 'album_asset_removed')),
    ...albumEvents,
    ...faces.map((f) => ({ library_id: f.library_id, entity_type: 'face' as const, entity_id: f.id, event_type: 'face_deleted' })),
    ...assets.map((a) => ({ library_id: a.library_id, entity_type: 'asset' as const, entity_id: a.id, event_type: 'asset_deleted' })),
    ...peopleEvents,
  ]);
  return assets;
}
