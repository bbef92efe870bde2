import { derivedPrefix } from '../services/renditions.js';
import * as assetStore from '../store/assets.js';
import type { AssetRow } from '../store/assets.js';
import type { NewTask } from '../store/tasks.js';
import type { TaskHandler } from './task.js';

/** The row is gone when this runs, so the payload names the files. */
export interface AssetStorageCleanupPayload {
  asset_id: string;
  /** The original's key. */
  blob_key: string;
  /** Every rendition of every version lives under it. */
  derived_prefix: string;
}

/** Enqueued in the transaction that deletes the asset's row (§3.13: files go asynchronously). */
export const assetStorageCleanupTask = (asset: Pick<AssetRow, 'id' | 'library_id' | 'blob_key'>): NewTask => ({
  task_type: 'asset_storage_cleanup',
  library_id: asset.library_id,
  asset_id: asset.id,
  payload: { asset_id: asset.id, blob_key: asset.blob_key, derived_prefix: derivedPrefix(asset) } satisfies AssetStorageCleanupPayload,
  key: `asset_storage_cleanup:${asset.id}`,
});

/**
 * Removes a permanently deleted asset's original and renditions. Idempotent: deleting what is
 * already gone is a no-op, so a rerun after a crash finishes the job.
 */
export const assetStorageCleanup: TaskHandler<AssetStorageCleanupPayload> = {
  type: 'asset_storage_cleanup',
  async run({ deps }, { asset_id, blob_key, derived_prefix }) {
    // Never remove the files of an asset that exists (a task enqueued by mistake, or replayed by hand).
    if ((await assetStore.findByIdsAnyLibrary(deps.db, [asset_id])).length > 0) return 'skipped';
    const had = (await deps.blobs.stat(blob_key)) !== undefined;
    await deps.blobs.delete(blob_key);
    await deps.blobs.deletePrefix(derived_prefix);
    return { result: had ? 'removed the original and its renditions' : 'original already gone; renditions removed' };
  },
};
