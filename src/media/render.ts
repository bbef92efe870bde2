/**
 * Renditions of an opened image (decode.ts): resized so the longest edge is at most `width`,
 * never upscaled, upright, converted to sRGB, metadata stripped.
 */
import sharp, { type Sharp } from 'sharp';
import type { ImageSource } from './decode.js';
import { captureStack, undecodable } from './errors.js';
import { assertIntegerInRange, invalidParameterError, isPlainObject } from './is.js';
import { isRungName, RUNGS, type RenditionFormat, type ResizeKernel, type Rung, type RungName } from './rungs.js';
import { thumbHashBase64 } from './thumbhash.js';

export interface RenderOptions {
  /** Longest edge in pixels; `null` or omitted renders at full resolution. */
  width?: number | null;
  format: RenditionFormat;
  /** Encoder quality 1–100 (default 80). */
  quality?: number;
  /** Resampling kernel for the downscale (default `lanczos3`). */
  kernel?: ResizeKernel;
}

export interface Rendition {
  readonly data: Buffer;
  readonly format: RenditionFormat;
  readonly width: number;
  readonly height: number;
}

const MAX_EDGE = 0x3fff; // sharp's largest accepted dimension for WebP, and far beyond any rung

/**
 * Encoders set for speed: every photo gets its grid and viewer rungs at upload. On 12 MP photos, a
 * 1440-px JPEG q80 takes 9 ms as baseline with standard Huffman tables, 42 ms with optimised tables
 * and 58 ms progressive, for 2–5 % more bytes; a 360-px WebP q80 takes 8 ms at effort 2 against
 * 14–19 ms at libwebp's default 4, for ≤ 6 % more bytes.
 */
const JPEG_OPTIONS = { progressive: false, optimiseCoding: false } as const;
const WEBP_EFFORT = 2;

export async function renderVariant(source: ImageSource, options: RenderOptions): Promise<Rendition> {
  const captured = captureStack();
  assertSource(source);
  if (!isPlainObject(options)) throw invalidParameterError('options', 'a plain object', options);
  const { width = null, format, quality = 80, kernel = 'lanczos3' } = options;
  if (width !== null) assertIntegerInRange('width', width, 1, MAX_EDGE);
  if (format !== 'webp' && format !== 'jpeg') throw invalidParameterError('format', 'one of: webp, jpeg', format);
  assertIntegerInRange('quality', quality, 1, 100);
  if (kernel !== 'lanczos3' && kernel !== 'cubic') throw invalidParameterError('kernel', 'one of: lanczos3, cubic', kernel);

  let pipeline: Sharp = source.sharp();
  if (width !== null && Math.max(source.width, source.height) > width) {
    pipeline = pipeline.resize({ width, height: width, fit: 'inside', withoutEnlargement: true, kernel });
  }
  pipeline =
    format === 'jpeg'
      ? pipeline.flatten({ background: '#ffffff' }).jpeg({ quality, ...JPEG_OPTIONS })
      : pipeline.webp({ quality, effort: WEBP_EFFORT });
  try {
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    return { data, format, width: info.width, height: info.height };
  } catch (err) {
    // The target is a plain encode from pixels we own, so a failure here is the input's.
    throw undecodable(captured, `Cannot render ${source.path}`, source.path, err);
  }
}

/** `renderVariant` with a rung's size, format and quality (rungs.ts). */
export async function renderRung(source: ImageSource, rung: RungName | Rung): Promise<Rendition> {
  const spec = typeof rung === 'string' && isRungName(rung) ? RUNGS[rung] : rung;
  if (!isPlainObject(spec) || !('format' in spec)) {
    throw invalidParameterError('rung', 'a rung name (thumbnail, small, preview, fullsize) or definition', rung);
  }
  return renderVariant(source, { width: spec.longEdge, format: spec.format, quality: spec.quality, kernel: spec.kernel });
}

function assertSource(source: unknown): asserts source is ImageSource {
  if (
    !isPlainObject(source) ||
    typeof source.sharp !== 'function' ||
    typeof source.width !== 'number' ||
    typeof source.height !== 'number'
  ) {
    throw invalidParameterError('source', 'an ImageSource from openImage()', source);
  }
}

/**
 * The upright pixels of `source`, decoded once with the longest edge at most `longEdge`, as a
 * source of its own: rendering several rungs from it costs one decode instead of one per rung
 * (for JPEG, libvips' shrink-on-load does most of the downscale while decoding).
 */
export async function decodeAt(source: ImageSource, longEdge: number): Promise<ImageSource> {
  const captured = captureStack();
  assertSource(source);
  assertIntegerInRange('longEdge', longEdge, 1, MAX_EDGE);
  let pipeline = source.sharp();
  if (Math.max(source.width, source.height) > longEdge) {
    pipeline = pipeline.resize({ width: longEdge, height: longEdge, fit: 'inside', withoutEnlargement: true });
  }
  try {
    const { data, info } = await pipeline.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
    return {
      path: source.path,
      decoder: source.decoder,
      format: 'raw',
      width: info.width,
      height: info.height,
      hasAlpha: info.channels === 4,
      sharp: () => sharp(data, raw),
    };
  } catch (err) {
    throw undecodable(captured, `Cannot decode ${source.path}`, source.path, err);
  }
}

/** The bytes of a rendition as a source for smaller ones: JPEG shrink-on-load decodes them at ½ or ¼ scale. */
function renditionSource(source: ImageSource, rendition: Rendition): ImageSource {
  return {
    path: source.path,
    decoder: 'libvips',
    format: rendition.format,
    width: rendition.width,
    height: rendition.height,
    hasAlpha: false,
    sharp: () => sharp(rendition.data, { failOn: 'error' }),
  };
}

/**
 * Several rungs of one image for the price of one decode of the original: full size (if asked)
 * and the largest bounded rung from the source, each in one libvips pipeline, then the smaller
 * rungs from the largest one's bytes, a few milliseconds each (39–45 dB from rendering them off
 * the full pixels, less loss than their own encoders add; rendering them all from one decode to
 * raw pixels cost ~8 % more CPU). Sources with alpha stay the base, since a JPEG preview has
 * none. The ThumbHash comes from the thumbnail's pixels when it is made, else from the base
 * (a JPEG preview shrinks on load to ⅛ scale).
 */
export async function renderRungSet(source: ImageSource, rungs: readonly RungName[]): Promise<{ renditions: Map<RungName, Rendition>; thumbhash: string }> {
  const renditions = new Map<RungName, Rendition>();
  if (rungs.includes('fullsize')) renditions.set('fullsize', await renderRung(source, 'fullsize'));
  const [largest, ...smaller] = rungs
    .filter((r) => r !== 'thumbnail' && RUNGS[r].longEdge !== null)
    .sort((a, b) => RUNGS[b].longEdge! - RUNGS[a].longEdge!);
  let base = source;
  if (largest) {
    const rendition = await renderRung(source, largest);
    renditions.set(largest, rendition);
    if (!source.hasAlpha) base = renditionSource(source, rendition);
  }
  for (const rung of smaller) renditions.set(rung, await renderRung(base, rung));
  if (!rungs.includes('thumbnail')) return { renditions, thumbhash: await thumbHashBase64(base) };
  const thumbnailPixels = await decodeAt(base, RUNGS.thumbnail.longEdge!);
  renditions.set('thumbnail', await renderRung(thumbnailPixels, 'thumbnail'));
  return { renditions, thumbhash: await thumbHashBase64(thumbnailPixels) };
}
