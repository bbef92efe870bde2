import fsp from 'node:fs/promises';
import os from 'node:os';
import { ApiError, GumnutClient, LocalReadError, Redirected, type RetryPolicy, ServerUnreachable } from './client.js';
import { cacheDir, cacheFileFor, HashCache, type Hashes, hashFile } from './hash-cache.js';
import { type Progress, quietProgress } from './progress.js';
import { type LocalFile, walk } from './walk.js';

export interface ImportOptions {
  folder: string;
  server: string;
  apiKey: string;
  libraryId?: string;
  /** Uploads (and hashes) at once; default 4. */
  concurrency?: number;
  /** Walk, hash and check existence, but upload nothing. */
  dryRun?: boolean;
  /** Default `eucalypt-import:<hostname>`. */
  deviceId?: string;
  /** The hash cache; default one per (server, folder) in `cacheDir`; null = none. */
  cacheFile?: string | null;
  /** Default: the user's cache folder (`$XDG_CACHE_HOME/eucalypt`). */
  cacheDir?: string;
  retry?: Partial<RetryPolicy>;
  /** Aborting stops new work, cancels uploads in flight and returns the summary so far. */
  signal?: AbortSignal;
  progress?: Progress;
  /** After each upload settles (tests interrupt with it). */
  onUploaded?: (file: LocalFile, outcome: 'new' | 'duplicate' | 'failed') => void;
}

export interface ImportFailure {
  /** Relative to the folder. */
  path: string;
  reason: string;
}

export interface ImportSummary {
  folder: string;
  server: string;
  libraryId: string | null;
  dryRun: boolean;
  /** Image and video files found. */
  found: number;
  /** Other files, skipped by extension. */
  ignored: number;
  /** Uploaded, 201. */
  new: number;
  /** Uploaded, 200: the same bytes were already in the library (e.g. a copy in this folder). */
  duplicates: number;
  /** Found by the existence check, not sent. */
  skipped: number;
  failed: ImportFailure[];
  /** Not settled: still to upload after an interruption, or what a dry run would upload. */
  pending: number;
  pendingBytes: number;
  /** Bytes of the files uploaded (new and duplicates). */
  uploadedBytes: number;
  elapsedMs: number;
  /** Why the run ended early ("interrupted", or a fatal server answer); null when it ran through. */
  stopped: string | null;
}

/** The import cannot start: the folder is missing, or the server is unreachable or refuses the key. */
export class ImportError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

const EXIST_BATCH = 5000;
/** SHA-256 of zero bytes: a valid checksum no upload can have (empty files are refused). */
const EMPTY_SHA256 = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';
const CACHE_SAVE_MS = 5000;
/** Answers that would be the same for every file: stop instead of failing each one. */
const FATAL_STATUSES = new Set([401, 403, 404, 507]);

/**
 * Imports a folder (§1.8 upload, §3.11 dedupe): walk, hash (cached), skip what the library
 * already holds, upload the rest in parallel. Re-running after an interruption re-checks
 * existence, so only what is missing is sent.
 */
export async function importFolder(options: ImportOptions): Promise<ImportSummary> {
  const startedAt = Date.now();
  const progress = options.progress ?? quietProgress;
  const concurrency = options.concurrency ?? 4;
  const client = new GumnutClient({
    server: options.server,
    apiKey: options.apiKey,
    libraryId: options.libraryId,
    retry: options.retry,
    onRetry: (what, reason, delayMs) => progress.log(`Retrying ${what} in ${(delayMs / 1000).toFixed(1)}s: ${reason}`),
  });
  const folder = await resolveFolder(options.folder);
  const summary: ImportSummary = {
    folder,
    server: client.server,
    libraryId: options.libraryId ?? null,
    dryRun: Boolean(options.dryRun),
    found: 0,
    ignored: 0,
    new: 0,
    duplicates: 0,
    skipped: 0,
    failed: [],
    pending: 0,
    pendingBytes: 0,
    uploadedBytes: 0,
    elapsedMs: 0,
    stopped: null,
  };
  // Our own controller, so a fatal answer can cancel the uploads in flight too.
  const halt = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, halt.signal]) : halt.signal;
  const stop = (reason: string) => {
    summary.stopped ??= reason;
    halt.abort(new Error(reason));
  };
  const run: Run = {
    client,
    options,
    folder,
    concurrency,
    signal,
    progress,
    summary,
    settled: new Set(),
    stop,
    fail(file, reason) {
      summary.failed.push({ path: file.relativePath, reason });
      this.settled.add(file);
    },
  };
  const interrupted = () => stop('interrupted');
  if (options.signal?.aborted) interrupted();
  options.signal?.addEventListener('abort', interrupted, { once: true });
  try {
    await preflight(run);
    const files = signal.aborted ? undefined : await walkFolder(run);
    if (files) {
      try {
        const hashes = await hashAll(run, files);
        const missing = signal.aborted ? [] : await checkExistence(run, files, hashes);
        if (!options.dryRun && !signal.aborted) await uploadAll(run, missing);
      } finally {
        progress.finish();
      }
      for (const file of files) {
        if (run.settled.has(file)) continue;
        summary.pending++;
        summary.pendingBytes += file.size;
      }
    }
    summary.failed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return summary;
  } finally {
    options.signal?.removeEventListener('abort', interrupted);
    summary.elapsedMs = Date.now() - startedAt;
  }
}

/** State shared by the phases of one run. */
interface Run {
  client: GumnutClient;
  options: ImportOptions;
  folder: string;
  concurrency: number;
  /** The caller's signal, or our own abort on a fatal answer. */
  signal: AbortSignal;
  progress: Progress;
  summary: ImportSummary;
  /** Files with an outcome (new, duplicate, skipped, failed); the rest are pending. */
  settled: Set<LocalFile>;
  stop(reason: string): void;
  fail(file: LocalFile, reason: string): void;
}

async function resolveFolder(folder: string): Promise<string> {
  try {
    const real = await fsp.realpath(folder);
    if (!(await fsp.stat(real)).isDirectory()) throw new ImportError(`Not a folder: ${folder}`);
    return real;
  } catch (err) {
    if (err instanceof ImportError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImportError(code === 'ENOENT' ? `Folder not found: ${folder}` : `Cannot open folder ${folder}: ${code ?? (err as Error).message}`);
  }
}

/** One cheap existence check before any work: reachable server, accepted key, a usable library. */
async function preflight({ client, options, signal }: Run): Promise<void> {
  try {
    await client.exist([EMPTY_SHA256], signal, { attempts: 3 });
  } catch (err) {
    if (signal.aborted) return;
    throw new ImportError(explain(err, client.server, options.libraryId), err instanceof ApiError ? err.status : undefined);
  }
}

/** The media files under the folder (walk problems become failures); undefined once interrupted. */
async function walkFolder({ folder, signal, summary }: Run): Promise<LocalFile[] | undefined> {
  try {
    const walked = await walk(folder, signal);
    summary.found = walked.files.length;
    summary.ignored = walked.ignored;
    summary.failed.push(...walked.problems);
    return walked.files;
  } catch (err) {
    if (signal.aborted) return undefined;
    throw err;
  }
}

/** A sentence for an error that stops the whole import. */
function explain(err: unknown, server: string, libraryId: string | undefined): string {
  if (err instanceof ServerUnreachable) return `Cannot reach the server at ${server} (${err.code}). Is it running? Choose another with --server URL.`;
  if (err instanceof Redirected) {
    const target = err.location?.replace(/\/api\/assets\/exist.*$/, '');
    return `The server at ${server} redirects${target ? ` to ${target}` : ''}: pass the final address with --server.`;
  }
  if (err instanceof ApiError) {
    switch (err.status) {
      case 401:
        return `The server at ${server} rejected the API key (401: ${err.detail}).`;
      case 403:
        return `The API key may not upload to this library (403: ${err.detail}); uploads need a key with write access.`;
      case 404:
        return libraryId ? `Library ${libraryId} was not found on ${server} (404: ${err.detail}).` : `${server} answered 404 (${err.detail}): is it a Gumnut API server?`;
      case 507:
        return `The server is out of storage (507: ${err.detail}).`;
      case 400:
        return `The server refused the request (400: ${err.detail})${libraryId ? '' : '; pass --library-id to choose a library'}.`;
      default:
        return `The server refused the request (${err.status}: ${err.detail}).`;
    }
  }
  return (err as Error)?.message ?? String(err);
}

async function hashAll(run: Run, files: LocalFile[]): Promise<Map<LocalFile, Hashes>> {
  const { options, folder, signal, progress } = run;
  const server = run.client.server;
  const cacheFile = options.cacheFile === undefined ? cacheFileFor(options.cacheDir ?? cacheDir(), server, folder) : options.cacheFile;
  const cache = await HashCache.load(cacheFile, server, folder);
  const hashes = new Map<LocalFile, Hashes>();
  const saveCache = (prune = false) =>
    cache.save({ prune }).catch((err: unknown) => {
      if (cacheFile) progress.log(`Cannot write the hash cache ${cacheFile}: ${(err as Error).message}`);
    });
  progress.phase('Hashing', files.length, sum(files));
  const timer = setInterval(() => void saveCache(), CACHE_SAVE_MS);
  try {
    await pool(files, run.concurrency, signal, async (file) => {
      const cached = cache.get(file);
      if (cached) {
        hashes.set(file, cached);
        progress.advance(1, file.size, { cached: true });
        return;
      }
      let read = 0;
      try {
        const h = await hashFile(file.path, (n) => {
          read += n;
          progress.advance(0, n);
        }, signal);
        hashes.set(file, h);
        cache.set(file, h);
        progress.advance(1, file.size - read);
      } catch (err) {
        if (signal.aborted) return;
        run.fail(file, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        progress.failed();
        progress.advance(1, file.size - read);
      }
    });
  } finally {
    clearInterval(timer);
    await saveCache(!signal.aborted);
  }
  return hashes;
}

/**
 * The files whose SHA-256 the library does not hold, asked ≤5000 checksums at a time; the
 * others count as skipped. A failed check stops the run (it would fail for every batch).
 */
async function checkExistence(run: Run, files: LocalFile[], hashes: Map<LocalFile, Hashes>): Promise<LocalFile[]> {
  const { client, signal, progress, summary } = run;
  const hashed = files.filter((f) => hashes.has(f));
  const checksums = [...new Set(hashed.map((f) => hashes.get(f)!.sha256))];
  progress.phase('Checking', checksums.length, 0);
  const present = new Set<string>();
  try {
    for (let i = 0; i < checksums.length; i += EXIST_BATCH) {
      const batch = checksums.slice(i, i + EXIST_BATCH);
      for (const found of await client.exist(batch, signal)) present.add(found);
      progress.advance(batch.length, 0);
    }
  } catch (err) {
    if (!signal.aborted) run.stop(explain(err, client.server, run.options.libraryId));
    return [];
  }
  const missing: LocalFile[] = [];
  for (const file of hashed) {
    if (!present.has(hashes.get(file)!.sha256)) {
      missing.push(file);
      continue;
    }
    summary.skipped++;
    run.settled.add(file);
  }
  return missing;
}

async function uploadAll(run: Run, files: LocalFile[]): Promise<void> {
  const { client, options, signal, progress, summary } = run;
  const deviceId = options.deviceId ?? `eucalypt-import:${os.hostname()}`;
  progress.phase('Uploading', files.length, sum(files));
  await pool(files, run.concurrency, signal, async (file) => {
    let sent = 0;
    try {
      const outcome = await client.upload(
        {
          path: file.path,
          fileName: file.relativePath.slice(file.relativePath.lastIndexOf('/') + 1),
          mimeType: file.mimeType,
          deviceAssetId: file.relativePath,
          deviceId,
          ...fileDates(file),
        },
        signal,
        (n) => {
          sent += n;
          progress.advance(0, n);
        },
      );
      if (outcome.created) summary.new++;
      else summary.duplicates++;
      summary.uploadedBytes += file.size;
      run.settled.add(file);
      progress.advance(1, file.size - sent);
      options.onUploaded?.(file, outcome.created ? 'new' : 'duplicate');
    } catch (err) {
      progress.advance(0, -sent);
      if (signal.aborted) return; // interrupted: left pending for the next run
      if (err instanceof ServerUnreachable || err instanceof Redirected || (err instanceof ApiError && FATAL_STATUSES.has(err.status))) {
        run.stop(explain(err, client.server, options.libraryId));
        return;
      }
      run.fail(file, err instanceof ApiError || err instanceof LocalReadError ? err.message : `${(err as Error)?.message ?? err}`);
      progress.failed();
      progress.advance(1, file.size);
      options.onUploaded?.(file, 'failed');
    }
  });
}

/**
 * `file_created_at` is the birth time, unless the file system lacks one or it is later than
 * the mtime (a copied file is "born" when copied, but keeps its mtime): then the mtime.
 */
export function fileDates(file: Pick<LocalFile, 'birthtimeMs' | 'mtimeMs'>): { fileCreatedAt: string; fileModifiedAt: string } {
  const created = file.birthtimeMs > 0 ? Math.min(file.birthtimeMs, file.mtimeMs) : file.mtimeMs;
  return { fileCreatedAt: new Date(created).toISOString(), fileModifiedAt: new Date(file.mtimeMs).toISOString() };
}

const sum = (files: LocalFile[]) => files.reduce((n, f) => n + f.size, 0);

/** Runs `work` over `items`, at most `concurrency` at once, starting nothing new once aborted. */
async function pool<T>(items: T[], concurrency: number, signal: AbortSignal, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runner = async () => {
    while (next < items.length && !signal.aborted) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, runner));
}
