import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buffer, text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BlobStore, LocalBlobStore } from '../../src/blobs/index.js';
import { S3BlobStore } from '../../src/blobs/s3.js';
import { startS3, type TestS3 } from '../support/s3.js';

let work: string;
let s3: TestS3;
beforeAll(async () => {
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-blobs-'));
  s3 = await startS3();
});
afterAll(async () => {
  await s3.close();
  await fsp.rm(work, { recursive: true, force: true });
});

const s3Store = (cacheDir: string, cacheBytes = 1 << 30) =>
  new S3BlobStore({ bucket: s3.bucket, prefix: 'server-a/', region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, cacheDir, cacheBytes });

const STORES: [string, () => BlobStore][] = [
  ['local disk', () => new LocalBlobStore(path.join(work, 'local'))],
  ['S3', () => s3Store(path.join(work, 'cache-1'))],
];

/** A file in the work folder, as an upload or a rendition would be before it is put. */
async function localFile(content: string | Buffer): Promise<string> {
  const file = path.join(work, `${randomBytes(6).toString('hex')}.tmp`);
  await fsp.writeFile(file, content);
  return file;
}

describe.each(STORES)('blob store on %s', (_name, make) => {
  it('moves a file in, and reads it whole, by range and through a local path', async () => {
    const store = make();
    const source = await localFile('0123456789abcdef');
    await store.putFile('originals/lib_1/aa/asset_1.jpg', source);
    expect(fs.existsSync(source)).toBe(false); // moved, not copied
    expect(await store.stat('originals/lib_1/aa/asset_1.jpg')).toEqual({ size: 16 });
    expect(await store.stat('originals/lib_1/aa/missing.jpg')).toBeUndefined();
    expect(await text(store.read('originals/lib_1/aa/asset_1.jpg'))).toBe('0123456789abcdef');
    expect(await text(store.read('originals/lib_1/aa/asset_1.jpg', { start: 3, end: 6 }))).toBe('3456');
    expect(await fsp.readFile(await store.localPath('originals/lib_1/aa/asset_1.jpg'), 'utf8')).toBe('0123456789abcdef');
  });

  it('lists every blob under a prefix with when it was written; a missing prefix lists nothing', async () => {
    const store = make();
    const before = Date.now() - 2000;
    const keys = ['originals/lib_l/aa/asset_1.jpg', 'originals/lib_l/bb/asset_2.heic', 'derived/lib_l/aa/asset_1/v1/preview.jpg'];
    for (const key of keys) await store.putFile(key, await localFile(key));
    const listed = [];
    for await (const blob of store.list('originals/lib_l/')) listed.push(blob);
    expect(listed.map((b) => b.key).sort()).toEqual(keys.slice(0, 2));
    for (const blob of listed) expect(blob.modifiedAt.getTime()).toBeGreaterThan(before);
    for await (const blob of store.list('originals/lib_none/')) throw new Error(`listed ${blob.key}`);
    await expect((async () => { for await (const _ of store.list('originals')); })()).rejects.toThrow('must end with /');
  });

  it('deletes one blob, and every blob under a prefix', async () => {
    const store = make();
    // Derived files go in without the durability wait; they are stored all the same.
    for (const key of ['derived/lib_2/bb/asset_2/v1/thumbnail.webp', 'derived/lib_2/bb/asset_2/v1/preview.jpg', 'derived/lib_2/cc/asset_3/v1/preview.jpg']) await store.putFile(key, await localFile(key), { durable: false });
    expect(await text(store.read('derived/lib_2/bb/asset_2/v1/preview.jpg'))).toBe('derived/lib_2/bb/asset_2/v1/preview.jpg');
    await store.delete('derived/lib_2/cc/asset_3/v1/preview.jpg');
    expect(await store.stat('derived/lib_2/cc/asset_3/v1/preview.jpg')).toBeUndefined();
    await store.deletePrefix('derived/lib_2/');
    expect(await store.stat('derived/lib_2/bb/asset_2/v1/thumbnail.webp')).toBeUndefined();
    expect(await store.stat('derived/lib_2/bb/asset_2/v1/preview.jpg')).toBeUndefined();
    await expect(store.deletePrefix('derived/lib_2')).rejects.toThrow('must end with /');
  });

  it('refuses keys that would leave the store', async () => {
    await expect(make().putFile('../outside', await localFile('x'))).rejects.toThrow('escapes the store');
  });
});

describe('S3 blob store', () => {
  it('writes under its prefix in the bucket, and a second server with an empty cache reads the same objects', async () => {
    const first = s3Store(path.join(work, 'cache-a'));
    const body = randomBytes(40 * 1024 * 1024 + 123); // over the part size: a multipart upload
    await first.putFile('originals/lib_9/zz/asset_9.mov', await localFile(body));
    expect(await s3.keys()).toContain('server-a/originals/lib_9/zz/asset_9.mov');

    const second = s3Store(path.join(work, 'cache-b'));
    expect(await second.stat('originals/lib_9/zz/asset_9.mov')).toEqual({ size: body.length });
    const part = await buffer(second.read('originals/lib_9/zz/asset_9.mov', { start: 1_000_000, end: 1_000_099 }));
    expect(part.equals(body.subarray(1_000_000, 1_000_100))).toBe(true);
    // Concurrent engines asking for the same blob share one download.
    const [a, b] = await Promise.all([second.localPath('originals/lib_9/zz/asset_9.mov'), second.localPath('originals/lib_9/zz/asset_9.mov')]);
    expect(a).toBe(b);
    expect((await fsp.readFile(a)).equals(body)).toBe(true);
    await second.delete('originals/lib_9/zz/asset_9.mov');
    expect(await first.stat('originals/lib_9/zz/asset_9.mov')).toEqual({ size: body.length }); // first's cached copy
    expect(await second.stat('originals/lib_9/zz/asset_9.mov')).toBeUndefined();
    expect(await s3.keys()).not.toContain('server-a/originals/lib_9/zz/asset_9.mov');
  });

  it('a read whose cached copy is evicted as it starts still returns the bytes, from the bucket', async () => {
    const cacheDir = path.join(work, 'cache-evicted');
    const store = s3Store(cacheDir);
    await store.putFile('derived/lib_e/aa/asset_e/v1/preview.jpg', await localFile('preview bytes'));
    const cached = path.join(cacheDir, 'derived/lib_e/aa/asset_e/v1/preview.jpg');
    expect(fs.existsSync(cached)).toBe(true);
    const whole = store.read('derived/lib_e/aa/asset_e/v1/preview.jpg');
    const ranged = store.read('derived/lib_e/aa/asset_e/v1/preview.jpg', { start: 8, end: 12 });
    fs.rmSync(cached);
    expect(await text(whole)).toBe('preview bytes');
    expect(await text(ranged)).toBe('bytes');
  });

  it('keeps its cache under the cap, least recently used first, sparing copies used in the last minutes', async () => {
    const cacheDir = path.join(work, 'cache-small');
    const store = s3Store(cacheDir, 250_000);
    const old = new Date(Date.now() - 3600_000);
    for (const i of [1, 2, 3]) {
      await store.putFile(`originals/lib_c/00/asset_${i}.jpg`, await localFile(randomBytes(100_000)));
      await fsp.utimes(path.join(cacheDir, `originals/lib_c/00/asset_${i}.jpg`), old, new Date(old.getTime() + i * 1000));
    }
    await store.localPath('originals/lib_c/00/asset_1.jpg'); // used now: kept, while 2 (least recent) goes
    // The cap was crossed by the third put, within a minute of nothing: the next adoption evicts.
    (store as unknown as { lastEviction: number }).lastEviction = 0;
    await store.putFile('originals/lib_c/00/asset_4.jpg', await localFile(randomBytes(10)));
    const left = (await fsp.readdir(path.join(cacheDir, 'originals/lib_c/00'))).sort();
    expect(left).toEqual(['asset_1.jpg', 'asset_3.jpg', 'asset_4.jpg']);
    expect(await store.stat('originals/lib_c/00/asset_2.jpg')).toEqual({ size: 100_000 }); // still in the bucket
  });
});
