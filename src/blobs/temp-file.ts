import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobStore } from './index.js';
import { fsyncFd, removeFile, writeAll } from './local-files.js';
import { inFolder } from './move-file.js';

export interface TempFile {
  path: string;
  size: number;
  /** Base64 (standard, padded) digests of the bytes, as Gumnut reports them. */
  sha256: string;
  sha1: string;
}

const TEMP_SUFFIX = '.upload';

/**
 * Received bytes are written in batches of about this size (chunks arrive at socket size, ≤ 64
 * KiB): one write for most photos, while a long video still streams through a few MiB of memory.
 */
const WRITE_BATCH_BYTES = 4 << 20;

/**
 * Streams `source` to a new file in `dir` while hashing it, so memory stays flat whatever the
 * size, and fsyncs it: the bytes are on disk before anyone acknowledges them. On any error the
 * partial file is removed. One descriptor writes in batches and is fsynced before closing; its
 * open and close are synchronous (local-files.ts).
 */
export async function receiveToTempFile(source: Readable, dir: string): Promise<TempFile> {
  const file = path.join(dir, `${randomUUID()}${TEMP_SUFFIX}`);
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  let size = 0;
  const fd = await inFolder(dir, () => fs.openSync(file, 'wx'));
  try {
    try {
      let batch: Buffer[] = [];
      let batchBytes = 0;
      for await (const chunk of source as AsyncIterable<Buffer>) {
        sha256.update(chunk);
        sha1.update(chunk);
        size += chunk.length;
        batch.push(chunk);
        batchBytes += chunk.length;
        if (batchBytes >= WRITE_BATCH_BYTES) {
          await writeAll(fd, batch);
          batch = [];
          batchBytes = 0;
        }
      }
      await writeAll(fd, batch);
      await fsyncFd(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    removeFile(file);
    throw err;
  }
  return { path: file, size, sha256: sha256.digest('base64'), sha1: sha1.digest('base64') };
}

/** Removes an upload's temp file, if it is still there (a stored upload has moved into the blob store). */
export async function discard(temp: TempFile | undefined): Promise<void> {
  if (temp) removeFile(temp.path);
}

/**
 * Uploads left behind by a process that died mid-request; nothing refers to them. Only files
 * untouched for `olderThanMs` go, so another process's upload in flight is left alone.
 */
export async function sweepTempFiles(dir: string, olderThanMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith(TEMP_SUFFIX)) continue;
    const file = path.join(dir, name);
    const stat = await fsp.stat(file).catch(() => undefined);
    if (stat && now - stat.mtimeMs >= olderThanMs) {
      await fsp.rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}

/**
 * Stores bytes made in memory (a rendition) under `key`, through a temp file so readers never see
 * a partial blob. Not durable: what is made in memory can be made again.
 */
export async function putBuffer(blobs: Pick<BlobStore, 'putFile'>, dir: string, key: string, data: Buffer): Promise<void> {
  const file = path.join(dir, `${randomUUID()}${TEMP_SUFFIX}`);
  try {
    const fd = await inFolder(dir, () => fs.openSync(file, 'wx'));
    try {
      await writeAll(fd, [data]);
    } finally {
      fs.closeSync(fd);
    }
    await blobs.putFile(key, file, { durable: false });
  } catch (err) {
    // Once put, the file has moved into the store; only a failure leaves it behind.
    removeFile(file);
    throw err;
  }
}

/** Size and base64 SHA-256 of a finished file (e.g. after its metadata was rewritten). */
export async function digestFile(file: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('base64') };
}
