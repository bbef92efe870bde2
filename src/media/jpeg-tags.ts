/**
 * The tags `toFileMetadata` (exif.ts) reads, taken from a plain JPEG in-process and named and
 * valued as `exiftool -G -n` gives them. ExifTool costs 2.5–17 ms of Perl CPU per JPEG (more with
 * maker notes, XMP and IPTC) against well under a millisecond here; on a photo import it is the
 * largest cost after decoding.
 *
 * "Plain" is decided conservatively: anything whose meaning would take ExifTool's judgement (XMP,
 * IPTC, data after the image such as a motion photo's video, an unknown APPn segment, a maker note
 * some of our fallback tags come from, a malformed directory) returns null, and the caller asks
 * ExifTool. Pure functions over bytes.
 */
import { latin1 } from './isobmff.js';

export type Tags = Record<string, string | number>;

/** What a JPEG's metadata segments need: they all come before the first scan in sane files. */
export const JPEG_HEAD_BYTES = 256 * 1024;

/** APPn segments ExifTool reads only into groups `toFileMetadata` never looks at. */
const HARMLESS_SEGMENTS: ReadonlyMap<number, RegExp> = new Map([
  [0xe0, /^(JFIF|JFXX)\0/], // JFIF header and thumbnail
  [0xe2, /^(ICC_PROFILE|MPF|FPXR)\0/], // colour profile, multi-picture index, FlashPix
  [0xec, /^Ducky/], // Photoshop "Save for Web" quality
  [0xee, /^Adobe/], // colour transform flag
]);

const EXIF_HEADER = 'Exif\0\0';
const APPLE_MAKER_NOTE = 'Apple iOS\0';

/**
 * Tags of a JPEG from its first bytes (`head`, at least through the frame header) and whether the
 * file ends right after the image (its last two bytes are the EOI marker); null when ExifTool must
 * read the file instead.
 */
export function readPlainJpegTags(head: Uint8Array, endsAtImageEnd: boolean): Tags | null {
  if (!endsAtImageEnd || head.length < 4 || head[0] !== 0xff || head[1] !== 0xd8) return null;
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const tags: Tags = { 'File:MIMEType': 'image/jpeg' };
  let exifSeen = false;
  let offset = 2;
  for (;;) {
    if (offset + 4 > bytes.length || bytes[offset] !== 0xff) return null;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    const length = bytes.readUInt16BE(offset + 2);
    const start = offset + 4;
    const end = offset + 2 + length;
    if (length < 2 || end > bytes.length) return null;
    const segment = bytes.subarray(start, end);
    if (isFrameHeader(marker)) {
      if (segment.length < 5) return null;
      const height = segment.readUInt16BE(1);
      const width = segment.readUInt16BE(3);
      if (width === 0 || height === 0) return null;
      Object.assign(tags, { 'File:ImageWidth': width, 'File:ImageHeight': height, 'Composite:ImageSize': `${width} ${height}` });
      return tags;
    }
    if (marker === 0xe1 && latin1(segment, 0, EXIF_HEADER.length) === EXIF_HEADER && !exifSeen) {
      exifSeen = true;
      if (!readExif(segment.subarray(EXIF_HEADER.length), tags)) return null;
    } else if (marker >= 0xe0 && marker <= 0xef) {
      if (!HARMLESS_SEGMENTS.get(marker)?.test(latin1(segment, 0, 16))) return null;
    } else if (marker !== 0xfe && marker !== 0xdb && marker !== 0xc4 && marker !== 0xdd && marker !== 0xcc) {
      // Only comments and coding tables may precede the frame header; anything else is unusual enough for ExifTool.
      return null;
    }
    offset = end;
  }
}

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
const isFrameHeader = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

// TIFF field types by size: BYTE ASCII SHORT LONG RATIONAL SBYTE UNDEFINED SSHORT SLONG SRATIONAL FLOAT DOUBLE.
const TYPE_SIZES = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8];

interface Entry {
  readonly type: number;
  readonly count: number;
  /** Where the value starts within the TIFF block. */
  readonly at: number;
}

/** One TIFF block (EXIF's) read with its own byte order; offsets are relative to its start. */
class Tiff {
  constructor(readonly bytes: Buffer, readonly littleEndian: boolean) {}

  u16(at: number): number {
    return this.littleEndian ? this.bytes.readUInt16LE(at) : this.bytes.readUInt16BE(at);
  }

  u32(at: number): number {
    return this.littleEndian ? this.bytes.readUInt32LE(at) : this.bytes.readUInt32BE(at);
  }

  i32(at: number): number {
    return this.littleEndian ? this.bytes.readInt32LE(at) : this.bytes.readInt32BE(at);
  }

  /** The entries of the directory at `at` by tag, or null when it does not fit the block. */
  directory(at: number, base = 0): Map<number, Entry> | null {
    if (at + 2 > this.bytes.length) return null;
    const count = this.u16(at);
    if (at + 2 + count * 12 > this.bytes.length) return null;
    const entries = new Map<number, Entry>();
    for (let i = 0; i < count; i++) {
      const e = at + 2 + i * 12;
      const type = this.u16(e + 2);
      const valueCount = this.u32(e + 4);
      const size = (TYPE_SIZES[type] ?? 0) * valueCount;
      if (size === 0) continue; // unknown type: ExifTool skips it too
      const valueAt = size <= 4 ? e + 8 : this.u32(e + 8) + base;
      if (valueAt + size > this.bytes.length) return null;
      entries.set(this.u16(e), { type, count: valueCount, at: valueAt });
    }
    return entries;
  }

  /** A value as `exiftool -n` prints it: numbers, rationals to 10 significant digits, lists space-separated. */
  value(entry: Entry): string | number | null {
    const { type, count, at } = entry;
    if (type === 2 || type === 7) return this.text(entry);
    const values: number[] = [];
    for (let i = 0; i < count; i++) {
      const v = this.number(type, at + i * TYPE_SIZES[type]!);
      if (v === null) return null;
      values.push(v);
    }
    return values.length === 1 ? values[0]! : values.join(' ');
  }

  private number(type: number, at: number): number | null {
    const b = this.bytes;
    switch (type) {
      case 1: return b[at]!;
      case 3: return this.u16(at);
      case 4: return this.u32(at);
      case 6: return b.readInt8(at);
      case 8: return this.littleEndian ? b.readInt16LE(at) : b.readInt16BE(at);
      case 9: return this.i32(at);
      case 5:
      case 10: {
        const numerator = type === 5 ? this.u32(at) : this.i32(at);
        const denominator = type === 5 ? this.u32(at + 4) : this.i32(at + 4);
        // ExifTool prints "inf"/"undef" here; the tags that would read it are left to ExifTool.
        return denominator === 0 ? null : Number((numerator / denominator).toPrecision(10));
      }
      default: return null; // FLOAT/DOUBLE: not used by any tag read here
    }
  }

  /** ASCII up to the first NUL; null for bytes beyond ASCII, whose charset ExifTool would guess. */
  private text({ count, at }: Entry): string | null {
    const raw = this.bytes.subarray(at, at + count);
    const nul = raw.indexOf(0);
    const used = nul === -1 ? raw : raw.subarray(0, nul);
    return used.every((c) => c < 0x80) ? used.toString('latin1') : null;
  }
}

/** The EXIF tags read here; ExifTool names them alike in whichever directory they sit. */
const EXIF_TAGS: Record<number, string> = {
  0x0100: 'ImageWidth',
  0x0101: 'ImageHeight',
  0x010e: 'ImageDescription',
  0x010f: 'Make',
  0x0110: 'Model',
  0x0112: 'Orientation',
  0x0132: 'ModifyDate',
  0x4746: 'Rating',
  0x829a: 'ExposureTime',
  0x829d: 'FNumber',
  0x8827: 'ISO',
  0x9003: 'DateTimeOriginal',
  0x9004: 'CreateDate',
  0x9010: 'OffsetTime',
  0x9011: 'OffsetTimeOriginal',
  0x9012: 'OffsetTimeDigitized',
  0x9201: 'ShutterSpeedValue',
  0x9202: 'ApertureValue',
  0x9204: 'ExposureCompensation',
  0x920a: 'FocalLength',
  0x9290: 'SubSecTime',
  0x9291: 'SubSecTimeOriginal',
  0x9292: 'SubSecTimeDigitized',
  0xa434: 'LensModel',
};
const TRIMMED = new Set(['Make', 'Model']);
const EXIF_POINTER = 0x8769;
const GPS_POINTER = 0x8825;
const MAKER_NOTE = 0x927c;

const APPLE_TAGS: Record<number, string> = { 0x000b: 'BurstUUID', 0x0011: 'ContentIdentifier' };

/** Copies the wanted entries of a directory into `tags`; false when one of them is unreadable. */
function copyTags(tiff: Tiff, entries: Map<number, Entry>, names: Record<number, string>, group: string, tags: Tags): boolean {
  for (const [tag, name] of Object.entries(names)) {
    const entry = entries.get(Number(tag));
    if (!entry) continue;
    const value = tiff.value(entry);
    if (value === null) return false;
    // ExifTool trims the blanks cameras pad these with.
    tags[`${group}:${name}`] = TRIMMED.has(name) && typeof value === 'string' ? value.replace(/\s+$/, '') : value;
  }
  return true;
}

/**
 * EXIF from an APP1 segment's TIFF block into `tags`; false when ExifTool should read the file.
 * IFD0, the EXIF directory and IFD1 (the thumbnail's) share one tag table in ExifTool, which
 * settles a tag found in two of them with different values by directory priority; such a file is
 * left to it.
 */
function readExif(block: Buffer, tags: Tags): boolean {
  const order = latin1(block, 0, 2);
  if ((order !== 'II' && order !== 'MM') || block.length < 8) return false;
  const tiff = new Tiff(block, order === 'II');
  if (tiff.u16(2) !== 42) return false;
  const ifd0At = tiff.u32(4);
  const ifd0 = tiff.directory(ifd0At);
  if (!ifd0) return false;
  const pointer = ifd0.get(EXIF_POINTER);
  const exifIfd = pointer ? tiff.directory(tiff.u32(pointer.at)) : new Map<number, Entry>();
  const nextAt = ifd0At + 2 + tiff.u16(ifd0At) * 12;
  const ifd1At = nextAt + 4 <= block.length ? tiff.u32(nextAt) : 0;
  const ifd1 = ifd1At === 0 ? new Map<number, Entry>() : tiff.directory(ifd1At);
  if (!exifIfd || !ifd1) return false;
  if ([exifIfd, ifd1].some((d) => d.has(EXIF_POINTER) || d.has(GPS_POINTER))) return false;
  const merged = new Map<number, Entry>();
  for (const directory of [ifd0, exifIfd, ifd1]) {
    for (const [tag, entry] of directory) {
      if (!(tag in EXIF_TAGS) && tag !== MAKER_NOTE) continue;
      const earlier = merged.get(tag);
      if (earlier && (tag === MAKER_NOTE || tiff.value(earlier) !== tiff.value(entry))) return false;
      merged.set(tag, entry);
    }
  }
  if (!copyTags(tiff, merged, EXIF_TAGS, 'EXIF', tags)) return false;
  addCompositeExposure(tags);
  const gps = ifd0.get(GPS_POINTER);
  if (gps && !readGps(tiff, tiff.u32(gps.at), tags)) return false;
  const makerNote = merged.get(MAKER_NOTE);
  return !makerNote || readMakerNote(tiff, makerNote, tags);
}

/**
 * Composite:Aperture and Composite:ShutterSpeed as ExifTool derives them (exif.ts reads them only
 * when FNumber or ExposureTime is missing); its APEX conversions apply to the EXIF values too.
 */
function addCompositeExposure(tags: Tags): void {
  const apex = (name: string, convert: (v: number) => number) => {
    const v = tags[`EXIF:${name}`];
    if (typeof v === 'number') tags[`EXIF:${name}`] = perlNumber(convert(v));
  };
  apex('ApertureValue', (v) => 2 ** (v / 2));
  apex('ShutterSpeedValue', (v) => (Math.abs(v) < 100 ? 2 ** -v : 0));
  const aperture = tags['EXIF:FNumber'] || tags['EXIF:ApertureValue'];
  if (aperture) tags['Composite:Aperture'] = aperture;
  const shutter = tags['EXIF:ExposureTime'] ?? tags['EXIF:ShutterSpeedValue'];
  if (shutter !== undefined) tags['Composite:ShutterSpeed'] = shutter;
}

/** Perl prints a computed number with 15 significant digits. */
const perlNumber = (n: number) => Number(n.toPrecision(15));

/** Composite:GPSLatitude, GPSLongitude and GPSAltitude, signed by their references as ExifTool does. */
function readGps(tiff: Tiff, at: number, tags: Tags): boolean {
  const gps = tiff.directory(at);
  if (!gps) return false;
  const values = new Map<number, string | number>();
  for (const [tag, entry] of gps) {
    if (tag > 0x0006) continue;
    const value = tiff.value(entry);
    if (value === null) return false;
    values.set(tag, value);
  }
  // ExifTool turns "d m s" into degrees as d + (m + s/60)/60.
  const degrees = (tag: number) => {
    const [d, m = 0, s = 0] = String(values.get(tag)).split(' ').map(Number);
    return d! + (m + s / 60) / 60;
  };
  const signed = (valueTag: number, refTag: number, negative: RegExp, name: string) => {
    if (!values.has(valueTag) || !values.has(refTag)) return;
    const v = degrees(valueTag);
    if (Number.isFinite(v)) tags[`Composite:${name}`] = perlNumber(negative.test(String(values.get(refTag))) ? -v : v);
  };
  signed(0x0002, 0x0001, /^S/i, 'GPSLatitude');
  signed(0x0004, 0x0003, /^W/i, 'GPSLongitude');
  const altitude = values.get(0x0006);
  const below = values.get(0x0005);
  if (typeof altitude === 'number' && below !== undefined) tags['Composite:GPSAltitude'] = below ? -Math.abs(altitude) : altitude;
  return true;
}

/**
 * Apple's maker note carries the live-photo and burst identifiers. Other makers' notes are only
 * where exif.ts's fallbacks (MakerNotes:Make/Model, Composite:LensID) come from, so a file with
 * one of those and without the EXIF tag that comes first is left to ExifTool.
 */
function readMakerNote(tiff: Tiff, entry: Entry, tags: Tags): boolean {
  // ExifTool's composites also look for FNumber, ExposureTime (and a bulb duration) in maker notes.
  if (['Make', 'Model', 'LensModel', 'FNumber', 'ExposureTime'].some((name) => tags[`EXIF:${name}`] === undefined)) return false;
  const note = tiff.bytes.subarray(entry.at, entry.at + entry.count);
  if (latin1(note, 0, APPLE_MAKER_NOTE.length) !== APPLE_MAKER_NOTE) return true;
  const order = latin1(note, 12, 2);
  if (order !== 'II' && order !== 'MM') return false;
  // The directory starts 14 bytes in; its offsets count from the note's first byte.
  const apple = new Tiff(note, order === 'II');
  const entries = apple.directory(14);
  return entries !== null && copyTags(apple, entries, APPLE_TAGS, 'MakerNotes', tags);
}
