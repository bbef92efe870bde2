import fsp from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { mediaFile } from '../support/media.js';
import { startS3, type TestS3 } from '../support/s3.js';
import { uploadFile } from '../support/upload.js';

const FILES = ['gps/italy_tuscany_DSCN0010.jpg', 'heic/uk_stonehenge.heic', 'video/hamilton_clip_faces.mp4'];

describe.each(DIALECTS)('originals and renditions in an S3 bucket, on %s', (dialect) => {
  let s3: TestS3;
  let t: TestApp;
  const ids = new Map<string, string>();
  beforeAll(async () => {
    s3 = await startS3();
    t = await createTestApp(dialect, { ...s3.env, EUCALYPT_S3_PREFIX: 'photos' });
    for (const file of FILES) {
      const res = await uploadFile(t, mediaFile(file), { device_asset_id: file });
      expect(res.statusCode, file).toBe(201);
      ids.set(file, res.json().id);
    }
    // Another machine's worker: nothing cached locally, so every engine input comes from the bucket.
    await fsp.rm(path.join(t.config.dataDir, 'blob-cache'), { recursive: true, force: true });
    await t.runtime.worker.runUntilIdle();
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  const assetOf = async (file: string) => (await t.api('GET', `/api/assets/${ids.get(file)}`, { query: { include: 'variants' } })).json();
  const fetchUrl = (url: string, headers: Record<string, string> = {}) => {
    const u = new URL(url);
    return t.app.inject({ method: 'GET', url: u.pathname + u.search, headers });
  };

  it('keeps nothing under the data dir: originals and rungs are objects under the prefix', async () => {
    const keys = await s3.keys();
    for (const id of ids.values()) {
      expect(keys.filter((k) => k.startsWith('photos/originals/') && k.includes(id))).toHaveLength(1);
      expect(keys.some((k) => k.startsWith('photos/derived/') && k.includes(`/${id}/`) && /preview|_image/.test(k))).toBe(true);
    }
    expect(await fsp.readdir(path.join(t.config.dataDir, 'blobs')).catch(() => [])).toEqual([]);
  });

  it('ends every task in success and serves each rung and the original from the bucket', async () => {
    for (const [file, id] of ids) {
      const tasks = (await t.api('GET', `/api/tasks/asset/${id}`)).json() as { task_type: string; status: string }[];
      expect(tasks.filter((x) => x.status !== 'success'), file).toEqual([]);
      const asset = await assetOf(file);
      expect(asset.thumbhash, file).toBeTruthy();
      const thumbnail = await fetchUrl(asset.asset_urls[asset.mime_type.startsWith('video/') ? 'thumbnail_image' : 'thumbnail'].url);
      expect(thumbnail.statusCode, file).toBe(200);
      const meta = await sharp(thumbnail.rawPayload).metadata();
      expect(Math.max(meta.width!, meta.height!), file).toBeLessThanOrEqual(360);
    }
    // Not cached on this machine any more: a rung made on first request reads the original from S3.
    await fsp.rm(path.join(t.config.dataDir, 'blob-cache'), { recursive: true, force: true });
    const photo = await assetOf('gps/italy_tuscany_DSCN0010.jpg');
    const small = await fetchUrl(photo.asset_urls.small.url);
    expect(small.statusCode).toBe(200);
    expect(small.headers['content-type']).toBe('image/webp');
    const original = await fsp.readFile(mediaFile('gps/italy_tuscany_DSCN0010.jpg'));
    await fsp.rm(path.join(t.config.dataDir, 'blob-cache'), { recursive: true, force: true });
    const part = await fetchUrl(photo.asset_urls.original.url, { range: 'bytes=100-299' });
    expect(part.statusCode).toBe(206);
    expect(part.rawPayload.equals(original.subarray(100, 300))).toBe(true);
    expect((await fetchUrl(photo.asset_urls.original.url)).rawPayload.equals(original)).toBe(true);
  });

  it('removes an asset’s objects when it is deleted for good', async () => {
    const id = ids.get('heic/uk_stonehenge.heic')!;
    expect((await s3.keys()).filter((k) => k.includes(id)).length).toBeGreaterThan(1);
    expect((await t.api('DELETE', `/api/assets/${id}`)).statusCode).toBe(200);
    await t.runtime.worker.runUntilIdle();
    expect((await s3.keys()).filter((k) => k.includes(id))).toEqual([]);
  });
});
