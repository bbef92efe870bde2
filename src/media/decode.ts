/**
 * `openImage`: one entry point that turns any photo we accept into something sharp can render
 * from, upright. Which engine decodes depends on the bytes (and, for RAW, the MIME type):
 *
 * - JPEG, PNG, WebP, GIF (first frame), TIFF, AVIF: libvips via sharp, EXIF Orientation applied.
 * - HEIC/HEIF (HEVC, told apart from AVIF by the `ftyp` brands, whatever the MIME type says):
 *   libheif (wasm) in a worker thread; `irot`/`imir`/`clap` applied, EXIF Orientation ignored.
 * - RAW (DNG, CR2, CR3, NEF, ARW, RAF, ORF, RW2, ...; chosen by MIME type, since most RAWs are
 *   TIFF inside and libvips would show their thumbnail IFD): the largest embedded JPEG preview,
 *   extracted by ExifTool, turned by the RAW's Orientation.
 *
 * Opening is cheap for libvips formats (a header read); HEIC is decoded in full here, so the
 * returned source holds its pixels. Damaged pixel data in a libvips format surfaces when it
 * is rendered (render.ts), also as `UndecodableMedia`.
 */
import { statSync } from 'node:fs';
import sharp, { type Sharp, type SharpOptions } from 'sharp';
import type { ExifTool } from 'exiftool-vendored';
import { captureStack, undecodable, withCallerStack } from './errors.js';
import { sharedExifTool } from './exiftool.js';
import { decodeHeicInWorker, HeicWorkerError } from './heic-pool.js';
import { rawToSrgb } from './icc.js';
import { assertOptions, assertPath, invalidParameterError, isInteger } from './is.js';
import { heifFamily } from './isobmff.js';
import { applyOrientation, swapsDimensions } from './orientation.js';
import { readBytes } from './read-bytes.js';
import { ExifToolFailure, extractRawPreview, RAW_MIME_TYPES } from './raw-preview.js';

/** sharp's own default: 0x3FFF × 0x3FFF pixels. */
export const DEFAULT_LIMIT_INPUT_PIXELS = 0x3fff * 0x3fff;

/** libvips formats we render (no SVG/PDF/JP2/... even when libvips could read them). */
const LIBVIPS_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);

export type ImageDecoder = 'libvips' | 'libheif' | 'raw-preview';

export interface ImageSource {
  readonly path: string;
  readonly decoder: ImageDecoder;
  /** What was decoded: sharp's format name (`jpeg`, `png`, `webp`, `gif`, `tiff`, `heif` for AVIF), or `heic`. */
  readonly format: string;
  /** Display size: after EXIF Orientation, HEIF `irot`/`clap`, or the RAW's Orientation. */
  readonly width: number;
  readonly height: number;
  readonly hasAlpha: boolean;
  /** A fresh sharp pipeline over the upright image. Chain resize/encode onto it. */
  sharp(): Sharp;
}

export interface OpenImageOptions {
  /** Refuse images with more pixels than this (default 268 402 689, sharp's); `false` for no limit. */
  limitInputPixels?: number | false;
  /** ExifTool instance for RAW previews (default: the shared one from exiftool.ts). */
  exiftool?: ExifTool;
}

const MIME_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

export async function openImage(path: string, mimeType: string, options?: OpenImageOptions): Promise<ImageSource> {
  const captured = captureStack();
  assertPath('path', path);
  if (typeof mimeType !== 'string' || !MIME_PATTERN.test(mimeType)) {
    throw invalidParameterError('mimeType', 'a MIME type such as "image/jpeg"', mimeType);
  }
  assertOptions('options', options);
  const limit = limitOption(options?.limitInputPixels);
  const exiftool = options?.exiftool;
  if (exiftool !== undefined && (typeof exiftool !== 'object' || typeof exiftool.read !== 'function')) {
    throw invalidParameterError('exiftool', 'an ExifTool instance', exiftool);
  }

  let head: Uint8Array;
  try {
    const info = statSync(path);
    if (!info.isFile()) throw new Error(`Not a regular file: ${path}`);
    head = readBytes(path, 64);
  } catch (err) {
    throw withCallerStack(captured, err as Error);
  }
  if (head.length === 0) throw undecodable(captured, `Cannot decode ${mimeType}: file is empty`, path);

  const mime = mimeType.toLowerCase();
  try {
    if (RAW_MIME_TYPES.has(mime)) return await openRaw(path, limit, exiftool ?? sharedExifTool());
    switch (heifFamily(head)) {
      case 'hevc':
        return await openHeic(path, limit);
      case 'other':
        // A generic `mif1` file: try libvips (AV1 and friends), then libheif (HEVC).
        return await openWithLibvips(path, limit).catch(() => openHeic(path, limit));
      default:
        return await openWithLibvips(path, limit);
    }
  } catch (err) {
    // Engine trouble that says nothing about the file stays an ordinary (retryable) error.
    if ((err instanceof HeicWorkerError && !err.undecodable) || err instanceof ExifToolFailure) {
      throw withCallerStack(captured, err);
    }
    throw undecodable(captured, `Cannot decode ${mimeType} image`, path, err);
  }
}

function limitOption(value: unknown): number {
  if (value === undefined) return DEFAULT_LIMIT_INPUT_PIXELS;
  if (value === false || value === 0) return 0;
  if (!isInteger(value) || value < 1) {
    throw invalidParameterError('limitInputPixels', 'a positive integer or false', value);
  }
  return value;
}

function sharpOptions(limit: number): SharpOptions {
  // failOn 'error': refuse damaged or truncated pixel data instead of rendering grey or black
  // regions ('truncated' misses a TIFF/DNG strip that points past the end of the file), but
  // accept the harmless warnings real cameras and editors produce (an odd ICC profile, XMP).
  return { failOn: 'error', limitInputPixels: limit === 0 ? false : limit };
}

async function openWithLibvips(path: string, limit: number): Promise<ImageSource> {
  const options: SharpOptions = { ...sharpOptions(limit), autoOrient: true };
  const meta = await sharp(path, options).metadata();
  if (!meta.format || !LIBVIPS_FORMATS.has(meta.format)) {
    throw new Error(`unsupported image format ${meta.format ?? 'unknown'}`);
  }
  // The prebuilt libvips reads HEIF headers but decodes only AV1 (AVIF) pixels.
  if (meta.format === 'heif' && meta.compression !== 'av1') {
    throw new Error(`libvips cannot decode ${meta.compression ?? 'this'} HEIF images`);
  }
  const upright = meta.autoOrient;
  if (!upright?.width || !upright.height) throw new Error('image has no size');
  return {
    path,
    decoder: 'libvips',
    format: meta.format,
    width: upright.width,
    height: upright.height,
    hasAlpha: meta.hasAlpha === true,
    sharp: () => sharp(path, options),
  };
}

async function openHeic(path: string, limit: number): Promise<ImageSource> {
  const decoded = await decodeHeicInWorker(path, limit);
  const raw = { width: decoded.width, height: decoded.height, channels: decoded.channels };
  const pixels = decoded.icc ? await rawToSrgb(decoded.pixels, raw, decoded.icc) : decoded.pixels;
  return {
    path,
    decoder: 'libheif',
    format: 'heic',
    width: decoded.width,
    height: decoded.height,
    hasAlpha: decoded.channels === 4,
    // Raw pixels carry no EXIF, so nothing re-applies the (superseded) EXIF Orientation.
    sharp: () => sharp(pixels, { raw, limitInputPixels: limit === 0 ? false : limit }),
  };
}

async function openRaw(path: string, limit: number, exiftool: ExifTool): Promise<ImageSource> {
  const preview = await extractRawPreview(exiftool, path);
  if (limit !== 0 && preview.width * preview.height > limit) {
    throw new Error(`Input image exceeds pixel limit (${preview.width}x${preview.height})`);
  }
  const swap = swapsDimensions(preview.orientation);
  // The preview's own EXIF (if any) is ignored: no autoOrient; the RAW's Orientation rules.
  const options = sharpOptions(limit);
  return {
    path,
    decoder: 'raw-preview',
    format: 'jpeg',
    width: swap ? preview.height : preview.width,
    height: swap ? preview.width : preview.height,
    hasAlpha: false,
    sharp: () => applyOrientation(sharp(preview.jpeg, options), preview.orientation),
  };
}
