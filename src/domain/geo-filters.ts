/** Parsing of the location filters of §1.2: `bbox` or `center` + `radius`, never both. */
export interface BBox {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

export interface Circle {
  lon: number;
  lat: number;
  radiusM: number;
}

export type GeoFilterResult =
  | { ok: true; bbox?: BBox; near?: Circle }
  | { ok: false; field: 'bbox' | 'center' | 'radius'; message: string };

const MAX_RADIUS_M = 50_000;

function numbers(text: string, count: number): number[] | undefined {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== count || parts.some((p) => p === '')) return undefined;
  const values = parts.map(Number);
  return values.every(Number.isFinite) ? values : undefined;
}

const lonOk = (v: number) => v >= -180 && v <= 180;
const latOk = (v: number) => v >= -90 && v <= 90;

export function parseBBox(text: string): BBox | string {
  const v = numbers(text, 4);
  if (!v) return 'bbox must be four comma-separated numbers: min_lon,min_lat,max_lon,max_lat';
  const [minLon, minLat, maxLon, maxLat] = v;
  if (!lonOk(minLon) || !lonOk(maxLon)) return 'bbox longitudes must be within [-180, 180]';
  if (!latOk(minLat) || !latOk(maxLat)) return 'bbox latitudes must be within [-90, 90]';
  if (minLat > maxLat) return 'bbox min_lat must not be greater than max_lat';
  return { minLon, minLat, maxLon, maxLat };
}

export function parseGeoFilter(input: { bbox?: string; center?: string; radius?: number }): GeoFilterResult {
  if (input.bbox !== undefined && (input.center !== undefined || input.radius !== undefined)) {
    return { ok: false, field: 'bbox', message: 'Use either bbox or center+radius, not both' };
  }
  if (input.bbox !== undefined) {
    const bbox = parseBBox(input.bbox);
    return typeof bbox === 'string' ? { ok: false, field: 'bbox', message: bbox } : { ok: true, bbox };
  }
  if (input.center === undefined && input.radius === undefined) return { ok: true };
  if (input.center === undefined) return { ok: false, field: 'center', message: 'center is required with radius' };
  if (input.radius === undefined) return { ok: false, field: 'radius', message: 'radius is required with center' };
  const c = numbers(input.center, 2);
  if (!c || !lonOk(c[0]) || !latOk(c[1])) return { ok: false, field: 'center', message: 'center must be lon,lat within [-180, 180] and [-90, 90]' };
  if (!(input.radius > 0 && input.radius <= MAX_RADIUS_M)) {
    return { ok: false, field: 'radius', message: `radius must be greater than 0 and at most ${MAX_RADIUS_M} metres` };
  }
  return { ok: true, near: { lon: c[0], lat: c[1], radiusM: input.radius } };
}
