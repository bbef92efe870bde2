import { formatLocalDateTime, parseExifDateTime } from '../domain/capture-time.js';
import { sharedExifTool } from './exiftool.js';
import { JPEG_HEAD_BYTES, readPlainJpegTags } from './jpeg-tags.js';
import { readEnds } from './read-bytes.js';

/** What a file says about itself, already in display space and Gumnut's units. */
export interface FileMetadata {
  /** MIME type exiftool sniffed from the content; null when it could not tell. */
  sniffedMimeType: string | null;
  width: number | null;
  height: number | null;
  rawWidth: number | null;
  rawHeight: number | null;
  orientation: number | null;
  originalDatetime: string | null;
  digitizedDatetime: string | null;
  modifiedDatetime: string | null;
  make: string | null;
  model: string | null;
  lensModel: string | null;
  fNumber: number | null;
  focalLength: number | null;
  exposureTime: number | null;
  exposureBias: number | null;
  iso: number | null;
  latitude: number | null;
  longitude: number | null;
  altitude: number | null;
  description: string | null;
  rating: number | null;
  livePhotoCid: string | null;
  projectionType: string | null;
  autoStackId: string | null;
  duration: number | null;
  fps: number | null;
  /** Place names the file itself carries (IPTC/XMP); GPS geocoding never overwrites them. */
  sublocation: string | null;
  placeName: string | null;
  /** The file embeds its own short video (Google/Samsung motion photo). */
  motionPhoto: boolean;
}

type Tags = Record<string, unknown>;

const str = (v: unknown): string | null => {
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t === '' ? null : t;
};
const num = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};
const first = <T>(tags: Tags, keys: string[], read: (v: unknown) => T | null): T | null => {
  for (const k of keys) {
    const v = read(tags[k]);
    if (v !== null) return v;
  }
  return null;
};

/** `"W H"` pairs such as Composite:ImageSize or QuickTime:CleanAperture. */
function pair(v: unknown): [number, number] | null {
  const parts = str(v)?.split(/\s+/).map(Number);
  if (!parts || parts.length < 2 || !parts.slice(0, 2).every((n) => Number.isFinite(n) && n > 0)) return null;
  return [Math.round(parts[0]), Math.round(parts[1])];
}

function storedSize(tags: Tags): [number, number] | null {
  // HEIF clean aperture crops the coded image; what viewers show is the crop.
  return pair(tags['QuickTime:CleanAperture']) ?? pair(tags['Composite:ImageSize']) ?? (() => {
    const w = first(tags, ['File:ImageWidth', 'QuickTime:ImageWidth', 'EXIF:ImageWidth'], num);
    const h = first(tags, ['File:ImageHeight', 'QuickTime:ImageHeight', 'EXIF:ImageHeight'], num);
    return w && h ? ([w, h] as [number, number]) : null;
  })();
}

/** Quarter turns needed to display the stored pixels: HEIF `irot`, video display matrix, else EXIF. */
function swapsAxes(tags: Tags, mime: string | null, orientation: number | null): boolean {
  if (mime === 'image/heic' || mime === 'image/heif' || mime === 'image/avif') {
    // exiftool -n gives irot as quarter turns (0-3); EXIF Orientation is advisory when irot exists.
    const irot = num(tags['QuickTime:Rotation']);
    if (irot !== null) return irot % 2 === 1;
  }
  if (mime?.startsWith('video/')) {
    const degrees = num(tags['Composite:Rotation']) ?? 0;
    return Math.abs(degrees) % 180 === 90;
  }
  return orientation !== null && orientation >= 5 && orientation <= 8;
}

function dateTag(tags: Tags, key: string, subSecKey?: string, offsetKey?: string): string | null {
  const value = str(tags[key]);
  if (!value) return null;
  const parsed = parseExifDateTime(value, subSecKey ? str(tags[subSecKey]) ?? undefined : undefined, offsetKey ? str(tags[offsetKey]) ?? undefined : undefined);
  return parsed ? formatLocalDateTime(parsed) : null;
}

/** Capture time, in the order photo tools agree on; QuickTime CreateDate is UTC by definition. */
function originalDatetime(tags: Tags): string | null {
  return (
    dateTag(tags, 'EXIF:DateTimeOriginal', 'EXIF:SubSecTimeOriginal', 'EXIF:OffsetTimeOriginal') ??
    dateTag(tags, 'QuickTime:CreationDate') ??
    dateTag(tags, 'XMP:DateTimeOriginal') ??
    dateTag(tags, 'XMP:DateCreated') ??
    dateTag(tags, 'EXIF:CreateDate', 'EXIF:SubSecTimeDigitized', 'EXIF:OffsetTimeDigitized') ??
    (() => {
      const utc = str(tags['QuickTime:CreateDate']);
      const parsed = utc ? parseExifDateTime(utc, undefined, '+00:00') : undefined;
      return parsed ? formatLocalDateTime(parsed) : null;
    })()
  );
}

export function toFileMetadata(tags: Tags): FileMetadata {
  const sniffedMimeType = str(tags['File:MIMEType']);
  const rawOrientation = num(tags['EXIF:Orientation']);
  const orientation = rawOrientation !== null && rawOrientation >= 1 && rawOrientation <= 8 ? rawOrientation : null;
  const size = storedSize(tags);
  const video = sniffedMimeType?.startsWith('video/') ?? false;
  const swap = swapsAxes(tags, sniffedMimeType, orientation);
  const rating = first(tags, ['XMP:Rating', 'EXIF:Rating'], num);
  return {
    sniffedMimeType,
    width: size ? size[swap ? 1 : 0] : null,
    height: size ? size[swap ? 0 : 1] : null,
    rawWidth: size && !video ? size[0] : null,
    rawHeight: size && !video ? size[1] : null,
    orientation,
    originalDatetime: originalDatetime(tags),
    digitizedDatetime: dateTag(tags, 'EXIF:CreateDate', 'EXIF:SubSecTimeDigitized', 'EXIF:OffsetTimeDigitized'),
    modifiedDatetime: dateTag(tags, 'EXIF:ModifyDate', 'EXIF:SubSecTime', 'EXIF:OffsetTime') ?? dateTag(tags, 'QuickTime:ModifyDate'),
    make: first(tags, ['EXIF:Make', 'QuickTime:Make', 'MakerNotes:Make'], str),
    model: first(tags, ['EXIF:Model', 'QuickTime:Model', 'MakerNotes:Model'], str),
    lensModel: first(tags, ['EXIF:LensModel', 'QuickTime:LensModel', 'XMP:Lens', 'Composite:LensID'], str),
    fNumber: first(tags, ['EXIF:FNumber', 'Composite:Aperture'], num),
    focalLength: first(tags, ['EXIF:FocalLength'], num),
    exposureTime: first(tags, ['EXIF:ExposureTime', 'Composite:ShutterSpeed'], num),
    exposureBias: first(tags, ['EXIF:ExposureCompensation'], num),
    iso: first(tags, ['EXIF:ISO'], num),
    latitude: first(tags, ['Composite:GPSLatitude'], num),
    longitude: first(tags, ['Composite:GPSLongitude'], num),
    altitude: first(tags, ['Composite:GPSAltitude'], num),
    description: first(tags, ['XMP:Description', 'EXIF:ImageDescription', 'IPTC:Caption-Abstract', 'QuickTime:Description'], str),
    rating: rating !== null && rating >= -1 && rating <= 5 ? Math.round(rating) : null,
    livePhotoCid: first(tags, ['MakerNotes:ContentIdentifier', 'QuickTime:ContentIdentifier', 'MakerNotes:MediaGroupUUID'], str),
    projectionType: first(tags, ['XMP:ProjectionType'], str),
    autoStackId: first(tags, ['MakerNotes:BurstUUID', 'XMP:BurstID', 'MakerNotes:AutoStackID'], str),
    duration: video ? first(tags, ['QuickTime:Duration', 'Matroska:Duration', 'Composite:Duration'], num) : null,
    fps: video ? first(tags, ['QuickTime:VideoFrameRate', 'Matroska:VideoFrameRate'], num) : null,
    sublocation: first(tags, ['XMP:LocationCreatedSublocation', 'XMP:LocationShownSublocation', 'IPTC:Sub-location', 'XMP:Location'], str),
    placeName: first(tags, ['XMP:LocationCreatedLocationName', 'XMP:LocationShownLocationName'], str),
    motionPhoto: num(tags['XMP:MotionPhoto']) === 1 || num(tags['XMP:MicroVideo']) === 1 || str(tags['MakerNotes:EmbeddedVideoType']) !== null,
  };
}

/** Copies the video a motion photo embeds to `dest`; false when there is none. */
export async function extractMotionVideo(path: string, dest: string): Promise<boolean> {
  for (const tag of ['MotionPhotoVideo', 'EmbeddedVideoFile', 'MicroVideo']) {
    try {
      await sharedExifTool().extractBinaryTag(tag, path, dest);
      return true;
    } catch {
      // not this tag: try the next spelling
    }
  }
  return false;
}

/**
 * Reads a file's tags: a plain JPEG's in-process (jpeg-tags.ts), anything else with the shared,
 * long-lived ExifTool pool (its start-up costs ~100 ms).
 */
export async function readFileMetadata(path: string): Promise<FileMetadata> {
  const tags = (await readPlainJpeg(path)) ?? ((await sharedExifTool().readRaw(path, { readArgs: ['-G', '-n'] })) as Tags);
  return toFileMetadata(tags);
}

/**
 * Every plain-JPEG read reuses this head buffer: the read and the parse are synchronous, and the
 * tags keep no view of it. A new one per upload was an eighth of what an upload allocates outside
 * V8's heap, which V8 counts towards its next full collection.
 */
const jpegHead = Buffer.allocUnsafeSlow(JPEG_HEAD_BYTES);

/** The tags of a plain JPEG from its head and its last two bytes; null for any other file. */
export async function readPlainJpeg(path: string): Promise<Tags | null> {
  const { head, tail } = readEnds(path, jpegHead, 2);
  if (head.length < 4 || head[0] !== 0xff || head[1] !== 0xd8) return null;
  return readPlainJpegTags(head, tail[0] === 0xff && tail[1] === 0xd9);
}
