import sharp from 'sharp';
import { putBuffer } from '../blobs/temp-file.js';
import { thumbnailCrop } from '../domain/face-geometry.js';
import { frameKey } from '../jobs/face-detection.js';
import { RUNGS } from '../media/rungs.js';
import type { AssetRow } from '../store/assets.js';
import type { FaceRow } from '../store/faces.js';
import type { Deps } from './deps.js';
import { ensureRung, isStored, renditionKey } from './renditions.js';

export const faceThumbnailKey = (asset: AssetRow, face: Pick<FaceRow, 'id'>) => renditionKey(asset, `face-${face.id}`, 'webp');

/**
 * The face's `thumbnail` rung: a square crop around the face (with some context) from the
 * picture it was found on — the preview for photos, the sampled frame for videos — at most
 * the thumbnail rung's size. Rendered on first request and stored under the face's id.
 */
export async function ensureFaceThumbnail(deps: Pick<Deps, 'blobs' | 'tmpDir'>, asset: AssetRow, face: FaceRow): Promise<string> {
  const key = faceThumbnailKey(asset, face);
  if (await isStored(deps.blobs, key)) return key;
  const frame = face.timestamp_ms !== null && asset.media_type === 'video' ? frameKey(asset, face.timestamp_ms) : undefined;
  const sourceKey = frame && (await deps.blobs.stat(frame)) ? frame : await ensureRung(deps, asset, 'preview');
  const source = sharp(await deps.blobs.localPath(sourceKey)).rotate();
  const meta = await source.metadata();
  const width = meta.autoOrient?.width ?? meta.width!;
  const height = meta.autoOrient?.height ?? meta.height!;
  const displayW = asset.width || width;
  const displayH = asset.height || height;
  const sx = width / displayW;
  const sy = height / displayH;
  const box = { x: face.x * sx, y: face.y * sy, w: Math.max(1, face.w * sx), h: Math.max(1, face.h * sy) };
  const crop = thumbnailCrop(box, width, height);
  const edge = RUNGS.thumbnail.longEdge!;
  const data = await sharp(await deps.blobs.localPath(sourceKey))
    .rotate()
    .extract({ left: crop.x, top: crop.y, width: Math.max(1, crop.w), height: Math.max(1, crop.h) })
    .resize(edge, edge, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: RUNGS.thumbnail.quality })
    .toBuffer();
  await putBuffer(deps.blobs, deps.tmpDir, key, data);
  return key;
}
