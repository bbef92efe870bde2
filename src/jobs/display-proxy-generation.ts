import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { transcodeProxy } from '../media/video.js';
import { proxyKey } from '../services/renditions.js';
import * as assetStore from '../store/assets.js';
import { type AssetTaskPayload, permanentIfUndecodable } from './asset-task.js';
import type { TaskHandler } from './task.js';

/** An H.264/AAC fast-start MP4 for videos browsers cannot play (served as the `playback` rung). */
export const displayProxyGeneration: TaskHandler<AssetTaskPayload> = {
  type: 'display_proxy_generation',
  async run({ deps }, { asset_id }) {
    const [asset] = await assetStore.findByIdsAnyLibrary(deps.db, [asset_id]);
    if (!asset || asset.media_type !== 'video') return 'skipped';
    const key = proxyKey(asset);
    if (await deps.blobs.stat(key)) return 'skipped';
    await fsp.mkdir(deps.tmpDir, { recursive: true });
    const dest = path.join(deps.tmpDir, `${randomUUID()}.proxy.mp4`);
    try {
      const probe = await permanentIfUndecodable(transcodeProxy(await deps.blobs.localPath(asset.blob_key), dest));
      await deps.blobs.putFile(key, dest);
      return { result: `proxy ${probe.codec} ${probe.width}x${probe.height}` };
    } finally {
      await fsp.rm(dest, { force: true });
    }
  },
};
