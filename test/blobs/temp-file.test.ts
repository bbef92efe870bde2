import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/blobs/index.js';
import { discard, putBuffer, receiveToTempFile } from '../../src/blobs/temp-file.js';

let work: string;
beforeAll(async () => {
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-temp-files-'));
});
afterAll(async () => {
  await fsp.rm(work, { recursive: true, force: true });
});

describe('temp files', () => {
  it('writes uploads larger than one write batch whole, in order, and discards them once', async () => {
    const chunks = Array.from({ length: 80 }, (_, i) => Buffer.alloc(64 * 1024 + i, i));
    const file = await receiveToTempFile(Readable.from([Buffer.alloc(0), ...chunks]), work);
    const whole = Buffer.concat(chunks);
    expect(file.size).toBe(whole.length);
    expect((await fsp.readFile(file.path)).equals(whole)).toBe(true);
    await discard(file);
    await discard(file); // already gone: nothing to do
    await expect(fsp.stat(file.path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

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
