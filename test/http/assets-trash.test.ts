import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { mediaEntry, mediaFile } from '../support/media.js';
import { uploadFile } from '../support/upload.js';
import { createOtherUser } from '../support/users.js';

const FILES = [
  'gps/italy_tuscany_DSCN0010.jpg',
  'gps/finland_oulu_bird.jpg',
  'gps/kenya_nakuru_kodak.jpg',
  'faces/alex_lacamoire/alex-lacamoire.png',
  'jpeg/nature/prairie_falcon.jpg',
];
const size = (i: number) => mediaEntry(FILES[i]).size_bytes;

interface Event {
  cursor: string;
  entity_type: string;
  entity_id: string;
  event_type: string;
  payload?: Record<string, unknown>;
}

describe.each(DIALECTS)('trash, restore and permanent delete on %s', (dialect) => {
  let t: TestApp;
  let libraryId: string;
  let ids: string[] = [];
  let now = Date.parse('2025-01-01T00:00:00Z');

  beforeAll(async () => {
    t = await createTestApp(dialect);
    // A clock the tests move, so trash times are distinct and ordered.
    t.runtime.deps.clock = () => new Date(now);
  });
  afterAll(async () => {
    await t.close();
  });

  const tick = () => {
    now += 60_000;
  };
  const uploadAll = async () => {
    ids = [];
    for (const [i, file] of FILES.entries()) {
      const res = await uploadFile(t, mediaFile(file), { device_asset_id: `trash-${i}-${now}` });
      expect(res.statusCode, file).toBe(201);
      ids.push(res.json().id);
      tick();
    }
    libraryId = (await t.api('GET', '/api/libraries')).json()[0].id;
    // Renditions exist before anything is deleted, so their removal is observable too.
    await t.runtime.worker.runUntilIdle();
  };
  const post = (url: string, ids: string[], key?: string) => t.api('POST', url, { body: { ids }, key });
  const get = (id: string) => t.api('GET', `/api/assets/${id}`);
  const listIds = async (query: Record<string, unknown> = {}) => {
    const res = await t.api('GET', '/api/assets', { query: { limit: 200, ...query } });
    expect(res.statusCode).toBe(200);
    return res.json().data.map((a: { id: string }) => a.id) as string[];
  };
  const feed = async (after?: string) => {
    const all: Event[] = [];
    for (let cursor = after; ; ) {
      const page = (await t.api('GET', '/api/events', { query: { limit: 200, after_cursor: cursor } })).json();
      all.push(...page.data);
      if (!page.has_more) return all;
      cursor = page.data.at(-1).cursor;
    }
  };
  const lastCursor = async () => (await feed()).at(-1)?.cursor;
  const usage = async () => {
    const library = (await t.api('GET', `/api/libraries/${libraryId}`)).json();
    const me = (await t.api('GET', '/api/users/me')).json();
    return { asset_count: library.asset_count, library_bytes: library.storage_used_bytes, user_bytes: me.storage_used_bytes };
  };
  const blobPath = async (id: string) => {
    const row = await t.runtime.deps.db.selectFrom('assets').select('blob_key').where('id', '=', id).executeTakeFirstOrThrow();
    return path.join(t.config.dataDir, 'blobs', row.blob_key);
  };
  const rowsOf = async (id: string) => ({
    asset: await t.runtime.deps.db.selectFrom('assets').select('id').where('id', '=', id).executeTakeFirst(),
    metadata: await t.runtime.deps.db.selectFrom('asset_metadata').select('asset_id').where('asset_id', '=', id).executeTakeFirst(),
  });
  const derivedDir = (blob: string, id: string) => {
    const library = path.basename(path.dirname(path.dirname(blob)));
    return path.join(t.config.dataDir, 'blobs', 'derived', library, id.slice(-2), id);
  };
  /** The cleanup tasks naming this asset's files (a task of one asset also carries its asset_id). */
  const cleanupTasks = async (id: string) =>
    (await t.runtime.deps.db.selectFrom('tasks').selectAll().where('task_type', '=', 'asset_storage_cleanup').execute()).filter((task) =>
      (JSON.parse(task.payload) as { assets: { asset_id: string }[] }).assets.some((a) => a.asset_id === id),
    );
  /**
   * Asserts the asset is gone everywhere: rows and GET at once; the original and its renditions
   * once the workers ran the one `asset_storage_cleanup` task the delete enqueued (§3.13).
   */
  const expectGone = async (id: string, blob: string) => {
    expect(await rowsOf(id)).toEqual({ asset: undefined, metadata: undefined });
    expect((await get(id)).statusCode).toBe(404);
    const [task, ...more] = await cleanupTasks(id);
    expect(more).toEqual([]);
    expect(task).toMatchObject({ library_id: libraryId });
    expect(task.asset_id === id || task.asset_id === null).toBe(true);
    expect(['pending', 'success']).toContain(task.status); // an earlier call may have run the workers
    await t.runtime.worker.runUntilIdle();
    expect(fs.existsSync(blob), blob).toBe(false);
    expect(fs.existsSync(derivedDir(blob, id)), derivedDir(blob, id)).toBe(false);
    expect((await cleanupTasks(id))[0]).toMatchObject({ status: 'success', error_message: null });
  };

  it('trash hides assets from the default list, keeps them readable by id, and writes asset_updated', async () => {
    await uploadAll();
    const total = FILES.reduce((sum, _f, i) => sum + size(i), 0);
    expect(await usage()).toEqual({ asset_count: 5, library_bytes: total, user_bytes: total });
    const cursor = await lastCursor();

    const trashAt = new Date(now).toISOString();
    const res = await post('/api/assets/trash', [ids[0], ids[1]]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    const events = await feed(cursor);
    expect(events.map((e) => [e.entity_type, e.event_type, e.entity_id]).sort()).toEqual(
      [['asset', 'asset_updated', ids[0]], ['asset', 'asset_updated', ids[1]]].sort(),
    );
    for (const e of events) expect(e.payload).toEqual({ stack_id: null });

    for (const id of [ids[0], ids[1]]) {
      const one = await get(id);
      expect(one.statusCode).toBe(200);
      expect(one.json().trashed_at).toBe(trashAt);
      expect(one.json().updated_at).toBe(trashAt);
    }
    expect((await get(ids[2])).json().trashed_at).toBeNull();
    expect((await listIds()).sort()).toEqual(ids.slice(2).sort());
    expect((await listIds({ state: 'live' })).sort()).toEqual(ids.slice(2).sort());
    expect((await listIds({ state: 'trashed' })).sort()).toEqual([ids[0], ids[1]].sort());
    expect((await listIds({ state: 'all' })).sort()).toEqual([...ids].sort());
    expect(await listIds({ ids: [ids[0], ids[2]] })).toEqual([ids[2]]);
    // Trash keeps the bytes: usage does not change until permanent deletion.
    expect((await usage()).user_bytes).toBe(total);
    expect(fs.existsSync(await blobPath(ids[0]))).toBe(true);
  });

  it('trash is idempotent: already-trashed ids are skipped (trashed_at kept, no event)', async () => {
    const before = (await get(ids[0])).json().trashed_at;
    tick();
    const cursor = await lastCursor();
    const res = await post('/api/assets/trash', [ids[0], ids[0], ids[2]]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    expect((await get(ids[0])).json().trashed_at).toBe(before);
    const events = await feed(cursor);
    expect(events.map((e) => [e.event_type, e.entity_id])).toEqual([['asset_updated', ids[2]]]);
  });

  it('state=trashed lists newest-trashed first', async () => {
    // ids[0], ids[1] trashed at one time, ids[2] a minute later.
    const trashed = await listIds({ state: 'trashed' });
    expect(trashed[0]).toBe(ids[2]);
    expect(trashed.slice(1).sort()).toEqual([ids[0], ids[1]].sort());
    expect(await listIds({ state: 'trashed', order: 'asc' })).toEqual([...trashed].reverse());
  });

  it('restore clears trashed_at, is idempotent, and writes asset_updated only for assets that changed', async () => {
    tick();
    const cursor = await lastCursor();
    const untouched = (await get(ids[3])).json().updated_at;
    const res = await post('/api/assets/restore', [ids[2], ids[3]]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    expect((await get(ids[2])).json().trashed_at).toBeNull();
    expect((await get(ids[2])).json().updated_at).toBe(new Date(now).toISOString());
    expect((await get(ids[3])).json().updated_at).toBe(untouched);
    expect((await feed(cursor)).map((e) => [e.entity_type, e.event_type, e.entity_id])).toEqual([['asset', 'asset_updated', ids[2]]]);
    const again = await lastCursor();
    expect((await post('/api/assets/restore', [ids[2]])).statusCode).toBe(200);
    expect(await feed(again)).toEqual([]);
    expect((await listIds()).sort()).toEqual(ids.slice(2).sort());
  });

  it("unknown and other users' ids are skipped: nothing of theirs changes", async () => {
    const other = await createOtherUser(t);
    const cursor = await lastCursor();
    const foreign = await post('/api/assets/trash', [ids[3]], other.key);
    expect([200, 404]).toContain(foreign.statusCode);
    expect((await get(ids[3])).json().trashed_at).toBeNull();
    const deleted = await t.api('DELETE', '/api/assets', { body: { ids: [ids[3]] }, key: other.key });
    expect([200, 404]).toContain(deleted.statusCode);
    expect((await get(ids[3])).statusCode).toBe(200);
    expect((await t.api('DELETE', `/api/assets/${ids[3]}`, { key: other.key })).statusCode).toBe(404);
    expect((await get(ids[3])).statusCode).toBe(200);
    const unknown = await post('/api/assets/trash', ['asset_2222222222222222222222']);
    expect([200, 404]).toContain(unknown.statusCode);
    expect(await feed(cursor)).toEqual([]);
  });

  it.each([
    ['POST', '/api/assets/trash'],
    ['POST', '/api/assets/restore'],
    ['DELETE', '/api/assets'],
  ])('%s %s takes at most 200 ids (201 → 422, nothing written)', async (method, url) => {
    const cursor = await lastCursor();
    const many = [ids[2], ...Array.from({ length: 200 }, (_, i) => `asset_${String(i).padStart(22, '2')}`)];
    const res = await t.api(method, url, { body: { ids: many } });
    expect(res.statusCode).toBe(422);
    expect(res.json().detail[0]).toMatchObject({ loc: ['body', 'ids'], type: 'too_long' });
    expect((await get(ids[2])).json().trashed_at).toBeNull();
    expect(await feed(cursor)).toEqual([]);
    const missing = await t.api(method, url, { body: {} });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().detail[0]).toMatchObject({ loc: ['body', 'ids'], type: 'missing' });
  });

  it('DELETE /api/assets removes rows, blob and counters exactly, and writes asset_deleted', async () => {
    const before = await usage();
    const blob = await blobPath(ids[2]);
    expect(fs.existsSync(blob)).toBe(true);
    expect(fs.readdirSync(derivedDir(blob, ids[2]), { recursive: true }).length).toBeGreaterThan(0);
    const cursor = await lastCursor();
    const res = await t.api('DELETE', '/api/assets', { body: { ids: [ids[2], ids[2]] } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    // The response does not wait for the files: a task removes them (§3.13).
    expect(fs.existsSync(blob)).toBe(true);
    await expectGone(ids[2], blob);
    expect(await usage()).toEqual({
      asset_count: before.asset_count - 1,
      library_bytes: before.library_bytes - size(2),
      user_bytes: before.user_bytes - size(2),
    });
    expect((await feed(cursor)).map((e) => [e.entity_type, e.event_type, e.entity_id])).toEqual([['asset', 'asset_deleted', ids[2]]]);
    // Gone for good: the same bytes upload as a new asset.
    const again = await uploadFile(t, mediaFile(FILES[2]), { device_asset_id: 'again' });
    expect(again.statusCode).toBe(201);
    expect(again.json().id).not.toBe(ids[2]);
    expect((await usage()).library_bytes).toBe(before.library_bytes);
    expect((await t.api('DELETE', `/api/assets/${again.json().id}`)).statusCode).toBe(200);
  });

  it('POST /api/assets/empty-trash deletes every trashed asset and nothing live', async () => {
    const before = await usage();
    const trashed = [ids[0], ids[1]];
    const blobs = await Promise.all(trashed.map(blobPath));
    const liveBlob = await blobPath(ids[3]);
    const cursor = await lastCursor();
    const res = await t.api('POST', '/api/assets/empty-trash');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    for (const [i, id] of trashed.entries()) await expectGone(id, blobs[i]);
    expect(fs.existsSync(liveBlob)).toBe(true);
    expect((await listIds({ state: 'all' })).sort()).toEqual([ids[3], ids[4]].sort());
    expect(await usage()).toEqual({
      asset_count: before.asset_count - 2,
      library_bytes: before.library_bytes - size(0) - size(1),
      user_bytes: before.user_bytes - size(0) - size(1),
    });
    const events = await feed(cursor);
    expect(events.map((e) => [e.event_type, e.entity_id]).sort()).toEqual(trashed.map((id) => ['asset_deleted', id]).sort());
    // Empty trash again: nothing to do. A JSON content type with no body is fine too.
    const empty = await t.app.inject({
      method: 'POST',
      url: '/api/assets/empty-trash',
      headers: { authorization: `Bearer ${t.config.apiKey}`, 'content-type': 'application/json' },
    });
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual({});
    expect(await usage()).toEqual({ ...before, asset_count: before.asset_count - 2, library_bytes: before.library_bytes - size(0) - size(1), user_bytes: before.user_bytes - size(0) - size(1) });
  });

  it('DELETE /api/assets/{id} deletes one asset (trashed or live); 404 when unknown or already gone', async () => {
    const before = await usage();
    expect((await post('/api/assets/trash', [ids[4]])).statusCode).toBe(200);
    const blobs = [await blobPath(ids[3]), await blobPath(ids[4])];
    const cursor = await lastCursor();
    for (const id of [ids[3], ids[4]]) {
      const res = await t.api('DELETE', `/api/assets/${id}`);
      expect(res.statusCode, id).toBe(200);
      expect(res.json()).toEqual({});
    }
    await expectGone(ids[3], blobs[0]);
    await expectGone(ids[4], blobs[1]);
    expect(await usage()).toEqual({ asset_count: 0, library_bytes: 0, user_bytes: 0 });
    expect(before.asset_count).toBe(2);
    expect((await feed(cursor)).map((e) => [e.event_type, e.entity_id])).toEqual([
      ['asset_deleted', ids[3]],
      ['asset_deleted', ids[4]],
    ]);
    const unknown = await t.api('DELETE', '/api/assets/asset_2222222222222222222222');
    expect(unknown.statusCode).toBe(404);
    expect(typeof unknown.json().detail).toBe('string');
    expect((await t.api('DELETE', `/api/assets/${ids[3]}`)).statusCode).toBe(404);
    expect(await usage()).toEqual({ asset_count: 0, library_bytes: 0, user_bytes: 0 });
  });
});
