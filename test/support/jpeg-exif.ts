/**
 * Builds JPEGs with hand-made metadata segments, to test a metadata reader against ExifTool on
 * cases the corpus lacks (an Apple maker note, southern coordinates, conflicting directories).
 */
import sharp from 'sharp';

export interface Field {
  tag: number;
  /** TIFF type: 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL, 7 UNDEFINED, 10 SRATIONAL. */
  type: 2 | 3 | 4 | 5 | 7 | 10;
  /** ASCII text, raw bytes (UNDEFINED) or numbers ([numerator, denominator] pairs for rationals). */
  value: string | Buffer | number[];
}

export interface ExifLayout {
  littleEndian?: boolean;
  ifd0: Field[];
  exif?: Field[];
  gps?: Field[];
  ifd1?: Field[];
}

const SIZES: Record<Field['type'], number> = { 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 10: 8 };

/** A TIFF block (what follows "Exif\0\0"), each directory's values right after it. */
export function tiffBlock(layout: ExifLayout): Buffer {
  const le = layout.littleEndian ?? false;
  const chunks: Buffer[] = [];
  let length = 8;
  const u16 = (v: number) => { const b = Buffer.alloc(2); le ? b.writeUInt16LE(v) : b.writeUInt16BE(v); return b; };
  const u32 = (v: number) => { const b = Buffer.alloc(4); le ? b.writeUInt32LE(v) : b.writeUInt32BE(v); return b; };
  const i32 = (v: number) => { const b = Buffer.alloc(4); le ? b.writeInt32LE(v) : b.writeInt32BE(v); return b; };
  const encode = (f: Field): Buffer => {
    if (typeof f.value === 'string') return Buffer.from(`${f.value}\0`, 'latin1');
    if (Buffer.isBuffer(f.value)) return f.value;
    const nums = f.value;
    if (f.type === 3) return Buffer.concat(nums.map(u16));
    if (f.type === 4) return Buffer.concat(nums.map(u32));
    return Buffer.concat(nums.map(f.type === 10 ? i32 : u32));
  };
  const count = (f: Field, bytes: Buffer) => bytes.length / SIZES[f.type];
  /** Appends one directory whose pointer fields (EXIF 0x8769, GPS 0x8825) are filled by `pointers`; returns its offset. */
  const directory = (fields: Field[], next = 0): { at: number; patch: (tag: number, target: number) => void; setNext: (target: number) => void } => {
    const at = length;
    const sorted = [...fields].sort((a, b) => a.tag - b.tag);
    const table = Buffer.alloc(2 + sorted.length * 12 + 4);
    const data: Buffer[] = [];
    let dataAt = at + table.length;
    const write16 = (v: number, o: number) => (le ? table.writeUInt16LE(v, o) : table.writeUInt16BE(v, o));
    const write32 = (v: number, o: number) => (le ? table.writeUInt32LE(v, o) : table.writeUInt32BE(v, o));
    write16(sorted.length, 0);
    const slots = new Map<number, number>();
    sorted.forEach((f, i) => {
      const e = 2 + i * 12;
      const bytes = encode(f);
      write16(f.tag, e);
      write16(f.type, e + 2);
      write32(count(f, bytes), e + 4);
      slots.set(f.tag, e + 8);
      if (bytes.length <= 4) bytes.copy(table, e + 8);
      else {
        write32(dataAt, e + 8);
        data.push(bytes, Buffer.alloc(bytes.length % 2));
        dataAt += bytes.length + (bytes.length % 2);
      }
    });
    write32(next, table.length - 4);
    chunks.push(table, ...data);
    length = dataAt;
    return {
      at,
      patch: (tag, target) => write32(target, slots.get(tag)!),
      setNext: (target) => write32(target, table.length - 4),
    };
  };
  const pointer = (tag: number): Field => ({ tag, type: 4, value: [0] });
  const ifd0 = directory([...layout.ifd0, ...(layout.exif ? [pointer(0x8769)] : []), ...(layout.gps ? [pointer(0x8825)] : [])]);
  if (layout.exif) ifd0.patch(0x8769, directory(layout.exif).at);
  if (layout.gps) ifd0.patch(0x8825, directory(layout.gps).at);
  if (layout.ifd1) ifd0.setNext(directory(layout.ifd1).at);
  const header = Buffer.concat([Buffer.from(le ? 'II' : 'MM', 'latin1'), u16(42), u32(8)]);
  return Buffer.concat([header, ...chunks]);
}

/** Apple's maker note around `fields`: "Apple iOS\0", version 1, "MM", then a directory whose offsets count from the note's start. */
export function appleMakerNote(fields: Field[]): Buffer {
  const inner = tiffBlock({ ifd0: fields });
  // tiffBlock puts its directory at 8; Apple's starts at 14, so every offset moves by 6.
  const body = inner.subarray(8);
  const count = body.readUInt16BE(0);
  const shifted = Buffer.from(body);
  for (let i = 0; i < count; i++) {
    const e = 2 + i * 12;
    const type = shifted.readUInt16BE(e + 2) as Field['type'];
    if (shifted.readUInt32BE(e + 4) * SIZES[type] > 4) shifted.writeUInt32BE(shifted.readUInt32BE(e + 8) + 6, e + 8);
  }
  return Buffer.concat([Buffer.from('Apple iOS\0\0\x01MM', 'latin1'), shifted]);
}

/** A JPEG segment: marker, big-endian length (itself included), payload. */
export function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xff00 | marker, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/** A small real JPEG with `segments` inserted right after its start marker. */
export async function jpegWith(segments: Buffer[], size = { width: 48, height: 32 }): Promise<Buffer> {
  const plain = await sharp({ create: { ...size, channels: 3, background: '#6a8' } }).jpeg().toBuffer();
  return Buffer.concat([plain.subarray(0, 2), ...segments, plain.subarray(2)]);
}

export const exifSegment = (layout: ExifLayout) => segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiffBlock(layout)]));
