/**
 * Adapters for edited renderings (asset versions, §1.9): JPEG or PNG files whose edits and
 * orientation are already baked into the pixels.
 */
import { open } from 'node:fs/promises';
import sharp from 'sharp';
import { sniffVersionFormat, type VersionFormat } from '../domain/asset-versions.js';
import { DEFAULT_LIMIT_INPUT_PIXELS } from './decode.js';
import { captureStack, undecodable, withCallerStack } from './errors.js';
import { sharedExifTool } from './exiftool.js';
import { assertPath } from './is.js';

/** JPEG or PNG by content (not name or declared type); null for anything else. */
export async function sniffFile(path: string): Promise<VersionFormat | null> {
  const captured = captureStack();
  assertPath('path', path);
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(16);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return sniffVersionFormat(head.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw withCallerStack(captured, err as Error);
  }
}

/**
 * Decodes the whole image (damaged or truncated pixel data is refused, as for uploads) and
 * returns its stored size. Orientation is not applied: edits arrive upright, and the stored
 * file says Orientation 1 (see copyMetadata).
 */
export async function decodedSize(path: string): Promise<{ width: number; height: number }> {
  const captured = captureStack();
  assertPath('path', path);
  try {
    const image = sharp(path, { failOn: 'error', limitInputPixels: DEFAULT_LIMIT_INPUT_PIXELS });
    const meta = await image.metadata();
    if (!meta.width || !meta.height) throw new Error('image has no size');
    // A small decode reads every scan line (shrink-on-load still walks the whole JPEG).
    await image.resize(64, 64, { fit: 'inside' }).raw().toBuffer();
    return { width: meta.width, height: meta.height };
  } catch (err) {
    throw undecodable(captured, 'Cannot decode the edited image', path, err);
  }
}

/** Tags of the original that would be wrong in an edit: its orientation, pixel size and embedded previews. */
const NOT_COPIED = ['Orientation', 'ThumbnailImage', 'PreviewImage', 'JpgFromRaw', 'OtherImage', 'ExifImageWidth', 'ExifImageHeight', 'ImageWidth', 'ImageHeight'];

/**
 * Copies the original's metadata (EXIF, XMP, IPTC, maker notes: capture time, camera, GPS...)
 * into the rendering at `target`, in place, and sets Orientation to 1 since the pixels are
 * upright. When the original's tags cannot be copied, the rendering keeps its own, upright.
 * The stored bytes therefore differ from the uploaded ones.
 */
export async function copyMetadata(target: string, original: string): Promise<void> {
  const captured = captureStack();
  assertPath('target', target);
  assertPath('original', original);
  const exiftool = sharedExifTool();
  const upright = ['-Orientation#=1', '-overwrite_original'];
  try {
    await exiftool.write(target, {}, { writeArgs: ['-TagsFromFile', original, '-all:all', ...NOT_COPIED.map((t) => `--${t}`), ...upright], ignoreMinorErrors: true });
  } catch {
    try {
      await exiftool.write(target, {}, { writeArgs: upright, ignoreMinorErrors: true });
    } catch (err) {
      throw undecodable(captured, 'Cannot write metadata into the edited image', target, err);
    }
  }
}
