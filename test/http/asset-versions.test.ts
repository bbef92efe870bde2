import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isId } from '../../src/domain/ids.js';
import { readFileMetadata } from '../../src/media/exif.js';
import { createTestApp, TEST_API_KEY, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { eventLines, feed, lastCursor } from '../support/events.js';
import { mediaEntry, mediaFile } from '../support/media.js';
import { seedAssets } from '../support/seed.js';
import { multipartBody, uploadFile } from '../support/upload.js';
import { createOtherUser } from '../support/users.js';

const ITALY = 'gps/italy_tuscany_DSCN0010.jpg'; // Nikon, GPS, DateTimeOriginal, 640x480
const FINLAND = 'gps/finland_oulu_bird.jpg'; // Canon, GPS, DateTimeOriginal, 455x350
const ROTATED = 'orientation/Landscape_6.jpg'; // EXIF Orientation 6
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('base64');

interface Version {
  id: string;
  position: number;
  kind: string;
  mime_type: string;
  width: number;
  height: number;
  file_size_bytes: number;
  checksum: string | null;
  params: Record<string, unknown> | null;
  version_urls: Record<string, { url: string; mimetype: string; width: number | null }>;
}

/** An upright rendering of a corpus photo, as an editor would export it. */
const rendering = (file: string, width: number, format: 'jpeg' | 'png' = 'jpeg') => sharp(mediaFile(file)).rotate().resize(width).toFormat(format).toBuffer();

describe.each(DIALECTS)('asset versions on %s', (dialect) => {
  let t: TestApp;
  let libraryId: string;
  let scratch: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    libraryId = (await t.api('GET', '/api/libraries')).json()[0].id;
    scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-versions-'));
  });
  afterAll(async () => {
    await t.close();
    await fsp.rm(scratch, { recursive: true, force: true });
  });

  const upload = async (file: string) => {
    const res = await uploadFile(t, mediaFile(file), { device_asset_id: file });
    expect(res.statusCode, file).toBe(201);
    return res.json().id as string;
  };
  /** POST a version form: `file` part (with its own Content-Type), `kind`, `params`. */
  const send = (url: string, file: { content: Buffer; contentType?: string; filename?: string } | undefined, fields: Record<string, string | undefined>, key = TEST_API_KEY) => {
    const { payload, contentType } = multipartBody(fields, file && { field: 'file', filename: file.filename ?? 'edit.jpg', content: file.content, contentType: file.contentType });
    return t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType, authorization: `Bearer ${key}` } });
  };
  const append = (assetId: string, content: Buffer, fields: Record<string, string | undefined> = { kind: 'edit' }, contentType = 'image/jpeg', query = '') =>
    send(`/api/assets/${assetId}/versions${query}`, { content, contentType }, fields);
  const replace = (assetId: string, versionId: string, content: Buffer, fields: Record<string, string | undefined> = { kind: 'edit' }, contentType = 'image/jpeg') =>
    send(`/api/assets/${assetId}/versions/${versionId}/replace`, { content, contentType }, fields);
  const versions = async (assetId: string, include?: string): Promise<Version[]> => {
    const res = await t.api('GET', `/api/assets/${assetId}/versions`, { query: { include } });
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const asset = async (id: string, include?: string) => (await t.api('GET', `/api/assets/${id}`, { query: { include } })).json();
  const fetchUrl = (url: string) => {
    const u = new URL(url);
    return t.app.inject({ method: 'GET', url: u.pathname + u.search });
  };
  const versionRows = (assetId: string) => t.runtime.deps.db.selectFrom('asset_versions').selectAll().where('asset_id', '=', assetId).orderBy('position').execute();
  const used = async () => (await t.runtime.deps.db.selectFrom('libraries').select('storage_used_bytes').where('id', '=', libraryId).executeTakeFirstOrThrow()).storage_used_bytes;
  const blobExists = async (key: string) => (await t.runtime.deps.blobs.stat(key)) !== undefined;
  const tasksOf = (assetId: string, type: string) => t.runtime.deps.db.selectFrom('tasks').selectAll().where('asset_id', '=', assetId).where('task_type', '=', type).execute();

  it('an upload is version 0: id = current_version_id, kind original, its own bytes; lean urls vs include=variants', async () => {
    const id = await upload(ITALY);
    const truth = mediaEntry(ITALY);
    const a = await asset(id);
    const [v0, ...rest] = await versions(id);
    expect(rest).toEqual([]);
    expect(v0).toMatchObject({ id: a.current_version_id, position: 0, kind: 'original', mime_type: 'image/jpeg', width: 640, height: 480, file_size_bytes: truth.size_bytes, checksum: truth.sha256_base64, params: null });
    expect(isId('asset_version', v0.id)).toBe(true);
    expect(Object.keys(v0.version_urls)).toEqual(['thumbnail']);
    const [full] = await versions(id, 'variants');
    expect(Object.keys(full.version_urls).sort()).toEqual(['fullsize', 'original', 'preview', 'small', 'thumbnail']);
    const original = await fetchUrl(full.version_urls.original.url);
    expect(original.statusCode).toBe(200);
    expect(sha256(original.rawPayload)).toBe(truth.sha256_base64);
    // The current version's URLs are the asset's own.
    expect(full.version_urls.original.url).toBe((await asset(id, 'variants')).asset_urls.original.url);
    expect((await t.api('GET', `/api/assets/${id}/versions`, { query: { include: 'metadata' } })).statusCode).toBe(422);
    expect((await t.api('GET', '/api/assets/asset_nope/versions')).statusCode).toBe(404);
  });

  it('append: stores the edit with the original’s metadata (upright), top-level fields follow it, version 0 keeps the upload', async () => {
    const id = await upload(FINLAND);
    const truth = mediaEntry(FINLAND);
    const edit = await rendering(FINLAND, 320);
    const size = await sharp(edit).metadata();
    const usedBefore = await used();
    const cursor = await lastCursor(t);
    const res = await append(id, edit, { kind: 'edit', params: '{"crop":{"x":0,"y":0,"w":320,"h":200},"exposure":0.3}' }, 'image/jpeg', '?include=variants');
    expect(res.statusCode, res.body).toBe(200);
    const v1: Version = res.json();
    expect(v1).toMatchObject({ position: 1, kind: 'edit', mime_type: 'image/jpeg', width: 320, height: size.height, params: { crop: { x: 0, y: 0, w: 320, h: 200 }, exposure: 0.3 } });
    expect(isId('asset_version', v1.id)).toBe(true);

    const stored = await fetchUrl(v1.version_urls.original.url);
    expect(stored.statusCode).toBe(200);
    expect(stored.headers['content-type']).toBe('image/jpeg');
    expect(stored.rawPayload.length).toBe(v1.file_size_bytes);
    expect(sha256(stored.rawPayload)).toBe(v1.checksum);
    expect(sha256(stored.rawPayload)).not.toBe(sha256(edit)); // metadata was written into it
    const file = path.join(scratch, 'stored.jpg');
    await fsp.writeFile(file, stored.rawPayload);
    const meta = await readFileMetadata(file);
    expect(meta).toMatchObject({ make: 'Canon', model: 'Canon EOS 600D', originalDatetime: truth.datetime_original!.iso, orientation: 1, width: 320, height: size.height });
    expect(meta.latitude).toBeCloseTo(truth.gps!.lat, 5);

    const a = await asset(id, 'variants,file_data');
    expect(a).toMatchObject({ kind: 'edit', current_version_id: v1.id, mime_type: 'image/jpeg', width: 320, height: size.height, original_file_name: 'finland_oulu_bird.jpg' });
    expect(a.file_data).toMatchObject({ file_size_bytes: truth.size_bytes, checksum: truth.sha256_base64 });
    expect(a.thumbhash).toBeNull();
    const current = await fetchUrl(a.asset_urls.original.url);
    expect(sha256(current.rawPayload)).toBe(v1.checksum);
    expect(current.headers['content-disposition']).toMatch(/filename="finland_oulu_bird.jpg"/);

    const [v0, again] = await versions(id, 'variants');
    expect(again.id).toBe(v1.id);
    expect(v0).toMatchObject({ position: 0, kind: 'original', width: 455, height: 350 });
    const untouched = await fetchUrl(v0.version_urls.original.url);
    expect(sha256(untouched.rawPayload)).toBe(truth.sha256_base64);
    const thumb = await fetchUrl(v0.version_urls.thumbnail.url);
    expect(thumb.statusCode).toBe(200);
    expect((await sharp(thumb.rawPayload).metadata()).width).toBe(360);

    expect(await used()).toBe(usedBefore + v1.file_size_bytes);
    expect(eventLines(await feed(t, cursor))).toEqual([`asset_updated ${id} null`]);
    await t.runtime.worker.runUntilIdle();
    expect((await asset(id)).thumbhash).not.toBeNull();
  });

  it('append while an edit is current is a terminal 409; the same append again (a retry) returns it and writes nothing', async () => {
    const id = await upload('jpeg/camera/Canon_PowerShot_S40.jpg');
    const edit = await rendering('jpeg/camera/Canon_PowerShot_S40.jpg', 200);
    const first = (await append(id, edit, { kind: 'external:snapseed', params: '{"b":1,"a":{"y":2,"x":1}}' })).json();
    const usedBefore = await used();
    const cursor = await lastCursor(t);
    const retried = await append(id, edit, { kind: 'external:snapseed', params: '{"a":{"x":1,"y":2},"b":1}' });
    expect(retried.statusCode).toBe(200);
    expect(retried.json().id).toBe(first.id);
    const other = await append(id, await rendering('jpeg/camera/Canon_PowerShot_S40.jpg', 150));
    expect(other.statusCode).toBe(409);
    expect(other.headers['x-should-retry']).toBe('false');
    expect(other.json().detail).toMatch(/replace/);
    expect((await versionRows(id)).map((v) => v.id)).toEqual([(await versions(id))[0].id, first.id]);
    expect(await used()).toBe(usedBefore);
    expect(await feed(t, cursor)).toEqual([]);
  });

  it('replace: the current edit gives way to a PNG at the same position; its files are cleaned up once unreferenced', async () => {
    const id = await upload('jpeg/camera/Nikon_D70.jpg');
    const first: Version = (await append(id, await rendering('jpeg/camera/Nikon_D70.jpg', 80))).json();
    const [firstRow] = (await versionRows(id)).slice(1);
    // Render a rung of the edit so there is a derived file to clean up too.
    expect((await fetchUrl((await versions(id, 'variants'))[1].version_urls.small.url)).statusCode).toBe(200);
    const usedBefore = await used();
    const cursor = await lastCursor(t);
    const png = await rendering('jpeg/camera/Nikon_D70.jpg', 90, 'png');
    const res = await replace(id, first.id, png, { kind: 'external:lightroom', params: '{"preset":"warm"}' }, 'image/png');
    expect(res.statusCode, res.body).toBe(200);
    const second: Version = res.json();
    expect(second).toMatchObject({ position: 1, kind: 'external:lightroom', mime_type: 'image/png', width: 90, params: { preset: 'warm' } });
    expect(second.id).not.toBe(first.id);
    expect((await versions(id)).map((v) => v.id)).toEqual([(await versions(id))[0].id, second.id]);
    expect(await asset(id)).toMatchObject({ kind: 'external:lightroom', mime_type: 'image/png', current_version_id: second.id });
    expect(await used()).toBe(usedBefore - first.file_size_bytes + second.file_size_bytes);
    expect(eventLines(await feed(t, cursor))).toEqual([`asset_updated ${id} null`]);

    const [cleanup] = await tasksOf(id, 'asset_version_storage_cleanup');
    expect(JSON.parse(cleanup.payload)).toEqual({ asset_id: id, versions: [{ id: first.id, blob_key: firstRow.blob_key }] });
    expect(await blobExists(firstRow.blob_key)).toBe(true);
    await t.runtime.worker.runUntilIdle();
    expect((await tasksOf(id, 'asset_version_storage_cleanup'))[0]).toMatchObject({ status: 'success', result: 'removed 1 version file and 1 rendition' });
    expect(await blobExists(firstRow.blob_key)).toBe(false);
    expect((await fetchUrl(first.version_urls.thumbnail.url)).statusCode).toBe(404);
    // Idempotent: the same cleanup again finds nothing left to remove and succeeds.
    await t.runtime.deps.db.insertInto('tasks').values({ ...cleanup, id: `${cleanup.id.slice(0, -4)}zzzz`, celery_task_id: `${cleanup.celery_task_id}-again`, status: 'pending', attempts: 0, locked_by: null, result: null, completed_at: null }).execute();
    await t.runtime.worker.runUntilIdle();
    expect((await tasksOf(id, 'asset_version_storage_cleanup')).map((x) => x.result).sort()).toEqual(['removed 0 version files and 0 renditions', 'removed 1 version file and 1 rendition']);
    expect((await fetchUrl((await versions(id, 'variants'))[1].version_urls.original.url)).rawPayload.subarray(1, 4).toString()).toBe('PNG');
  });

  it('replace and delete refuse the original (422) and a buried version (terminal 409); unknown versions are 404', async () => {
    const id = await upload('jpeg/camera/Pentax_K10D.jpg');
    const v1: Version = (await append(id, await rendering('jpeg/camera/Pentax_K10D.jpg', 60))).json();
    // A deeper chain than the API makes today (append needs the original current): as older producers left it.
    const rows = await versionRows(id);
    const v2 = { ...rows[1], id: `asset_version_${v1.id.slice(-22).split('').reverse().join('')}`, position: 2, kind: 'external:legacy', params: '{}' };
    await t.runtime.deps.db.insertInto('asset_versions').values(v2).execute();
    await t.runtime.deps.db.updateTable('assets').set({ current_version_id: v2.id, kind: v2.kind }).where('id', '=', id).execute();
    const cursor = await lastCursor(t);
    const edit = await rendering('jpeg/camera/Pentax_K10D.jpg', 50);

    const original = await replace(id, rows[0].id, edit);
    expect(original.statusCode).toBe(422);
    expect(original.json().detail[0].loc).toEqual(['path', 'version_id']);
    const buried = await replace(id, v1.id, edit);
    expect(buried.statusCode).toBe(409);
    expect(buried.headers['x-should-retry']).toBe('false');
    expect((await replace(id, 'asset_version_nope', edit)).statusCode).toBe(404);
    expect((await t.api('DELETE', `/api/assets/${id}/versions/${rows[0].id}`)).statusCode).toBe(422);
    const buriedDelete = await t.api('DELETE', `/api/assets/${id}/versions/${v1.id}`);
    expect(buriedDelete.statusCode).toBe(409);
    expect(buriedDelete.headers['x-should-retry']).toBe('false');
    expect((await t.api('DELETE', `/api/assets/${id}/versions/asset_version_nope`)).statusCode).toBe(404);
    expect((await versionRows(id)).map((v) => v.id)).toEqual([rows[0].id, v1.id, v2.id]);
    expect(await feed(t, cursor)).toEqual([]);

    // Revert to the original drops both later versions at once.
    const reverted = await t.api('POST', `/api/assets/${id}/versions/${rows[0].id}/revert`);
    expect(reverted.statusCode).toBe(200);
    expect(reverted.json()).toMatchObject({ kind: 'original', current_version_id: rows[0].id, mime_type: 'image/jpeg', width: 100, height: 72 });
    expect((await versionRows(id)).map((v) => v.id)).toEqual([rows[0].id]);
    const [cleanup] = await tasksOf(id, 'asset_version_storage_cleanup');
    expect(JSON.parse(cleanup.payload).versions.map((v: { id: string }) => v.id)).toEqual([v1.id, v2.id]);
  });

  it('422 with nothing written for a bad form: file, kind, params, format, declared type, size; videos have no versions', async () => {
    const id = await upload('jpeg/camera/Sony_HDR-HC3.jpg');
    const jpeg = await rendering('jpeg/camera/Sony_HDR-HC3.jpg', 60);
    const png = await rendering('jpeg/camera/Sony_HDR-HC3.jpg', 60, 'png');
    const webp = await sharp(jpeg).webp().toBuffer();
    const cursor = await lastCursor(t);
    const usedBefore = await used();
    const url = `/api/assets/${id}/versions`;
    const cases: [string, Promise<{ statusCode: number; json(): { detail: { loc: (string | number)[] }[] } }>, (string | number)[]][] = [
      ['no file', send(url, undefined, { kind: 'edit' }), ['body', 'file']],
      ['no kind', send(url, { content: jpeg }, {}), ['body', 'kind']],
      ['kind original', send(url, { content: jpeg }, { kind: 'original' }), ['body', 'kind']],
      ['unknown kind', send(url, { content: jpeg }, { kind: 'filter' }), ['body', 'kind']],
      ['params array', send(url, { content: jpeg }, { kind: 'edit', params: '[1,2]' }), ['body', 'params']],
      ['params malformed', send(url, { content: jpeg }, { kind: 'edit', params: '{"a":' }), ['body', 'params']],
      ['params too large', send(url, { content: jpeg }, { kind: 'edit', params: JSON.stringify({ a: 'x'.repeat(70_000) }) }), ['body', 'params']],
      ['webp', send(url, { content: webp, contentType: 'image/webp' }, { kind: 'edit' }), ['body', 'file']],
      ['text', send(url, { content: Buffer.from('hello'), contentType: 'text/plain' }, { kind: 'edit' }), ['body', 'file']],
      ['png said jpeg', send(url, { content: png, contentType: 'image/jpeg' }, { kind: 'edit' }), ['body', 'file']],
      ['jpeg said png', send(url, { content: jpeg, contentType: 'image/png' }, { kind: 'edit' }), ['body', 'file']],
      ['truncated jpeg', send(url, { content: jpeg.subarray(0, jpeg.length - 200) }, { kind: 'edit' }), ['body', 'file']],
      ['empty', send(url, { content: Buffer.alloc(0) }, { kind: 'edit' }), ['body', 'file']],
    ];
    for (const [name, pending, loc] of cases) {
      const res = await pending;
      expect(res.statusCode, name).toBe(422);
      expect(res.json().detail[0].loc, name).toEqual(loc);
    }
    const json = await t.api('POST', url, { body: { kind: 'edit' } });
    expect(json.statusCode).toBe(422);
    const [video] = await seedAssets(t.runtime.deps.db, libraryId, [{ media_type: 'video' }]);
    const onVideo = await send(`/api/assets/${video.id}/versions`, { content: jpeg }, { kind: 'edit' });
    expect(onVideo.statusCode).toBe(422);
    expect(onVideo.json().detail[0].loc).toEqual(['path', 'asset_id']);
    // A generic declared type is fine: the content decides.
    expect((await send(url, { content: png, contentType: 'application/octet-stream', filename: 'edit.png' }, { kind: 'edit' })).statusCode).toBe(200);
    expect((await versionRows(id)).length).toBe(2);
    expect(eventLines(await feed(t, cursor))).toEqual([`asset_updated ${id} null`]);
    expect(await used()).toBeGreaterThan(usedBefore);
    expect(await fsp.readdir(t.runtime.deps.tmpDir)).toEqual([]);
  });

  it('an asset stored without version rows gets its upload row on first edit (and a listing shows it meanwhile)', async () => {
    const [seeded] = await seedAssets(t.runtime.deps.db, libraryId, [{}]);
    const [v0] = await versions(seeded.id);
    expect(v0).toMatchObject({ id: seeded.current_version_id, position: 0, kind: 'original', checksum: seeded.checksum, file_size_bytes: 1000 });
    expect(await versionRows(seeded.id)).toEqual([]);
    // Its bytes are not on disk (a seeded row): the edit keeps its own metadata, upright.
    const res = await append(seeded.id, await rendering('jpeg/camera/Fujifilm_FinePix_E500.jpg', 40));
    expect(res.statusCode, res.body).toBe(200);
    expect((await versionRows(seeded.id)).map((v) => [v.id, v.position])).toEqual([
      [seeded.current_version_id, 0],
      [res.json().id, 1],
    ]);
  });

  it('507 at the storage cap, before any work, with nothing written', async () => {
    const id = await upload('jpeg/camera/Konica_Minolta_DiMAGE_Z3.jpg');
    const cap = await used();
    await t.runtime.deps.db.updateTable('libraries').set({ storage_limit_bytes: cap }).where('id', '=', libraryId).execute();
    try {
      const cursor = await lastCursor(t);
      const res = await append(id, await rendering('jpeg/camera/Konica_Minolta_DiMAGE_Z3.jpg', 50));
      expect(res.statusCode).toBe(507);
      expect(res.json().detail).toMatch(/storage limit/);
      expect((await versionRows(id)).length).toBe(1);
      expect(await used()).toBe(cap);
      expect(await feed(t, cursor)).toEqual([]);
    } finally {
      await t.runtime.deps.db.updateTable('libraries').set({ storage_limit_bytes: null }).where('id', '=', libraryId).execute();
    }
  });

  it('a file over 100 MiB is a 422 and leaves no temp file behind', async () => {
    const id = await upload('jpeg/camera/Olympus_C8080WZ.jpg');
    const huge = Buffer.alloc(100 * 1024 * 1024 + 1);
    huge.set([0xff, 0xd8, 0xff, 0xe0]);
    const res = await send(`/api/assets/${id}/versions`, { content: huge }, { kind: 'edit' });
    expect(res.statusCode).toBe(422);
    expect(res.json().detail[0].loc).toEqual(['body', 'file']);
    expect(res.json().detail[0].msg).toMatch(/at most 104857600 bytes/);
    expect(await fsp.readdir(t.runtime.deps.tmpDir)).toEqual([]);
    expect((await versionRows(id)).length).toBe(1);
  });

  it('DELETE the current edit: the predecessor is current again, full asset answer, cleanup queued; revert to current is a no-op', async () => {
    const id = await upload('jpeg/camera/Panasonic_DMC-FZ30.jpg');
    const [v0] = await versions(id);
    const edit: Version = (await append(id, await rendering('jpeg/camera/Panasonic_DMC-FZ30.jpg', 64))).json();
    const usedBefore = await used();

    let cursor = await lastCursor(t);
    const noop = await t.api('POST', `/api/assets/${id}/versions/${edit.id}/revert`);
    expect(noop.statusCode).toBe(200);
    expect(noop.json()).toMatchObject({ current_version_id: edit.id, kind: 'edit' });
    expect(noop.json().metadata).not.toBeNull();
    expect(await feed(t, cursor)).toEqual([]);
    expect((await t.api('POST', `/api/assets/${id}/versions/asset_version_nope/revert`)).statusCode).toBe(404);

    cursor = await lastCursor(t);
    const res = await t.api('DELETE', `/api/assets/${id}/versions/${edit.id}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ id, kind: 'original', current_version_id: v0.id, mime_type: 'image/jpeg', width: 100, height: 75 });
    expect(body.metadata).not.toBeNull();
    expect(body.file_data).not.toBeNull();
    expect((await versions(id)).map((v) => v.id)).toEqual([v0.id]);
    expect(await used()).toBe(usedBefore - edit.file_size_bytes);
    expect(eventLines(await feed(t, cursor))).toEqual([`asset_updated ${id} null`]);
    expect(await tasksOf(id, 'asset_version_storage_cleanup')).toHaveLength(1);
    expect((await t.api('DELETE', `/api/assets/${id}/versions/${edit.id}`)).statusCode).toBe(404);
    await t.runtime.worker.runUntilIdle();
    expect((await fetchUrl(edit.version_urls.thumbnail.url)).statusCode).toBe(404);
    // The upload's bytes are untouched and still served.
    expect(sha256((await fetchUrl((await asset(id, 'variants')).asset_urls.original.url)).rawPayload)).toBe(mediaEntry('jpeg/camera/Panasonic_DMC-FZ30.jpg').sha256_base64);
  });

  it('exact duplicate bytes store nothing: a re-rendering identical to the current one shares its file', async () => {
    const id = await upload('jpeg/camera/Nikon_COOLPIX_P1.jpg');
    const edit = await rendering('jpeg/camera/Nikon_COOLPIX_P1.jpg', 70);
    const first: Version = (await append(id, edit, { kind: 'edit', params: '{"v":1}' })).json();
    const second: Version = (await replace(id, first.id, edit, { kind: 'edit', params: '{"v":2}' })).json();
    expect(second.id).not.toBe(first.id);
    expect(second.checksum).toBe(first.checksum);
    const rows = await versionRows(id);
    const keys = new Set((await t.runtime.deps.db.selectFrom('asset_versions').select('blob_key').where('asset_id', '=', id).execute()).map((r) => r.blob_key));
    expect(keys.size).toBe(2); // the upload and one shared edit file
    await t.runtime.worker.runUntilIdle();
    // The replaced version's cleanup keeps the file its successor still uses.
    expect(await blobExists(rows[1].blob_key)).toBe(true);
    expect(sha256((await fetchUrl((await versions(id, 'variants'))[1].version_urls.original.url)).rawPayload)).toBe(second.checksum);
  });

  it('an orientation-6 original: the edit arrives upright and is stored upright (Orientation 1, its own size)', async () => {
    const id = await upload(ROTATED);
    const truth = mediaEntry(ROTATED);
    const edit = await rendering(ROTATED, 120);
    const v: Version = (await append(id, edit, { kind: 'edit' }, 'image/jpeg', '?include=variants')).json();
    const upright = await sharp(edit).metadata();
    expect([v.width, v.height]).toEqual([upright.width, upright.height]);
    expect(v.width > v.height).toBe(truth.display_width! > truth.display_height!);
    const file = path.join(scratch, 'upright.jpg');
    await fsp.writeFile(file, (await fetchUrl(v.version_urls.original.url)).rawPayload);
    expect((await readFileMetadata(file)).orientation).toBe(1);
    const thumb = await sharp((await fetchUrl(v.version_urls.thumbnail.url)).rawPayload).metadata();
    expect(thumb.width! > thumb.height!).toBe(truth.display_width! > truth.display_height!);
  });

  it('members of stacks: version events carry stack_id; permanent delete releases storage and removes every version file', async () => {
    const id = await upload('jpeg/camera/Ricoh_Caplio_RR330.jpg');
    const [mate] = await seedAssets(t.runtime.deps.db, libraryId, [{}]);
    const stack = (await t.api('POST', '/api/stacks', { body: { asset_ids: [id, mate.id] } })).json();
    const cursor = await lastCursor(t);
    await append(id, await rendering('jpeg/camera/Ricoh_Caplio_RR330.jpg', 50));
    expect(eventLines(await feed(t, cursor))).toEqual([`asset_updated ${id} ${stack.id}`]);
    const rows = await versionRows(id);
    const usedBefore = await used();
    expect((await t.api('DELETE', `/api/assets/${id}`)).statusCode).toBe(200);
    expect(await used()).toBe(usedBefore - mediaEntry('jpeg/camera/Ricoh_Caplio_RR330.jpg').size_bytes - rows[1].file_size_bytes);
    expect(await versionRows(id)).toEqual([]);
    await t.runtime.worker.runUntilIdle();
    for (const row of rows) expect(await blobExists(row.blob_key), row.kind).toBe(false);
    expect((await t.api('GET', `/api/stacks/${stack.id}`)).statusCode).toBe(404);
  });

  it("another user's asset looks missing on every version route", async () => {
    const id = await upload('jpeg/camera/Fujifilm_FinePix6900ZOOM.jpg');
    const [v0] = await versions(id);
    const other = await createOtherUser(t, 'versions-other');
    const edit = await rendering('jpeg/camera/Fujifilm_FinePix6900ZOOM.jpg', 50);
    expect((await t.api('GET', `/api/assets/${id}/versions`, { key: other.key })).statusCode).toBe(404);
    expect((await send(`/api/assets/${id}/versions`, { content: edit }, { kind: 'edit' }, other.key)).statusCode).toBe(404);
    expect((await send(`/api/assets/${id}/versions/${v0.id}/replace`, { content: edit }, { kind: 'edit' }, other.key)).statusCode).toBe(404);
    expect((await t.api('DELETE', `/api/assets/${id}/versions/${v0.id}`, { key: other.key })).statusCode).toBe(404);
    expect((await t.api('POST', `/api/assets/${id}/versions/${v0.id}/revert`, { key: other.key })).statusCode).toBe(404);
    expect((await versionRows(id)).length).toBe(1);
  });

  it('two appends at once: one edit wins, the other is refused, the chain stays linear', async () => {
    const id = await upload('jpeg/camera/Samsung_Digimax_i50_MP3.jpg');
    const [a, b] = await Promise.all([rendering('jpeg/camera/Samsung_Digimax_i50_MP3.jpg', 60), rendering('jpeg/camera/Samsung_Digimax_i50_MP3.jpg', 70)]);
    const results = await Promise.all([append(id, a), append(id, b)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const rows = await versionRows(id);
    expect(rows.map((r) => r.position)).toEqual([0, 1]);
    expect((await asset(id)).current_version_id).toBe(results.find((r) => r.statusCode === 200)!.json().id);
    const keys = fs.readdirSync(path.dirname(await t.runtime.deps.blobs.localPath(rows[1].blob_key)));
    expect(keys).toHaveLength(1); // the loser's bytes were not left behind
  });
});
