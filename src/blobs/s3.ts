import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BlobListing, BlobStore } from './index.js';
import { moveFile } from './move-file.js';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Prepended to every key ('' or ending with '/'). */
  prefix: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Folder for the local copies engines read; on the same file system as the upload temp folder. */
  cacheDir: string;
  cacheBytes: number;
}

/** A cached copy touched this recently may be in an engine's hands: eviction leaves it alone. */
const EVICTION_GRACE_MS = 10 * 60_000;
const EVICTION_INTERVAL_MS = 60_000;
const PART_BYTES = 16 * 1024 * 1024;

const isNotFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};

/**
 * Blobs in an S3-compatible bucket (AWS, MinIO, Garage, R2 …). Keys are written once and never
 * change, so a local copy is as good as the object: engines that need a file (sharp, ExifTool,
 * ffmpeg) get one from `localPath`, and `stat`/`read` answer from it when present. Uploads move
 * their temp file into that cache, so the tasks that follow an upload read it without a download.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly downloads = new Map<string, Promise<string>>();
  private cachedBytes: number | undefined;
  private lastEviction = 0;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
    });
  }

  private objectKey(key: string): string {
    if (key.startsWith('/') || key.split('/').includes('..')) throw new Error(`blob key escapes the store: ${key}`);
    return `${this.options.prefix}${key}`;
  }

  private cachePath(key: string): string {
    return path.join(this.options.cacheDir, key);
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: this.objectKey(key), Body: fs.createReadStream(localPath) },
      partSize: PART_BYTES,
      queueSize: 2,
    });
    await upload.done();
    await this.adopt(key, localPath);
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    const local = await fsp.stat(this.cachePath(key)).catch(() => undefined);
    if (local) return { size: local.size };
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
      return { size: head.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  read(key: string, range?: { start: number; end: number }): Readable {
    const out = new PassThrough();
    const fromBucket = () => {
      const command = new GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key), Range: range ? `bytes=${range.start}-${range.end}` : undefined });
      this.client.send(command).then(
        (response) => pipeline(response.Body as Readable, out).catch((err: Error) => out.destroy(err)),
        (err: Error) => out.destroy(err),
      );
    };
    // The cached copy is opened before it is read, so an eviction meanwhile cannot cut it short.
    fsp.open(this.cachePath(key)).then(
      (handle) => pipeline(handle.createReadStream(range), out).catch((err: Error) => out.destroy(err)),
      fromBucket,
    );
    return out;
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
    await this.dropCached(this.cachePath(key));
  }

  /** The objects under `prefix`, a page (up to 1000) at a time, as ListObjectsV2 returns them. */
  private async *pages(prefix: string): AsyncIterable<{ Key?: string; LastModified?: Date }[]> {
    if (!prefix.endsWith('/')) throw new Error(`blob prefix must end with /: ${prefix}`);
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: this.objectKey(prefix), ContinuationToken: token }));
      yield page.Contents ?? [];
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async deletePrefix(prefix: string): Promise<void> {
    for await (const objects of this.pages(prefix)) {
      const keys = objects.flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length > 0) await this.client.send(new DeleteObjectsCommand({ Bucket: this.options.bucket, Delete: { Objects: keys, Quiet: true } }));
    }
    await this.dropCached(this.cachePath(prefix));
  }

  async *list(prefix: string): AsyncIterable<BlobListing> {
    for await (const objects of this.pages(prefix)) {
      for (const o of objects) if (o.Key) yield { key: o.Key.slice(this.options.prefix.length), modifiedAt: o.LastModified ?? new Date(0) };
    }
  }

  /** The cached copy, downloaded first if needed (one download per key at a time). */
  async localPath(key: string): Promise<string> {
    const cached = this.cachePath(key);
    const now = new Date();
    if (await fsp.utimes(cached, now, now).then(() => true, () => false)) return cached;
    const running = this.downloads.get(key);
    if (running) return running;
    const download = this.download(key, cached).finally(() => this.downloads.delete(key));
    this.downloads.set(key, download);
    return download;
  }

  private async download(key: string, cached: string): Promise<string> {
    const temp = await this.tempPath();
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
      await pipeline(response.Body as Readable, fs.createWriteStream(temp));
      await this.adopt(key, temp);
    } finally {
      await fsp.rm(temp, { force: true });
    }
    return cached;
  }

  private async tempPath(): Promise<string> {
    const dir = path.join(this.options.cacheDir, '.incoming');
    await fsp.mkdir(dir, { recursive: true });
    return path.join(dir, randomUUID());
  }

  /** Moves a finished local file into the cache under `key`. */
  private async adopt(key: string, file: string): Promise<void> {
    const { size } = await fsp.stat(file);
    await moveFile(file, this.cachePath(key));
    this.cachedBytes = (this.cachedBytes ?? (await this.measureCache())) + size;
    if (this.cachedBytes > this.options.cacheBytes && Date.now() - this.lastEviction >= EVICTION_INTERVAL_MS) await this.evict();
  }

  private async dropCached(target: string): Promise<void> {
    await fsp.rm(target, { recursive: true, force: true });
    this.cachedBytes = undefined; // measured again on the next adoption
  }

  private async cachedFiles(): Promise<{ file: string; size: number; used: number }[]> {
    const entries = await fsp.readdir(this.options.cacheDir, { recursive: true, withFileTypes: true }).catch(() => []);
    const files = entries.filter((e) => e.isFile() && !e.parentPath.includes(`${path.sep}.incoming`));
    const stats = await Promise.all(files.map(async (e) => {
      const file = path.join(e.parentPath, e.name);
      const s = await fsp.stat(file).catch(() => undefined);
      return s ? { file, size: s.size, used: s.mtimeMs } : undefined;
    }));
    return stats.filter((s) => s !== undefined);
  }

  private async measureCache(): Promise<number> {
    return (await this.cachedFiles()).reduce((sum, f) => sum + f.size, 0);
  }

  /** Least recently used copies go first, down to the cap; recent ones may be in use and stay. */
  private async evict(): Promise<void> {
    this.lastEviction = Date.now();
    const files = (await this.cachedFiles()).sort((a, b) => a.used - b.used);
    let total = files.reduce((sum, f) => sum + f.size, 0);
    for (const f of files) {
      if (total <= this.options.cacheBytes || Date.now() - f.used < EVICTION_GRACE_MS) break;
      await fsp.rm(f.file, { force: true });
      total -= f.size;
    }
    this.cachedBytes = total;
  }
}
