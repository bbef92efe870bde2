import type { ImportSummary } from './import.js';

export type Phase = 'Hashing' | 'Checking' | 'Uploading';

/** What the import reports as it goes; `quietProgress` ignores it all. */
export interface Progress {
  /** A new phase over `files` files of `bytes` bytes in total; ends the previous one. */
  phase(name: Phase, files: number, bytes: number): void;
  /**
   * `bytes` may come before the file completes (streaming), or be negative (a retry).
   * `cached` work (hashes from the cache) fills the bar but does not count towards the rate.
   */
  advance(files: number, bytes: number, options?: { cached?: boolean }): void;
  failed(): void;
  /** A message that must not be overwritten by the status line. */
  log(line: string): void;
  /** Ends the last phase and stops any timer. */
  finish(): void;
}

export const quietProgress: Progress = { phase() {}, advance() {}, failed() {}, log() {}, finish() {} };

interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Defaults to `stream.isTTY`: one line redrawn in place; otherwise a line every `intervalMs`. */
  tty?: boolean;
  intervalMs?: number;
  now?: () => number;
}

const RATE_WINDOW_MS = 8000;
const BAR_WIDTH = 24;

/** A status line on `stream` (stderr): bar, files done/total, bytes, rate and ETA. */
export function createProgress(stream: Sink, options: ProgressOptions = {}): Progress {
  const tty = options.tty ?? Boolean(stream.isTTY);
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? (tty ? 150 : 5000);
  let state:
    | { name: Phase; files: number; bytes: number; doneFiles: number; doneBytes: number; cachedFiles: number; cachedBytes: number; failed: number; startedAt: number; samples: [number, number][] }
    | undefined;
  let timer: NodeJS.Timeout | undefined;
  let drawn = false;

  const line = (final: boolean) => {
    if (!state) return '';
    const s = state;
    const elapsed = now() - s.startedAt;
    const fraction = s.bytes > 0 ? s.doneBytes / s.bytes : s.files > 0 ? s.doneFiles / s.files : 1;
    const unit = s.name === 'Checking' ? 'checksums' : 'files';
    const parts = [`${s.name.padEnd(9)} ${bar(Math.min(1, Math.max(0, fraction)))}`, `${s.doneFiles}/${s.files} ${unit}`];
    if (s.bytes === 0) return [...parts, ...(final ? [`in ${formatDuration(elapsed)}`] : [])].join('  ');
    parts.push(`${formatBytes(s.doneBytes)}/${formatBytes(s.bytes)}`);
    if (s.cachedFiles) parts.push(`${s.cachedFiles} cached`);
    if (s.failed) parts.push(`${s.failed} failed`);
    if (final) {
      parts.push(`${formatRate(elapsed > 0 ? ((s.doneBytes - s.cachedBytes) / elapsed) * 1000 : 0)}`, `in ${formatDuration(elapsed)}`);
    } else {
      const rate = windowRate(s.samples, now(), s.doneBytes - s.cachedBytes);
      parts.push(formatRate(rate));
      const left = s.bytes - s.doneBytes; // cached work comes first, so the rate of the rest applies
      parts.push(`ETA ${rate > 0 && elapsed > 1000 ? formatDuration((left / rate) * 1000) : '--'}`);
    }
    return parts.join('  ');
  };

  const fit = (text: string) => (stream.columns && text.length >= stream.columns ? text.slice(0, stream.columns - 1) : text);

  const draw = () => {
    if (!state) return;
    if (tty) {
      stream.write(`\r${fit(line(false))}\x1b[K`);
      drawn = true;
    } else {
      stream.write(`${line(false)}\n`);
    }
  };

  const endPhase = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    if (!state) return;
    stream.write(tty ? `\r${fit(line(true))}\x1b[K\n` : `${line(true)}\n`);
    drawn = false;
    state = undefined;
  };

  return {
    phase(name, files, bytes) {
      endPhase();
      state = { name, files, bytes, doneFiles: 0, doneBytes: 0, cachedFiles: 0, cachedBytes: 0, failed: 0, startedAt: now(), samples: [[now(), 0]] };
      if (tty) draw();
      timer = setInterval(draw, intervalMs);
      timer.unref();
    },
    advance(files, bytes, { cached = false } = {}) {
      if (!state) return;
      state.doneFiles += files;
      state.doneBytes += bytes;
      if (cached) {
        state.cachedFiles += files;
        state.cachedBytes += bytes;
      }
      const t = now();
      const last = state.samples[state.samples.length - 1];
      const work = state.doneBytes - state.cachedBytes;
      if (t - last[0] >= 250) state.samples.push([t, work]);
      while (state.samples.length > 2 && t - state.samples[0][0] > RATE_WINDOW_MS) state.samples.shift();
    },
    failed() {
      if (state) state.failed++;
    },
    log(text) {
      if (tty && drawn) stream.write('\r\x1b[K');
      stream.write(`${text}\n`);
      if (tty && state) draw();
    },
    finish: endPhase,
  };
}

/** Bytes per second since the oldest sample still in the window. */
function windowRate(samples: [number, number][], t: number, work: number): number {
  const [t0, b0] = samples[0];
  return t - t0 > 0 ? ((work - b0) / (t - t0)) * 1000 : 0;
}

function bar(fraction: number): string {
  const filled = Math.round(fraction * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

const formatRate = (bytesPerSecond: number) => `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The end-of-run report: counts, then each failure with its path and reason. */
export function formatSummary(s: ImportSummary): string {
  const sent = s.uploadedBytes ? `, ${formatBytes(s.uploadedBytes)} uploaded` : '';
  const lines = [
    `${s.dryRun ? 'Dry run of' : 'Imported'} ${s.folder} into ${s.server}${s.libraryId ? ` (library ${s.libraryId})` : ''} in ${formatDuration(s.elapsedMs)}${sent}:`,
    `  found        ${s.found} image and video files${s.ignored ? ` (${s.ignored} other files ignored)` : ''}`,
  ];
  if (s.dryRun) {
    lines.push(`  skipped      ${s.skipped} already on the server`, `  to upload    ${s.pending} (${formatBytes(s.pendingBytes)}), nothing sent`);
    if (s.failed.length) lines.push(`  failed       ${s.failed.length}`);
  } else {
    lines.push(
      `  new          ${s.new}`,
      `  duplicates   ${s.duplicates}`,
      `  skipped      ${s.skipped} already on the server`,
      `  failed       ${s.failed.length}`,
    );
    if (s.pending) lines.push(`  not done     ${s.pending} (run the same command again to continue)`);
  }
  if (s.failed.length) lines.push('Failed:', ...s.failed.map((f) => `  ${f.path}: ${f.reason}`));
  if (s.stopped) lines.push(`Stopped early: ${s.stopped}`);
  return `${lines.join('\n')}\n`;
}
