/** Histogram buckets over naive local calendar days (§1.8 counts). */
export type BucketSize = 'day' | 'week' | 'month' | 'year';

/** Start of the bucket holding `day` (`YYYY-MM-DD`), as a naive datetime. Weeks start on Monday (ISO 8601). */
export function bucketStart(day: string, size: BucketSize): string {
  switch (size) {
    case 'day':
      return `${day}T00:00:00`;
    case 'month':
      return `${day.slice(0, 7)}-01T00:00:00`;
    case 'year':
      return `${day.slice(0, 4)}-01-01T00:00:00`;
    case 'week': {
      const date = new Date(`${day}T00:00:00Z`);
      const sinceMonday = (date.getUTCDay() + 6) % 7;
      date.setUTCDate(date.getUTCDate() - sinceMonday);
      return `${date.toISOString().slice(0, 10)}T00:00:00`;
    }
  }
}

export interface Bucket {
  time_bucket: string;
  count: number;
}

/** Folds per-day counts into buckets, ordered newest first (`desc`) or oldest first (`asc`). */
export function foldDays(days: { day: string; count: number }[], size: BucketSize, order: 'asc' | 'desc'): Bucket[] {
  const totals = new Map<string, number>();
  for (const { day, count } of days) {
    const start = bucketStart(day, size);
    totals.set(start, (totals.get(start) ?? 0) + count);
  }
  const buckets = [...totals].map(([time_bucket, count]) => ({ time_bucket, count }));
  buckets.sort((a, b) => (a.time_bucket < b.time_bucket ? -1 : a.time_bucket > b.time_bucket ? 1 : 0));
  return order === 'desc' ? buckets.reverse() : buckets;
}
