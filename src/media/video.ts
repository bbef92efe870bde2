/**
 * Video through ffprobe/ffmpeg (binaries located once by ffmpeg-binaries.ts): probe, poster
 * still, and an H.264/AAC MP4 proxy for browsers. Each function checks its arguments eagerly,
 * runs the binary once, and reports a file ffmpeg cannot read as `UndecodableMedia`.
 */
import { rename, rm, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { captureStack, undecodable, withCallerStack } from './errors.js';
import { ffmpegBinaries } from './ffmpeg-binaries.js';
import { toVideoProbe, type FfprobeOutput, type VideoProbe } from './ffprobe-json.js';
import { assertIntegerInRange, assertOptions, assertPath, invalidParameterError } from './is.js';
import { runProcess, type RunResult } from './run-process.js';

export type { VideoProbe } from './ffprobe-json.js';

export interface VideoCallOptions {
  signal?: AbortSignal;
}

const PROBE_TIMEOUT_MS = 30_000;

export async function probeVideo(path: string, options?: VideoCallOptions): Promise<VideoProbe> {
  const captured = captureStack();
  assertPath('path', path);
  assertOptions('options', options);
  const signal = combine(options?.signal, AbortSignal.timeout(PROBE_TIMEOUT_MS));
  return probe(captured, path, signal);
}

async function probe(captured: Error, path: string, signal: AbortSignal | undefined): Promise<VideoProbe> {
  await statFile(captured, path);
  const result = await run(captured, ffmpegBinaries().ffprobe.path, [
    '-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path,
  ], { signal });
  if (result.code !== 0) throw undecodable(captured, 'ffprobe cannot read the file', path, stderrError(result));
  let json: FfprobeOutput;
  try {
    json = JSON.parse(result.stdout) as FfprobeOutput;
  } catch (err) {
    throw undecodable(captured, 'ffprobe returned no JSON', path, err);
  }
  try {
    return toVideoProbe(json);
  } catch (err) {
    throw undecodable(captured, 'Not a playable video', path, err);
  }
}

export interface StillResult {
  readonly width: number;
  readonly height: number;
  /** The time the still was taken from (0 when `atSeconds` was past the last video frame). */
  readonly at_s: number;
}

/** Write one JPEG frame at `atSeconds` to `destPath`, turned upright (ffmpeg autorotates). */
export async function extractStill(
  path: string,
  atSeconds: number,
  destPath: string,
  options?: VideoCallOptions & { quality?: number },
): Promise<StillResult> {
  const captured = captureStack();
  assertPath('path', path);
  if (typeof atSeconds !== 'number' || !Number.isFinite(atSeconds) || atSeconds < 0) {
    throw invalidParameterError('atSeconds', 'a finite number of seconds >= 0', atSeconds);
  }
  assertPath('destPath', destPath);
  assertOptions('options', options);
  // ffmpeg's -q:v for MJPEG: 2 (best) .. 31; map from a 1..100 quality.
  const quality = options?.quality ?? 90;
  assertIntegerInRange('quality', quality, 1, 100);
  const qscale = Math.round(2 + ((100 - quality) / 99) * 29);
  await statFile(captured, path);

  // Written beside the destination, then renamed: a failed attempt never leaves (or reuses)
  // a stale file at destPath.
  const partial = `${destPath}.partial`;
  const attempt = async (at: number): Promise<boolean> => {
    await rm(partial, { force: true });
    const result = await run(captured, ffmpegBinaries().ffmpeg.path, [
      '-hide_banner', '-nostdin', '-v', 'error', '-ss', at.toFixed(3), '-i', path,
      '-map', '0:v:0', '-frames:v', '1', '-an', '-sn', '-dn',
      '-c:v', 'mjpeg', '-q:v', String(qscale), '-f', 'image2', '-update', '1', '-y', partial,
    ], { signal: options?.signal });
    if (result.code !== 0) {
      await rm(partial, { force: true });
      throw undecodable(captured, 'ffmpeg cannot extract a frame', path, stderrError(result));
    }
    return ((await stat(partial).catch(() => null))?.size ?? 0) > 0;
  };
  // Seeking past the last video frame (a 1-frame video track, a duration set by the audio)
  // writes nothing; fall back to the first frame.
  let at = atSeconds;
  if (!(await attempt(at))) {
    if (at === 0 || !(await attempt((at = 0)))) {
      await rm(partial, { force: true });
      throw undecodable(captured, 'ffmpeg decoded no video frame', path);
    }
  }
  await rename(partial, destPath);
  const meta = await sharp(destPath).metadata();
  return { width: meta.width ?? 0, height: meta.height ?? 0, at_s: at };
}

export interface ProxyOptions extends VideoCallOptions {
  /** Cap on the shorter display edge (default 720, i.e. "720p" in either orientation). */
  maxShortEdge?: number;
  /** x264 constant rate factor, 0–51 (default 23). */
  crf?: number;
  /** x264 preset (default `veryfast`). */
  preset?: 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium' | 'slow';
  /** Frame-rate cap (default 60): slow-motion 120/240 fps clips are thinned. */
  maxFps?: number;
  /** Seconds of output written so far, as ffmpeg reports it (for job heartbeats). */
  onProgress?: (seconds: number) => void;
}

const PRESETS = new Set(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow']);

/**
 * Transcode to a browser-playable MP4 (H.264 High, yuv420p, AAC stereo, `+faststart`),
 * upright, metadata stripped. Writes `destPath` atomically (via `destPath.partial`).
 * Returns the probe of the result.
 */
export async function transcodeProxy(path: string, destPath: string, options?: ProxyOptions): Promise<VideoProbe> {
  const captured = captureStack();
  assertPath('path', path);
  assertPath('destPath', destPath);
  assertOptions('options', options);
  const maxShortEdge = options?.maxShortEdge ?? 720;
  assertIntegerInRange('maxShortEdge', maxShortEdge, 16, 8192);
  const crf = options?.crf ?? 23;
  assertIntegerInRange('crf', crf, 0, 51);
  const preset = options?.preset ?? 'veryfast';
  if (!PRESETS.has(preset)) throw invalidParameterError('preset', `one of: ${[...PRESETS].join(', ')}`, preset);
  const maxFps = options?.maxFps ?? 60;
  assertIntegerInRange('maxFps', maxFps, 1, 240);
  const onProgress = options?.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw invalidParameterError('onProgress', 'a function', onProgress);
  }

  const input = await probe(captured, path, combine(options?.signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)));
  const s = maxShortEdge;
  // After autorotation (which ffmpeg inserts before -vf), keep the aspect ratio, cap the
  // shorter edge, never upscale, and keep both edges even (yuv420p needs it).
  const filters = [
    `scale=w='if(gte(iw,ih),-2,trunc(min(iw,${s})/2)*2)':h='if(gte(iw,ih),trunc(min(ih,${s})/2)*2,-2)'`,
  ];
  // Cap the rate with the output -r (drop/duplicate to a constant rate): the `fps` filter
  // swallows a one-frame video track entirely (ffmpeg 2018 and 5.1 alike).
  const rate = input.fps !== null && input.fps > maxFps + 0.01 ? ['-r', String(maxFps)] : [];
  const partial = `${destPath}.partial`;
  const args = [
    '-hide_banner', '-nostdin', '-v', 'error', '-nostats', '-progress', 'pipe:1',
    '-i', path,
    '-map', '0:v:0', '-map', '0:a:0?', '-sn', '-dn', '-map_metadata', '-1', '-map_chapters', '-1',
    '-vf', filters.join(','), ...rate,
    '-c:v', 'libx264', '-preset', preset, '-crf', String(crf), '-profile:v', 'high', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '128k', '-ac', '2',
    '-movflags', '+faststart', '-f', 'mp4', '-y', partial,
  ];
  const result = await run(captured, ffmpegBinaries().ffmpeg.path, args, {
    signal: options?.signal,
    onStdoutLine: (line) => {
      // ffmpeg names the microsecond field out_time_ms (and, since 4.x, also out_time_us).
      const m = /^out_time_(?:ms|us)=(\d+)$/.exec(line);
      if (m && onProgress) onProgress(Number(m[1]) / 1e6);
    },
  });
  if (result.code !== 0) {
    await rm(partial, { force: true });
    throw undecodable(captured, 'ffmpeg cannot transcode the file', path, stderrError(result));
  }
  await rename(partial, destPath);
  return probe(captured, destPath, AbortSignal.timeout(PROBE_TIMEOUT_MS));
}

const PLAYABLE_AUDIO = new Set(['aac', 'mp3']);
const UNPLAYABLE_H264_PROFILES = /high 10|high 4:2:2|high 4:4:4|intra/i;

/**
 * True when every mainstream browser plays the file as stored: an MP4 (not QuickTime-branded:
 * browsers don't accept video/quicktime) with 8-bit 4:2:0 H.264 and AAC/MP3 or no audio.
 * WebM (VP8/VP9/AV1) and HEVC play only in some browsers, so they get a proxy.
 */
export function isBrowserPlayable(probe: VideoProbe): boolean {
  if (probe === null || typeof probe !== 'object' || typeof probe.container !== 'string') {
    throw invalidParameterError('probe', 'a VideoProbe from probeVideo()', probe);
  }
  return (
    probe.container.split(',').includes('mp4') &&
    probe.major_brand !== 'qt' &&
    probe.codec === 'h264' &&
    (probe.pixel_format === 'yuv420p' || probe.pixel_format === 'yuvj420p') &&
    !UNPLAYABLE_H264_PROFILES.test(probe.profile ?? '') &&
    (probe.audio_codec === null || PLAYABLE_AUDIO.has(probe.audio_codec))
  );
}

// --- process plumbing -------------------------------------------------------------------

async function run(
  captured: Error,
  file: string,
  args: string[],
  options: Parameters<typeof runProcess>[2],
): Promise<RunResult> {
  try {
    return await runProcess(file, args, options);
  } catch (err) {
    throw withCallerStack(captured, err as Error);
  }
}

async function statFile(captured: Error, path: string): Promise<void> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error(`Not a regular file: ${path}`);
    size = info.size;
  } catch (err) {
    throw withCallerStack(captured, err as Error);
  }
  if (size === 0) throw undecodable(captured, 'Cannot decode video: file is empty', path);
}

function stderrError(result: RunResult): Error {
  const lines = result.stderr.trim().split('\n').filter(Boolean);
  const tail = lines.slice(-3).join(' | ') || `exit code ${result.code}${result.signal ? `, signal ${result.signal}` : ''}`;
  return new Error(tail);
}

function combine(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a ? AbortSignal.any([a, b]) : b;
}
