/**
 * ISO 6709 location strings as QuickTime stores them (`©xyz`,
 * `com.apple.quicktime.location.ISO6709`), e.g. `+49.1989+016.6071+222.469/` or
 * `+33.9951-118.4762/`. Accepts decimal degrees and the DDMM.mm / DDMMSS.ss forms.
 */
export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
  readonly alt_m: number | null;
}

const PATTERN = /^([+-])(\d{2}|\d{4}|\d{6})(\.\d+)?([+-])(\d{3}|\d{5}|\d{7})(\.\d+)?(?:([+-]\d+(?:\.\d+)?))?(?:CRS[^/]*)?\/?$/;

export function parseIso6709(value: string | null | undefined): GeoPoint | null {
  if (typeof value !== 'string') return null;
  const m = PATTERN.exec(value.trim());
  if (!m) return null;
  const lat = toDegrees(m[1]!, m[2]!, m[3]);
  const lon = toDegrees(m[4]!, m[5]!, m[6]);
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  const alt = m[7] === undefined ? null : Number(m[7]);
  return { lat, lon, alt_m: alt !== null && Number.isFinite(alt) ? alt : null };
}

/** `int` is DD[D], DD[D]MM or DD[D]MMSS; `frac` applies to the last unit. */
function toDegrees(sign: string, int: string, frac: string | undefined): number {
  const degDigits = int.length % 2 === 0 ? 2 : 3;
  const units = [int.slice(0, degDigits), int.slice(degDigits, degDigits + 2), int.slice(degDigits + 2)].filter(Boolean);
  const values = units.map(Number);
  values[values.length - 1]! += frac ? Number(`0${frac}`) : 0;
  const degrees = values[0]! + (values[1] ?? 0) / 60 + (values[2] ?? 0) / 3600;
  return sign === '-' ? -degrees : degrees;
}
