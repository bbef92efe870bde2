import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { mediaEntry, mediaFile } from '../support/media.js';
import { seedAssets } from '../support/seed.js';
import { uploadFile } from '../support/upload.js';
import { createOtherUser } from '../support/users.js';

const FILES = ['gps/italy_tuscany_DSCN0010.jpg', 'gps/finland_oulu_bird.jpg', 'gps/kenya_nakuru_kodak.jpg'];
const DEVICE = 'bulk-device';

describe.each(DIALECTS)('bulk-update and exist on %s', (dialect) => {
  let t: TestApp;
  let libraryId: string;
  const ids: string[] = [];
  let other: Awaited<ReturnType<typeof createOtherUser>>;
  let foreignId: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    for (const [i, file] of FILES.entries()) {
      const res = await uploadFile(t, mediaFile(file), { device_id: DEVICE, device_asset_id: `dev-${i}` });
      expect(res.statusCode, file).toBe(201);
      ids.push(res.json().id);
    }
    libraryId = (await t.api('GET', '/api/libraries')).json()[0].id;
    other = await createOtherUser(t);
    [{ id: foreignId }] = await seedAssets(t.runtime.deps.db, other.libraryId, [{ checksum: mediaEntry(FILES[0]).sha256_base64 }]);
  });
  afterAll(async () => {
    await t.close();
  });

  const bulk = (updates: unknown, key?: string) => t.api('POST', '/api/assets/bulk-update', { body: { updates }, key });
  const full = async (id: string) => (await t.api('GET', `/api/assets/${id}`, { query: { include: 'metadata' } })).json();
  const snapshot = () => Promise.all(ids.map(full));
  const eventCount = async () => {
    const row = await t.runtime.deps.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const metadataRows = (assetIds: string[]) =>
    t.runtime.deps.db.selectFrom('asset_metadata').selectAll().where('asset_id', 'in', assetIds).execute();

  describe('POST /api/assets/bulk-update', () => {
    it('applies each change with PATCH semantics and answers {}', async () => {
      const beforeEvents = await eventCount();
      const res = await bulk([
        { id: ids[0], change: { description: 'first', rating: 2 } },
        { id: ids[1], change: { latitude: 1.5, longitude: -2.5 } },
        { id: ids[2], change: { original_datetime: '2020-02-02T02:02:02-05:00' } },
      ]);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({});
      const [a, b, c] = await snapshot();
      expect(a.metadata.description).toBe('first');
      expect(a.metadata.rating).toBe(2);
      expect(b.metadata.latitude).toBe(1.5);
      expect(b.metadata.longitude).toBe(-2.5);
      expect(c.local_datetime).toBe('2020-02-02T02:02:02-05:00');
      // Omitted fields kept: the first asset still has its file GPS and capture time.
      const italy = mediaEntry(FILES[0]);
      expect(Math.abs(a.metadata.latitude - italy.gps!.lat)).toBeLessThan(1e-5);
      expect(a.local_datetime).toBe(italy.datetime_original!.iso);
      const rows = new Map((await metadataRows(ids)).map((r) => [r.asset_id, r]));
      expect(rows.get(ids[0])!.user_description).toBe('first');
      expect(rows.get(ids[1])!.user_latitude).toBe(1.5);
      expect(rows.get(ids[2])!.user_original_datetime).toBe('2020-02-02T02:02:02-05:00');
      // Two events per asset: asset_updated and metadata_updated.
      expect(await eventCount()).toBe(beforeEvents + 6);
      const events = (await t.api('GET', '/api/events', { query: { limit: 200 } })).json().data.slice(-6);
      expect(events.map((e: { event_type: string; entity_id: string }) => [e.event_type, e.entity_id])).toEqual(
        ids.flatMap((id) => [['asset_updated', id], ['metadata_updated', id]]),
      );

      // null drops the overrides again.
      const reset = await bulk(ids.map((id) => ({ id, change: { description: null, rating: null, latitude: null, longitude: null, original_datetime: null } })));
      expect(reset.statusCode).toBe(200);
      const [a2, b2, c2] = await snapshot();
      expect(a2.metadata.rating).toBeNull();
      expect(Math.abs(b2.metadata.latitude - mediaEntry(FILES[1]).gps!.lat)).toBeLessThan(1e-5);
      expect(c2.local_datetime.slice(0, 19)).toBe(mediaEntry(FILES[2]).datetime_original!.iso.slice(0, 19));
    });

    it('accepts 200 items and rejects 0 and 201 with 422', async () => {
      const seeded = await seedAssets(t.runtime.deps.db, libraryId, Array.from({ length: 200 }, () => ({})));
      const seededIds = seeded.map((r) => r.id);

      const empty = await bulk([]);
      expect(empty.statusCode).toBe(422);
      expect(empty.json().detail[0].loc).toEqual(['body', 'updates']);
      expect(empty.json().detail[0].type).toBe('too_short');

      const tooMany = await bulk([...seededIds, ids[0]].map((id) => ({ id, change: { rating: 1 } })));
      expect(tooMany.statusCode).toBe(422);
      expect(tooMany.json().detail[0].loc).toEqual(['body', 'updates']);
      expect(tooMany.json().detail[0].type).toBe('too_long');
      expect((await metadataRows(seededIds)).every((r) => r.user_rating === null)).toBe(true);

      const ok = await bulk(seededIds.map((id) => ({ id, change: { rating: 3 } })));
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({});
      const rows = await metadataRows(seededIds);
      expect(rows).toHaveLength(200);
      expect(rows.every((r) => r.user_rating === 3)).toBe(true);
      const listed = await t.api('GET', '/api/assets', { query: { ratings: 3, limit: 200 } });
      expect(listed.json().data).toHaveLength(200);

      expect((await t.api('DELETE', '/api/assets', { body: { ids: seededIds } })).statusCode).toBe(200);
    });

    const invalid: [string, unknown, (string | number)[]][] = [
      ['latitude 91 in the second item', { latitude: 91, longitude: 0 }, ['body', 'updates', 1, 'change', 'latitude']],
      ['rating 6 in the second item', { rating: 6 }, ['body', 'updates', 1, 'change', 'rating']],
      ['latitude without longitude in the second item', { latitude: 10 }, ['body', 'updates', 1, 'change', 'longitude']],
      ['a bad original_datetime in the second item', { original_datetime: 'soon' }, ['body', 'updates', 1, 'change', 'original_datetime']],
    ];
    it.each(invalid)('one invalid item (%s) → 422 at its location and nothing written', async (_name, change, loc) => {
      const before = await snapshot();
      const events = await eventCount();
      const res = await bulk([
        { id: ids[0], change: { description: 'must not stick' } },
        { id: ids[1], change },
        { id: ids[2], change: { rating: 5 } },
      ]);
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0].loc).toEqual(loc);
      expect(await snapshot()).toEqual(before);
      expect(await eventCount()).toBe(events);
    });

    it('an item without id or change → 422 missing', async () => {
      const noId = await bulk([{ change: {} }]);
      expect(noId.statusCode).toBe(422);
      expect(noId.json().detail[0]).toMatchObject({ loc: ['body', 'updates', 0, 'id'], type: 'missing' });
      const noChange = await bulk([{ id: ids[0] }]);
      expect(noChange.statusCode).toBe(422);
      expect(noChange.json().detail[0]).toMatchObject({ loc: ['body', 'updates', 0, 'change'], type: 'missing' });
    });

    it.each([
      ['an unknown id', () => 'asset_2222222222222222222222'],
      ["another user's asset", () => foreignId],
    ])('%s anywhere in the batch rejects the whole batch: nothing written', async (_name, badId) => {
      const before = await snapshot();
      const events = await eventCount();
      const res = await bulk([
        { id: ids[0], change: { description: 'must not stick' } },
        { id: ids[1], change: { rating: 4 } },
        { id: badId(), change: { rating: 1 } },
      ]);
      expect(res.statusCode).toBe(404);
      expect(typeof res.json().detail).toBe('string');
      expect(await snapshot()).toEqual(before);
      expect(await eventCount()).toBe(events);
      const foreign = await t.runtime.deps.db.selectFrom('asset_metadata').selectAll().where('asset_id', '=', foreignId).executeTakeFirstOrThrow();
      expect(foreign.user_rating).toBeNull();
    });
  });

  describe('POST /api/assets/exist', () => {
    const exist = (body: unknown, query?: Record<string, unknown>, key?: string) => t.api('POST', '/api/assets/exist', { body, query, key });
    const lite = (i: number) => ({
      id: ids[i],
      checksum: mediaEntry(FILES[i]).sha256_base64,
      checksum_sha1: mediaEntry(FILES[i]).sha1_base64,
      device_asset_id: `dev-${i}`,
      device_id: DEVICE,
    });
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);

    it('by checksums (base64 SHA-256): only matches, as AssetLiteResponse', async () => {
      const res = await exist({ checksums: [mediaEntry(FILES[0]).sha256_base64, mediaEntry(FILES[2]).sha256_base64, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='] });
      expect(res.statusCode).toBe(200);
      expect([...res.json().assets].sort(byId)).toEqual([lite(0), lite(2)].sort(byId));
    });

    it('by checksum_sha1s (base64 SHA-1, as the Immich adapter sends)', async () => {
      const res = await exist({ checksum_sha1s: [mediaEntry(FILES[1]).sha1_base64, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='] });
      expect(res.statusCode).toBe(200);
      expect(res.json().assets).toEqual([lite(1)]);
      // A hex SHA-1 is not the wire form: no match.
      const hex = await exist({ checksum_sha1s: [Buffer.from(mediaEntry(FILES[1]).sha1_base64, 'base64').toString('hex')] });
      expect(hex.json().assets).toEqual([]);
    });

    it('by deviceId + deviceAssetIds', async () => {
      const res = await exist({ deviceId: DEVICE, deviceAssetIds: ['dev-1', 'dev-2', 'dev-99'] });
      expect(res.statusCode).toBe(200);
      expect([...res.json().assets].sort(byId)).toEqual([lite(1), lite(2)].sort(byId));
      const otherDevice = await exist({ deviceId: 'someone-else', deviceAssetIds: ['dev-1'] });
      expect(otherDevice.json().assets).toEqual([]);
    });

    it('empty lists and no matches give an empty list', async () => {
      expect((await exist({ checksums: [] })).json()).toEqual({ assets: [] });
      expect((await exist({ checksums: ['nope'] })).json()).toEqual({ assets: [] });
    });

    it("never returns another user's assets, even with the same checksum", async () => {
      const mine = await exist({ checksums: [mediaEntry(FILES[0]).sha256_base64] });
      expect(mine.json().assets.map((a: { id: string }) => a.id)).toEqual([ids[0]]);
      const theirs = await exist({ checksums: [mediaEntry(FILES[0]).sha256_base64] }, undefined, other.key);
      expect(theirs.statusCode).toBe(200);
      expect(theirs.json().assets.map((a: { id: string }) => a.id)).toEqual([foreignId]);
      const crossLibrary = await exist({ checksums: [mediaEntry(FILES[0]).sha256_base64] }, { library_id: libraryId }, other.key);
      expect(crossLibrary.statusCode).toBe(404);
    });

    it.each([
      ['no criterion', {}],
      ['checksums and checksum_sha1s', { checksums: ['a'], checksum_sha1s: ['b'] }],
      ['checksums and the device pair', { checksums: ['a'], deviceId: DEVICE, deviceAssetIds: ['dev-1'] }],
      ['checksum_sha1s and the device pair', { checksum_sha1s: ['a'], deviceId: DEVICE, deviceAssetIds: ['dev-1'] }],
      ['deviceId alone', { deviceId: DEVICE }],
      ['deviceAssetIds alone', { deviceAssetIds: ['dev-1'] }],
    ])('422 for %s', async (_name, body) => {
      const res = await exist(body);
      expect(res.statusCode).toBe(422);
      const detail = res.json().detail;
      expect(Array.isArray(detail)).toBe(true);
      expect(detail[0].loc[0]).toBe('body');
      expect(typeof detail[0].msg).toBe('string');
      expect(typeof detail[0].type).toBe('string');
    });

    it('accepts 5000 items and rejects 5001 with 422 too_long', async () => {
      const list = (n: number) => [mediaEntry(FILES[0]).sha256_base64, ...Array.from({ length: n - 1 }, (_, i) => `missing-${i}`)];
      const ok = await exist({ checksums: list(5000) });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().assets.map((a: { id: string }) => a.id)).toEqual([ids[0]]);
      for (const field of ['checksums', 'checksum_sha1s', 'deviceAssetIds']) {
        const body: Record<string, unknown> = { [field]: list(5001) };
        if (field === 'deviceAssetIds') body.deviceId = DEVICE;
        const res = await exist(body);
        expect(res.statusCode, field).toBe(422);
        expect(res.json().detail[0].loc, field).toEqual(['body', field]);
        expect(res.json().detail[0].type, field).toBe('too_long');
      }
    });
  });
});
