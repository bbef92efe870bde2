import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { isBad, mediaEntries, mediaFile } from '../support/media.js';
import { uploadBuffer, uploadFile } from '../support/upload.js';

/** Seconds precision: the manifest's iso keeps sub-seconds only when the tag value holds them. */
const toSecond = (iso: string) => iso.replace(/(\d{2}:\d{2}:\d{2})(\.\d+)?/, '$1');

describe.each(DIALECTS)('upload on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('accepts every corpus file outside bad/ (201), dedupes re-uploads (200, same id) and reads its ground truth', async () => {
    const ids = new Map<string, string>(); // sha256 → asset id
    const firstPath = new Map<string, string>();
    for (const file of mediaEntries((e) => !isBad(e))) {
      const first = await uploadFile(t, mediaFile(file.path), { device_asset_id: file.path });
      const duplicateOf = ids.get(file.sha256_base64);
      expect(first.statusCode, file.path).toBe(duplicateOf ? 200 : 201);
      const asset = first.json();
      if (duplicateOf) expect(asset.id).toBe(duplicateOf);
      ids.set(file.sha256_base64, asset.id);
      if (!firstPath.has(file.sha256_base64)) firstPath.set(file.sha256_base64, file.path);
      expect(asset.id).toMatch(/^asset_[2-9A-HJ-NP-Za-km-z]{22}$/);
      expect(asset.file_data.checksum, file.path).toBe(file.sha256_base64);
      expect(asset.file_data.checksum_sha1, file.path).toBe(file.sha1_base64);
      if (!duplicateOf) expect(asset.file_data.file_size_bytes).toBe(file.size_bytes);
      if (file.display_width !== null && !file.labels.expect_decode_error) {
        expect([asset.width, asset.height], file.path).toEqual([file.display_width, file.display_height]);
      }
      if (file.gps) {
        expect(Math.abs(asset.metadata.latitude - file.gps.lat), file.path).toBeLessThan(1e-5);
        expect(Math.abs(asset.metadata.longitude - file.gps.lon), file.path).toBeLessThan(1e-5);
      } else {
        expect(asset.metadata.latitude, file.path).toBeNull();
      }
      if (file.datetime_original) {
        expect(toSecond(asset.local_datetime), file.path).toBe(toSecond(file.datetime_original.iso));
      }
      const again = await uploadFile(t, mediaFile(file.path), { device_asset_id: `${file.path}-again` });
      expect(again.statusCode, file.path).toBe(200);
      expect(again.json().id).toBe(asset.id);
      expect(again.json().file_data.device_asset_id).toBe(firstPath.get(file.sha256_base64));
    }
    const library = (await t.api('GET', '/api/libraries')).json()[0];
    expect(library.asset_count).toBe(ids.size);
    expect(mediaEntries((e) => !isBad(e)).some((f) => f.labels.exact_duplicate_of)).toBe(true);
  });

  it('answers every bad/ file with a clear 4xx or accepts it, never a 5xx', async () => {
    for (const file of mediaEntries(isBad)) {
      const res = await uploadFile(t, mediaFile(file.path));
      expect(res.statusCode, file.path).toBeLessThan(500);
      if (res.statusCode >= 400) expect(res.json().detail, file.path).toBeTruthy();
    }
    expect((await t.api('GET', '/api/server/ping')).statusCode).toBe(200);
  });

  it('rejects a file name without an image or video extension with 422', async () => {
    const res = await uploadBuffer(t, 'notes.txt', Buffer.from('hello'));
    expect(res.statusCode).toBe(422);
    expect(res.json().detail[0].loc).toEqual(['body', 'asset_data']);
  });

  it('rejects text content named .jpg and an empty file with 422', async () => {
    expect((await uploadFile(t, mediaFile('bad/not_an_image.jpg'))).statusCode).toBe(422);
    expect((await uploadFile(t, mediaFile('bad/empty.jpg'))).statusCode).toBe(422);
  });

  it('reports each missing form field at its location', async () => {
    const res = await uploadBuffer(t, 'a.jpg', Buffer.from('x'), { device_id: undefined, file_created_at: 'not a date' });
    // undefined fields are omitted from the form; DEFAULT_FIELDS still supplies the others
    expect(res.statusCode).toBe(422);
    const locs = res.json().detail.map((d: { loc: string[] }) => d.loc.join('.'));
    expect(locs).toContain('body.device_id');
    expect(locs).toContain('body.file_created_at');
  });
});

describe('upload file names', () => {
  it('keeps a UTF-8 file name intact', async () => {
    const t = await createTestApp(DIALECTS[0]);
    try {
      const res = await uploadFile(t, mediaFile('gps/finland_oulu_bird.jpg'), {}, 'Café «Oulu».jpg');
      expect(res.statusCode).toBe(201);
      expect(res.json().original_file_name).toBe('Café «Oulu».jpg');
    } finally {
      await t.close();
    }
  });
});
