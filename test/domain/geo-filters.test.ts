import { describe, expect, it } from 'vitest';
import { parseGeoFilter } from '../../src/domain/geo-filters.js';

describe('parseGeoFilter', () => {
  it('accepts a bbox, including one that wraps the antimeridian', () => {
    expect(parseGeoFilter({ bbox: '-10,40,5,50' })).toEqual({ ok: true, bbox: { minLon: -10, minLat: 40, maxLon: 5, maxLat: 50 } });
    expect(parseGeoFilter({ bbox: '170,-20,-170,0' })).toEqual({ ok: true, bbox: { minLon: 170, minLat: -20, maxLon: -170, maxLat: 0 } });
  });
  it.each([
    [{ bbox: '1,2,3' }, 'bbox'],
    [{ bbox: '1,2,3,x' }, 'bbox'],
    [{ bbox: '-181,0,0,1' }, 'bbox'],
    [{ bbox: '0,10,1,5' }, 'bbox'],
    [{ bbox: '0,0,1,1', center: '0,0', radius: 10 }, 'bbox'],
    [{ center: '0,0' }, 'radius'],
    [{ radius: 10 }, 'center'],
    [{ center: '0,95', radius: 10 }, 'center'],
    [{ center: '0,0', radius: 0 }, 'radius'],
    [{ center: '0,0', radius: 50_001 }, 'radius'],
  ])('rejects %j at %s', (input, field) => {
    const r = parseGeoFilter(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.field).toBe(field);
  });
  it('accepts center + radius', () => {
    expect(parseGeoFilter({ center: '-3.7,40.4', radius: 5000 })).toEqual({ ok: true, near: { lon: -3.7, lat: 40.4, radiusM: 5000 } });
  });
});
