import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetRow } from '../../src/store/assets.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { feed } from '../support/events.js';
import { seedAssets } from '../support/seed.js';
import { createOtherUser } from '../support/users.js';

interface Link {
  id: string;
  album_id: string;
  asset_id: string;
  created_at: string;
  updated_at: string;
}

describe.each(DIALECTS)('album-asset links and album filters on %s', (dialect) => {
  let t: TestApp;
  let libraryId: string;
  let assets: AssetRow[];
  let albumA: string;
  let albumB: string;
  let foreignAlbum: string;
  let now = Date.parse('2025-07-01T00:00:00.000Z');
  const tick = () => {
    now += 1000;
  };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    t.runtime.deps.clock = () => new Date(now);
    libraryId = (await t.api('GET', '/api/libraries')).json()[0].id;
    // 12 assets, one a month through 2023; the even ones geotagged around Madrid, the odd ones near Oslo.
    assets = await seedAssets(
      t.runtime.deps.db,
      libraryId,
      Array.from({ length: 12 }, (_, i) => ({
        original_datetime: `2023-${String(i + 1).padStart(2, '0')}-15T12:00:00`,
        ...(i % 2 === 0 ? { latitude: 40.4 + i / 100, longitude: -3.7 } : { latitude: 59.9, longitude: 10.7 + i / 100 }),
      })),
      new Date(now).toISOString(),
    );
    albumA = (await t.api('POST', '/api/albums', { body: { name: 'A' } })).json().id;
    albumB = (await t.api('POST', '/api/albums', { body: { name: 'B' } })).json().id;
    // A gets 0..4, one request per asset so the links' creation times differ; B gets 4..6 at once.
    for (const a of assets.slice(0, 5)) {
      tick();
      expect((await t.api('POST', `/api/albums/${albumA}/assets`, { body: { asset_ids: [a.id] } })).json().added_assets).toEqual([a.id]);
    }
    tick();
    expect((await t.api('POST', `/api/albums/${albumB}/assets`, { body: { asset_ids: assets.slice(4, 7).map((a) => a.id) } })).json().added_assets).toHaveLength(3);
    const other = await createOtherUser(t, 'neighbour');
    foreignAlbum = (await t.api('POST', '/api/albums', { body: { name: 'Theirs' }, key: other.key })).json().id;
    const [theirAsset] = await seedAssets(t.runtime.deps.db, other.libraryId, [{}]);
    await t.api('POST', `/api/albums/${foreignAlbum}/assets`, { body: { asset_ids: [theirAsset.id] }, key: other.key });
  });
  afterAll(async () => {
    await t.close();
  });

  const ids = (n: number[]) => n.map((i) => assets[i].id);
  const links = async (query: Record<string, unknown> = {}) => {
    const res = await t.api('GET', '/api/album-assets', { query: { limit: 200, ...query } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { data: Link[]; has_more: boolean };
  };
  const allRows = () => t.runtime.deps.db.selectFrom('album_assets').selectAll().execute();
  const assetIds = async (query: Record<string, unknown>) => {
    const res = await t.api('GET', '/api/assets', { query: { limit: 200, ...query } });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().data as { id: string }[]).map((a) => a.id);
  };

  describe('GET /api/album-assets', () => {
    it('lists link records newest first (created_at, then id, descending) with exactly the AlbumAssetResponse fields', async () => {
      const rows = (await allRows()).filter((r) => r.library_id === libraryId);
      expect(rows).toHaveLength(8);
      const expected = rows
        .sort((a, b) => (a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1))
        .map((r) => ({ id: r.id, album_id: r.album_id, asset_id: r.asset_id, created_at: r.created_at, updated_at: r.updated_at }));
      const page = await links();
      expect(page).toEqual({ data: expected, has_more: false });
      // B's three links share one instant: the id breaks the tie.
      expect(page.data.slice(0, 3).every((l) => l.album_id === albumB)).toBe(true);
    });

    it('a limit=3 cursor walk returns every link once, in the same order', async () => {
      const all = (await links()).data.map((l) => l.id);
      const walked: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await links({ limit: 3, starting_after_id: cursor });
        walked.push(...page.data.map((l) => l.id));
        if (!page.has_more) break;
        cursor = page.data.at(-1)!.id;
      }
      expect(walked).toEqual(all);
      const bad = await t.api('GET', '/api/album-assets', { query: { starting_after_id: 'album_asset_2222222222222222222222' } });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().detail[0].loc).toEqual(['query', 'starting_after_id']);
    });

    it('album_id, asset_id and ids filter and AND together; foreign and unknown ids match nothing', async () => {
      expect((await links({ album_id: albumA })).data.map((l) => l.asset_id).sort()).toEqual(ids([0, 1, 2, 3, 4]).sort());
      expect((await links({ asset_id: assets[4].id })).data.map((l) => l.album_id).sort()).toEqual([albumA, albumB].sort());
      expect((await links({ album_id: albumB, asset_id: assets[4].id })).data).toHaveLength(1);
      expect((await links({ album_id: albumB, asset_id: assets[0].id })).data).toEqual([]);
      const some = (await links({ album_id: albumA })).data.slice(0, 2).map((l) => l.id);
      expect((await links({ ids: some.join(',') })).data.map((l) => l.id).sort()).toEqual([...some].sort());
      expect((await links({ ids: some, album_id: albumB })).data).toEqual([]);
      expect((await links({ album_id: foreignAlbum })).data).toEqual([]);
      expect((await links({ album_id: 'album_2222222222222222222222' })).data).toEqual([]);
      const tooMany = await t.api('GET', '/api/album-assets', { query: { ids: Array.from({ length: 201 }, () => some[0]) } });
      expect(tooMany.statusCode).toBe(422);
      expect(tooMany.json().detail[0]).toMatchObject({ loc: ['query', 'ids'], type: 'too_long' });
    });

    it('GET /api/album-assets/{id} returns one link; 404 for unknown, foreign and removed links', async () => {
      const [first] = (await links({ album_id: albumA, asset_id: assets[0].id })).data;
      const one = await t.api('GET', `/api/album-assets/${first.id}`);
      expect(one.statusCode).toBe(200);
      expect(one.json()).toEqual(first);
      const foreign = (await allRows()).find((r) => r.album_id === foreignAlbum)!;
      for (const id of ['album_asset_2222222222222222222222', foreign.id, 'x']) {
        const res = await t.api('GET', `/api/album-assets/${id}`);
        expect(res.statusCode, id).toBe(404);
        expect(Object.keys(res.json())).toEqual(['detail']);
      }
    });

    it("every album_asset event of the feed names a link GET can read (added) or can't (removed)", async () => {
      const extra = assets[11].id;
      await t.api('POST', `/api/albums/${albumB}/assets`, { body: { asset_ids: [extra] } });
      await t.api('DELETE', `/api/albums/${albumB}/assets`, { body: { asset_ids: [extra] } });
      const events = (await feed(t)).filter((e) => e.entity_type === 'album_asset');
      const removed = events.filter((e) => e.event_type === 'album_asset_removed');
      expect(removed).toHaveLength(1);
      expect(removed[0].payload).toEqual({ album_id: albumB, asset_id: extra });
      for (const e of events) {
        const res = await t.api('GET', `/api/album-assets/${e.entity_id}`);
        const gone = removed.some((r) => r.entity_id === e.entity_id);
        expect(res.statusCode, `${e.event_type} ${e.entity_id}`).toBe(gone ? 404 : 200);
        if (!gone) expect(res.json()).toMatchObject({ album_id: e.payload!.album_id, asset_id: e.payload!.asset_id });
      }
    });

    it("a trashed asset's links are hidden (list, get, albums?asset_id) and come back with it", async () => {
      const [link] = (await links({ album_id: albumA, asset_id: assets[3].id })).data;
      expect((await t.api('POST', '/api/assets/trash', { body: { ids: [assets[3].id] } })).statusCode).toBe(200);
      expect((await links({ album_id: albumA })).data.map((l) => l.asset_id)).not.toContain(assets[3].id);
      expect((await t.api('GET', `/api/album-assets/${link.id}`)).statusCode).toBe(404);
      expect((await t.api('GET', '/api/albums', { query: { asset_id: assets[3].id } })).json().data).toEqual([]);
      expect((await t.api('POST', '/api/assets/restore', { body: { ids: [assets[3].id] } })).statusCode).toBe(200);
      expect((await t.api('GET', `/api/album-assets/${link.id}`)).json()).toEqual(link);
    });
  });

  describe('album_id and album_filter on GET /api/assets, /counts and /geo-clusters', () => {
    it('album_id lists the members, newest capture first, honouring state', async () => {
      expect(await assetIds({ album_id: albumA })).toEqual(ids([4, 3, 2, 1, 0]));
      expect(await assetIds({ album_id: albumA, order: 'asc', limit: 2 })).toEqual(ids([0, 1]));
      expect(await assetIds({ album_id: albumB })).toEqual(ids([6, 5, 4]));
      await t.api('POST', '/api/assets/trash', { body: { ids: [assets[2].id] } });
      expect(await assetIds({ album_id: albumA })).toEqual(ids([4, 3, 1, 0]));
      expect(await assetIds({ album_id: albumA, state: 'trashed' })).toEqual(ids([2]));
      expect(await assetIds({ album_id: albumA, state: 'all' })).toEqual(ids([4, 3, 2, 1, 0]));
      await t.api('POST', '/api/assets/restore', { body: { ids: [assets[2].id] } });
      // ANDs with the other filters.
      expect(await assetIds({ album_id: albumA, ids: ids([0, 5, 4]) })).toEqual(ids([4, 0]));
      expect(await assetIds({ album_id: albumA, local_datetime_after: '2023-02-15T12:00:00', local_datetime_before: '2023-05-15T12:00:00' })).toEqual(ids([3, 2]));
      // Another user's album or an unknown one matches nothing rather than failing.
      expect(await assetIds({ album_id: foreignAlbum })).toEqual([]);
      expect(await assetIds({ album_id: 'album_2222222222222222222222' })).toEqual([]);
    });

    it('album_filter in_album and not_in_album split the library; all (the default) does not filter', async () => {
      const everyone = await assetIds({});
      expect(everyone).toHaveLength(12);
      const inAlbum = await assetIds({ album_filter: 'in_album' });
      const notInAlbum = await assetIds({ album_filter: 'not_in_album' });
      expect(inAlbum.sort()).toEqual(ids([0, 1, 2, 3, 4, 5, 6]).sort());
      expect(notInAlbum.sort()).toEqual(ids([7, 8, 9, 10, 11]).sort());
      expect(await assetIds({ album_filter: 'all' })).toEqual(everyone);
      expect(await assetIds({ album_filter: 'in_album', album_id: albumB })).toEqual(ids([6, 5, 4]));
    });

    it('album_filter=not_in_album with album_id is a 422 on all three endpoints; an unknown album_filter too', async () => {
      const bbox = '-180,-90,180,90';
      for (const [url, extra] of [
        ['/api/assets', {}],
        ['/api/assets/counts', { group_by: 'month' }],
        ['/api/assets/geo-clusters', { bbox, cell_size: 1 }],
      ] as const) {
        const both = await t.api('GET', url, { query: { ...extra, album_filter: 'not_in_album', album_id: albumA } });
        expect(both.statusCode, url).toBe(422);
        expect(both.json().detail[0].loc).toEqual(['query', 'album_filter']);
        const bogus = await t.api('GET', url, { query: { ...extra, album_filter: 'sometimes' } });
        expect(bogus.statusCode, url).toBe(422);
        expect(bogus.json().detail[0]).toMatchObject({ loc: ['query', 'album_filter'], type: 'enum' });
      }
    });

    it('counts count only the album members, per month', async () => {
      const res = await t.api('GET', '/api/assets/counts', { query: { group_by: 'month', album_id: albumB } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({
        data: [
          { time_bucket: '2023-07-01T00:00:00', count: 1 },
          { time_bucket: '2023-06-01T00:00:00', count: 1 },
          { time_bucket: '2023-05-01T00:00:00', count: 1 },
        ],
        has_more: false,
      });
      const outside = await t.api('GET', '/api/assets/counts', { query: { group_by: 'year', album_filter: 'not_in_album' } });
      expect(outside.json().data).toEqual([{ time_bucket: '2023-01-01T00:00:00', count: 5 }]);
    });

    it('geo-clusters cluster only the album members', async () => {
      const res = await t.api('GET', '/api/assets/geo-clusters', { query: { bbox: '-180,-90,180,90', cell_size: 10, album_id: albumA } });
      expect(res.statusCode, res.body).toBe(200);
      const cells = (res.json().data as { count: number; representative_asset_id: string; latitude: number }[]).sort((a, b) => a.latitude - b.latitude);
      // Madrid: assets 0, 2, 4 (newest 4); Oslo: 1, 3 (newest 3).
      expect(cells.map((c) => [c.count, c.representative_asset_id])).toEqual([
        [3, assets[4].id],
        [2, assets[3].id],
      ]);
      const none = await t.api('GET', '/api/assets/geo-clusters', { query: { bbox: '-180,-90,180,90', cell_size: 10, album_id: foreignAlbum } });
      expect(none.json()).toEqual({ data: [] });
    });
  });
});
