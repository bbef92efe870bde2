import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LocalFile } from './walk.js';

/** Both digests Gumnut knows a file by (§3.11), base64 with padding. */
export interface Hashes {
  sha1: string;
  sha256: string;
}

/** Streams the file once through SHA-1 and SHA-256; `onBytes` sees each chunk's length. */
export async function hashFile(file: string, onBytes?: (n: number) => void, signal?: AbortSignal): Promise<Hashes> {
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024, signal }) as AsyncIterable<Buffer>) {
    sha1.update(chunk);
    sha256.update(chunk);
    onBytes?.(chunk.length);
  }
  return { sha1: sha1.digest('base64'), sha256: sha256.digest('base64') };
}

/** `$XDG_CACHE_HOME/eucalypt` (or the platform's cache folder), where import caches live. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'eucalypt');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'eucalypt');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'eucalypt', 'cache');
  return path.join(os.homedir(), '.cache', 'eucalypt');
}

/** One cache file per (server, folder): `import-<first 16 hex of SHA-256>.json`. */
export function cacheFileFor(dir: string, server: string, folder: string): string {
  const id = createHash('sha256').update(`${server}\n${folder}`).digest('hex').slice(0, 16);
  return path.join(dir, `import-${id}.json`);
}

/** size, mtimeMs, sha1, sha256 */
type Entry = [number, number, string, string];

interface CacheFile {
  version: 1;
  server: string;
  folder: string;
  files: Record<string, Entry>;
}

/**
 * Remembers each file's digests by relative path, valid while its size and mtime are
 * unchanged, so a second run (or one resumed after a kill) does not re-read unchanged files.
 * A missing or unreadable cache file just means an empty cache.
 */
export class HashCache {
  private readonly used = new Set<string>();
  private dirty = false;
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string | null,
    private readonly data: CacheFile,
  ) {}

  static async load(file: string | null, server: string, folder: string): Promise<HashCache> {
    const empty: CacheFile = { version: 1, server, folder, files: {} };
    if (!file) return new HashCache(null, empty);
    try {
      const data = JSON.parse(await fsp.readFile(file, 'utf8')) as CacheFile;
      if (data?.version === 1 && data.files && typeof data.files === 'object') return new HashCache(file, { ...data, server, folder });
    } catch {
      // absent or corrupt: start afresh
    }
    return new HashCache(file, empty);
  }

  get(f: LocalFile): Hashes | undefined {
    const entry = this.data.files[f.relativePath];
    if (!Array.isArray(entry) || entry[0] !== f.size || entry[1] !== f.mtimeMs) return undefined;
    this.used.add(f.relativePath);
    return { sha1: entry[2], sha256: entry[3] };
  }

  set(f: LocalFile, h: Hashes): void {
    this.data.files[f.relativePath] = [f.size, f.mtimeMs, h.sha1, h.sha256];
    this.used.add(f.relativePath);
    this.dirty = true;
  }

  /**
   * Writes the cache atomically (temp file + rename). `prune` drops entries this run did not
   * touch: only correct once every file found has been looked up. Saves run one at a time.
   */
  save(options: { prune?: boolean } = {}): Promise<void> {
    this.saving = this.saving.catch(() => undefined).then(() => this.write(options.prune ?? false));
    return this.saving;
  }

  private async write(prune: boolean): Promise<void> {
    if (!this.file) return;
    if (prune) {
      for (const key of Object.keys(this.data.files)) {
        if (!this.used.has(key)) {
          delete this.data.files[key];
          this.dirty = true;
        }
      }
    }
    if (!this.dirty) return;
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await fsp.writeFile(tmp, JSON.stringify(this.data));
    await fsp.rename(tmp, this.file);
    this.dirty = false;
  }
}
