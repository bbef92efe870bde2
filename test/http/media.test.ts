import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eagerRungs, rungKey } from '../../src/services/renditions.js';
import * as assetStore from '../../src/store/assets.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { type ManifestEntry, expectsDecodeError, isBad, mediaEntries, mediaFile } from '../support/media.js';
import { uploadFile } from '../support/upload.js';

const LONG_EDGE: Record<string, number | null> = {
  thumbnail: 360, small: 720, preview: 1440, fullsize: null,
  thumbnail_image: 360, small_image: 720, preview_image: 1440, fullsize_image: null,
};

/** Files the pipeline must render; the iPhone 12 DNG is a pruned fixture whose preview lies past its end. */
const undecodable = (e: ManifestEntry) => isBad(e) || expectsDecodeError(e) || e.path === 'raw/iphone12pro_IMG_1361.dng';

describe.each(DIALECTS)('media pipeline on %s', (dialect) => {
  let t: TestApp;
  const ids = new Map<string, string>();
  beforeAll(async () => {
    t = await createTestApp(dialect);
    for (const file of mediaEntries()) {
      const res = await uploadFile(t, mediaFile(file), { device_asset_id: file.path });
      if (res.statusCode === 201) ids.set(file.path, res.json().id);
    }
    await t.runtime.worker.runUntilIdle();
  }, 300_000);
  afterAll(async () => {
    await t.close();
  });

  const assetOf = async (path: string) => (await t.api('GET', `/api/assets/${ids.get(path)}`, { query: { include: 'variants' } })).json();
  const fetchUrl = (url: string, headers: Record<string, string> = {}) => {
    const u = new URL(url);
    return t.app.inject({ method: 'GET', url: u.pathname + u.search, headers });
  };

  // Before the test below fetches every rung.
  it('stores the preview of a JPEG after upload and renders the other rungs on first request, the smaller ones from the preview', async () => {
    const asset = await assetOf('gps/spain_madrid_iphone6.jpg');
    const [row] = await assetStore.findByIdsAnyLibrary(t.runtime.deps.db, [asset.id]);
    const stored = async (rung: 'thumbnail' | 'small' | 'preview' | 'fullsize') => (await t.runtime.deps.blobs.stat(rungKey(row, rung))) !== undefined;
    expect(eagerRungs(row)).toEqual(['preview']);
    expect([await stored('thumbnail'), await stored('preview'), await stored('small'), await stored('fullsize')]).toEqual([false, true, false, false]);
    // The stored preview, painted magenta for a moment: a thumbnail rendered from it is magenta, one from the original is not.
    const previewPath = await t.runtime.deps.blobs.localPath(rungKey(row, 'preview'));
    const previewBytes = await fs.promises.readFile(previewPath);
    const { width, height } = await sharp(previewBytes).metadata();
    await fs.promises.writeFile(previewPath, await sharp({ create: { width: width!, height: height!, channels: 3, background: '#ff00ff' } }).jpeg().toBuffer());
    const thumbnail = await fetchUrl(asset.asset_urls.thumbnail.url);
    await fs.promises.writeFile(previewPath, previewBytes);
    expect(thumbnail.statusCode).toBe(200);
    expect(thumbnail.headers['content-type']).toBe('image/webp');
    const [r, g, b] = (await sharp(thumbnail.rawPayload).stats()).channels.map((c) => c.mean);
    expect([r > 240, g < 15, b > 240]).toEqual([true, true, true]);
    expect(await stored('thumbnail')).toBe(true);
    const small = await fetchUrl(asset.asset_urls.small.url);
    expect(small.statusCode).toBe(200);
    expect(small.headers['content-type']).toBe('image/webp');
    const meta = await sharp(small.rawPayload).metadata();
    expect(Math.max(meta.width!, meta.height!)).toBe(720);
    expect(await stored('small')).toBe(true);
  });

  it('makes a rendition again when a crash left its file empty', async () => {
    const asset = await assetOf('jpeg/nature/silver_fir.jpg');
    const [row] = await assetStore.findByIdsAnyLibrary(t.runtime.deps.db, [asset.id]);
    await fs.promises.writeFile(await t.runtime.deps.blobs.localPath(rungKey(row, 'preview')), Buffer.alloc(0));
    const preview = await fetchUrl(asset.asset_urls.preview.url);
    expect(preview.statusCode).toBe(200);
    expect((await sharp(preview.rawPayload).metadata()).format).toBe('jpeg');
    expect((await t.runtime.deps.blobs.stat(rungKey(row, 'preview')))?.size).toBe(preview.rawPayload.length);
  });

  // Renders every on-demand rung (small, fullsize) of ~80 files: minutes on a busy machine.
  it('serves every rung of every decodable file at its signed URL, with its mimetype and size', async () => {
    const decodable = mediaEntries((e) => !undecodable(e) && ids.has(e.path));
    expect(decodable.length).toBeGreaterThan(70);
    for (const file of decodable) {
      const asset = await assetOf(file.path);
      expect(asset.thumbhash, file.path).toMatch(/^[A-Za-z0-9+/]+=*$/);
      const tasks = (await t.api('GET', `/api/tasks/asset/${asset.id}`)).json();
      expect(tasks.length, file.path).toBeGreaterThan(0);
      for (const task of tasks) expect(task.status, `${file.path} ${task.task_type}: ${task.error_message}`).toBe('success');
      for (const [name, variant] of Object.entries(asset.asset_urls as Record<string, { url: string; mimetype: string; width: number | null }>)) {
        const res = await fetchUrl(variant.url);
        expect(res.statusCode, `${file.path} ${name}`).toBe(200);
        expect(res.headers['content-type'], `${file.path} ${name}`).toBe(variant.mimetype);
        if (name in LONG_EDGE) {
          const meta = await sharp(res.rawPayload).metadata();
          const longest = Math.max(meta.width!, meta.height!);
          const cap = LONG_EDGE[name];
          if (cap !== null) expect(longest, `${file.path} ${name}`).toBeLessThanOrEqual(cap);
          // Upright: same orientation (portrait/landscape) as the manifest's display size.
          if (file.display_width !== file.display_height && Math.abs(file.display_width! - file.display_height!) > 2) {
            expect(meta.width! > meta.height!, `${file.path} ${name} orientation`).toBe(file.display_width! > file.display_height!);
          }
        }
      }
    }
  }, 240_000);

  it('fails the tasks of undecodable files with a reason, and keeps serving', async () => {
    const broken = mediaEntries((e) => undecodable(e) && ids.has(e.path));
    expect(broken.length).toBeGreaterThan(0);
    for (const file of broken) {
      const tasks = (await t.api('GET', `/api/tasks/asset/${ids.get(file.path)}`)).json();
      const media = tasks.filter((x: { task_type: string }) => x.task_type !== 'reverse_geocoding');
      if (expectsDecodeError(file) && file.path.endsWith('.cr3')) continue; // its embedded preview may render
      expect(media.some((x: { status: string; error_message: string | null }) => x.status === 'failure' && x.error_message), file.path).toBe(true);
    }
    expect((await t.api('GET', '/api/server/ping')).statusCode).toBe(200);
  });

  it('answers 403 to a tampered or expired signature and 404 to an unknown rung', async () => {
    const { asset_urls } = await assetOf('gps/italy_tuscany_DSCN0010.jpg');
    const good = new URL(asset_urls.preview.url);
    const tampered = new URL(good);
    tampered.searchParams.set('w', '9999');
    expect((await fetchUrl(tampered.toString())).statusCode).toBe(403);
    const otherAsset = new URL(good.toString().replace(ids.get('gps/italy_tuscany_DSCN0010.jpg')!, ids.get('gps/finland_oulu_bird.jpg')!));
    expect((await fetchUrl(otherAsset.toString())).statusCode).toBe(403);
    t.clock.advance(3 * 24 * 3600 * 1000);
    try {
      const expired = await fetchUrl(good.toString());
      expect(expired.statusCode).toBe(403);
      expect(expired.json().detail).toMatch(/expired/);
    } finally {
      t.clock.advance(-3 * 24 * 3600 * 1000);
    }
  });

  it('serves exactly the requested bytes of a range, 416 beyond the end, attachment for originals', async () => {
    const file = mediaEntries((e) => e.path === 'gps/spain_madrid_iphone6.jpg')[0];
    const { asset_urls } = await assetOf(file.path);
    const whole = await fetchUrl(asset_urls.original.url);
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['content-disposition']).toMatch(/^attachment; filename="spain_madrid_iphone6.jpg"/);
    expect(whole.headers['cache-control']).toContain('immutable');
    expect(whole.rawPayload.length).toBe(file.size_bytes);
    const part = await fetchUrl(asset_urls.original.url, { range: 'bytes=1000-1999' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${file.size_bytes}`);
    expect(Buffer.compare(part.rawPayload, whole.rawPayload.subarray(1000, 2000))).toBe(0);
    const tail = await fetchUrl(asset_urls.original.url, { range: 'bytes=-10' });
    expect(Buffer.compare(tail.rawPayload, whole.rawPayload.subarray(-10))).toBe(0);
    const beyond = await fetchUrl(asset_urls.original.url, { range: `bytes=${file.size_bytes}-` });
    expect(beyond.statusCode).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${file.size_bytes}`);
    const cached = await fetchUrl(asset_urls.original.url, { 'if-none-match': whole.headers.etag as string });
    expect(cached.statusCode).toBe(304);
  });

  it('lean responses carry only the thumbnail rung; videos get *_image stills and a playable MP4', async () => {
    const photo = (await t.api('GET', `/api/assets/${ids.get('gps/finland_oulu_bird.jpg')}`)).json();
    expect(Object.keys(photo.asset_urls)).toEqual(['thumbnail']);
    const video = await assetOf('video/photoview_sample.webm');
    expect(Object.keys(video.asset_urls).sort()).toEqual(['fullsize_image', 'original', 'playback', 'preview_image', 'small_image', 'thumbnail_image']);
    const playback = await fetchUrl(video.asset_urls.playback.url);
    expect(playback.headers['content-type']).toBe('video/mp4');
    expect(playback.rawPayload.subarray(4, 8).toString()).toBe('ftyp');
  });

  it('pairs an Apple Live Photo with its video by content identifier and plays a motion photo', async () => {
    const still = await assetOf('livephoto/IMG_7943.HEIC');
    const movie = (await t.api('GET', `/api/assets/${ids.get('livephoto/IMG_7943_HEVC.MOV')}`, { query: { include: 'metadata' } })).json();
    const stillMeta = (await t.api('GET', `/api/assets/${still.id}`, { query: { include: 'metadata' } })).json().metadata;
    expect(stillMeta.live_photo_cid).toBe('9B539AB8-A668-4FA6-9207-EB653A5E7E3C');
    expect(movie.metadata.live_photo_cid).toBe(stillMeta.live_photo_cid);
    const live = await fetchUrl(still.asset_urls.live_video.url);
    expect(live.statusCode).toBe(200);
    expect(live.headers['content-type']).toMatch(/^video\//);
    expect(live.rawPayload.subarray(4, 8).toString()).toBe('ftyp');

    const motion = await assetOf('livephoto/samsung-one-ui-6_motionphoto.heic');
    const clip = await fetchUrl(motion.asset_urls.live_video.url);
    expect(clip.statusCode).toBe(200);
    expect(clip.headers['content-type']).toBe('video/mp4');
    expect(clip.rawPayload.subarray(4, 8).toString()).toBe('ftyp');
    expect(clip.rawPayload.length).toBeGreaterThan(1_000_000);

    const plain = await assetOf('gps/finland_oulu_bird.jpg');
    expect(plain.asset_urls.live_video).toBeUndefined();
  });
});
