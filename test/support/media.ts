/**
 * The shared real-media corpus (`../shared/media` beside the clone; see its README.md), named
 * once here as sharp names its fixtures in `test/fixtures/index.js`. Tests assert the
 * manifest's ground truth, never values copied from our own output.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';

export interface ManifestVideo {
  readonly format_name: string;
  readonly duration_s: number;
  readonly video_codec: string;
  readonly coded_width: number;
  readonly coded_height: number;
  readonly display_width: number;
  readonly display_height: number;
  readonly rotation_ffprobe_deg: number;
  readonly fps: number | null;
  readonly nb_frames: number | null;
  readonly audio_codec: string | null;
}

export interface ManifestEntry {
  readonly path: string;
  readonly size_bytes: number;
  readonly sha256_base64: string;
  readonly sha1_base64: string;
  readonly mime_type: string | null;
  readonly mime_type_magic: string | null;
  readonly file_type: string | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly orientation: number | null;
  readonly heif_rotation_deg: number | null;
  readonly display_width: number | null;
  readonly display_height: number | null;
  readonly gps: { readonly lat: number; readonly lon: number; readonly alt_m: number | null } | null;
  readonly datetime_original: { readonly iso: string; readonly offset: string | null } | null;
  readonly video: ManifestVideo | null;
  readonly video_location_iso6709: string | null;
  readonly labels: {
    readonly kind: string;
    readonly expect_decode_error?: boolean;
    readonly notes?: string;
    readonly place?: { readonly country: string; readonly region?: string };
    readonly exact_duplicate_of?: string;
    readonly [key: string]: unknown;
  };
}

interface Manifest {
  readonly count: number;
  readonly files: readonly ManifestEntry[];
}

const MANIFEST_URL = new URL('../../../shared/media/MANIFEST.json', import.meta.url);
export const MEDIA_DIR = fileURLToPath(new URL('.', MANIFEST_URL));

let loaded: Manifest | undefined;

export function manifest(): Manifest {
  loaded ??= JSON.parse(readFileSync(MANIFEST_URL, 'utf8')) as Manifest;
  return loaded;
}

/** The manifest entry for a corpus path such as `gps/spain_madrid_iphone6.jpg`. */
export function mediaEntry(path: string): ManifestEntry {
  const entry = manifest().files.find((e) => e.path === path);
  if (!entry) throw new Error(`${path} is not in ${fileURLToPath(MANIFEST_URL)}`);
  return entry;
}

/** Absolute file path for a manifest `path`. */
export function mediaFile(pathOrEntry: string | ManifestEntry): string {
  const path = typeof pathOrEntry === 'string' ? mediaEntry(pathOrEntry).path : pathOrEntry.path;
  return fileURLToPath(new URL(path, new URL('.', MANIFEST_URL)));
}

export function mediaEntries(predicate: (entry: ManifestEntry) => boolean = () => true): ManifestEntry[] {
  return manifest().files.filter(predicate);
}

export const isBad = (e: ManifestEntry): boolean => e.path.startsWith('bad/');
export const isVideo = (e: ManifestEntry): boolean => e.video !== null;
export const isImage = (e: ManifestEntry): boolean => !isBad(e) && !isVideo(e);
export const expectsDecodeError = (e: ManifestEntry): boolean => e.labels.expect_decode_error === true;

/** The MIME type a caller would pass: ExifTool's, else libmagic's, else the generic one. */
export function mimeOf(e: ManifestEntry): string {
  return e.mime_type ?? e.mime_type_magic ?? 'application/octet-stream';
}

/** Longest edge a rendition capped at `cap` must have: the cap, unless the image is smaller. */
export function expectedLongEdge(e: ManifestEntry, cap: number): number {
  return Math.min(cap, Math.max(e.display_width!, e.display_height!));
}

/**
 * Perceptual fingerprint: a 24×16 greyscale rendering, for "same picture?" comparisons that
 * survive re-encoding and resizing but not rotation or mirroring.
 */
export async function fingerprint(image: Buffer | Sharp): Promise<Uint8Array> {
  const pipeline = Buffer.isBuffer(image) ? sharp(image) : image;
  const { data } = await pipeline
    .resize(24, 16, { fit: 'fill' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

/** Mean absolute difference of two fingerprints, 0 (same) to 255. */
export function fingerprintDistance(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error('fingerprints differ in size');
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
