import { describe, expect, it } from 'vitest';
import { parseIso6709 } from '../../src/media/iso6709.js';
import { isVideo, mediaEntries } from '../support/media.js';

describe('parseIso6709', () => {
  it('reads every corpus location as ExifTool does', () => {
    const located = mediaEntries((e) => isVideo(e) && e.video_location_iso6709 !== null && e.gps !== null);
    expect(located.length).toBeGreaterThan(0);
    for (const e of located) {
      const p = parseIso6709(e.video_location_iso6709)!;
      expect(p.lat, e.path).toBeCloseTo(e.gps!.lat, 4);
      expect(p.lon, e.path).toBeCloseTo(e.gps!.lon, 4);
      if (e.gps!.alt_m !== null) expect(p.alt_m!, e.path).toBeCloseTo(e.gps!.alt_m, 1);
    }
  });

  it.each([
    ['+49.1989+016.6071+222.469/', { lat: 49.1989, lon: 16.6071, alt_m: 222.469 }],
    ['+33.9951-118.4762/', { lat: 33.9951, lon: -118.4762, alt_m: null }],
    ['-33.8688+151.2093', { lat: -33.8688, lon: 151.2093, alt_m: null }],
    ['+4030.5-07400.0/', { lat: 40.5083333, lon: -74, alt_m: null }], // DDMM.m
    ['+403000-0740000+10CRSWGS_84/', { lat: 40.5, lon: -74, alt_m: 10 }], // DDMMSS
  ])('%s', (text, expected) => {
    const p = parseIso6709(text)!;
    expect(p.lat).toBeCloseTo(expected.lat, 6);
    expect(p.lon).toBeCloseTo(expected.lon, 6);
    expect(p.alt_m).toBe(expected.alt_m);
  });

  it.each(['', 'garbage', '+91.0+000.0/', '+45.0+181.0/', '45.0,7.0'])('rejects %j', (text) => {
    expect(parseIso6709(text)).toBeNull();
  });
});
