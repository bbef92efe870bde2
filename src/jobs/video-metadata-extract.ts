import { captureColumns, effectiveValues } from '../domain/asset-metadata.js';
import { formatLocalDateTime, parseIsoDateTime } from '../domain/capture-time.js';
import { isBrowserPlayable, probeVideo } from '../media/video.js';
import * as assetStore from '../store/assets.js';
import * as eventStore from '../store/events.js';
import * as searchIndex from '../services/search-index.js';
import * as taskStore from '../store/tasks.js';
import { type AssetTaskPayload, assetTask, permanentIfUndecodable } from './asset-task.js';
import type { TaskHandler } from './task.js';

/**
 * ffprobe fills what exiftool could not: duration, frame rate, display size (rotation applied),
 * and, when the container's tags gave none, capture time and location. A location found here
 * is geocoded; a video a browser cannot play gets a display proxy.
 */
export const videoMetadataExtract: TaskHandler<AssetTaskPayload> = {
  type: 'video_metadata_extract',
  async run({ deps }, { asset_id }) {
    const [before] = await assetStore.findByIdsAnyLibrary(deps.db, [asset_id]);
    if (!before) return 'skipped';
    const probe = await permanentIfUndecodable(probeVideo(await deps.blobs.localPath(before.blob_key)));
    const created = probe.creation_time ? parseIsoDateTime(probe.creation_time) : undefined;
    return deps.db.transaction().execute(async (trx) => {
      const [asset] = await assetStore.findByIdsAnyLibrary(trx, [asset_id]);
      const [meta] = await assetStore.findMetadata(trx, [asset_id]);
      if (!asset || !meta) return 'skipped';
      const now = deps.clock().toISOString();
      const file = {
        file_original_datetime: meta.file_original_datetime ?? (created ? formatLocalDateTime(created) : null),
        file_latitude: meta.file_latitude ?? probe.location?.lat ?? null,
        file_longitude: meta.file_longitude ?? probe.location?.lon ?? null,
      };
      const merged = { ...meta, ...file, fps: probe.fps ?? meta.fps };
      const effective = effectiveValues(merged, merged);
      await assetStore.updateMetadata(trx, asset_id, { ...file, fps: merged.fps, updated_at: now });
      await assetStore.update(trx, asset_id, {
        duration: probe.duration_s ?? asset.duration,
        width: probe.width || asset.width,
        height: probe.height || asset.height,
        latitude: effective.latitude,
        longitude: effective.longitude,
        ...captureColumns(merged, merged, asset),
        updated_at: now,
      });
      await eventStore.append(trx, deps.dialect, now, [
        { library_id: asset.library_id, entity_type: 'asset', entity_id: asset_id, event_type: 'asset_updated', payload: { stack_id: asset.stack_id } },
        { library_id: asset.library_id, entity_type: 'metadata', entity_id: asset_id, event_type: 'metadata_updated' },
      ]);
      const followUps = [];
      if (effective.latitude !== asset.latitude || effective.longitude !== asset.longitude) followUps.push(assetTask('reverse_geocoding', asset));
      if (!isBrowserPlayable(probe)) followUps.push(assetTask('display_proxy_generation', asset));
      await taskStore.enqueue(trx, now, followUps);
      await searchIndex.refresh(trx, now, [asset_id]);
      return { result: `${probe.codec} ${probe.width}x${probe.height}, ${probe.duration_s ?? '?'} s${followUps.length ? `; queued ${followUps.map((t) => t.task_type).join(', ')}` : ''}` };
    });
  },
};
