import sharp from 'sharp';
import { describer } from '../ml/describer.js';
import { ensureRung } from '../services/renditions.js';
import * as searchIndex from '../services/search-index.js';
import * as assetStore from '../store/assets.js';
import * as eventStore from '../store/events.js';
import { type AssetTaskPayload, permanentIfUndecodable } from './asset-task.js';
import { asTaskError } from './embedding.js';
import type { TaskHandler } from './task.js';

/** Vision models see at most about this much; a smaller upload is faster and cheaper. */
const DESCRIBE_LONG_EDGE = 1024;

/**
 * `asset_description` (§3.17): a vision-language model describes the preview; the answer goes
 * to `asset.description` ("" when the model declined) and into the search document. The
 * user's `metadata.description` is never touched. Queued after the preview exists, only when a
 * describer is configured; an asset that has a description already is skipped.
 */
export const assetDescription: TaskHandler<AssetTaskPayload> = {
  type: 'asset_description',
  async run({ deps }, { asset_id }) {
    const model = describer(deps.config);
    const [asset] = await assetStore.findByIdsAnyLibrary(deps.db, [asset_id]);
    if (!asset || asset.description !== null || !model) return 'skipped';
    const preview = await deps.blobs.localPath(await permanentIfUndecodable(ensureRung(deps, asset, 'preview')));
    const jpeg = await sharp(preview).resize(DESCRIBE_LONG_EDGE, DESCRIBE_LONG_EDGE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 85 }).toBuffer();
    let description: string;
    try {
      description = await model.describe(jpeg);
    } catch (err) {
      throw asTaskError(err);
    }
    const saved = await deps.db.transaction().execute(async (trx) => {
      const [current] = await assetStore.findByIdsAnyLibrary(trx, [asset_id]);
      if (!current || current.description !== null) return false;
      const now = deps.clock().toISOString();
      await assetStore.update(trx, asset_id, { description, updated_at: now });
      await eventStore.append(trx, deps.dialect, now, [
        { library_id: current.library_id, entity_type: 'asset', entity_id: asset_id, event_type: 'asset_updated', payload: { stack_id: current.stack_id } },
      ]);
      await searchIndex.refresh(trx, now, [asset_id]);
      return true;
    });
    if (!saved) return 'skipped';
    return { result: description === '' ? 'the model declined to describe it' : `${description.length} characters` };
  },
};
