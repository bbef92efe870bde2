/**
 * Just enough ISO base media file format (HEIF, AVIF, MP4, MOV) parsing to route a file and to
 * notice truncation: the top-level box list and the `ftyp` brands. Pure functions over bytes.
 */

export interface TopLevelBox {
  readonly type: string;
  readonly offset: number;
  readonly size: number;
}

export interface BoxScan {
  readonly boxes: readonly TopLevelBox[];
  /** Why the box list does not end exactly at the end of the file, or null when it does. */
  readonly problem: string | null;
}

/** Walks the top-level boxes of an ISOBMFF file held in memory. */
export function scanTopLevelBoxes(bytes: Uint8Array): BoxScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: TopLevelBox[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 8 > bytes.length) {
      return { boxes, problem: `partial box header at byte ${offset} of ${bytes.length}` };
    }
    let size = view.getUint32(offset);
    const type = latin1(bytes, offset + 4, 4);
    let header = 8;
    if (size === 1) {
      if (offset + 16 > bytes.length) return { boxes, problem: `partial box header at byte ${offset} of ${bytes.length}` };
      const large = view.getBigUint64(offset + 8);
      size = large > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(large);
      header = 16;
    } else if (size === 0) {
      size = bytes.length - offset; // "extends to the end of the file"
    }
    if (size < header) return { boxes, problem: `box '${printable(type)}' at byte ${offset} has an invalid size ${size}` };
    if (offset + size > bytes.length) {
      return {
        boxes,
        problem: `box '${printable(type)}' at byte ${offset} needs ${size} bytes but the file ends after ${bytes.length - offset} (truncated)`,
      };
    }
    boxes.push({ type, offset, size });
    offset += size;
  }
  return { boxes, problem: null };
}

/** The `ftyp` major brand and compatible brands, or null when the file does not start with `ftyp`. */
export function readBrands(bytes: Uint8Array): { major: string; compatible: string[] } | null {
  if (bytes.length < 16 || latin1(bytes, 4, 4) !== 'ftyp') return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = Math.min(view.getUint32(0), bytes.length);
  const compatible: string[] = [];
  for (let at = 16; at + 4 <= size; at += 4) compatible.push(latin1(bytes, at, 4));
  return { major: latin1(bytes, 8, 4), compatible };
}

const AV1_BRANDS = new Set(['avif', 'avis']);
const HEVC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);

/**
 * Which codec family an HEIF-family file's brands point at: `av1` (AVIF: libvips decodes it),
 * `hevc` (HEIC: libheif's wasm build decodes it), `other` (a generic `mif1`/`msf1` file), or null
 * when the bytes are not ISOBMFF at all.
 */
export function heifFamily(bytes: Uint8Array): 'av1' | 'hevc' | 'other' | null {
  const brands = readBrands(bytes);
  if (!brands) return null;
  if (AV1_BRANDS.has(brands.major)) return 'av1';
  if (HEVC_BRANDS.has(brands.major)) return 'hevc';
  if (brands.compatible.some((b) => HEVC_BRANDS.has(b))) return 'hevc';
  if (brands.compatible.some((b) => AV1_BRANDS.has(b))) return 'av1';
  return 'other';
}

function latin1(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function printable(type: string): string {
  return /^[\x20-\x7e]{4}$/.test(type) ? type : [...type].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}
