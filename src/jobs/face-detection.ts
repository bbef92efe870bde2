import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { FACE_THRESHOLDS } from '../domain/face-calibration.js';
import { type ClusterFace, linkGroups, toBytes } from '../domain/face-clustering.js';
import { type Box, toDisplaySpace } from '../domain/face-geometry.js';
import { newId } from '../domain/ids.js';
import { type DetectedFace, detectFaces } from '../ml/faces.js';
import { extractStill } from '../media/video.js';
import { ensureRung, renditionKey } from '../services/renditions.js';
import type { Deps } from '../services/deps.js';
import * as assetStore from '../store/assets.js';
import type { AssetRow } from '../store/assets.js';
import * as eventStore from '../store/events.js';
import * as faceStore from '../store/faces.js';
import type { FaceRow } from '../store/faces.js';
import * as peopleStore from '../store/people.js';
import * as taskStore from '../store/tasks.js';
import { type AssetTaskPayload, permanentIfUndecodable } from './asset-task.js';
import { faceClusteringTask } from './face-clustering.js';
import type { TaskHandler } from './task.js';
import * as searchIndex from '../services/search-index.js';

/** Where in a video faces are looked for: a few frames spread over the clip. */
export function sampleTimesMs(durationS: number | null): number[] {
  if (!durationS || durationS <= 0) return [0];
  const ms = durationS * 1000;
  if (ms < 1500) return [Math.round(ms / 2)];
  return [0.15, 0.5, 0.85].map((p) => Math.round(ms * p));
}

/** The stored frame of a video a face was found on (its thumbnail is cropped from it). */
export const frameKey = (asset: AssetRow, ms: number) => renditionKey(asset, `frame-${ms}`, 'jpg');

interface Found extends DetectedFace {
  displayBox: Box;
  timestampMs: number | null;
}

async function detectInPhoto(deps: Deps, asset: AssetRow): Promise<Found[]> {
  const key = await permanentIfUndecodable(ensureRung(deps, asset, 'preview'));
  const detection = await permanentIfUndecodable(detectFaces(await deps.blobs.localPath(key)));
  const display = asset.width && asset.height ? { width: asset.width, height: asset.height } : detection;
  return detection.faces.flatMap((f) => {
    const displayBox = toDisplaySpace(f.box, detection, display);
    return displayBox ? [{ ...f, displayBox, timestampMs: null }] : [];
  });
}

/**
 * Videos: faces on a few sampled frames. One person seen on several frames is one face: faces
 * of different frames whose embeddings link are merged, keeping the most confident.
 */
async function detectInVideo(deps: Deps, asset: AssetRow): Promise<Found[]> {
  const found: Found[] = [];
  await fsp.mkdir(deps.tmpDir, { recursive: true });
  for (const ms of sampleTimesMs(asset.duration)) {
    const key = frameKey(asset, ms);
    if (!(await deps.blobs.stat(key))) {
      const dest = path.join(deps.tmpDir, `${randomUUID()}.frame.jpg`);
      try {
        await permanentIfUndecodable(extractStill(await deps.blobs.localPath(asset.blob_key), ms / 1000, dest));
        await deps.blobs.putFile(key, dest);
      } finally {
        await fsp.rm(dest, { force: true });
      }
    }
    const detection = await permanentIfUndecodable(detectFaces(await deps.blobs.localPath(key)));
    const display = asset.width && asset.height ? { width: asset.width, height: asset.height } : detection;
    for (const f of detection.faces) {
      const displayBox = toDisplaySpace(f.box, detection, display);
      if (displayBox) found.push({ ...f, displayBox, timestampMs: ms });
    }
  }
  // Link across frames only: two faces of one frame are two people.
  const items: ClusterFace[] = found.map((f, i) => ({ id: String(i).padStart(6, '0'), assetId: `frame-${f.timestampMs}`, personId: null, movable: true, detachedFrom: null, embedding: f.embedding }));
  return linkGroups(items, FACE_THRESHOLDS).map((group) => group.map((g) => found[Number(g.id)]).sort((a, b) => b.confidence - a.confidence)[0]);
}

/**
 * Finds the faces of the asset's current rendering (the `preview` rung of photos, sampled
 * frames of videos) and stores them with their embeddings; faces of an older rendering go.
 * `face_created` events come now, before clustering, which this queues for the library.
 */
export const faceDetection: TaskHandler<AssetTaskPayload> = {
  type: 'face_detection',
  async run({ deps }, { asset_id }) {
    const [asset] = await assetStore.findByIdsAnyLibrary(deps.db, [asset_id]);
    if (!asset) return 'skipped';
    const existing = (await faceStore.byAssets(deps.db, [asset.id])).filter((f) => f.source === 'automatic');
    if (existing.some((f) => f.version_id === asset.current_version_id)) return 'skipped';
    const t0 = Date.now();
    const found = asset.media_type === 'video' ? await detectInVideo(deps, asset) : await detectInPhoto(deps, asset);
    const saved = await deps.db.transaction().execute(async (trx) => {
      const [current] = await assetStore.findByIdsAnyLibrary(trx, [asset.id]);
      if (!current || current.current_version_id !== asset.current_version_id) return undefined;
      const now = deps.clock().toISOString();
      const stale = (await faceStore.byAssets(trx, [asset.id])).filter((f) => f.source === 'automatic' && f.version_id !== asset.current_version_id);
      if ((await faceStore.byAssets(trx, [asset.id])).some((f) => f.source === 'automatic' && f.version_id === asset.current_version_id)) return undefined;
      const rows: FaceRow[] = found.map((f, i) => ({
        id: newId('face'),
        library_id: asset.library_id,
        asset_id: asset.id,
        person_id: null,
        source: 'automatic',
        assigned_by: null,
        detached_from: null,
        confidence: Math.round(f.confidence * 1e4) / 1e4,
        timestamp_ms: f.timestampMs,
        x: f.displayBox.x,
        y: f.displayBox.y,
        w: f.displayBox.w,
        h: f.displayBox.h,
        embedding: toBytes(f.embedding),
        version_id: asset.current_version_id,
        // Distinct, increasing creation times keep the list order (newest first) deterministic.
        created_at: new Date(Date.parse(now) + i).toISOString(),
        updated_at: now,
      }));
      await faceStore.deleteByIds(trx, stale.map((f) => f.id));
      await faceStore.insertMany(trx, rows);
      const stalePeople = [...new Set(stale.map((f) => f.person_id).filter((p): p is string => p !== null))];
      for (const p of stalePeople) await peopleStore.lockFaces(trx, p);
      const changedPeople = await peopleStore.refresh(trx, stalePeople, now);
      await eventStore.append(trx, deps.dialect, now, [
        ...stale.map((f) => ({ library_id: asset.library_id, entity_type: 'face' as const, entity_id: f.id, event_type: 'face_deleted' })),
        ...rows.map((f) => ({ library_id: asset.library_id, entity_type: 'face' as const, entity_id: f.id, event_type: 'face_created' })),
        ...changedPeople.map((id) => ({ library_id: asset.library_id, entity_type: 'person' as const, entity_id: id, event_type: 'person_updated' })),
      ]);
      if (stalePeople.length) await searchIndex.refresh(trx, now, [asset.id]);
      if (rows.length || stale.length) await taskStore.enqueue(trx, now, [faceClusteringTask(asset.library_id)]);
      return rows.length;
    });
    if (saved === undefined) return 'skipped';
    deps.wake();
    return { result: `${saved} face${saved === 1 ? '' : 's'} in ${Date.now() - t0} ms` };
  },
};
