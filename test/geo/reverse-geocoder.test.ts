import { describe, expect, it } from 'vitest';
import { createReverseGeocoder, getReverseGeocoder } from '../../src/geo/reverse-geocoder.js';
import { CODE_BY_LABEL, placedFiles, ZONE_BY_PATH } from '../support/places.js';

const placed = placedFiles();

const geocoder = getReverseGeocoder();

describe('reverse geocoder on the labelled corpus', () => {
  it('finds the labelled GPS files in the manifest', () => {
    expect(placed.length).toBeGreaterThanOrEqual(18);
  });

  it.each(placed.map((f) => [f.path, f] as const))('%s', (_path, file) => {
    const result = geocoder.lookup(file.gps.lat, file.gps.lon);
    const label = file.labels.place.country;
    expect(CODE_BY_LABEL[label], `add "${label}" to CODE_BY_LABEL`).toBeDefined();
    expect(ZONE_BY_PATH[file.path], `add ${file.path} to ZONE_BY_PATH`).toBeDefined();

    expect(result.country_code).toBe(CODE_BY_LABEL[label]);
    expect(result.country).toBe(label);
    expect(result.city).toEqual(expect.any(String));
    expect(result.state).toEqual(expect.any(String));
    expect(result.timezone).toBe(ZONE_BY_PATH[file.path]);
  });
});

describe('reverse geocoder', () => {
  it('Reykjavik → Atlantic/Reykjavik (geo-tz says Africa/Abidjan)', () => {
    expect(geocoder.lookup(64.1466, -21.9426)).toEqual({
      city: 'Reykjavík',
      state: 'Capital Region',
      country: 'Iceland',
      country_code: 'IS',
      timezone: 'Atlantic/Reykjavik',
    });
  });

  it.each([
    ['mid-Pacific', 0, -140, 'Etc/GMT+9'],
    ['mid-Atlantic', 30, -40, 'Etc/GMT+3'],
  ])('%s claims no place but keeps the nautical zone', (_name, lat, lon, zone) => {
    expect(geocoder.lookup(lat, lon)).toEqual({ city: null, state: null, country: null, country_code: null, timezone: zone });
  });

  it('prefers a place in the country the point is in over a closer one across the border', () => {
    // Kibo summit, Tanzania: Oloitokitok (Kenya) is 23 km away, closer than any Tanzanian town.
    const result = geocoder.lookup(-3.0674, 37.3556);
    expect(result.country_code).toBe('TZ');
    expect(result.state).toBe('Kilimanjaro');
    expect(result.city).not.toBe('Oloitokitok');
  });

  it('where borders and GeoNames disagree (Crimea) names the nearest place but no state', () => {
    const result = geocoder.lookup(44.95, 34.1);
    expect(result.city).toBe('Simferopol');
    expect(result.state).toBeNull();
    expect(result.country_code).toEqual(expect.any(String));
  });

  it('beyond the maximum distance keeps country and zone but claims no city', () => {
    // Sossusvlei, Namibia: Maltahöhe, the nearest place in the data, is 172 km away.
    expect(geocoder.lookup(-24.7333, 15.2833)).toEqual({
      city: null,
      state: null,
      country: 'Namibia',
      country_code: 'NA',
      timezone: 'Africa/Windhoek',
    });
    expect(createReverseGeocoder({ maxCityDistanceKm: 200 }).lookup(-24.7333, 15.2833).city).toBe('Maltahöhe');
  });

  it('gives territories their own ISO code, as GeoNames does', () => {
    expect(geocoder.lookup(18.46, -66.1)).toMatchObject({ country_code: 'PR', timezone: 'America/Puerto_Rico' });
    expect(geocoder.lookup(64.18, -51.72)).toMatchObject({ country_code: 'GL', timezone: 'America/Nuuk' });
    expect(geocoder.lookup(35.89, -5.31)).toMatchObject({ country_code: 'ES', country: 'Spain', city: 'Ceuta' });
  });

  describe('near the antimeridian', () => {
    it('Fiji', () => {
      expect(geocoder.lookup(-17.8, 178.0)).toMatchObject({ country_code: 'FJ', country: 'Fiji', timezone: 'Pacific/Fiji' });
    });

    it('Chukotka', () => {
      expect(geocoder.lookup(65.58, -171.0)).toMatchObject({ city: 'Lavrentiya', country_code: 'RU', timezone: 'Asia/Anadyr' });
    });

    it('finds the nearest place across the line', () => {
      // Egvekinot lies at 179.12° W, 44 km east of this point at 179.9° E.
      expect(geocoder.lookup(66.3, 179.9)).toMatchObject({ city: 'Egvekinot', country_code: 'RU', timezone: 'Asia/Anadyr' });
    });

    it.each([180, -180])('on the line itself (lon %d) the country is still found', (lon) => {
      expect(geocoder.lookup(65.5, lon)).toMatchObject({ country_code: 'RU', timezone: 'Asia/Anadyr' });
      expect(geocoder.lookup(-16.8, lon)).toMatchObject({ country_code: 'FJ', timezone: 'Pacific/Fiji' });
    });
  });

  it.each([
    [90, 0],
    [90, 180],
    [89.999, -179.999],
    [-90, 0],
    [-90, -180],
  ])('at the pole (%d, %d) answers without a city', (lat, lon) => {
    const result = geocoder.lookup(lat, lon);
    expect(result.city).toBeNull();
    expect(result.timezone).toEqual(expect.any(String));
  });

  it('the South Pole is in Antarctica', () => {
    expect(geocoder.lookup(-90, 0)).toMatchObject({ country_code: 'AQ', country: 'Antarctica' });
  });

  it.each<[string, unknown, unknown, RegExp]>([
    ['NaN latitude', Number.NaN, 0, /for lat but received NaN/],
    ['latitude above 90', 90.5, 0, /between -90 and 90 for lat but received 90.5/],
    ['latitude as a string', '47', 10, /for lat but received 47 of type string/],
    ['missing longitude', 47, undefined, /for lon but received undefined/],
    ['infinite longitude', 0, Number.POSITIVE_INFINITY, /for lon but received Infinity/],
    ['longitude below -180', 0, -180.5, /between -180 and 180 for lon/],
  ])('rejects %s, naming the parameter', (_name, lat, lon, message) => {
    expect(() => geocoder.lookup(lat as number, lon as number)).toThrow(RangeError);
    expect(() => geocoder.lookup(lat as number, lon as number)).toThrow(message);
  });

  it('rejects a non-positive maximum distance', () => {
    expect(() => createReverseGeocoder({ maxCityDistanceKm: 0 })).toThrow(/for maxCityDistanceKm/);
  });

  it('shares one instance per process', () => {
    expect(getReverseGeocoder()).toBe(geocoder);
  });
});
