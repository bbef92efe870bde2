/**
 * ffprobe's JSON (`-print_format json -show_format -show_streams`) mapped to the facts we keep
 * about a video. Pure; video.ts runs the binary.
 */
import { parseIso6709, type GeoPoint } from './iso6709.js';

export interface VideoProbe {
  /** ffprobe's demuxer list, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `matroska,webm`. */
  readonly container: string;
  /** ISO BMFF major brand, trimmed (`qt` for QuickTime, `isom`, `mp42`, ...), when there is one. */
  readonly major_brand: string | null;
  readonly duration_s: number | null;
  readonly fps: number | null;
  /** Display size: the coded size turned by the rotation. */
  readonly width: number;
  readonly height: number;
  readonly coded_width: number;
  readonly coded_height: number;
  /** Clockwise degrees the coded frames are turned for display (0, 90, 180 or 270). */
  readonly rotation_deg: 0 | 90 | 180 | 270;
  readonly codec: string;
  readonly profile: string | null;
  readonly pixel_format: string | null;
  readonly audio_codec: string | null;
  readonly bit_rate: number | null;
  /** ISO 8601; Apple's local `creationdate` (with its offset) when present, else the UTC `creation_time`. */
  readonly creation_time: string | null;
  readonly location: GeoPoint | null;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: Array<{ rotation?: number | string }>;
}

export interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string; bit_rate?: string; tags?: Record<string, string> };
}

const IMAGE_DEMUXERS = /^(image2|[a-z0-9]+_pipe|gif|apng|webp_pipe)$/;

/** Map `ffprobe -show_format -show_streams` JSON; throws when there is no playable video stream. */
export function toVideoProbe(json: FfprobeOutput): VideoProbe {
  const format = json.format ?? {};
  const container = format.format_name ?? '';
  const streams = json.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!video || !video.codec_name) throw new Error('no video stream');
  if (IMAGE_DEMUXERS.test(container)) throw new Error(`${container} is a still image, not a video`);
  const codedWidth = video.width ?? 0;
  const codedHeight = video.height ?? 0;
  if (!(codedWidth > 0 && codedHeight > 0)) throw new Error('video stream has no frame size');
  const audio = streams.find((s) => s.codec_type === 'audio');
  const rotation = clockwiseRotation(video);
  const swap = rotation === 90 || rotation === 270;
  const tags = lowerKeys(format.tags);
  const duration = num(format.duration) ?? num(video.duration);
  const bitRate = num(format.bit_rate);
  return {
    container,
    major_brand: tags.major_brand?.trim() || null,
    duration_s: duration,
    fps: frameRate(video),
    width: swap ? codedHeight : codedWidth,
    height: swap ? codedWidth : codedHeight,
    coded_width: codedWidth,
    coded_height: codedHeight,
    rotation_deg: rotation,
    codec: video.codec_name,
    profile: video.profile ?? null,
    pixel_format: video.pix_fmt ?? null,
    audio_codec: audio?.codec_name ?? null,
    bit_rate: bitRate === null ? null : Math.round(bitRate),
    creation_time: creationTime(tags, lowerKeys(video.tags)),
    location: location(tags),
  };
}

/** Samsung (and others) write `+0000+00000/` for "no fix": (0, 0) means no location. */
function location(tags: Record<string, string>): GeoPoint | null {
  const point = parseIso6709(tags['com.apple.quicktime.location.iso6709'] ?? tags.location ?? tags['location-eng']);
  return point && (point.lat !== 0 || point.lon !== 0) ? point : null;
}

/** ffprobe's display-matrix rotation is counter-clockwise; the old `rotate` tag is clockwise. */
function clockwiseRotation(video: FfprobeStream): 0 | 90 | 180 | 270 {
  let ccw: number | null = null;
  for (const side of video.side_data_list ?? []) {
    const r = num(side.rotation);
    if (r !== null) ccw = r;
  }
  if (ccw === null) {
    const tag = num(video.tags?.rotate);
    ccw = tag === null ? 0 : -tag;
  }
  const cw = (((Math.round(-ccw / 90) * 90) % 360) + 360) % 360;
  return cw as 0 | 90 | 180 | 270;
}

/** The average rate, unless a container reports nonsense (WebM's 1000/1), then the base rate. */
function frameRate(video: FfprobeStream): number | null {
  const avg = rate(video.avg_frame_rate);
  const value = avg !== null && avg > 0 && avg <= 480 ? avg : rate(video.r_frame_rate);
  return value === null || value <= 0 ? null : Math.round(value * 1000) / 1000;
}

function rate(value: string | undefined): number | null {
  if (!value) return null;
  const [n, d] = value.split('/').map(Number);
  if (d === undefined) return Number.isFinite(n) ? n! : null;
  return n !== undefined && Number.isFinite(n) && d > 0 ? n / d : null;
}

function creationTime(format: Record<string, string>, stream: Record<string, string>): string | null {
  const apple = normaliseIso(format['com.apple.quicktime.creationdate']);
  if (apple) return apple;
  return normaliseIso(format.creation_time) ?? normaliseIso(stream.creation_time);
}

/** `2026-03-23T15:57:19+0100` → `2026-03-23T15:57:19+01:00`; microseconds → milliseconds; epoch-zero dates → null. */
function normaliseIso(value: string | undefined): string | null {
  if (!value) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (Number(y) <= 1904 || mo === '00' || d === '00') return null; // QuickTime/Unix "no date" values
  const ms = frac ? `.${frac.slice(1, 4).padEnd(3, '0')}` : '';
  const tz = !zone ? '' : zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${ms}${tz}`;
}

function lowerKeys(tags: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) out[k.toLowerCase()] = v;
  return out;
}

function num(value: unknown): number | null {
  if (value === undefined || value === null || value === '' || value === 'N/A') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
