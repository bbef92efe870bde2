import { describe, expect, it } from 'vitest';
import {
  formatLocalDateTime,
  parseExifDateTime,
  parseIsoDateTime,
  resolveLocalDateTime,
  toUtcText,
  zoneOffsetAt,
} from '../../src/domain/capture-time.js';

describe('parseIsoDateTime', () => {
  it.each([
    ['2024-07-15T12:00:00', { wall: '2024-07-15T12:00:00.000', offset: null }],
    ['2024-07-15T12:00:00Z', { wall: '2024-07-15T12:00:00.000', offset: 0 }],
    ['2024-07-15T12:00:00-07:00', { wall: '2024-07-15T12:00:00.000', offset: -420 }],
    ['2024-07-15T12:00:00.123456+0530', { wall: '2024-07-15T12:00:00.123', offset: 330 }],
    ['2024-07-15 12:00', { wall: '2024-07-15T12:00:00.000', offset: null }],
    ['2024-07-15', { wall: '2024-07-15T00:00:00.000', offset: null }],
  ])('%s', (text, expected) => {
    expect(parseIsoDateTime(text)).toEqual(expected);
  });

  it.each(['', 'yesterday', '2024-13-01T00:00:00', '2023-02-29T00:00:00', '2024-07-15T25:00:00', '2024-07-15T12:00:00+25:00'])(
    'rejects %j',
    (text) => {
      expect(parseIsoDateTime(text)).toBeUndefined();
    },
  );
});

describe('parseExifDateTime', () => {
  it('reads the wall clock, sub-seconds and the OffsetTime tag', () => {
    expect(parseExifDateTime('2025:01:02 10:25:55', '283', '-05:00')).toEqual({ wall: '2025-01-02T10:25:55.283', offset: -300 });
  });
  it('reads an offset embedded in the value (QuickTime CreationDate)', () => {
    expect(parseExifDateTime('2026:03:23 15:57:19+01:00')).toEqual({ wall: '2026-03-23T15:57:19.000', offset: 60 });
  });
  it('ignores trailing garbage seen in real files', () => {
    expect(parseExifDateTime('2009:09:09 20:27:09.60:04:00')).toEqual({ wall: '2009-09-09T20:27:09.600', offset: null });
  });
  it('treats the zero date as missing', () => {
    expect(parseExifDateTime('0000:00:00 00:00:00')).toBeUndefined();
  });
});

describe('formatLocalDateTime / toUtcText', () => {
  it('keeps naive times naive and aware times aware', () => {
    expect(formatLocalDateTime({ wall: '2024-07-15T12:00:00.000', offset: null })).toBe('2024-07-15T12:00:00');
    expect(formatLocalDateTime({ wall: '2024-07-15T12:00:00.250', offset: -420 })).toBe('2024-07-15T12:00:00.250-07:00');
    expect(formatLocalDateTime({ wall: '2024-07-15T12:00:00.000', offset: 0 })).toBe('2024-07-15T12:00:00+00:00');
  });
  it('converts aware times to UTC', () => {
    expect(toUtcText({ wall: '2024-07-15T12:00:00.000', offset: -420 })).toBe('2024-07-15T19:00:00.000Z');
    expect(toUtcText({ wall: '2024-07-15T12:00:00.000', offset: null })).toBeUndefined();
  });
});

describe('resolveLocalDateTime (§3.8 chain)', () => {
  const createdAt = '2026-01-01T10:00:00.000Z';
  it('prefers the user override', () => {
    expect(resolveLocalDateTime({ userOriginal: '2020-01-01T00:00:00', fileOriginal: '2019-01-01T00:00:00+02:00', fileCreatedAt: '2018-01-01T00:00:00Z', createdAt })).toEqual({
      wall: '2020-01-01T00:00:00.000',
      offset: null,
    });
  });
  it('falls back to the file, then file_created_at, then created_at', () => {
    expect(resolveLocalDateTime({ userOriginal: null, fileOriginal: '2019-01-01T00:00:00+02:00', fileCreatedAt: null, createdAt }).offset).toBe(120);
    expect(resolveLocalDateTime({ userOriginal: null, fileOriginal: null, fileCreatedAt: '2018-01-01T00:00:00Z', createdAt }).wall).toBe('2018-01-01T00:00:00.000');
    expect(resolveLocalDateTime({ userOriginal: null, fileOriginal: null, fileCreatedAt: null, createdAt })).toEqual({ wall: '2026-01-01T10:00:00.000', offset: 0 });
  });
});

describe('zoneOffsetAt (DST-correct offsets from a place\'s zone)', () => {
  it.each([
    ['Europe/Madrid', '2015-04-10T20:12:23.000', 120], // summer time
    ['Europe/Madrid', '2015-01-10T20:12:23.000', 60],
    ['America/New_York', '2024-03-10T01:30:00.000', -300], // before the spring-forward jump
    ['America/New_York', '2024-03-10T03:30:00.000', -240],
    ['America/New_York', '2024-11-03T01:30:00.000', -240], // fall-back overlap: the earlier reading
    ['Asia/Kolkata', '2020-06-01T12:00:00.000', 330],
    ['Pacific/Chatham', '2020-01-01T12:00:00.000', 825],
  ])('%s at %s → %i', (zone, wall, expected) => {
    expect(zoneOffsetAt(zone, wall)).toBe(expected);
  });
  it('is undefined for an unknown zone', () => {
    expect(zoneOffsetAt('Mars/Olympus_Mons', '2020-01-01T00:00:00.000')).toBeUndefined();
  });
});

describe('resolveLocalDateTime with a known time zone', () => {
  const base = { fileCreatedAt: null, createdAt: '2026-01-01T00:00:00.000Z', timezone: 'Europe/Madrid' };
  it('gives a naive file time the zone offset', () => {
    expect(resolveLocalDateTime({ ...base, userOriginal: null, fileOriginal: '2015-04-10T20:12:23' })).toEqual({ wall: '2015-04-10T20:12:23.000', offset: 120 });
  });
  it('keeps the file own offset and leaves a naive user override naive', () => {
    expect(resolveLocalDateTime({ ...base, userOriginal: null, fileOriginal: '2015-04-10T20:12:23-05:00' }).offset).toBe(-300);
    expect(resolveLocalDateTime({ ...base, userOriginal: '2015-04-10T20:12:23', fileOriginal: null }).offset).toBeNull();
  });
});
