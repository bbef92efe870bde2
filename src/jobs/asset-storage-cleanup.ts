import { derivedPrefix } from '../services/renditions.js';
import * as assetStore from '../store/assets.js';
import type { AssetRow } from '../store/assets.js';
import type { NewTask } from '../store/tasks.js';
import type { TaskHandler } from './task.js';

/** The files of one deleted asset: its row is gone when the task runs, so the payload names them. */
export interface AssetFiles {
  asset_id: string;
  /** The original's key. */
  blob_key: string;
  /** Every rendition of every version lives under it. */
  derived_prefix: string;
}

export interface AssetStorageCleanupPayload {
  assets: AssetFiles[];
}

/** Assets per task: a purge batch is one task, not hundreds of queue round trips. */
export const CLEANUP_CHUNK = 200;

/**
 * Enqueued in the transaction that deletes the rows (§3.13: files go asynchronously). A task
 * for one asset carries its `asset_id`; one for several is library-scoped (`asset_id` null).
 */
export function assetStorageCleanupTasks(assets: Pick<AssetRow, 'id' | 'library_id' | 'blob_key'>[]): NewTask[] {
  const tasks: NewTask[] = [];
  for (let i = 0; i < assets.length; i += CLEANUP_CHUNK) {
    const chunk = assets.slice(i, i + CLEANUP_CHUNK);
    tasks.push({
      task_type: 'asset_storage_cleanup',
      library_id: chunk[0].library_id,
      asset_id: chunk.length === 1 ? chunk[0].id : null,
      payload: { assets: chunk.map((a) => ({ asset_id: a.id, blob_key: a.blob_key, derived_prefix: derivedPrefix(a) })) } satisfies AssetStorageCleanupPayload,
    });
  }
  return tasks;
}

/**
 * Removes permanently deleted assets' originals and renditions. Idempotent: deleting what is
 * already gone is a no-op, so a rerun after a crash finishes the job.
 */
export const assetStorageCleanup: TaskHandler<AssetStorageCleanupPayload> = {
  type: 'asset_storage_cleanup',
  async run({ deps }, { assets }) {
    // Never remove the files of an asset that exists (a task replayed by hand, or a bug upstream).
    const alive = new Set((await assetStore.findByIdsAnyLibrary(deps.db, assets.map((a) => a.asset_id))).map((a) => a.id));
    const gone = assets.filter((a) => !alive.has(a.asset_id));
    if (gone.length === 0) return 'skipped';
    let originals = 0;
    for (const a of gone) {
      if (await deps.blobs.stat(a.blob_key)) originals++;
      await deps.blobs.delete(a.blob_key);
      await deps.blobs.deletePrefix(a.derived_prefix);
    }
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    return { result: `removed ${plural(originals, 'original')} and the renditions of ${plural(gone.length, 'asset')}` };
  },
};
