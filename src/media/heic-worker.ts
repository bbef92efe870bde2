/**
 * Worker thread that decodes HEIC/HEIF (HEVC) images with libheif compiled to WebAssembly
 * (`libheif-js`). A 12 MP image takes 0.4–1.5 s of CPU, so it must not run on the main thread.
 *
 * It decodes the *primary* image with libheif's default transformations, so the pixels come
 * out as the HEIF spec says they are displayed: `irot`/`imir` rotation and mirroring and the
 * `clap` crop are applied, and EXIF Orientation is ignored (the HEIF spec says `irot` wins).
 * Messages: `HeicRequest` in, `HeicResponse` out (see heic-pool.ts).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import { heifIccProfile, scanTopLevelBoxes } from './isobmff.js';

export interface HeicRequest {
  readonly id: number;
  readonly path: string;
  readonly limitInputPixels: number;
}

export type HeicResponse =
  | {
      readonly id: number;
      readonly ok: true;
      readonly width: number;
      readonly height: number;
      readonly channels: 3 | 4;
      readonly pixels: ArrayBuffer;
      /** The ICC profile the pixels are in (Display P3 from Apple devices), or null for sRGB. */
      readonly icc: ArrayBuffer | null;
    }
  | { readonly id: number; readonly ok: false; readonly undecodable: boolean; readonly message: string };

/** Posted once when the worker's module has loaded (so a later crash is about a file). */
export interface HeicReady {
  readonly ready: true;
}

/** The slice of libheif-js's embind API this worker uses (the package ships no types for it). */
interface HeifError {
  readonly code: { readonly value: number };
  readonly message: string;
}
interface HeifChannel {
  readonly id: { readonly value: number };
  readonly width: number;
  readonly height: number;
  readonly stride: number;
  readonly data: Uint8Array;
}
interface HeifDecoded {
  readonly image: unknown;
  readonly width: number;
  readonly height: number;
  readonly channels: readonly HeifChannel[];
}
type Handle = { readonly __brand: 'heif_image_handle' };
type Context = { readonly __brand: 'heif_context' };
interface LibHeif {
  heif_error_code: { heif_error_Ok: { value: number } };
  heif_colorspace: { heif_colorspace_RGB: unknown };
  heif_chroma: { heif_chroma_interleaved_RGB: unknown; heif_chroma_interleaved_RGBA: unknown };
  heif_channel: { heif_channel_interleaved: { value: number } };
  heif_context_alloc(): Context;
  heif_context_free(ctx: Context): void;
  heif_context_read_from_memory(ctx: Context, data: Uint8Array): HeifError;
  heif_js_context_get_primary_image_handle(ctx: Context): Handle | HeifError;
  heif_image_handle_get_width(h: Handle): number;
  heif_image_handle_get_height(h: Handle): number;
  heif_image_handle_has_alpha_channel(h: Handle): number;
  heif_image_handle_release(h: Handle): void;
  heif_js_decode_image2(h: Handle, colorspace: unknown, chroma: unknown): HeifDecoded | HeifError;
  heif_image_release(image: unknown): void;
}

class Undecodable extends Error {}

let lib: LibHeif | undefined;
function libheif(): LibHeif {
  // The wasm bundle embeds the module and instantiates synchronously on first require.
  lib ??= createRequire(import.meta.url)('libheif-js/wasm-bundle') as LibHeif;
  return lib;
}

function isError(value: unknown): value is HeifError {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

export async function decodeHeic(path: string, limitInputPixels: number): Promise<Omit<HeicResponse & { ok: true }, 'id'>> {
  const bytes = await readFile(path);
  if (bytes.length === 0) throw new Undecodable('file is empty');
  // libheif happily decodes a primary image whose bytes survived truncation; we refuse a
  // truncated container instead, as sharp's failOn does for other formats.
  const scan = scanTopLevelBoxes(bytes);
  if (scan.problem) throw new Undecodable(`HEIF container is damaged: ${scan.problem}`);

  const heif = libheif();
  const ctx = heif.heif_context_alloc();
  let handle: Handle | undefined;
  try {
    const read = heif.heif_context_read_from_memory(ctx, bytes);
    if (read.code.value !== heif.heif_error_code.heif_error_Ok.value) throw new Undecodable(read.message);
    const primary = heif.heif_js_context_get_primary_image_handle(ctx);
    if (isError(primary)) throw new Undecodable(primary.message);
    handle = primary;
    const width = heif.heif_image_handle_get_width(handle);
    const height = heif.heif_image_handle_get_height(handle);
    if (!(width > 0 && height > 0)) throw new Undecodable(`primary image has no size (${width}x${height})`);
    if (limitInputPixels > 0 && width * height > limitInputPixels) {
      throw new Undecodable(`Input image exceeds pixel limit (${width}x${height} > ${limitInputPixels} pixels)`);
    }
    const channels = heif.heif_image_handle_has_alpha_channel(handle) ? 4 : 3;
    const decoded = heif.heif_js_decode_image2(
      handle,
      heif.heif_colorspace.heif_colorspace_RGB,
      channels === 4 ? heif.heif_chroma.heif_chroma_interleaved_RGBA : heif.heif_chroma.heif_chroma_interleaved_RGB,
    );
    if (isError(decoded)) throw new Undecodable(decoded.message);
    try {
      const plane = decoded.channels.find((c) => c.id.value === heif.heif_channel.heif_channel_interleaved.value);
      if (!plane) throw new Undecodable('decoder returned no interleaved plane');
      // `plane.data` is a view into the wasm heap: copy it out (dropping row padding) before release.
      const rowBytes = plane.width * channels;
      const pixels = new Uint8Array(rowBytes * plane.height);
      if (plane.stride === rowBytes) pixels.set(plane.data.subarray(0, pixels.length));
      else {
        for (let y = 0; y < plane.height; y++) {
          pixels.set(plane.data.subarray(y * plane.stride, y * plane.stride + rowBytes), y * rowBytes);
        }
      }
      const profile = heifIccProfile(bytes);
      const icc = profile ? new Uint8Array(profile).buffer : null;
      return { ok: true, width: plane.width, height: plane.height, channels, pixels: pixels.buffer, icc };
    } finally {
      heif.heif_image_release(decoded.image);
    }
  } finally {
    if (handle) heif.heif_image_handle_release(handle);
    heif.heif_context_free(ctx);
  }
}

const port = parentPort;
if (port) {
  port.on('message', (request: HeicRequest) => {
    decodeHeic(request.path, request.limitInputPixels).then(
      (result) => port.postMessage({ id: request.id, ...result } satisfies HeicResponse, result.icc ? [result.pixels, result.icc] : [result.pixels]),
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        // Undecodable: our own checks and libheif errors, and a wasm trap (the file broke the
        // decoder). A file-system error (ENOENT, EACCES) says nothing about the bytes. After a
        // trap the wasm state is suspect: answer, then exit so the pool starts a fresh worker.
        const undecodable = err instanceof Undecodable || err instanceof WebAssembly.RuntimeError;
        port.postMessage({ id: request.id, ok: false, undecodable, message } satisfies HeicResponse);
        if (err instanceof WebAssembly.RuntimeError) process.exit(1);
      },
    );
  });
  port.postMessage({ ready: true } satisfies HeicReady);
}
