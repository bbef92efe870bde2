import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retentionCutoff } from '../../src/domain/trash-retention.js';
import { PURGE_BATCH } from '../../src/jobs/maintenance.js';
import { eagerRungs, renditionKey } from '../../src/services/renditions.js';
import { purgeLibraryStep } from '../../src/services/purge.js';
import type { AssetRow } from '../../src/store/assets.js';
import * as userStore from '../../src/store/users.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { feed } from '../support/events.js';
import { mediaEntry, mediaFile } from '../support/media.js';
import { seedAssets } from '../support/seed.js';
import { uploadFile } from '../support/upload.js';

const DAY = 86_400_000;
const PHOTO = 'gps/italy_tuscany_DSCN0010.jpg';
const SEEDED_BYTES = 1000; // seedAssets' file_size_bytes

describe.each(DIALECTS)('library purge and trash retention on %s', (dialect) => {
  let t: TestApp;
  let home: string;
  let userId: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    [{ id: home, user_id: userId }] = (await t.api('GET', '/api/libraries')).json();
  });
  afterAll(async () => {
    await t.close();
  });

  const db = () => t.runtime.deps.db;
  const blobRoot = () => path.join(t.config.dataDir, 'blobs');
  /** Every stored file of a library: originals and renditions. */
  const filesOf = (libraryId: string) =>
    ['originals', 'derived'].flatMap((top) => {
      const dir = path.join(blobRoot(), top, libraryId);
      if (!fs.existsSync(dir)) return [];
      return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name));
    });
  const used = async () => (await t.api('GET', '/api/users/me')).json().storage_used_bytes as number;
  const rowsOf = async (libraryId: string, assetIds: string[]) => {
    const count = async (q: { execute(): Promise<unknown[]> }) => (await q.execute()).length;
    return {
      libraries: await count(db().selectFrom('libraries').select('id').where('id', '=', libraryId)),
      assets: await count(db().selectFrom('assets').select('id').where('library_id', '=', libraryId)),
      asset_metadata: await count(db().selectFrom('asset_metadata').select('asset_id').where('asset_id', 'in', assetIds)),
      albums: await count(db().selectFrom('albums').select('id').where('library_id', '=', libraryId)),
      album_assets: await count(db().selectFrom('album_assets').select('id').where('library_id', '=', libraryId)),
      events: await count(db().selectFrom('events').select('seq').where('library_id', '=', libraryId)),
      tasks: await count(db().selectFrom('tasks').select('id').where('library_id', '=', libraryId)),
    };
  };
  const writeBlob = async (key: string, bytes: number) => {
    const file = path.join(blobRoot(), key);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, Buffer.alloc(bytes, 7));
  };

  /**
   * A library of `count` assets with real files: one real upload (its renditions made by the
   * workers) and seeded rows, each with its original on disk (every tenth with a rendition too);
   * one of them in the trash; an album holding 150 of them.
   */
  async function stockedLibrary(name: string, count: number) {
    const lib = (await t.api('POST', '/api/libraries', { body: { name } })).json();
    const upload = await uploadFile(t, mediaFile(PHOTO), { library_id: lib.id, device_asset_id: name });
    expect(upload.statusCode).toBe(201);
    await t.runtime.worker.runUntilIdle();
    const now = t.clock.now().toISOString();
    const seeded = await seedAssets(
      db(),
      lib.id,
      Array.from({ length: count - 1 }, (_, i) => ({ original_datetime: new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString().slice(0, 19), trashed_at: i === 5 ? now : null })),
      now,
    );
    await userStore.addStorageUsed(db(), userId, seeded.length * SEEDED_BYTES, now); // seedAssets counts only the library
    // Every original on disk, and a rendition for every tenth (the upload has real ones).
    for (let i = 0; i < seeded.length; i += 100) {
      await Promise.all(
        seeded.slice(i, i + 100).flatMap((a, j) => [writeBlob(a.blob_key, SEEDED_BYTES), ...((i + j) % 10 === 0 ? [writeBlob(renditionKey(a, 'thumbnail', 'webp'), 10)] : [])]),
      );
    }
    const ids = [upload.json().id as string, ...seeded.map((a) => a.id)];
    const album = (await t.api('POST', '/api/albums', { body: { name: `${name} album`, library_id: lib.id } })).json();
    const added = await t.api('POST', `/api/albums/${album.id}/assets`, { body: { asset_ids: ids.slice(0, 150) } });
    expect(added.json().added_assets).toHaveLength(149); // one of them is in the trash
    return { lib: lib.id as string, ids, seeded, upload: upload.json(), album: album.id as string };
  }

  let thousand: Awaited<ReturnType<typeof stockedLibrary>>;

  it('restoring a trashed library of 1,000 assets within the window returns everything as it was', async () => {
    thousand = await stockedLibrary('Thousand', 1000);
    const s = thousand;
    const snapshot = async () => {
      const library = (await t.api('GET', `/api/libraries/${s.lib}`)).json();
      const assets: [string, string | null][] = [];
      for (let cursor: string | undefined; ; ) {
        const page = (await t.api('GET', '/api/assets', { query: { library_id: s.lib, state: 'all', limit: 200, starting_after_id: cursor } })).json();
        assets.push(...page.data.map((a: { id: string; trashed_at: string | null }) => [a.id, a.trashed_at] as [string, string | null]));
        if (!page.has_more) break;
        cursor = page.data.at(-1).id;
      }
      const album = (await t.api('GET', `/api/albums/${s.album}`)).json();
      album.asset_urls.thumbnail.url = album.asset_urls.thumbnail.url.split('?')[0]; // the signature's expiry follows the clock
      const { updated_at: _u, trashed_at: _t, ...rest } = library;
      return { library: rest, assets: assets.sort(), album, files: filesOf(s.lib).sort(), used: await used() };
    };
    const before = await snapshot();
    expect(before.assets).toHaveLength(1000);
    expect(before.assets.filter(([, trashedAt]) => trashedAt !== null)).toHaveLength(1);
    expect(before.album.asset_count).toBe(149);

    expect((await t.api('POST', `/api/libraries/${s.lib}/trash`)).statusCode).toBe(200);
    t.clock.advance(89 * DAY);
    try {
      await t.runtime.worker.runUntilIdle();
      expect((await rowsOf(s.lib, s.ids)).assets).toBe(1000);
      const res = await t.api('POST', `/api/libraries/${s.lib}/restore`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ trashed_at: null, asset_count: 1000 });
      expect(await snapshot()).toEqual(before);
    } finally {
      t.clock.advance(-89 * DAY);
    }
  });

  it('trashing that library and deleting it leaves no rows and no blobs once the workers ran the purge', async () => {
    const s = thousand;
    const before = await used();
    const files = filesOf(s.lib);
    // The originals, the seeded renditions and the upload's eager rungs.
    expect(files.length).toBeGreaterThanOrEqual(1000 + 100 + eagerRungs({ mime_type: 'image/jpeg' }).length);
    const homeBefore = (await t.api('GET', `/api/libraries/${home}`)).json();

    expect((await t.api('POST', `/api/libraries/${s.lib}/trash`)).statusCode).toBe(200);
    expect((await t.api('DELETE', `/api/libraries/${s.lib}`)).statusCode).toBe(200);
    // DELETE only asks: nothing has gone yet, and the library is still readable.
    expect((await rowsOf(s.lib, s.ids)).assets).toBe(1000);
    expect((await t.api('GET', `/api/libraries/${s.lib}`)).json()).toMatchObject({ asset_count: 1000 });

    // The drain works in batches: one step removes 200 rows and queues their file cleanups.
    const cutoff = retentionCutoff(t.clock.now(), t.config.trashRetentionDays);
    expect(await purgeLibraryStep(t.runtime.deps, s.lib, cutoff, PURGE_BATCH)).toBe('progress');
    expect((await rowsOf(s.lib, s.ids)).assets).toBe(800);
    expect((await t.api('GET', `/api/libraries/${s.lib}`)).json()).toMatchObject({ asset_count: 800, storage_used_bytes: expect.any(Number) });
    const cleanups = await db().selectFrom('tasks').selectAll().where('library_id', '=', s.lib).where('task_type', '=', 'asset_storage_cleanup').execute();
    expect(cleanups).toHaveLength(1);
    expect(cleanups[0]).toMatchObject({ status: 'pending', asset_id: null });
    const named = (JSON.parse(cleanups[0].payload) as { assets: { asset_id: string }[] }).assets.map((a) => a.asset_id);
    const remaining = (await db().selectFrom('assets').select('id').where('library_id', '=', s.lib).execute()).map((r) => r.id);
    expect(named).toHaveLength(200);
    expect(new Set([...named, ...remaining]).size).toBe(1000);

    const started = Date.now();
    await t.runtime.worker.runUntilIdle();
    expect(Date.now() - started).toBeLessThan(15_000);

    expect((await t.api('GET', `/api/libraries/${s.lib}`)).statusCode).toBe(404);
    expect((await t.api('POST', `/api/libraries/${s.lib}/restore`)).statusCode).toBe(404);
    expect((await t.api('GET', '/api/libraries', { query: { state: 'all' } })).json().map((l: { id: string }) => l.id)).not.toContain(s.lib);
    expect(await rowsOf(s.lib, s.ids)).toEqual({ libraries: 0, assets: 0, asset_metadata: 0, albums: 0, album_assets: 0, events: 0, tasks: 0 });
    expect(filesOf(s.lib)).toEqual([]);
    for (const top of ['originals', 'derived']) expect(fs.existsSync(path.join(blobRoot(), top, s.lib))).toBe(false);
    // Usage is exact: the owner got back every byte of the library, and nothing else moved.
    expect(await used()).toBe(before - 999 * SEEDED_BYTES - mediaEntry(PHOTO).size_bytes);
    expect((await t.api('GET', `/api/libraries/${home}`)).json()).toEqual(homeBefore);
  });

  it('after the retention window a trashed library is purged without DELETE; a restore during the drain keeps what is left', async () => {
    const s = await stockedLibrary('Expired', 450);
    const before = await used();
    const loner = s.seeded[5].id; // in the trash on its own since the library was stocked
    expect((await t.api('POST', `/api/libraries/${s.lib}/trash`)).statusCode).toBe(200);
    let advanced = 0;
    const advance = (days: number) => {
      t.clock.advance(days * DAY);
      advanced += days * DAY;
    };
    advance(91);
    try {
      // One batch, then the owner changes their mind.
      const cutoff = retentionCutoff(t.clock.now(), t.config.trashRetentionDays);
      expect(await purgeLibraryStep(t.runtime.deps, s.lib, cutoff, PURGE_BATCH)).toBe('progress');
      const afterStep = (await db().selectFrom('assets').select('id').where('library_id', '=', s.lib).execute()).map((r) => r.id);
      expect(afterStep).toHaveLength(250);
      const restored = await t.api('POST', `/api/libraries/${s.lib}/restore`);
      expect(restored.json()).toMatchObject({ trashed_at: null, asset_count: 250 });
      await t.runtime.worker.runUntilIdle();
      // What came back stays, except an asset that was in the trash on its own: its window has passed too.
      const left = await db().selectFrom('assets').select(['id', 'blob_key']).where('library_id', '=', s.lib).execute();
      expect(left.map((l) => l.id).sort()).toEqual(afterStep.filter((id) => id !== loner).sort());
      expect((await t.api('GET', `/api/libraries/${s.lib}`)).json()).toMatchObject({ asset_count: left.length, trashed_at: null });
      // The purged ones are gone with their files (asset_deleted in the feed); the rest are intact.
      const purged = s.ids.filter((id) => !left.some((l) => l.id === id));
      expect(purged).toContain(loner);
      const deleted = (await feed(t, undefined, { library_id: s.lib, entity_types: 'asset' })).filter((e) => e.event_type === 'asset_deleted').map((e) => e.entity_id);
      expect(deleted.sort()).toEqual([...purged].sort());
      const files = filesOf(s.lib);
      for (const l of left.filter((x) => s.seeded.some((a: AssetRow) => a.id === x.id))) expect(files).toContain(path.join(blobRoot(), l.blob_key));
      for (const id of purged) expect(files.some((f) => f.includes(id))).toBe(false);
      const purgedBytes = purged.reduce((sum, id) => sum + (id === s.upload.id ? mediaEntry(PHOTO).size_bytes : SEEDED_BYTES), 0);
      expect(await used()).toBe(before - purgedBytes);
      const album = (await t.api('GET', `/api/albums/${s.album}`)).json();
      const members = (await db().selectFrom('album_assets').select('asset_id').where('album_id', '=', s.album).execute()).map((r) => r.asset_id);
      expect(members.every((id) => left.some((l) => l.id === id))).toBe(true);
      expect(album.asset_count).toBe(members.length);

      // Trashed again and left alone for the whole window: the sweep drains it completely.
      expect((await t.api('POST', `/api/libraries/${s.lib}/trash`)).statusCode).toBe(200);
      advance(89);
      await t.runtime.worker.runUntilIdle();
      expect((await rowsOf(s.lib, s.ids)).assets).toBe(left.length);
      advance(2);
      await t.runtime.worker.runUntilIdle();
      expect((await t.api('GET', `/api/libraries/${s.lib}`)).statusCode).toBe(404);
      expect(await rowsOf(s.lib, s.ids)).toEqual({ libraries: 0, assets: 0, asset_metadata: 0, albums: 0, album_assets: 0, events: 0, tasks: 0 });
      expect(filesOf(s.lib)).toEqual([]);
      expect(await used()).toBe(before - 449 * SEEDED_BYTES - mediaEntry(PHOTO).size_bytes);
    } finally {
      t.clock.advance(-advanced);
    }
  });
});
