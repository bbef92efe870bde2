import { eagerRungs, ensureStill, renderRungs } from '../services/renditions.js';
import * as assetStore from '../store/assets.js';
import { type AssetTaskPayload, permanentIfUndecodable } from './asset-task.js';
import type { TaskHandler } from './task.js';
import { saveThumbhash } from './thumbhash.js';

/** Videos: a still (upright), the `*_image` grid and viewer rungs from it, and the ThumbHash. */
export const videoThumbnailExtract: TaskHandler<AssetTaskPayload> = {
  type: 'video_thumbnail_extract',
  async run({ deps }, { asset_id }) {
    const [asset] = await assetStore.findByIdsAnyLibrary(deps.db, [asset_id]);
    if (!asset) return 'skipped';
    await permanentIfUndecodable(ensureStill(deps, asset));
    const rendered = await permanentIfUndecodable(renderRungs(deps, asset, eagerRungs(asset)));
    if (!(await saveThumbhash(deps, asset, rendered.thumbhash, rendered))) return 'skipped';
    return { result: `still ${rendered.width}x${rendered.height}; thumbhash ${rendered.thumbhash}` };
  },
};
