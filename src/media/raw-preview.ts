/**
 * RAW photos (DNG, CR2, CR3, NEF, ARW, RAF, ORF, RW2, ...) through the largest JPEG preview the
 * camera embedded, extracted by ExifTool. libvips has no RAW decoder, and the preview is ~30×
 * faster than demosaicing anyway. The preview is stored sensor-side up; the RAW's own IFD0
 * Orientation says how to display it.
 */
import sharp from 'sharp';
import type { ExifTool, Tags } from 'exiftool-vendored';

/** MIME types (as ExifTool names them) that go through the embedded-preview path. */
export const RAW_MIME_TYPES: ReadonlySet<string> = new Set([
  'image/x-adobe-dng',
  'image/dng',
  'image/x-canon-cr2',
  'image/x-canon-cr3',
  'image/x-canon-crw',
  'image/x-nikon-nef',
  'image/x-nikon-nrw',
  'image/x-sony-arw',
  'image/x-sony-sr2',
  'image/x-sony-srf',
  'image/x-fujifilm-raf',
  'image/x-olympus-orf',
  'image/x-panasonic-rw2',
  'image/x-panasonic-raw',
  'image/x-pentax-pef',
  'image/x-samsung-srw',
  'image/x-leica-rwl',
  'image/x-hasselblad-3fr',
  'image/x-phaseone-iiq',
  'image/x-sigma-x3f',
  'image/x-minolta-mrw',
  'image/x-kodak-dcr',
  'image/x-kodak-kdc',
  'image/x-epson-erf',
  'image/x-raw',
]);

/**
 * Tags that can hold a full-colour JPEG rendering, best first. `OtherImage` is ExifTool's
 * catch-all for JPEGs in unexpected IFDs (in Apple ProRAW it is a one-channel semantic mask),
 * so it only counts when nothing else is there. `ThumbnailImage` (~160 px) is never used.
 */
const PREVIEW_TAGS = ['JpgFromRaw', 'JpgFromRaw2', 'PreviewImage'] as const;
const LAST_RESORT_TAGS = ['OtherImage'] as const;

export interface RawPreview {
  readonly jpeg: Buffer;
  readonly tag: string;
  /** Stored size of the preview, before orientation. */
  readonly width: number;
  readonly height: number;
  /** EXIF Orientation of the RAW file (1 when absent). */
  readonly orientation: number;
}

export class NoUsablePreview extends Error {
  override readonly name = 'NoUsablePreview';
}

/**
 * ExifTool itself failed (not started, timed out, file vanished). It reports damaged and
 * unknown files in its result rather than by throwing, so this says nothing about the bytes.
 */
export class ExifToolFailure extends Error {
  override readonly name = 'ExifToolFailure';
}

export async function extractRawPreview(exiftool: ExifTool, path: string): Promise<RawPreview> {
  let tags: Tags;
  try {
    tags = await exiftool.read(path);
  } catch (err) {
    throw new ExifToolFailure(`ExifTool could not read ${path}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const orientation = typeof tags.Orientation === 'number' && tags.Orientation >= 1 && tags.Orientation <= 8 ? tags.Orientation : 1;
  const attempts: string[] = [];
  for (const group of [byteSizeOrder(tags, PREVIEW_TAGS), byteSizeOrder(tags, LAST_RESORT_TAGS)]) {
    for (const tag of group) {
      let jpeg: Buffer;
      try {
        jpeg = await exiftool.extractBinaryTagToBuffer(tag, path);
      } catch (err) {
        attempts.push(`${tag}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        continue;
      }
      const meta = await sharp(jpeg).metadata().catch(() => null);
      if (!meta || meta.format !== 'jpeg' || !meta.width || !meta.height) {
        attempts.push(`${tag}: not a JPEG`);
        continue;
      }
      if ((meta.channels ?? 0) < 3) {
        attempts.push(`${tag}: ${meta.channels}-channel image (a mask, not a preview)`);
        continue;
      }
      return { jpeg, tag, width: meta.width, height: meta.height, orientation };
    }
  }
  const found = attempts.length > 0 ? ` (${attempts.join('; ')})` : '';
  const problems = (tags.errors ?? []).concat(tags.warnings ?? []).join('; ');
  throw new NoUsablePreview(
    `no usable embedded preview in RAW file${found}${problems ? `; ExifTool: ${problems}` : ''}`,
  );
}

/** The tags of `candidates` that ExifTool reported as binary, largest payload first. */
function byteSizeOrder(tags: Tags, candidates: readonly string[]): string[] {
  const sized: Array<{ tag: string; bytes: number }> = [];
  for (const tag of candidates) {
    const value = (tags as Record<string, unknown>)[tag];
    const bytes = typeof value === 'object' && value !== null && 'bytes' in value ? Number(value.bytes) : NaN;
    if (bytes > 0) sized.push({ tag, bytes });
  }
  return sized.sort((a, b) => b.bytes - a.bytes).map((s) => s.tag);
}
