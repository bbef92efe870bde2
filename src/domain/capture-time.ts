/**
 * Capture times are wall clocks with an optional UTC offset (§3.8): "naive" when the offset is
 * unknown. `wall` is always `YYYY-MM-DDTHH:MM:SS.mmm` (fixed width, so it sorts as text).
 */
export interface LocalDateTime {
  wall: string;
  /** Minutes east of UTC; null = naive. */
  offset: number | null;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const EXIF = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2}(?![\d:]))?/;

function build(parts: (string | undefined)[]): LocalDateTime | undefined {
  const [y, mo, d, h = '00', mi = '00', s = '00', frac, zone] = parts;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  const ms = frac ? (frac + '00').slice(0, 3) : '000';
  const wall = `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}`;
  return { wall, offset: zone === undefined ? null : parseOffset(zone) };
}

function parseOffset(zone: string): number | null {
  if (zone === 'Z' || zone === 'z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (minutes > 18 * 60) return null;
  return m[1] === '-' ? -minutes : minutes;
}

/** ISO 8601 as clients send it: date-time with optional fraction and optional offset; a bare date is midnight. */
export function parseIsoDateTime(text: string): LocalDateTime | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  if (m[8] && parseOffset(m[8]) === null) return undefined;
  return build(m.slice(1));
}

/** EXIF/QuickTime style `YYYY:MM:DD HH:MM:SS[.sss][±HH:MM]`; trailing garbage (seen in real files) is ignored. */
export function parseExifDateTime(text: string, subSeconds?: string, offsetTag?: string): LocalDateTime | undefined {
  const m = EXIF.exec(text.trim());
  if (!m || m[1] === '0000') return undefined;
  const parts = m.slice(1);
  if (!parts[6] && subSeconds && /^\d+$/.test(subSeconds.trim())) parts[6] = subSeconds.trim();
  if (!parts[7] && offsetTag && /^[+-]\d{2}:\d{2}$/.test(offsetTag.trim())) parts[7] = offsetTag.trim();
  return build(parts);
}

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

export function formatOffset(offset: number): string {
  return `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

/** Serialised like Python's isoformat: fraction only when non-zero, offset only when known. */
export function formatLocalDateTime(t: LocalDateTime): string {
  const base = t.wall.endsWith('.000') ? t.wall.slice(0, 19) : t.wall;
  return t.offset === null ? base : base + formatOffset(t.offset);
}

/** The UTC instant of an aware time as `…Z` text; undefined for naive times. */
export function toUtcText(t: LocalDateTime): string | undefined {
  if (t.offset === null) return undefined;
  const asUtc = Date.parse(`${t.wall}Z`);
  return new Date(asUtc - t.offset * 60_000).toISOString();
}

/** Wall clock of a UTC instant seen at a fixed offset. */
export function fromUtc(date: Date, offset = 0): LocalDateTime {
  const shifted = new Date(date.getTime() + offset * 60_000).toISOString();
  return { wall: shifted.slice(0, 23), offset };
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** Offset (minutes east of UTC) of an IANA zone at a UTC instant; undefined for an unknown zone. */
function zoneOffsetAtInstant(zone: string, utcMs: number): number | undefined {
  let format = zoneFormats.get(zone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    } catch {
      return undefined;
    }
    zoneFormats.set(zone, format);
  }
  const p = Object.fromEntries(format.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/**
 * The offset a zone had at a wall-clock time there, DST included. Two passes settle the
 * instant; in a fall-back overlap the earlier (summer) reading wins, in a spring-forward gap the
 * offset from before the jump.
 */
export function zoneOffsetAt(zone: string, wall: string): number | undefined {
  const wallMs = Date.parse(`${wall}Z`);
  const first = zoneOffsetAtInstant(zone, wallMs);
  if (first === undefined) return undefined;
  const second = zoneOffsetAtInstant(zone, wallMs - first * 60_000)!;
  if (second === first) return first;
  const third = zoneOffsetAtInstant(zone, wallMs - second * 60_000)!;
  return third === second ? second : Math.max(first, second);
}

/**
 * §3.8: the user's override, else the file's original datetime, else the upload's
 * `file_created_at`, else the row's creation time. A naive file time gets the offset of the
 * place's time zone when that is known (from GPS); a naive user override stays naive.
 */
export function resolveLocalDateTime(candidates: {
  userOriginal: string | null;
  fileOriginal: string | null;
  fileCreatedAt: string | null;
  createdAt: string;
  timezone?: string | null;
}): LocalDateTime {
  const user = candidates.userOriginal === null ? undefined : parseIsoDateTime(candidates.userOriginal);
  if (user) return user;
  const file = candidates.fileOriginal === null ? undefined : parseIsoDateTime(candidates.fileOriginal);
  if (file) {
    if (file.offset !== null || !candidates.timezone) return file;
    const offset = zoneOffsetAt(candidates.timezone, file.wall);
    return offset === undefined ? file : { ...file, offset };
  }
  const uploaded = candidates.fileCreatedAt === null ? undefined : parseIsoDateTime(candidates.fileCreatedAt);
  if (uploaded) return uploaded;
  return fromUtc(new Date(candidates.createdAt));
}
