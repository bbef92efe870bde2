import type { Readable } from 'node:stream';

/** Where asset bytes live. Keys are relative paths such as `originals/<library>/<xx>/<asset id>.<ext>`. */
export interface BlobStore {
  /** Moves a finished local file into the store under `key`; durable once it resolves. */
  putFile(key: string, localPath: string): Promise<void>;
  /** Size in bytes, or undefined when the blob does not exist. */
  stat(key: string): Promise<{ size: number } | undefined>;
  /** Reads `[start, end]` inclusive, or the whole blob. */
  read(key: string, range?: { start: number; end: number }): Readable;
  delete(key: string): Promise<void>;
  /** Deletes every blob whose key starts with `prefix` (which ends with `/`); nothing there is fine. */
  deletePrefix(prefix: string): Promise<void>;
  /** A local path for engines that need one (exiftool, ffmpeg); local stores return the blob itself. */
  localPath(key: string): Promise<string>;
}

export { LocalBlobStore } from './local.js';
