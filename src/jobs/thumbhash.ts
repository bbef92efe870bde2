import { eagerRungs, renderRungs } from '../services/renditions.js';
import * as assetStore from '../store/assets.js';
import * as eventStore from '../store/events.js';
import * as taskStore from '../store/tasks.js';
import { understandingTasks } from './embedding.js';
import type { Deps } from '../services/deps.js';
import type { AssetRow } from '../store/assets.js';
import { type AssetTaskPayload, assetTask, permanentIfUndecodable } from './asset-task.js';
import type { TaskHandler } from './task.js';

/**
 * Stores the ThumbHash (and fills a size exiftool could not read) and queues what the preview
 * now allows (face detection, the understanding tasks) in one short transaction, unless the
 * asset is gone or moved to another version meanwhile.
 */
export async function saveThumbhash(deps: Deps, asset: AssetRow, thumbhash: string, size: { width: number; height: number }): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const [current] = await assetStore.findByIdsAnyLibrary(trx, [asset.id]);
    if (!current || current.current_version_id !== asset.current_version_id) return false;
    const now = deps.clock().toISOString();
    await assetStore.update(trx, asset.id, {
      thumbhash,
      width: current.width ?? size.width,
      height: current.height ?? size.height,
      updated_at: now,
    });
    await eventStore.append(trx, deps.dialect, now, [
      { library_id: asset.library_id, entity_type: 'asset', entity_id: asset.id, event_type: 'asset_updated', payload: { stack_id: current.stack_id } },
    ]);
    if (deps.config.faces) await taskStore.enqueue(trx, now, [assetTask('face_detection', asset)]);
    // The preview exists now: what search and descriptions need can be learnt from it.
    await taskStore.enqueue(trx, now, understandingTasks(deps.config, asset));
    return true;
  }).finally(deps.wake);
}

/** Photos: the eager rungs from one decode, then the ThumbHash from the thumbnail. */
export const thumbhash: TaskHandler<AssetTaskPayload> = {
  type: 'thumbhash',
  async run({ deps }, { asset_id }) {
    const [asset] = await assetStore.findByIdsAnyLibrary(deps.db, [asset_id]);
    if (!asset) return 'skipped';
    const rungs = eagerRungs(asset);
    const rendered = await permanentIfUndecodable(renderRungs(deps, asset, rungs));
    if (!(await saveThumbhash(deps, asset, rendered.thumbhash, rendered))) return 'skipped';
    return { result: `rendered ${rungs.join(', ')}; thumbhash ${rendered.thumbhash}` };
  },
};
