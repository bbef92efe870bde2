import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { putBuffer } from '../blobs/temp-file.js';
import { type ImageSource, openImage } from '../media/decode.js';
import { renderRung, renderRungSet } from '../media/render.js';
import { RUNGS, type RungName } from '../media/rungs.js';
import { extractMotionVideo } from '../media/exif.js';
import { extractStill } from '../media/video.js';
import type { AssetRow } from '../store/assets.js';
import type { Deps } from './deps.js';

/** Image rungs, and the video rungs that are stills of the video (§3.12). */
export const IMAGE_RUNGS: readonly RungName[] = ['thumbnail', 'small', 'preview', 'fullsize'];
export const VIDEO_STILL_RUNGS: Readonly<Record<string, RungName>> = {
  thumbnail_image: 'thumbnail',
  small_image: 'small',
  preview_image: 'preview',
  fullsize_image: 'fullsize',
};

const MIME = { webp: 'image/webp', jpeg: 'image/jpeg' } as const;
export const rungMimeType = (rung: RungName) => MIME[RUNGS[rung].format];

/** Sources libvips cannot read directly: decoding them is the cost, so they get every rung eagerly. */
const SLOW_DECODE = /^image\/(heic|heif|x-)/;
export const needsAllRungsEagerly = (asset: Pick<AssetRow, 'mime_type'>) => SLOW_DECODE.test(asset.mime_type) || asset.mime_type === 'image/x-adobe-dng';

/**
 * Rungs made right after upload (`thumbhash`, `video_thumbnail_extract`). For photos libvips
 * reads, only the preview: the viewer shows it, the face and embedding tasks read it at once,
 * and the ThumbHash comes from its bytes. Everything else is made on first request
 * (single-flight, then stored), the way Gumnut's CDN resizes on the fly: the 360-px thumbnail
 * comes from the stored preview in ~20 ms (a ¼-scale decode and a WebP encode), which made
 * eagerly was 16 % of each photo's ingest CPU; `small` costs about as much; a full-resolution
 * JPEG ~150 ms for a 12 MP photo, and is rarely viewed. Video stills keep their thumbnail.
 */
export function eagerRungs(asset: Pick<AssetRow, 'mime_type'>): RungName[] {
  if (needsAllRungsEagerly(asset)) return [...IMAGE_RUNGS];
  return asset.mime_type.startsWith('video/') ? ['thumbnail', 'preview'] : ['preview'];
}

/** Every rendition of an asset, of any version, lives under this prefix (removed with the asset). */
export function derivedPrefix(asset: Pick<AssetRow, 'library_id' | 'id'>): string {
  return `derived/${asset.library_id}/${asset.id.slice(-2)}/${asset.id}/`;
}

/** Where a library's blobs live; swept once the library itself is purged. */
export const libraryBlobPrefixes = (libraryId: string) => [`originals/${libraryId}/`, `versions/${libraryId}/`, `derived/${libraryId}/`];

export function renditionKey(asset: Pick<AssetRow, 'library_id' | 'id' | 'current_version_id'>, name: string, ext: string): string {
  return `${derivedPrefix(asset)}${asset.current_version_id}/${name}.${ext}`;
}

export const rungKey = (asset: AssetRow, rung: RungName) => renditionKey(asset, rung, RUNGS[rung].format === 'jpeg' ? 'jpg' : 'webp');
export const stillKey = (asset: AssetRow) => renditionKey(asset, 'still', 'jpg');
export const proxyKey = (asset: AssetRow) => renditionKey(asset, 'proxy', 'mp4');
export const motionKey = (asset: AssetRow) => renditionKey(asset, 'motion', 'mp4');

/**
 * The picture rungs are rendered from: the original for photos libvips reads; the stored
 * full-size rendition for HEIC/RAW once it exists (so they are decoded once); the video's
 * still for videos.
 */
async function openSource(deps: Pick<Deps, 'blobs' | 'tmpDir'>, asset: AssetRow): Promise<ImageSource> {
  if (asset.media_type === 'video') {
    const key = await ensureStill(deps, asset);
    return openImage(await deps.blobs.localPath(key), 'image/jpeg');
  }
  if (needsAllRungsEagerly(asset) && (await deps.blobs.stat(rungKey(asset, 'fullsize')))) {
    return openImage(await deps.blobs.localPath(rungKey(asset, 'fullsize')), 'image/jpeg');
  }
  return openImage(await deps.blobs.localPath(asset.blob_key), asset.mime_type);
}

/**
 * Where an on-demand rung is rendered from: rungs smaller than the preview come from the stored
 * preview (a JPEG decoded at ¼ or ½ scale costs a fraction of the original's decode), unless the
 * picture has alpha, which the JPEG preview flattened.
 */
async function sourceForRung(deps: Pick<Deps, 'blobs' | 'tmpDir'>, asset: AssetRow, rung: RungName): Promise<ImageSource> {
  const source = await openSource(deps, asset);
  const preview = rungKey(asset, 'preview');
  const belowPreview = RUNGS[rung].longEdge !== null && RUNGS[rung].longEdge! < RUNGS.preview.longEdge!;
  if (!belowPreview || source.hasAlpha || !(await isStored(deps.blobs, preview))) return source;
  return openImage(await deps.blobs.localPath(preview), 'image/jpeg');
}

/** A frame about a second in (past any fade-in), or the middle of a shorter clip. */
const stillTime = (asset: AssetRow) => (asset.duration && asset.duration < 2 ? asset.duration / 2 : 1);

export function ensureStill(deps: Pick<Deps, 'blobs' | 'tmpDir'>, asset: AssetRow): Promise<string> {
  return ensureProduced(deps, stillKey(asset), async (dest) => {
    await extractStill(await deps.blobs.localPath(asset.blob_key), stillTime(asset), dest);
    return true;
  }) as Promise<string>;
}

/** The video a motion photo embeds, copied out once; undefined when the file holds none. */
export async function ensureMotionVideo(deps: Pick<Deps, 'blobs' | 'tmpDir'>, asset: AssetRow): Promise<string | undefined> {
  return ensureProduced(deps, motionKey(asset), async (dest) => extractMotionVideo(await deps.blobs.localPath(asset.blob_key), dest));
}

/**
 * A derived file made once (single-flight) by an engine that writes to a path: made in the
 * temp folder, then moved into the store (not durably: it is made again if lost). Undefined
 * when `produce` reports there is nothing.
 */
function ensureProduced(deps: Pick<Deps, 'blobs' | 'tmpDir'>, key: string, produce: (dest: string) => Promise<boolean>): Promise<string | undefined> {
  return singleFlight(key, async () => {
    if (await isStored(deps.blobs, key)) return key;
    await fsp.mkdir(deps.tmpDir, { recursive: true });
    const dest = path.join(deps.tmpDir, `${randomUUID()}${path.extname(key)}`);
    try {
      if (!(await produce(dest))) return undefined;
      await deps.blobs.putFile(key, dest, { durable: false });
      return key;
    } finally {
      await fsp.rm(dest, { force: true });
    }
  });
}

/**
 * Whether a derived blob is there to serve. Renditions are written without an fsync (they can be
 * made again), so a crash may leave an empty file: that counts as missing and is made again.
 */
export async function isStored(blobs: Pick<Deps['blobs'], 'stat'>, key: string): Promise<boolean> {
  return ((await blobs.stat(key))?.size ?? 0) > 0;
}

const inFlight = new Map<string, Promise<unknown>>();

/** Concurrent requests for the same missing rendition share one render. */
function singleFlight<T>(key: string, make: () => Promise<T>): Promise<T> {
  const running = inFlight.get(key) as Promise<T> | undefined;
  if (running) return running;
  const started = make().finally(() => inFlight.delete(key));
  inFlight.set(key, started);
  return started;
}

/** The blob key of a rung, rendering and storing it first if this is its first request. */
export function ensureRung(deps: Pick<Deps, 'blobs' | 'tmpDir'>, asset: AssetRow, rung: RungName): Promise<string> {
  const key = rungKey(asset, rung);
  return singleFlight(key, async () => {
    if (await isStored(deps.blobs, key)) return key;
    const rendition = await renderRung(await sourceForRung(deps, asset, rung), rung);
    await putBuffer(deps.blobs, deps.tmpDir, key, rendition.data);
    return key;
  });
}

/** Renders `rungs` from one decode, stores them, and returns the ThumbHash of the same pixels. */
export async function renderRungs(deps: Pick<Deps, 'blobs' | 'tmpDir'>, asset: AssetRow, rungs: RungName[]): Promise<{ thumbhash: string; width: number; height: number }> {
  const source = await openSource(deps, asset);
  const { renditions, thumbhash } = await renderRungSet(source, rungs);
  for (const [rung, rendition] of renditions) await putBuffer(deps.blobs, deps.tmpDir, rungKey(asset, rung), rendition.data);
  return { thumbhash, width: source.width, height: source.height };
}
