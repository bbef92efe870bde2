import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetRow } from '../../src/store/assets.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { brief, feed, lastCursor } from '../support/events.js';
import { seedAssets } from '../support/seed.js';
import { createOtherUser, createOwnerLibrary } from '../support/users.js';

const ID = (prefix: string) => new RegExp(`^${prefix}_[2-9A-HJ-NP-Za-km-z]{22}$`);
const UNKNOWN_ASSET = 'asset_2222222222222222222222';

interface Album {
  id: string;
  name: string;
  description: string | null;
  asset_count: number;
  created_at: string;
  updated_at: string;
  album_cover_asset_id: string | null;
  asset_urls: Record<string, { url: string; mimetype: string; width: number | null }> | null;
  start_date: string | null;
  end_date: string | null;
}

describe.each(DIALECTS)('albums on %s', (dialect) => {
  let t: TestApp;
  let libraryId: string;
  let userId: string;
  /** A second live library of the owner: library_id is required wherever a library is resolved. */
  let secondLibrary: string;
  let now = Date.parse('2025-06-01T00:00:00.000Z');
  const iso = () => new Date(now).toISOString();
  const tick = () => {
    now += 1000;
  };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    t.runtime.deps.clock = () => new Date(now);
    [{ id: libraryId, user_id: userId }] = (await t.api('GET', '/api/libraries')).json();
    secondLibrary = await createOwnerLibrary(t, userId, 'Second');
  });
  afterAll(async () => {
    await t.close();
  });

  const db = () => t.runtime.deps.db;
  const seed = (items: Parameters<typeof seedAssets>[2], library = libraryId) => seedAssets(db(), library, items, iso());
  const events = (after: string | undefined) => feed(t, after, { library_id: libraryId });
  const cursorNow = () => lastCursor(t, { library_id: libraryId });
  const create = (body: Record<string, unknown>, key?: string) => t.api('POST', '/api/albums', { body, key });
  const get = (id: string, key?: string) => t.api('GET', `/api/albums/${id}`, { key });
  const album = async (id: string) => {
    const res = await get(id);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Album;
  };
  const patch = (id: string, body: unknown) => t.api('PATCH', `/api/albums/${id}`, { body });
  const add = (id: string, asset_ids: string[], key?: string) => t.api('POST', `/api/albums/${id}/assets`, { body: { asset_ids }, key });
  const remove = (id: string, asset_ids: string[]) => t.api('DELETE', `/api/albums/${id}/assets`, { body: { asset_ids } });
  const trash = (ids: string[]) => t.api('POST', '/api/assets/trash', { body: { ids }, query: { library_id: libraryId } });
  const restore = (ids: string[]) => t.api('POST', '/api/assets/restore', { body: { ids }, query: { library_id: libraryId } });
  const row = (id: string) => db().selectFrom('albums').selectAll().where('id', '=', id).executeTakeFirst();
  const linkRows = (albumId: string) => db().selectFrom('album_assets').selectAll().where('album_id', '=', albumId).orderBy('created_at').orderBy('id').execute();
  const linkId = async (albumId: string, assetId: string) =>
    (await db().selectFrom('album_assets').select('id').where('album_id', '=', albumId).where('asset_id', '=', assetId).executeTakeFirstOrThrow()).id;
  const newAlbum = async (name: string) => {
    const res = await create({ name, library_id: libraryId });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Album;
  };
  const expect422 = async (res: Awaited<ReturnType<typeof get>>, loc: (string | number)[]) => {
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().detail[0].loc).toEqual(loc);
  };

  describe('create and read', () => {
    it('POST /api/albums creates an empty album (200) and writes album_created', async () => {
      const cursor = await cursorNow();
      tick();
      const res = await create({ name: 'Summer', description: 'Beach days', library_id: libraryId });
      expect(res.statusCode, res.body).toBe(200);
      const created = res.json() as Album;
      expect(created).toEqual({
        id: expect.stringMatching(ID('album')),
        name: 'Summer',
        description: 'Beach days',
        asset_count: 0,
        created_at: iso(),
        updated_at: iso(),
        album_cover_asset_id: null,
        asset_urls: null,
        start_date: null,
        end_date: null,
      });
      expect(await row(created.id)).toMatchObject({ library_id: libraryId, name: 'Summer', asset_count: 0, cover_asset_id: null });
      expect(brief(await events(cursor))).toEqual([['album_created', created.id]]);
      expect(await album(created.id)).toEqual(created);
    });

    it('the name is optional ("Untitled" when omitted or null); an empty name is kept as given', async () => {
      for (const [body, name] of [[{}, 'Untitled'], [{ name: null }, 'Untitled'], [{ name: '' }, ''], [{ name: '  Padded ' }, '  Padded ']] as const) {
        const res = await create({ ...body, library_id: libraryId });
        expect(res.statusCode, JSON.stringify(body)).toBe(200);
        expect(res.json()).toMatchObject({ name, description: null, asset_count: 0 });
      }
    });

    it('library_id: 400 when the caller has several live libraries and names none; 404 for unknown, foreign or trashed; nothing written', async () => {
      const other = await createOtherUser(t, 'creator');
      const before = await db().selectFrom('albums').select('id').execute();
      const cursor = await cursorNow();
      const ambiguous = await create({ name: 'x' });
      expect(ambiguous.statusCode).toBe(400);
      expect(typeof ambiguous.json().detail).toBe('string');
      for (const library_id of ['lib_2222222222222222222222', other.libraryId]) {
        const res = await create({ name: 'x', library_id });
        expect(res.statusCode, library_id).toBe(404);
      }
      await expect422(await create({ name: 5, library_id: libraryId }), ['body', 'name']);
      await expect422(await create({ description: ['x'], library_id: libraryId }), ['body', 'description']);
      await expect422(await create({ name: 'nul\u0000', library_id: libraryId }), ['body', 'name']);
      expect(await db().selectFrom('albums').select('id').execute()).toEqual(before);
      expect(await events(cursor)).toEqual([]);
      // Another user's album is created in their only library without library_id.
      const theirs = await create({ name: 'Theirs' }, other.key);
      expect(theirs.statusCode).toBe(200);
      expect((await row(theirs.json().id))?.library_id).toBe(other.libraryId);
      // In the second library, when named.
      const second = await create({ name: 'Second', library_id: secondLibrary });
      expect((await row(second.json().id))?.library_id).toBe(secondLibrary);
    });

    it("GET /api/albums/{id}: 404 for unknown ids and for another user's album, either way round", async () => {
      const other = await createOtherUser(t, 'reader');
      const theirs = (await create({ name: 'Private' }, other.key)).json() as Album;
      const mine = await newAlbum('Mine');
      for (const [id, key] of [
        ['album_2222222222222222222222', undefined],
        ['nope', undefined],
        [theirs.id, undefined],
        [mine.id, other.key],
      ] as const) {
        const res = await get(id, key);
        expect(res.statusCode, id).toBe(404);
        expect(Object.keys(res.json())).toEqual(['detail']);
      }
      expect((await get(theirs.id, other.key)).statusCode).toBe(200);
    });
  });

  describe('membership, cover and dates', () => {
    let trip: Album;
    let p1: AssetRow, p2: AssetRow, p3: AssetRow, v1: AssetRow, p5: AssetRow, trashed: AssetRow, foreign: AssetRow, theirs: AssetRow;

    beforeAll(async () => {
      [p1, p2, p3, v1, p5] = await seed([
        { original_datetime: '2024-01-10T10:00:00' },
        { original_datetime: '2024-03-05T08:30:00+02:00' },
        { original_datetime: '2024-02-01T12:00:00.250Z' },
        { original_datetime: '2023-12-31T23:59:59', media_type: 'video' },
        { original_datetime: '2024-02-02T00:00:00' },
      ]);
      [trashed] = await seed([{ original_datetime: '2030-01-01T00:00:00', trashed_at: '2025-05-01T00:00:00.000Z' }]);
      [foreign] = await seed([{ original_datetime: '2024-01-01T00:00:00' }], secondLibrary);
      const other = await createOtherUser(t, 'members');
      [theirs] = await seedAssets(db(), other.libraryId, [{}]);
      tick();
      trip = await newAlbum('Trip');
    });

    it('add answers added / duplicate / not_found in request order, writes one link and album_asset_added per new member, then album_updated', async () => {
      const cursor = await cursorNow();
      tick();
      const res = await add(trip.id, [p1.id, p2.id, p1.id, UNKNOWN_ASSET, foreign.id, trashed.id, theirs.id, v1.id]);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({
        added_assets: [p1.id, p2.id, v1.id],
        duplicate_assets: [],
        not_found_assets: [UNKNOWN_ASSET, foreign.id, trashed.id, theirs.id],
      });
      const links = await linkRows(trip.id);
      expect(links.map((l) => l.asset_id).sort()).toEqual([p1.id, p2.id, v1.id].sort());
      for (const l of links) {
        expect(l.id).toMatch(ID('album_asset'));
        expect(l).toMatchObject({ library_id: libraryId, created_at: iso(), updated_at: iso() });
      }
      const link = (assetId: string) => links.find((l) => l.asset_id === assetId)!.id;
      expect(brief(await events(cursor))).toEqual([
        ['album_asset_added', link(p1.id), { album_id: trip.id, asset_id: p1.id }],
        ['album_asset_added', link(p2.id), { album_id: trip.id, asset_id: p2.id }],
        ['album_asset_added', link(v1.id), { album_id: trip.id, asset_id: v1.id }],
        ['album_updated', trip.id, { album_cover_asset_id: p2.id }],
      ]);
      const now = await album(trip.id);
      expect(now).toMatchObject({
        asset_count: 3,
        updated_at: iso(),
        // The server's choice: the newest live member by capture time.
        album_cover_asset_id: p2.id,
        // Earliest and latest capture, each as its asset shows it: naive or with its offset.
        start_date: '2023-12-31T23:59:59',
        end_date: '2024-03-05T08:30:00+02:00',
      });
      expect(Object.keys(now.asset_urls!)).toEqual(['thumbnail']);
      expect(now.asset_urls!.thumbnail.url).toMatch(new RegExp(`^http://localhost(:\\d+)?/media/${p2.id}/thumbnail\\?.*verify=`));
      expect(now.asset_urls!.thumbnail.mimetype).toMatch(/^image\//);
      const asset = (await t.api('GET', `/api/assets/${p2.id}`)).json();
      expect(now.asset_urls!.thumbnail).toEqual(asset.asset_urls.thumbnail);
    });

    it('add is idempotent: members already in the album are duplicates, with no event and no change', async () => {
      tick();
      const res = await add(trip.id, [p3.id, p1.id]);
      expect(res.json()).toEqual({ added_assets: [p3.id], duplicate_assets: [p1.id], not_found_assets: [] });
      const stamped = (await album(trip.id)).updated_at;
      expect(stamped).toBe(iso());
      const cursor = await cursorNow();
      tick();
      const again = await add(trip.id, [p3.id, p1.id, p3.id]);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual({ added_assets: [], duplicate_assets: [p3.id, p1.id], not_found_assets: [] });
      expect(await events(cursor)).toEqual([]);
      expect(await album(trip.id)).toMatchObject({ asset_count: 4, updated_at: stamped });
      expect(await linkRows(trip.id)).toHaveLength(4);
    });

    it('add and remove take at most 200 ids (201 → 422 at body.asset_ids, nothing written); asset_ids is required', async () => {
      const cursor = await cursorNow();
      const many = [p5.id, ...Array.from({ length: 200 }, (_, i) => `asset_${String(i).padStart(22, '2')}`)];
      await expect422(await add(trip.id, many), ['body', 'asset_ids']);
      await expect422(await remove(trip.id, many), ['body', 'asset_ids']);
      await expect422(await t.api('POST', `/api/albums/${trip.id}/assets`, { body: {} }), ['body', 'asset_ids']);
      await expect422(await t.api('POST', `/api/albums/${trip.id}/assets`, { body: { asset_ids: 'x' } }), ['body', 'asset_ids']);
      expect(await linkRows(trip.id)).toHaveLength(4);
      expect(await events(cursor)).toEqual([]);
    });

    it('add to an unknown or foreign album is a 404 and writes nothing', async () => {
      const other = await createOtherUser(t, 'intruder');
      const cursor = await cursorNow();
      expect((await add('album_2222222222222222222222', [p5.id])).statusCode).toBe(404);
      expect((await add(trip.id, [theirs.id], other.key)).statusCode).toBe(404);
      expect((await remove('album_2222222222222222222222', [p1.id])).statusCode).toBe(404);
      expect(await events(cursor)).toEqual([]);
      expect(await linkRows(trip.id)).toHaveLength(4);
    });

    it('PATCH album_cover_asset_id: a live member becomes the cover (album_updated); a non-member or unknown id is a 422', async () => {
      const cursor = await cursorNow();
      tick();
      const res = await patch(trip.id, { album_cover_asset_id: p1.id });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ album_cover_asset_id: p1.id, updated_at: iso(), name: 'Trip' });
      expect(res.json().asset_urls.thumbnail.url).toContain(`/media/${p1.id}/thumbnail?`);
      expect((await row(trip.id))?.cover_asset_id).toBe(p1.id);
      expect(brief(await events(cursor))).toEqual([['album_updated', trip.id, { album_cover_asset_id: p1.id }]]);

      const after = await cursorNow();
      for (const id of [p5.id, UNKNOWN_ASSET, foreign.id, theirs.id]) {
        await expect422(await patch(trip.id, { album_cover_asset_id: id, name: 'Renamed' }), ['body', 'album_cover_asset_id']);
      }
      expect(await row(trip.id)).toMatchObject({ cover_asset_id: p1.id, name: 'Trip' });
      expect(await events(after)).toEqual([]);
    });

    it('trashing members drops them from asset_count, dates and cover (album_updated); restoring brings the chosen cover back', async () => {
      const cursor = await cursorNow();
      tick();
      expect((await trash([p1.id, v1.id])).statusCode).toBe(200);
      expect(brief(await events(cursor))).toEqual([
        ['asset_updated', expect.any(String), { stack_id: null }],
        ['asset_updated', expect.any(String), { stack_id: null }],
        ['album_updated', trip.id, { album_cover_asset_id: p2.id }],
      ]);
      expect(await album(trip.id)).toMatchObject({
        asset_count: 2,
        album_cover_asset_id: p2.id,
        start_date: '2024-02-01T12:00:00.250+00:00',
        end_date: '2024-03-05T08:30:00+02:00',
        updated_at: iso(),
      });
      // The explicit choice is remembered while its asset is in the trash, but cannot be set to a trashed asset.
      expect((await row(trip.id))?.cover_asset_id).toBe(p1.id);
      await expect422(await patch(trip.id, { album_cover_asset_id: v1.id }), ['body', 'album_cover_asset_id']);
      // Trashing an asset that is in no album touches no album.
      const quiet = await cursorNow();
      expect((await trash([p5.id])).statusCode).toBe(200);
      expect(brief(await events(quiet))).toEqual([['asset_updated', p5.id, { stack_id: null }]]);

      const before = await cursorNow();
      tick();
      expect((await restore([p1.id, v1.id, p5.id])).statusCode).toBe(200);
      expect((await events(before)).filter((e) => e.entity_type === 'album').map((e) => [e.event_type, e.payload])).toEqual([
        ['album_updated', { album_cover_asset_id: p1.id }],
      ]);
      expect(await album(trip.id)).toMatchObject({ asset_count: 4, album_cover_asset_id: p1.id, start_date: '2023-12-31T23:59:59' });
    });

    it('PATCH cover null hands the choice back to the server; a video cover is shown by its still', async () => {
      const cursor = await cursorNow();
      tick();
      const cleared = await patch(trip.id, { album_cover_asset_id: null });
      expect(cleared.json().album_cover_asset_id).toBe(p2.id);
      expect((await row(trip.id))?.cover_asset_id).toBeNull();
      const video = await patch(trip.id, { album_cover_asset_id: v1.id });
      expect(video.json().album_cover_asset_id).toBe(v1.id);
      expect(Object.keys(video.json().asset_urls)).toEqual(['thumbnail']);
      expect(video.json().asset_urls.thumbnail.url).toContain(`/media/${v1.id}/thumbnail_image?`);
      expect(brief(await events(cursor))).toEqual([
        ['album_updated', trip.id, { album_cover_asset_id: p2.id }],
        ['album_updated', trip.id, { album_cover_asset_id: v1.id }],
      ]);
    });

    it('PATCH name and description: omitted keeps, a null name keeps, a null description clears; a no-op writes nothing', async () => {
      tick();
      const renamed = await patch(trip.id, { name: 'Trip 2024' });
      expect(renamed.json()).toMatchObject({ name: 'Trip 2024', description: null, album_cover_asset_id: v1.id, updated_at: iso() });
      const described = await patch(trip.id, { name: null, description: 'Road trip' });
      expect(described.json()).toMatchObject({ name: 'Trip 2024', description: 'Road trip' });
      const stamped = described.json().updated_at;
      const cursor = await cursorNow();
      tick();
      for (const body of [{}, { name: 'Trip 2024' }, { description: 'Road trip' }, { album_cover_asset_id: v1.id }, { unknown_field: 1 }]) {
        const res = await patch(trip.id, body);
        expect(res.statusCode, JSON.stringify(body)).toBe(200);
        expect(res.json().updated_at).toBe(stamped);
      }
      expect(await events(cursor)).toEqual([]);
      const cleared = await patch(trip.id, { description: null });
      expect(cleared.json()).toMatchObject({ name: 'Trip 2024', description: null });
      expect(brief(await events(cursor))).toEqual([['album_updated', trip.id, { album_cover_asset_id: v1.id }]]);
      await expect422(await patch(trip.id, { name: 5 }), ['body', 'name']);
      await expect422(await patch(trip.id, { description: 5 }), ['body', 'description']);
      expect((await patch('album_2222222222222222222222', { name: 'x' })).statusCode).toBe(404);
      expect((await row(trip.id))?.name).toBe('Trip 2024');
    });

    it('remove drops links (album_asset_removed with album_id and asset_id), ignores non-members, forgets a removed cover', async () => {
      const links = new Map((await linkRows(trip.id)).map((l) => [l.asset_id, l.id]));
      const cursor = await cursorNow();
      tick();
      const res = await remove(trip.id, [v1.id, p3.id, p5.id, UNKNOWN_ASSET, v1.id]);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({});
      const got = brief(await events(cursor));
      expect(got.slice(0, 2).sort()).toEqual(
        [
          ['album_asset_removed', links.get(v1.id), { album_id: trip.id, asset_id: v1.id }],
          ['album_asset_removed', links.get(p3.id), { album_id: trip.id, asset_id: p3.id }],
        ].sort(),
      );
      expect(got.slice(2)).toEqual([['album_updated', trip.id, { album_cover_asset_id: p2.id }]]);
      expect((await linkRows(trip.id)).map((l) => l.asset_id).sort()).toEqual([p1.id, p2.id].sort());
      expect(await row(trip.id)).toMatchObject({ cover_asset_id: null, asset_count: 2 });
      expect(await album(trip.id)).toMatchObject({ asset_count: 2, album_cover_asset_id: p2.id, start_date: '2024-01-10T10:00:00', updated_at: iso() });
      // The assets stay in the library.
      expect((await t.api('GET', `/api/assets/${v1.id}`)).statusCode).toBe(200);
      const again = await cursorNow();
      expect((await remove(trip.id, [v1.id, p3.id])).json()).toEqual({});
      expect(await events(again)).toEqual([]);
    });

    it('removing a trashed member keeps asset_count (it was not counted) and still records the removal', async () => {
      expect((await trash([p1.id])).statusCode).toBe(200);
      expect((await album(trip.id)).asset_count).toBe(1);
      const link = await linkId(trip.id, p1.id);
      const cursor = await cursorNow();
      expect((await remove(trip.id, [p1.id])).statusCode).toBe(200);
      expect(brief(await events(cursor))).toEqual([
        ['album_asset_removed', link, { album_id: trip.id, asset_id: p1.id }],
        ['album_updated', trip.id, { album_cover_asset_id: p2.id }],
      ]);
      expect(await album(trip.id)).toMatchObject({ asset_count: 1, album_cover_asset_id: p2.id });
      expect((await restore([p1.id])).statusCode).toBe(200);
      expect((await album(trip.id)).asset_count).toBe(1);
    });

    it('DELETE /api/albums/{id} removes the album and its links (one album_deleted), never the assets', async () => {
      const doomed = await newAlbum('Doomed');
      expect((await add(doomed.id, [p1.id, p2.id])).json().added_assets).toHaveLength(2);
      const cursor = await cursorNow();
      const res = await t.api('DELETE', `/api/albums/${doomed.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({});
      expect(brief(await events(cursor))).toEqual([['album_deleted', doomed.id]]);
      expect(await row(doomed.id)).toBeUndefined();
      expect(await linkRows(doomed.id)).toEqual([]);
      for (const id of [p1.id, p2.id]) expect((await t.api('GET', `/api/assets/${id}`)).json().trashed_at).toBeNull();
      expect((await album(trip.id)).asset_count).toBe(1);
      expect((await get(doomed.id)).statusCode).toBe(404);
      expect((await t.api('DELETE', `/api/albums/${doomed.id}`)).statusCode).toBe(404);
      expect((await add(doomed.id, [p1.id])).statusCode).toBe(404);
      expect((await patch(doomed.id, { name: 'x' })).statusCode).toBe(404);
    });

    it('a permanent delete removes the asset from every album: album_asset_removed, album_updated per album, then asset_deleted', async () => {
      const a = await newAlbum('A');
      const b = await newAlbum('B');
      const [x, y] = await seed([{ original_datetime: '2024-06-01T00:00:00' }, { original_datetime: '2024-06-02T00:00:00' }]);
      await add(a.id, [x.id, y.id]);
      await add(b.id, [x.id]);
      await patch(b.id, { album_cover_asset_id: x.id });
      const la = await linkId(a.id, x.id);
      const lb = await linkId(b.id, x.id);
      const cursor = await cursorNow();
      expect((await t.api('DELETE', `/api/assets/${x.id}`)).statusCode).toBe(200);
      const got = await events(cursor);
      expect(got.map((e) => e.event_type)).toEqual(['album_asset_removed', 'album_asset_removed', 'album_updated', 'album_updated', 'asset_deleted']);
      expect(brief(got.slice(0, 2)).sort()).toEqual(
        [
          ['album_asset_removed', la, { album_id: a.id, asset_id: x.id }],
          ['album_asset_removed', lb, { album_id: b.id, asset_id: x.id }],
        ].sort(),
      );
      expect(brief(got.slice(2, 4)).sort()).toEqual(
        [
          ['album_updated', a.id, { album_cover_asset_id: y.id }],
          ['album_updated', b.id, { album_cover_asset_id: null }],
        ].sort(),
      );
      expect(brief(got.slice(4))).toEqual([['asset_deleted', x.id]]);
      expect(await album(a.id)).toMatchObject({ asset_count: 1, album_cover_asset_id: y.id });
      expect(await album(b.id)).toMatchObject({ asset_count: 0, album_cover_asset_id: null, asset_urls: null, start_date: null, end_date: null });
      expect((await row(b.id))?.cover_asset_id).toBeNull();

      // A trashed member purged by empty-trash: it was not counted, its link still goes.
      await trash([y.id]);
      expect((await album(a.id)).asset_count).toBe(0);
      const ly = await linkId(a.id, y.id);
      const before = await cursorNow();
      expect((await t.api('POST', '/api/assets/empty-trash', { query: { library_id: libraryId } })).statusCode).toBe(200);
      const emptied = (await events(before)).filter((e) => e.entity_id === y.id || e.entity_id === ly || e.entity_id === a.id);
      expect(brief(emptied)).toEqual([
        ['album_asset_removed', ly, { album_id: a.id, asset_id: y.id }],
        ['album_updated', a.id, { album_cover_asset_id: null }],
        ['asset_deleted', y.id],
      ]);
      expect(await album(a.id)).toMatchObject({ asset_count: 0 });
      expect(await linkRows(a.id)).toEqual([]);
    });

    it('parallel adds of overlapping assets: every asset is added exactly once and asset_count stays exact', async () => {
      const crowd = await newAlbum('Crowd');
      const assets = await seed(Array.from({ length: 30 }, (_, i) => ({ original_datetime: `2024-07-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00` })));
      const ids = assets.map((a) => a.id);
      const slices = Array.from({ length: 6 }, (_, k) => ids.slice(k * 4, k * 4 + 10));
      const answers = await Promise.all(slices.map((slice) => add(crowd.id, slice)));
      for (const res of answers) expect(res.statusCode, res.body).toBe(200);
      const added = answers.flatMap((r) => r.json().added_assets as string[]);
      expect(added.sort()).toEqual([...ids].sort());
      expect(answers.flatMap((r) => r.json().not_found_assets)).toEqual([]);
      expect(await linkRows(crowd.id)).toHaveLength(30);
      expect((await album(crowd.id)).asset_count).toBe(30);
      const addedEvents = (await events(undefined)).filter((e) => e.event_type === 'album_asset_added' && e.payload?.album_id === crowd.id);
      expect(addedEvents).toHaveLength(30);
      // And parallel removes of overlapping slices.
      await Promise.all(slices.map((slice) => remove(crowd.id, slice)));
      expect(await linkRows(crowd.id)).toEqual([]);
      expect((await album(crowd.id)).asset_count).toBe(0);
    });
  });

  it('concurrent adds, removes, trash, restore and permanent deletes of shared assets never fail and leave every asset_count equal to its live links', async () => {
    const albums = [await newAlbum('Busy 1'), await newAlbum('Busy 2'), await newAlbum('Busy 3')].map((a) => a.id);
    const pool = (await seed(Array.from({ length: 40 }, (_, i) => ({ original_datetime: `2024-08-${String(1 + (i % 28)).padStart(2, '0')}T09:00:00` })))).map((a) => a.id);
    const slice = (k: number, n: number) => pool.slice(k % 30, (k % 30) + n);
    for (let round = 0; round < 4; round++) {
      const requests = [
        add(albums[0], slice(round * 7, 12)),
        add(albums[1], [...slice(round * 5 + 3, 12)].reverse()),
        add(albums[2], slice(round * 3, 15)),
        remove(albums[0], slice(round * 7 + 2, 5)),
        trash(slice(round * 11, 6)),
        restore(slice(round * 11 + 20, 6)),
        t.api('DELETE', '/api/assets', { body: { ids: [pool[39 - round]] }, query: { library_id: libraryId } }),
        add(albums[1], [pool[39 - round], pool[38 - round]]),
        t.api('DELETE', `/api/albums/${albums[2]}/assets`, { body: { asset_ids: slice(round, 4) } }),
      ];
      for (const res of await Promise.all(requests)) expect(res.statusCode, res.body).toBe(200);
    }
    for (const id of albums) {
      const live = await db()
        .selectFrom('album_assets')
        .innerJoin('assets', 'assets.id', 'album_assets.asset_id')
        .select('album_assets.id')
        .where('album_assets.album_id', '=', id)
        .where('assets.trashed_at', 'is', null)
        .execute();
      expect((await album(id)).asset_count, id).toBe(live.length);
      expect((await row(id))?.asset_count, id).toBe(live.length);
    }
  });

  describe('GET /api/albums', () => {
    let key: string;
    let ids: string[] = [];

    beforeAll(async () => {
      const lister = await createOtherUser(t, 'lister');
      key = lister.key;
      // 25 albums; every third one shares its creation instant with the previous one (ties break by id).
      for (let i = 0; i < 25; i++) {
        if (i % 3 !== 0) tick();
        const res = await create({ name: `L${i}` }, key);
        expect(res.statusCode).toBe(200);
        ids.push(res.json().id);
      }
    });

    const list = async (query: Record<string, unknown>) => {
      const res = await t.api('GET', '/api/albums', { query, key });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { data: Album[]; has_more: boolean };
    };

    it('orders by creation time, newest first (id breaks ties), and a limit=7 cursor walk returns each album once', async () => {
      const rows = await db().selectFrom('albums').select(['id', 'created_at']).where('id', 'in', ids).execute();
      const expected = rows.sort((a, b) => (a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1)).map((r) => r.id);
      expect((await list({ limit: 200 })).data.map((a) => a.id)).toEqual(expected);
      const walked: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; ; pages++) {
        const page = await list({ limit: 7, starting_after_id: cursor });
        walked.push(...page.data.map((a) => a.id));
        expect(page.has_more).toBe(walked.length < 25);
        if (!page.has_more) break;
        cursor = page.data.at(-1)!.id;
        expect(pages).toBeLessThan(10);
      }
      expect(walked).toEqual(expected);
      const first = await list({});
      expect(first.data).toHaveLength(20);
      expect(first.has_more).toBe(true);
    });

    it('ids restricts (unknown and foreign ids are silently absent); at most 200', async () => {
      const mine = await newAlbum('Not the lister');
      const wanted = [ids[3], ids[20], 'album_2222222222222222222222', mine.id];
      expect((await list({ ids: wanted })).data.map((a) => a.id).sort()).toEqual([ids[3], ids[20]].sort());
      expect((await list({ ids: `${ids[3]},${ids[4]}` })).data).toHaveLength(2);
      const res = await t.api('GET', '/api/albums', { query: { ids: Array.from({ length: 201 }, () => ids[0]) }, key });
      await expect422(res, ['query', 'ids']);
    });

    it('asset_id lists the albums holding that asset while it is live', async () => {
      const lister = (await t.api('GET', '/api/libraries', { key })).json()[0].id;
      const [x] = await seedAssets(db(), lister, [{}]);
      await add(ids[2], [x.id], key);
      await add(ids[9], [x.id], key);
      expect((await list({ asset_id: x.id })).data.map((a) => a.id).sort()).toEqual([ids[2], ids[9]].sort());
      expect((await list({ asset_id: UNKNOWN_ASSET })).data).toEqual([]);
      expect((await t.api('POST', '/api/assets/trash', { body: { ids: [x.id] }, key })).statusCode).toBe(200);
      expect((await list({ asset_id: x.id })).data).toEqual([]);
      expect((await t.api('POST', '/api/assets/restore', { body: { ids: [x.id] }, key })).statusCode).toBe(200);
      expect((await list({ asset_id: x.id })).data).toHaveLength(2);
    });

    it('422 for a limit out of 1..200 and for a starting_after_id that is not an album of this listing', async () => {
      for (const limit of [0, 201, 'x']) await expect422(await t.api('GET', '/api/albums', { query: { limit }, key }), ['query', 'limit']);
      const foreign = await newAlbum('Foreign cursor');
      for (const id of ['album_2222222222222222222222', foreign.id]) {
        await expect422(await t.api('GET', '/api/albums', { query: { starting_after_id: id }, key }), ['query', 'starting_after_id']);
      }
    });

    it("library_id scopes the list; another user's or an unknown library is a 404", async () => {
      const inSecond = (await create({ name: 'Only in the second library', library_id: secondLibrary })).json().id;
      const res = await t.api('GET', '/api/albums', { query: { library_id: secondLibrary, limit: 200 } });
      expect(res.statusCode).toBe(200);
      const listed = res.json().data.map((a: Album) => a.id);
      expect(listed).toContain(inSecond);
      const rows = await db().selectFrom('albums').select('library_id').where('id', 'in', listed).execute();
      expect(new Set(rows.map((r) => r.library_id))).toEqual(new Set([secondLibrary]));
      const inDefault = (await t.api('GET', '/api/albums', { query: { library_id: libraryId, limit: 200 } })).json().data.map((a: Album) => a.id);
      expect(inDefault).not.toContain(inSecond);
      expect((await t.api('GET', '/api/albums', { query: { library_id: secondLibrary }, key })).statusCode).toBe(404);
      expect((await t.api('GET', '/api/albums', { query: { library_id: 'lib_2222222222222222222222' } })).statusCode).toBe(404);
      expect((await t.api('GET', '/api/albums')).statusCode).toBe(400);
    });
  });
});
