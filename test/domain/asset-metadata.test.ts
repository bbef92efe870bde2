import { describe, expect, it } from 'vitest';
import { applyPatch, captureColumns, effectiveValues, gpsPairProblem, type UserOverrides } from '../../src/domain/asset-metadata.js';

const none: UserOverrides = { user_description: null, user_latitude: null, user_longitude: null, user_original_datetime: null, user_rating: null };
const file = { file_description: 'from file', file_latitude: 1, file_longitude: 2, file_original_datetime: '2020-01-01T10:00:00+02:00', file_rating: 3 };

describe('gpsPairProblem', () => {
  it.each([
    [{}, undefined],
    [{ latitude: 1, longitude: 2 }, undefined],
    [{ latitude: null, longitude: null }, undefined],
    [{ latitude: 1 }, 'longitude'],
    [{ longitude: 1 }, 'latitude'],
    [{ latitude: null, longitude: 2 }, 'latitude'],
    [{ latitude: 1, longitude: null }, 'longitude'],
  ])('%j → %s', (patch, expected) => {
    expect(gpsPairProblem(patch)).toBe(expected);
  });
});

describe('applyPatch + effectiveValues', () => {
  it('omitted keeps, a value sets, null drops the override so the file value shows', () => {
    const set = applyPatch(none, { description: 'mine', latitude: 10, longitude: 20, rating: 0, original_datetime: '2021-05-05T05:05:05' });
    expect(effectiveValues(set, file)).toEqual({ description: 'mine', latitude: 10, longitude: 20, rating: 0, original_datetime: '2021-05-05T05:05:05' });
    const kept = applyPatch(set, {});
    expect(kept).toEqual(set);
    const cleared = applyPatch(set, { description: null, latitude: null, longitude: null, rating: null, original_datetime: null });
    expect(effectiveValues(cleared, file)).toEqual({ description: 'from file', latitude: 1, longitude: 2, rating: 3, original_datetime: '2020-01-01T10:00:00+02:00' });
  });
  it.each([
    ['2021-03-04 05:06:07+02:00', '2021-03-04T05:06:07+02:00'],
    ['2021-03-04T05:06:07+0200', '2021-03-04T05:06:07+02:00'],
    ['2021-03-04T05:06:07.000Z', '2021-03-04T05:06:07+00:00'],
    ['2021-03-04', '2021-03-04T00:00:00'],
    ['2021-03-04T05:06:07.25', '2021-03-04T05:06:07.250'],
  ])('stores original_datetime %s as %s', (sent, stored) => {
    expect(applyPatch(none, { original_datetime: sent }).user_original_datetime).toBe(stored);
  });
  it('rating 0 masks the file rating', () => {
    expect(effectiveValues(applyPatch(none, { rating: 0 }), file).rating).toBe(0);
  });
});

describe('captureColumns', () => {
  const upload = { file_created_at: '2019-06-01T08:00:00Z', created_at: '2026-01-01T00:00:00.000Z' };
  it('keeps aware times aware with their UTC instant', () => {
    expect(captureColumns(none, file, upload)).toEqual({ local_wall: '2020-01-01T10:00:00.000', local_offset: 120, local_utc: '2020-01-01T08:00:00.000Z' });
  });
  it('falls back to the upload time when the override is dropped and the file has none', () => {
    expect(captureColumns(none, { file_original_datetime: null }, upload)).toEqual({ local_wall: '2019-06-01T08:00:00.000', local_offset: 0, local_utc: '2019-06-01T08:00:00.000Z' });
  });
  it('keeps naive overrides naive', () => {
    expect(captureColumns({ user_original_datetime: '2021-05-05T05:05:05' }, file, upload)).toEqual({ local_wall: '2021-05-05T05:05:05.000', local_offset: null, local_utc: null });
  });
});
