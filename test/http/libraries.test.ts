import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { feed, lastCursor } from '../support/events.js';
import { mediaFile } from '../support/media.js';
import { seedAssets } from '../support/seed.js';
import { uploadFile } from '../support/upload.js';
import { createOtherUser } from '../support/users.js';

const ID = (prefix: string) => new RegExp(`^${prefix}_[2-9A-HJ-NP-Za-km-z]{22}$`);
const LIBRARY_CAP = 5_000_000_000;

interface Library {
  id: string;
  name: string;
  description: string | null;
  asset_count: number;
  storage_used_bytes: number;
  storage_limit_bytes: number | null;
  user_id: string;
  created_at: string;
  updated_at: string;
  trashed_at: string | null;
}

describe.each(DIALECTS)('libraries on %s', (dialect) => {
  let t: TestApp;
  let home: Library;
  // After the bootstrap created the default library (real time), so creation order is the clock's order.
  let now = Date.now() + 60_000;
  const iso = () => new Date(now).toISOString();
  const tick = () => {
    now += 60_000;
  };

  beforeAll(async () => {
    t = await createTestApp(dialect, { EUCALYPT_LIBRARY_STORAGE_LIMIT_BYTES: String(LIBRARY_CAP) });
    t.runtime.deps.clock = () => new Date(now);
    [home] = (await t.api('GET', '/api/libraries')).json();
  });
  afterAll(async () => {
    await t.close();
  });

  const db = () => t.runtime.deps.db;
  const create = (body: unknown, key?: string) => t.api('POST', '/api/libraries', { body, key });
  const get = (id: string, key?: string) => t.api('GET', `/api/libraries/${id}`, { key });
  const patch = (id: string, body: unknown) => t.api('PATCH', `/api/libraries/${id}`, { body });
  const trash = (id: string, key?: string) => t.api('POST', `/api/libraries/${id}/trash`, { key });
  const restore = (id: string, key?: string) => t.api('POST', `/api/libraries/${id}/restore`, { key });
  const del = (id: string, key?: string) => t.api('DELETE', `/api/libraries/${id}`, { key });
  const list = async (state?: string) => {
    const res = await t.api('GET', '/api/libraries', { query: { state } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Library[];
  };
  const row = (id: string) => db().selectFrom('libraries').selectAll().where('id', '=', id).executeTakeFirst();
  const make = async (name: string) => {
    tick();
    const res = await create({ name });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Library;
  };

  describe('create, read, update', () => {
    it('POST /api/libraries creates a library (200): trimmed name, configured cap, zero usage; GET and the list show it', async () => {
      tick();
      const res = await create({ name: '  Travel  ', description: 'Trips abroad' });
      expect(res.statusCode, res.body).toBe(200);
      const lib = res.json() as Library;
      expect(lib).toEqual({
        id: expect.stringMatching(ID('lib')),
        name: 'Travel',
        description: 'Trips abroad',
        asset_count: 0,
        storage_used_bytes: 0,
        storage_limit_bytes: LIBRARY_CAP,
        user_id: home.user_id,
        created_at: iso(),
        updated_at: iso(),
        trashed_at: null,
      });
      expect(await row(lib.id)).toMatchObject({ name: 'Travel', user_id: home.user_id, purge_requested_at: null });
      expect((await get(lib.id)).json()).toEqual(lib);
      expect((await list()).map((l) => l.id)).toEqual([home.id, lib.id]);
      const bare = (await create({ name: 'Bare' })).json();
      expect(bare.description).toBeNull();
    });

    it('POST /api/libraries: a blank or missing name, or a wrong type, is a 422 and creates nothing', async () => {
      const before = await db().selectFrom('libraries').select('id').execute();
      for (const [body, loc, type] of [
        [{ name: '   ' }, ['body', 'name'], 'value_error'],
        [{ name: '' }, ['body', 'name'], 'value_error'],
        [{}, ['body', 'name'], 'missing'],
        [{ name: 5 }, ['body', 'name'], 'string_type'],
        [{ name: 'x', description: 5 }, ['body', 'description'], 'string_type'],
      ] as const) {
        const res = await create(body);
        expect(res.statusCode, JSON.stringify(body)).toBe(422);
        expect(res.json().detail[0], JSON.stringify(body)).toMatchObject({ loc, type });
      }
      expect(await db().selectFrom('libraries').select('id').execute()).toEqual(before);
    });

    it("another user neither sees nor touches the owner's libraries (404 everywhere), and theirs are theirs", async () => {
      const other = await createOtherUser(t, 'stranger');
      for (const res of [await get(home.id, other.key), await trash(home.id, other.key), await restore(home.id, other.key), await del(home.id, other.key)]) {
        expect(res.statusCode).toBe(404);
      }
      expect((await t.api('PATCH', `/api/libraries/${home.id}`, { body: { name: 'x' }, key: other.key })).statusCode).toBe(404);
      expect((await get(other.libraryId)).statusCode).toBe(404);
      expect((await get('lib_2222222222222222222222')).statusCode).toBe(404);
      const theirs = await create({ name: 'Theirs' }, other.key);
      expect(theirs.json().user_id).toBe(other.userId);
      expect((await row(home.id))?.name).toBe('Default Library');
    });

    it('PATCH: trimmed name, null or omitted name keeps it, blank name is a 422, null description clears; a no-op changes nothing', async () => {
      const lib = await make('Patchable');
      tick();
      const renamed = await patch(lib.id, { name: ' Renamed ', description: 'Some words' });
      expect(renamed.statusCode, renamed.body).toBe(200);
      expect(renamed.json()).toEqual({ ...lib, name: 'Renamed', description: 'Some words', updated_at: iso() });
      tick();
      for (const body of [{}, { name: null }, { name: 'Renamed' }, { description: 'Some words' }]) {
        const res = await patch(lib.id, body);
        expect(res.json().updated_at, JSON.stringify(body)).toBe(renamed.json().updated_at);
      }
      const cleared = await patch(lib.id, { name: null, description: null });
      expect(cleared.json()).toMatchObject({ name: 'Renamed', description: null, updated_at: iso() });
      for (const body of [{ name: '  ' }, { name: 7 }]) {
        const res = await patch(lib.id, body);
        expect(res.statusCode).toBe(422);
        expect(res.json().detail[0].loc).toEqual(['body', 'name']);
      }
      expect((await row(lib.id))?.name).toBe('Renamed');
      expect((await patch('lib_2222222222222222222222', { name: 'x' })).statusCode).toBe(404);
    });
  });

  describe('trash, restore, delete', () => {
    it('trash hides the library and everything in it; restore brings everything back as it was', async () => {
      const lib = await make('Hideable');
      const q = { library_id: lib.id };
      const upload = await uploadFile(t, mediaFile('gps/italy_tuscany_DSCN0010.jpg'), { library_id: lib.id, device_asset_id: 'hide-1' });
      expect(upload.statusCode).toBe(201);
      const asset = upload.json();
      const [seeded, trashedOne] = await seedAssets(db(), lib.id, [{}, { trashed_at: '2025-07-01T00:00:00.000Z' }]);
      const album = (await t.api('POST', '/api/albums', { body: { name: 'Inside', library_id: lib.id } })).json();
      await t.api('POST', `/api/albums/${album.id}/assets`, { body: { asset_ids: [asset.id, seeded.id] } });
      const link = (await t.api('GET', '/api/album-assets', { query: q })).json().data[0];
      const thumbnail = asset.asset_urls.thumbnail.url.replace(/^https?:\/\/[^/]+/, '');
      expect((await t.api('GET', thumbnail)).statusCode).toBe(200);
      const before = (await get(lib.id)).json() as Library;
      const cursor = await lastCursor(t, q);

      tick();
      const res = await trash(lib.id);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({});
      const trashed = (await get(lib.id)).json() as Library;
      expect(trashed).toEqual({ ...before, trashed_at: iso(), updated_at: iso() });
      expect((await list()).map((l) => l.id)).not.toContain(lib.id);
      expect((await list('trashed')).map((l) => l.id)).toContain(lib.id);
      for (const [method, url, query] of [
        ['GET', `/api/assets/${asset.id}`],
        ['GET', `/api/assets/${seeded.id}`],
        ['GET', '/api/assets', q],
        ['GET', '/api/assets/counts', { ...q, group_by: 'month' }],
        ['GET', `/api/albums/${album.id}`],
        ['GET', '/api/albums', q],
        ['GET', '/api/album-assets', q],
        ['GET', `/api/album-assets/${link.id}`],
        ['GET', '/api/events', q],
        ['GET', '/api/tasks/', q],
        ['PATCH', `/api/assets/${asset.id}`],
        ['POST', `/api/albums/${album.id}/assets`],
        ['DELETE', `/api/assets/${asset.id}`],
      ] as const) {
        const body = method === 'GET' ? undefined : { description: 'x', asset_ids: [seeded.id] };
        const r = await t.api(method, url, { query, body });
        expect(r.statusCode, `${method} ${url}`).toBe(404);
      }
      // Its files are not served either, and uploads cannot target it.
      expect((await t.api('GET', thumbnail)).statusCode).toBe(404);
      const into = await uploadFile(t, mediaFile('gps/finland_oulu_bird.jpg'), { library_id: lib.id, device_asset_id: 'hide-2' });
      expect(into.statusCode).toBe(404);
      const tasks = (await t.api('GET', '/api/tasks/', { query: { limit: 1000 } })).json() as { asset_id: string | null }[];
      expect(tasks.map((x) => x.asset_id)).not.toContain(asset.id);

      // Idempotent: a second trash changes nothing.
      tick();
      expect((await trash(lib.id)).statusCode).toBe(200);
      expect((await get(lib.id)).json()).toEqual(trashed);

      tick();
      const back = await restore(lib.id);
      expect(back.statusCode, back.body).toBe(200);
      expect(back.json()).toEqual({ ...before, updated_at: iso() });
      expect((await t.api('GET', `/api/assets/${asset.id}`)).statusCode).toBe(200);
      const all = (await t.api('GET', '/api/assets', { query: { ...q, state: 'all' } })).json().data.map((a: { id: string; trashed_at: string | null }) => [a.id, a.trashed_at]);
      expect(all.sort()).toEqual([[asset.id, null], [seeded.id, null], [trashedOne.id, '2025-07-01T00:00:00.000Z']].sort());
      expect((await t.api('GET', `/api/albums/${album.id}`)).json()).toMatchObject({ asset_count: 2 });
      expect((await t.api('GET', `/api/album-assets/${link.id}`)).statusCode).toBe(200);
      expect((await t.api('GET', thumbnail)).statusCode).toBe(200);
      // Restoring a live library is a no-op.
      expect((await restore(lib.id)).json()).toEqual(back.json());
      // The library is not an entity of the feed: trash and restore write no events (its content did not change).
      expect(await feed(t, cursor, q)).toEqual([]);
    });

    it('trashing the last live library is a terminal 409 (x-should-retry: false) and changes nothing', async () => {
      const other = await createOtherUser(t, 'single');
      const res = await trash(other.libraryId, other.key);
      expect(res.statusCode).toBe(409);
      expect(res.headers['x-should-retry']).toBe('false');
      expect(typeof res.json().detail).toBe('string');
      expect((await row(other.libraryId))?.trashed_at).toBeNull();
      // With a second live library, one may go; then the other is the last.
      const second = (await create({ name: 'Spare' }, other.key)).json();
      expect((await trash(second.id, other.key)).statusCode).toBe(200);
      expect((await trash(other.libraryId, other.key)).statusCode).toBe(409);
      // Once it is the only live one again, library_id is optional for that user.
      expect((await t.api('GET', '/api/assets', { key: other.key })).statusCode).toBe(200);
    });

    it('parallel trash of two last libraries: exactly one succeeds, one live library remains', async () => {
      const other = await createOtherUser(t, 'racer');
      const second = (await create({ name: 'Racer 2' }, other.key)).json();
      const results = await Promise.all([trash(other.libraryId, other.key), trash(second.id, other.key)]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      const live = await db().selectFrom('libraries').select('id').where('user_id', '=', other.userId).where('trashed_at', 'is', null).execute();
      expect(live).toHaveLength(1);
    });

    it('GET /api/libraries?state=trashed lists the most recently trashed first; state=all lists every one', async () => {
      const a = await make('Old trash');
      const b = await make('New trash');
      tick();
      await trash(a.id);
      tick();
      await trash(b.id);
      const trashed = (await list('trashed')).map((l) => l.id);
      expect(trashed.indexOf(b.id)).toBeLessThan(trashed.indexOf(a.id));
      const rows = await db().selectFrom('libraries').select(['id', 'trashed_at']).where('user_id', '=', home.user_id).where('trashed_at', 'is not', null).execute();
      expect(trashed).toEqual(rows.sort((x, y) => (x.trashed_at! < y.trashed_at! ? 1 : x.trashed_at! > y.trashed_at! ? -1 : x.id < y.id ? -1 : 1)).map((r) => r.id));
      const all = (await list('all')).map((l) => l.id);
      expect(all).toEqual(expect.arrayContaining([home.id, a.id, b.id]));
      expect(all).toHaveLength((await db().selectFrom('libraries').select('id').where('user_id', '=', home.user_id).execute()).length);
    });

    it('DELETE: a live library is a terminal 409; a trashed one is accepted (idempotent), stays readable and restorable until purged', async () => {
      const lib = await make('Deletable');
      await seedAssets(db(), lib.id, [{}, {}]);
      const live = await del(lib.id);
      expect(live.statusCode).toBe(409);
      expect(live.headers['x-should-retry']).toBe('false');
      expect((await row(lib.id))?.purge_requested_at).toBeNull();
      await trash(lib.id);
      tick();
      const res = await del(lib.id);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({});
      expect((await row(lib.id))?.purge_requested_at).toBe(iso());
      tick();
      expect((await del(lib.id)).statusCode).toBe(200);
      expect((await row(lib.id))?.purge_requested_at).toBe(new Date(now - 60_000).toISOString());
      expect((await get(lib.id)).json()).toMatchObject({ asset_count: 2 });
      // Restore before the drain runs cancels the purge: the workers leave it alone.
      expect((await restore(lib.id)).json()).toMatchObject({ trashed_at: null, asset_count: 2 });
      expect((await row(lib.id))?.purge_requested_at).toBeNull();
      await t.runtime.worker.runUntilIdle();
      expect((await get(lib.id)).json()).toMatchObject({ trashed_at: null, asset_count: 2 });
      expect((await t.api('GET', '/api/assets', { query: { library_id: lib.id } })).json().data).toHaveLength(2);
    });
  });
});
