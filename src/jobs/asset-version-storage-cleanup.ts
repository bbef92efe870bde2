import { RUNGS, RUNG_NAMES } from '../media/rungs.js';
import { renditionKey } from '../services/renditions.js';
import * as versionStore from '../store/asset-versions.js';
import type { TaskHandler } from './task.js';

export interface VersionCleanupPayload {
  asset_id: string;
  /** Versions that no longer exist: their bytes and renditions go, unless a live row still uses the bytes. */
  versions: { id: string; blob_key: string }[];
}

/**
 * Deletes the stored bytes of superseded or deleted versions (§1.9, §3.19) and every rendition
 * made from them. Idempotent: a missing file is fine, and bytes that a remaining version (or
 * the asset itself) still references are kept, since identical renderings share one blob.
 */
export const assetVersionStorageCleanup: TaskHandler<VersionCleanupPayload> = {
  type: 'asset_version_storage_cleanup',
  async run({ deps, task }, { asset_id, versions }) {
    let blobs = 0;
    let renditions = 0;
    for (const v of versions) {
      const owner = { library_id: task.library_id, id: asset_id, current_version_id: v.id };
      const keys = [
        ...RUNG_NAMES.map((rung) => renditionKey(owner, rung, RUNGS[rung].format === 'jpeg' ? 'jpg' : 'webp')),
        renditionKey(owner, 'still', 'jpg'),
        renditionKey(owner, 'proxy', 'mp4'),
      ];
      for (const key of keys) {
        if (await deps.blobs.stat(key)) renditions++;
        await deps.blobs.delete(key);
      }
      if (await versionStore.isBlobReferenced(deps.db, asset_id, v.blob_key)) continue;
      if (await deps.blobs.stat(v.blob_key)) blobs++;
      await deps.blobs.delete(v.blob_key);
    }
    return { result: `removed ${blobs} version file${blobs === 1 ? '' : 's'} and ${renditions} rendition${renditions === 1 ? '' : 's'}` };
  },
};
