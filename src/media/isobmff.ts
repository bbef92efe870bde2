/**
 * Just enough ISO base media file format (HEIF, AVIF, MP4, MOV) parsing to route a file, to
 * notice truncation and to find a HEIF's colour profile: the top-level box list, the `ftyp`
 * brands and the `colr` property. Pure functions over bytes.
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

/** The payloads of the boxes directly inside `[start, end)`; stops at the first malformed header. */
function* childBoxes(bytes: Uint8Array, start: number, end: number): Generator<{ type: string; start: number; end: number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = start;
  while (offset + 8 <= end) {
    let size = view.getUint32(offset);
    let header = 8;
    if (size === 1) {
      if (offset + 16 > end) return;
      size = Number(view.getBigUint64(offset + 8));
      header = 16;
    } else if (size === 0) {
      size = end - offset;
    }
    if (size < header || offset + size > end) return;
    yield { type: latin1(bytes, offset + 4, 4), start: offset + header, end: offset + size };
    offset += size;
  }
}

function child(bytes: Uint8Array, parent: { start: number; end: number }, type: string, skip = 0) {
  for (const box of childBoxes(bytes, parent.start + skip, parent.end)) if (box.type === type) return box;
  return undefined;
}

/**
 * The ICC profile a HEIF file declares for its images (`meta` › `iprp` › `ipco` › `colr` of type
 * `prof` or `rICC`), or null when it has none (an `nclx` colour box, or no `colr` at all). Apple
 * devices write Display P3 here; files in the wild carry one profile for all their items.
 */
export function heifIccProfile(bytes: Uint8Array): Uint8Array | null {
  const meta = child(bytes, { start: 0, end: bytes.length }, 'meta');
  // `meta` is a full box: version and flags come before its children.
  const iprp = meta && child(bytes, meta, 'iprp', 4);
  const ipco = iprp && child(bytes, iprp, 'ipco');
  if (!ipco) return null;
  for (const box of childBoxes(bytes, ipco.start, ipco.end)) {
    if (box.type !== 'colr' || box.end - box.start <= 4) continue;
    const kind = latin1(bytes, box.start, 4);
    if (kind === 'prof' || kind === 'rICC') return bytes.subarray(box.start + 4, box.end);
  }
  return null;
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

/** Up to `length` bytes from `start` as Latin-1 characters (box types, segment signatures). */
export function latin1(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function printable(type: string): string {
  return /^[\x20-\x7e]{4}$/.test(type) ? type : [...type].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}
