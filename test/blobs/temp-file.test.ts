import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/blobs/index.js';
import { putBuffer, receiveToTempFile } from '../../src/blobs/temp-file.js';

let work: string;
beforeAll(async () => {
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-temp-files-'));
});
afterAll(async () => {
  await fsp.rm(work, { recursive: true, force: true });
});

describe('temp files', () => {
  it('receives a stream into a folder that does not exist yet, with both digests', async () => {
    const dir = path.join(work, 'missing', 'tmp');
    const bytes = Buffer.from('some uploaded bytes');
    const file = await receiveToTempFile(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]), dir);
    expect(await fsp.readFile(file.path)).toEqual(bytes);
    expect(file).toMatchObject({
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('base64'),
      sha1: createHash('sha1').update(bytes).digest('base64'),
    });
  });

  it('puts a buffer through a temp folder that does not exist yet, leaving nothing behind', async () => {
    const store = new LocalBlobStore(path.join(work, 'blobs'));
    const dir = path.join(work, 'also-missing');
    await putBuffer(store, dir, 'derived/lib_1/aa/asset_1/v1/preview.jpg', Buffer.from('pixels'));
    expect(await fsp.readFile(await store.localPath('derived/lib_1/aa/asset_1/v1/preview.jpg'), 'utf8')).toBe('pixels');
    expect(await fsp.readdir(dir)).toEqual([]);
  });

  it('a stream that fails leaves no partial file', async () => {
    const dir = path.join(work, 'failing');
    const source = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(receiveToTempFile(source, dir)).rejects.toThrow('connection reset');
    expect(await fsp.readdir(dir)).toEqual([]);
  });
});
