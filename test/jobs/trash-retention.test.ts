import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetStorageCleanupTasks } from '../../src/jobs/asset-storage-cleanup.js';
import { derivedPrefix } from '../../src/services/renditions.js';
import { enqueue } from '../../src/store/tasks.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { brief, feed, lastCursor } from '../support/events.js';
import { mediaEntry, mediaFile } from '../support/media.js';
import { uploadFile } from '../support/upload.js';

const DAY = 86_400_000;
const FILES = ['gps/italy_tuscany_DSCN0010.jpg', 'gps/finland_oulu_bird.jpg', 'gps/kenya_nakuru_kodak.jpg'];

describe.each(DIALECTS)('trash retention (EUCALYPT_TRASH_RETENTION_DAYS=30) on %s', (dialect) => {
  let t: TestApp;
  let libraryId: string;
  let ids: string[];
  let album: string;

  beforeAll(async () => {
    t = await createTestApp(dialect, { EUCALYPT_TRASH_RETENTION_DAYS: '30' });
    libraryId = (await t.api('GET', '/api/libraries')).json()[0].id;
    ids = [];
    for (const [i, file] of FILES.entries()) {
      const res = await uploadFile(t, mediaFile(file), { device_asset_id: `retention-${i}` });
      expect(res.statusCode).toBe(201);
      ids.push(res.json().id);
    }
    await t.runtime.worker.runUntilIdle(); // renditions exist, so their removal shows
    album = (await t.api('POST', '/api/albums', { body: { name: 'Kept a while' } })).json().id;
    await t.api('POST', `/api/albums/${album}/assets`, { body: { asset_ids: ids } });
  });
  afterAll(async () => {
    await t.close();
  });

  const db = () => t.runtime.deps.db;
  const original = async (id: string) => {
    const row = await db().selectFrom('assets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return { file: path.join(t.config.dataDir, 'blobs', row.blob_key), derived: path.join(t.config.dataDir, 'blobs', derivedPrefix(row)) };
  };
  const used = async () => (await t.api('GET', '/api/users/me')).json().storage_used_bytes as number;

  it('the workers purge assets trashed longer than the window (rows, links, files, usage) and keep younger ones', async () => {
    const [a, b, c] = ids;
    const paths = { a: await original(a), b: await original(b) };
    expect(fs.existsSync(paths.a.file) && fs.readdirSync(paths.a.derived, { recursive: true }).length > 0).toBe(true);
    const before = await used();
    const linkA = (await t.api('GET', '/api/album-assets', { query: { asset_id: a } })).json().data[0].id;
    let advanced = 0;
    try {
      expect((await t.api('POST', '/api/assets/trash', { body: { ids: [a] } })).statusCode).toBe(200);
      t.clock.advance(20 * DAY);
      advanced += 20 * DAY;
      expect((await t.api('POST', '/api/assets/trash', { body: { ids: [b] } })).statusCode).toBe(200);
      // Day 20: nothing is due yet.
      await t.runtime.worker.runUntilIdle();
      expect((await t.api('GET', `/api/assets/${a}`)).statusCode).toBe(200);

      t.clock.advance(11 * DAY);
      advanced += 11 * DAY;
      const cursor = await lastCursor(t);
      await t.runtime.worker.runUntilIdle();
      // Day 31: a (31 days in the trash) is gone for good; b (11 days) and live c stay.
      expect((await t.api('GET', `/api/assets/${a}`)).statusCode).toBe(404);
      expect(await db().selectFrom('asset_metadata').select('asset_id').where('asset_id', '=', a).execute()).toEqual([]);
      expect((await t.api('GET', `/api/assets/${b}`)).json().trashed_at).not.toBeNull();
      expect((await t.api('GET', `/api/assets/${c}`)).json().trashed_at).toBeNull();
      expect(brief(await feed(t, cursor))).toEqual([
        ['album_asset_removed', linkA, { album_id: album, asset_id: a }],
        ['album_updated', album, { album_cover_asset_id: expect.any(String) }],
        ['asset_deleted', a],
      ]);
      expect((await t.api('GET', `/api/albums/${album}`)).json()).toMatchObject({ asset_count: 1 });
      expect(fs.existsSync(paths.a.file)).toBe(false);
      expect(fs.existsSync(paths.a.derived)).toBe(false);
      expect(fs.existsSync(paths.b.file)).toBe(true);
      expect(await used()).toBe(before - mediaEntry(FILES[0]).size_bytes);
      // The files went by one asset_storage_cleanup task, visible in /api/tasks for that asset.
      const tasks = (await t.api('GET', `/api/tasks/asset/${a}`)).json() as { task_type: string; status: string }[];
      expect(tasks.filter((x) => x.task_type === 'asset_storage_cleanup')).toMatchObject([{ status: 'success' }]);

      // Restored before its window ends, b is kept for good.
      expect((await t.api('POST', '/api/assets/restore', { body: { ids: [b] } })).statusCode).toBe(200);
      t.clock.advance(40 * DAY);
      advanced += 40 * DAY;
      await t.runtime.worker.runUntilIdle();
      expect((await t.api('GET', `/api/assets/${b}`)).json().trashed_at).toBeNull();
      expect((await t.api('GET', `/api/albums/${album}`)).json()).toMatchObject({ asset_count: 2 });
    } finally {
      t.clock.advance(-advanced);
    }
  });

  it('the cleanup task is idempotent: a rerun after the files are gone succeeds, and it never touches a live asset', async () => {
    const c = ids[2];
    const paths = await original(c);
    const row = await db().selectFrom('assets').selectAll().where('id', '=', c).executeTakeFirstOrThrow();
    // A cleanup for a live asset (which no delete would enqueue) is skipped and removes nothing.
    await enqueue(db(), t.clock.now().toISOString(), assetStorageCleanupTasks([row]));
    await t.runtime.worker.runUntilIdle();
    expect(fs.existsSync(paths.file)).toBe(true);
    const skipped = await db().selectFrom('tasks').selectAll().where('asset_id', '=', c).where('task_type', '=', 'asset_storage_cleanup').executeTakeFirstOrThrow();
    expect(skipped).toMatchObject({ status: 'success', result: 'skipped' });
    // Deleted for real, then cleaned twice: the second run finds nothing and still succeeds.
    expect((await t.api('DELETE', `/api/assets/${c}`)).statusCode).toBe(200);
    await t.runtime.worker.runUntilIdle();
    expect(fs.existsSync(paths.file)).toBe(false);
    await enqueue(db(), t.clock.now().toISOString(), assetStorageCleanupTasks([row]));
    await t.runtime.worker.runUntilIdle();
    const runs = await db().selectFrom('tasks').selectAll().where('asset_id', '=', c).where('task_type', '=', 'asset_storage_cleanup').orderBy('created_at').execute();
    expect(runs.map((r) => r.status)).toEqual(['success', 'success', 'success']);
    expect(runs[2].result).toMatch(/^removed 0 originals/);
  });
});
