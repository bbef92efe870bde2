import type { NewTask } from '../store/tasks.js';
import { isUndecodableMedia } from '../media/errors.js';
import { PermanentTaskError } from './task.js';

/** Payload of every per-asset task: the asset is re-read when the task runs, so it is never stale. */
export interface AssetTaskPayload {
  asset_id: string;
}

/** A per-asset task, deduplicated while one is still pending for the same asset. */
export const assetTask = (task_type: string, asset: { id: string; library_id: string }): NewTask => ({
  task_type,
  library_id: asset.library_id,
  asset_id: asset.id,
  payload: { asset_id: asset.id } satisfies AssetTaskPayload,
  key: `${task_type}:${asset.id}`,
});

/** An undecodable file will not decode on a retry: fail the task at once, keeping the reason. */
export async function permanentIfUndecodable<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isUndecodableMedia(err)) throw new PermanentTaskError(err.message);
    throw err;
  }
}
