import { describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../src/importer/import.js';
import { createProgress, formatBytes, formatDuration, formatSummary } from '../../src/importer/progress.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 200, write: (s: string) => writes.push(s) } };
}

describe('progress', () => {
  it('on a terminal redraws one line in place (bar, files, bytes, rate, ETA) and leaves one line per phase', () => {
    let t = 0;
    const { writes, stream } = sink(true);
    const p = createProgress(stream, { now: () => t, intervalMs: 60_000 });
    p.phase('Uploading', 4, 40_000_000);
    t = 2000;
    p.advance(1, 10_000_000);
    p.log('Retrying upload of a.jpg in 1.0s: busy (HTTP 503)');
    p.finish();
    expect(writes[0]).toMatch(/^\rUploading \[\.{24}\]   0%  0\/4 files  0 B\/40\.0 MB  0\.0 MB\/s  ETA --\x1b\[K$/);
    // log: clear the line, print the message, redraw the status under it
    expect(writes[1]).toBe('\r\x1b[K');
    expect(writes[2]).toBe('Retrying upload of a.jpg in 1.0s: busy (HTTP 503)\n');
    expect(writes[3]).toBe('\rUploading [######..................]  25%  1/4 files  10.0 MB/40.0 MB  5.0 MB/s  ETA 6s\x1b[K');
    expect(writes[4]).toBe('\rUploading [######..................]  25%  1/4 files  10.0 MB/40.0 MB  5.0 MB/s  in 2s\x1b[K\n');
  });

  it('elsewhere prints plain lines, and cached hashes do not inflate the rate', () => {
    let t = 0;
    const { writes, stream } = sink(false);
    const p = createProgress(stream, { now: () => t, intervalMs: 60_000 });
    p.phase('Hashing', 3, 3_000_000);
    p.advance(2, 2_000_000, { cached: true });
    t = 1000;
    p.advance(1, 1_000_000);
    p.phase('Checking', 3, 0);
    p.advance(3, 0);
    p.finish();
    expect(writes).toEqual([
      'Hashing   [########################] 100%  3/3 files  3.00 MB/3.00 MB  2 cached  1.0 MB/s  in 1s\n',
      'Checking  [########################] 100%  3/3 checksums  in 0s\n',
    ]);
  });

  it('formats sizes and durations for people', () => {
    expect([formatBytes(999), formatBytes(1234), formatBytes(30_700_000), formatBytes(2_300_000_000)]).toEqual(['999 B', '1.23 kB', '30.7 MB', '2.30 GB']);
    expect([formatDuration(400), formatDuration(75_000), formatDuration(3_725_000)]).toEqual(['0s', '1m15s', '1h02m']);
  });

  it('the summary lists each failure with its path and reason', () => {
    const summary: ImportSummary = {
      folder: '/photos', server: 'http://127.0.0.1:8000', libraryId: null, dryRun: false, found: 10, ignored: 1, new: 6,
      duplicates: 1, skipped: 2, failed: [{ path: 'bad/empty.jpg', reason: 'asset_data: The uploaded file is empty (HTTP 422)' }],
      pending: 0, pendingBytes: 0, uploadedBytes: 1_500_000, elapsedMs: 3000, stopped: null,
    };
    expect(formatSummary(summary)).toBe(
      [
        'Imported /photos into http://127.0.0.1:8000 in 3s, 1.50 MB uploaded:',
        '  found        10 image and video files (1 other files ignored)',
        '  new          6',
        '  duplicates   1',
        '  skipped      2 already on the server',
        '  failed       1',
        'Failed:',
        '  bad/empty.jpg: asset_data: The uploaded file is empty (HTTP 422)',
        '',
      ].join('\n'),
    );
  });
});
