import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import { LocalBlobStore } from './local.js';

/** A stored blob as a listing shows it. */
export interface BlobListing {
  key: string;
  modifiedAt: Date;
}

/** Where asset bytes live. Keys are relative paths such as `originals/<library>/<xx>/<asset id>.<ext>`. */
export interface BlobStore {
  /**
   * Moves a finished local file into the store under `key`; durable once it resolves, unless
   * `durable: false` (derived files, made again if a power cut loses them).
   */
  putFile(key: string, localPath: string, options?: { durable?: boolean }): Promise<void>;
  /** Size in bytes, or undefined when the blob does not exist. */
  stat(key: string): Promise<{ size: number } | undefined>;
  /** Reads `[start, end]` inclusive, or the whole blob. */
  read(key: string, range?: { start: number; end: number }): Readable;
  delete(key: string): Promise<void>;
  /** Deletes every blob whose key starts with `prefix` (which ends with `/`); nothing there is fine. */
  deletePrefix(prefix: string): Promise<void>;
  /** Every blob whose key starts with `prefix` (which ends with `/`), in no particular order. */
  list(prefix: string): AsyncIterable<BlobListing>;
  /** A local path for engines that need one (exiftool, ffmpeg); local stores return the blob itself. */
  localPath(key: string): Promise<string>;
}

export { LocalBlobStore };

/**
 * `<data dir>/blobs` on local disk, or the configured S3-compatible bucket. The AWS SDK is loaded
 * only for the bucket: it costs a disk-only server ~15 MB of memory for nothing.
 */
export async function openBlobStore(config: Config): Promise<BlobStore> {
  if (!config.s3Bucket) return new LocalBlobStore(path.join(config.dataDir, 'blobs'));
  const { S3BlobStore } = await import('./s3.js');
  return new S3BlobStore({
    bucket: config.s3Bucket,
    prefix: config.s3Prefix,
    region: config.s3Region,
    endpoint: config.s3Endpoint,
    forcePathStyle: config.s3ForcePathStyle,
    credentials: config.s3AccessKeyId && config.s3SecretAccessKey ? { accessKeyId: config.s3AccessKeyId, secretAccessKey: config.s3SecretAccessKey } : undefined,
    cacheDir: path.join(config.dataDir, 'blob-cache'),
    cacheBytes: config.s3CacheBytes,
  });
}
