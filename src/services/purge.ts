import { isLibraryPurgeDue } from '../domain/trash-retention.js';
import * as albumStore from '../store/albums.js';
import * as assetStore from '../store/assets.js';
import * as eventStore from '../store/events.js';
import * as libraryStore from '../store/libraries.js';
import * as taskStore from '../store/tasks.js';
import { deleteAssets } from './asset-deletion.js';
import { nowText, type Deps } from './deps.js';
import { libraryBlobPrefixes } from './renditions.js';

/**
 * The purge (§1.7, §3.13), in short transactions of at most `batch` assets each, so requests
 * interleave with it. Every step re-checks its subject under a lock, so any number of workers
 * may run it at once and a restore always wins over the batches that follow it.
 */

/** Permanently deletes up to `batch` assets trashed before `cutoff`, in one library; returns how many. */
export async function purgeExpiredAssets(deps: Pick<Deps, 'db' | 'dialect' | 'clock'>, cutoff: string, batch: number): Promise<number> {
  for (const libraryId of await assetStore.librariesWithTrashBefore(deps.db, cutoff)) {
    const deleted = await deps.db.transaction().execute((trx) => deleteAssets(trx, deps.dialect, { libraryId, trashed: { before: cutoff }, limit: batch }, nowText(deps)));
    if (deleted.length > 0) return deleted.length;
  }
  return 0;
}

/**
 * One step of draining a library whose purge is due:
 * - `progress`: a batch of its assets was deleted (their files go by `asset_storage_cleanup`);
 * - `waiting`: no assets are left, but some of its file cleanups are still to run;
 * - `removed`: nothing was left: its albums, events, tasks and row are gone, then its blob folders;
 * - `not_due`: restored meanwhile, already removed, or not due.
 */
export async function purgeLibraryStep(
  deps: Pick<Deps, 'db' | 'dialect' | 'clock' | 'blobs'>,
  libraryId: string,
  cutoff: string,
  batch: number,
): Promise<'progress' | 'waiting' | 'removed' | 'not_due'> {
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const library = await libraryStore.lock(trx, deps.dialect, libraryId);
    if (!library || !isLibraryPurgeDue(library, cutoff)) return 'not_due' as const;
    const deleted = await deleteAssets(trx, deps.dialect, { libraryId, limit: batch }, nowText(deps));
    if (deleted.length > 0) return 'progress' as const;
    if ((await assetStore.countInLibrary(trx, libraryId)) > 0) return 'progress' as const;
    // Only file cleanups matter: analysis of a library with no assets left has nothing to do.
    if (await taskStore.hasUnfinished(trx, libraryId, ['asset_storage_cleanup', 'asset_version_storage_cleanup'])) return 'waiting' as const;
    await albumStore.deleteAllOfLibrary(trx, libraryId);
    await eventStore.deleteAllOfLibrary(trx, libraryId);
    await taskStore.deleteAllOfLibrary(trx, libraryId);
    await libraryStore.deleteById(trx, libraryId);
    return 'removed' as const;
  });
  // Only once the row is gone can nothing write there again (an upload into it would now fail its
  // foreign key). Sweeps what per-asset cleanups could not know of, e.g. files of interrupted uploads.
  if (outcome === 'removed') for (const prefix of libraryBlobPrefixes(libraryId)) await deps.blobs.deletePrefix(prefix);
  return outcome;
}
