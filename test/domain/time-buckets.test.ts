import { describe, expect, it } from 'vitest';
import { bucketStart, foldDays } from '../../src/domain/time-buckets.js';

describe('bucketStart', () => {
  it.each([
    ['2024-03-13', 'day', '2024-03-13T00:00:00'],
    ['2024-03-13', 'week', '2024-03-11T00:00:00'], // Wednesday → Monday
    ['2024-03-11', 'week', '2024-03-11T00:00:00'],
    ['2024-03-17', 'week', '2024-03-11T00:00:00'], // Sunday belongs to the week before
    ['2025-01-01', 'week', '2024-12-30T00:00:00'], // across a year boundary
    ['2024-03-13', 'month', '2024-03-01T00:00:00'],
    ['2024-03-13', 'year', '2024-01-01T00:00:00'],
  ] as const)('%s by %s → %s', (day, size, expected) => {
    expect(bucketStart(day, size)).toBe(expected);
  });
});

describe('foldDays', () => {
  const days = [
    { day: '2024-01-31', count: 2 },
    { day: '2024-02-01', count: 3 },
    { day: '2024-02-29', count: 1 },
    { day: '2023-12-31', count: 4 },
  ];
  it('sums days into months, newest first', () => {
    expect(foldDays(days, 'month', 'desc')).toEqual([
      { time_bucket: '2024-02-01T00:00:00', count: 4 },
      { time_bucket: '2024-01-01T00:00:00', count: 2 },
      { time_bucket: '2023-12-01T00:00:00', count: 4 },
    ]);
  });
  it('orders oldest first on asc', () => {
    expect(foldDays(days, 'year', 'asc')).toEqual([
      { time_bucket: '2023-01-01T00:00:00', count: 4 },
      { time_bucket: '2024-01-01T00:00:00', count: 6 },
    ]);
  });
});
