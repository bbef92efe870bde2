import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobListing, BlobStore } from './index.js';
import { fsyncFolder } from './local-files.js';
import { moveFile } from './move-file.js';

/** Blobs as files under one folder; `putFile` is an atomic rename from the same file system. */
export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private resolve(key: string): string {
    const full = path.resolve(this.root, key);
    if (!full.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`blob key escapes the store: ${key}`);
    return full;
  }

  async putFile(key: string, localPath: string, options: { durable?: boolean } = {}): Promise<void> {
    const dest = this.resolve(key);
    await moveFile(localPath, dest);
    // The rename is only durable once its directory entry is on disk.
    if (options.durable !== false) await fsyncFolder(path.dirname(dest));
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    try {
      const s = await fsp.stat(this.resolve(key));
      return { size: s.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  read(key: string, range?: { start: number; end: number }): Readable {
    return fs.createReadStream(this.resolve(key), range);
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.resolve(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (!prefix.endsWith('/')) throw new Error(`blob prefix must end with /: ${prefix}`);
    await fsp.rm(this.resolve(prefix), { recursive: true, force: true });
  }

  async *list(prefix: string): AsyncIterable<BlobListing> {
    if (!prefix.endsWith('/')) throw new Error(`blob prefix must end with /: ${prefix}`);
    const walk = async function* (dir: string, keyPrefix: string): AsyncIterable<BlobListing> {
      // A folder deleted meanwhile (or never made) lists as empty.
      const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) yield* walk(full, `${keyPrefix}${entry.name}/`);
        else if (entry.isFile()) {
          const stat = await fsp.stat(full).catch(() => undefined);
          if (stat) yield { key: `${keyPrefix}${entry.name}`, modifiedAt: stat.mtime };
        }
      }
    };
    yield* walk(this.resolve(prefix), prefix);
  }

  async localPath(key: string): Promise<string> {
    return this.resolve(key);
  }
}
