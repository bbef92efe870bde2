import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetRow } from '../../src/store/assets.js';
import { createTestApp, type TestApp, TEST_API_KEY } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { idsOf, searchGet, seedSearchable } from '../support/search.js';
import { seedLibrary } from '../support/seed.js';
import { multipartBody } from '../support/upload.js';
import { createOtherUser } from '../support/users.js';

describe.each(DIALECTS)('GET/POST /api/search on %s', (dialect) => {
  let t: TestApp;
  let userId: string;
  let lib: string;
  let named: Record<string, AssetRow>;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const libraries = (await t.api('GET', '/api/libraries')).json();
    userId = libraries[0].user_id;
    lib = libraries[0].id;
    const seeds = {
      zurich: { file_name: 'IMG_0001.jpg', original_datetime: '2021-06-01T10:00:00', metadata: { city: 'Zürich', country: 'Switzerland', country_code: 'CH', make: 'FUJIFILM', model: 'X-T4' } },
      madrid: { file_name: 'IMG_0002.jpg', original_datetime: '2015-04-10T20:12:23', latitude: 40.4168, longitude: -3.7038, metadata: { city: 'Madrid', country: 'Spain', country_code: 'ES', make: 'Apple', model: 'iPhone 6' } },
      birds: { file_name: 'DSC_0003.jpg', original_datetime: '2019-12-24T08:00:00', metadata: { make: 'Canon', model: 'Canon EOS 600D', user_description: 'Two birds on a frozen lake' } },
      wavefn: { file_name: 'plot.png', original_datetime: '2010-01-01T00:00:00', ai_description: 'A chart of a quantum wavefunction in a square box' },
      canon2: { file_name: 'DSC_0004.jpg', original_datetime: '2020-03-03T03:03:03', metadata: { make: 'Canon', model: 'Canon EOS R5' } },
      trashed: { file_name: 'IMG_0005.jpg', original_datetime: '2018-01-01T00:00:00', trashed_at: '2024-01-01T00:00:00.000Z', metadata: { make: 'Canon', model: 'Canon EOS R5' } },
    } as const;
    const rows = await seedSearchable(t, lib, Object.values(seeds));
    named = Object.fromEntries(Object.keys(seeds).map((k, i) => [k, rows[i]]));
  });
  afterAll(async () => {
    await t.close();
  });

  const find = async (query: Record<string, unknown>) => {
    const res = await searchGet(t, { library_id: lib, ...query });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  it('422 without a criterion; a location alone is not one', async () => {
    for (const query of [{}, { bbox: '-180,-90,180,90' }, { center: '-3.7,40.4', radius: 1000 }, { query: '   ' }]) {
      const res = await searchGet(t, { library_id: lib, ...query });
      expect(res.status).toBe(422);
      expect(res.body.detail).toEqual([expect.objectContaining({ loc: ['query'], type: 'value_error' })]);
    }
  });

  it('finds a camera make, only that make, live assets only, with distance null (no dense stage)', async () => {
    const page = await find({ query: 'canon' });
    expect(new Set(idsOf(page))).toEqual(new Set([named.birds.id, named.canon2.id]));
    expect(page.data.every((d) => d.distance === null)).toBe(true);
  });

  it('stems, folds accents and tolerates typos and prefixes', async () => {
    expect(idsOf(await find({ query: 'bird' }))).toEqual([named.birds.id]);
    expect(idsOf(await find({ query: 'ZURICH' }))).toEqual([named.zurich.id]);
    expect(idsOf(await find({ query: 'Zürich' }))).toEqual([named.zurich.id]);
    expect(idsOf(await find({ query: 'Madird' }))).toEqual([named.madrid.id]);
    expect(idsOf(await find({ query: 'wavefuncton' }))).toEqual([named.wavefn.id]);
    expect(idsOf(await find({ query: 'switz' }))).toEqual([named.zurich.id]);
    expect(idsOf(await find({ query: 'frozen lakes' }))).toEqual([named.birds.id]);
  });

  it('needs every word first, and falls back to any word when none has them all', async () => {
    expect(idsOf(await find({ query: 'canon birds' }))).toEqual([named.birds.id]);
    expect(new Set(idsOf(await find({ query: 'madrid quantum' })))).toEqual(new Set([named.madrid.id, named.wavefn.id]));
    expect(idsOf(await find({ query: 'photos of the zebra' }))).toEqual([]);
  });

  it('finds date words: the year and the month name of the capture time', async () => {
    expect(idsOf(await find({ query: '2015' }))).toEqual([named.madrid.id]);
    expect(idsOf(await find({ query: 'December' }))).toEqual([named.birds.id]);
  });

  it('applies the filters to a content search', async () => {
    expect(idsOf(await find({ query: 'canon', local_datetime_after: '2020-01-01T00:00:00' }))).toEqual([named.canon2.id]);
    expect(idsOf(await find({ query: 'madrid OR canon', center: '-3.70,40.42', radius: 5000 }))).toEqual([named.madrid.id]);
    expect(idsOf(await find({ query: 'canon', bbox: '-10,35,5,45' }))).toEqual([]);
  });

  it('a PATCHed description is searchable at once, and the old words are gone', async () => {
    const id = named.canon2.id;
    expect((await t.api('PATCH', `/api/assets/${id}`, { body: { description: 'Kangaroo crossing the road' } })).statusCode).toBe(200);
    expect(idsOf(await find({ query: 'kangaroos' }))).toEqual([id]);
    await t.api('PATCH', `/api/assets/${id}`, { body: { description: 'A koala' } });
    expect(idsOf(await find({ query: 'kangaroo' }))).toEqual([]);
    expect(idsOf(await find({ query: 'koala' }))).toEqual([id]);
  });

  it('a permanently deleted asset leaves the index with its row', async () => {
    const [gone] = await seedSearchable(t, lib, [{ file_name: 'ephemeral_zeppelin.jpg' }]);
    expect(idsOf(await find({ query: 'zeppelin' }))).toEqual([gone.id]);
    expect((await t.api('DELETE', `/api/assets/${gone.id}`)).statusCode).toBe(200);
    expect(idsOf(await find({ query: 'zeppelin' }))).toEqual([]);
    const left = await t.runtime.deps.db.selectFrom('asset_search').select('asset_id').where('asset_id', '=', gone.id).execute();
    expect(left).toEqual([]);
  });

  it('filter-only searches list every match newest first, with include', async () => {
    const page = await find({ local_datetime_after: '2000-01-01T00:00:00', include: 'metadata' });
    const expected = [named.zurich, named.canon2, named.birds, named.madrid, named.wavefn].map((a) => a.id);
    expect(idsOf(page)).toEqual(expected);
    expect(page.data[0].asset.metadata).toMatchObject({ make: 'FUJIFILM', city: 'Zürich' });
    expect(page.data.every((d) => d.distance === null)).toBe(true);
    // The legacy alias captured_before works like local_datetime_before.
    expect(idsOf(await find({ captured_before: '2016-01-01T00:00:00' }))).toEqual([named.madrid.id, named.wavefn.id]);
  });

  it('filter-only searches page correctly beyond 200 (no cap), newest first like GET /api/assets', async () => {
    const own = await seedLibrary(t.runtime.deps.db, t.config, userId, 'many');
    const items = Array.from({ length: 230 }, (_, i) => ({ original_datetime: `2001-01-01T00:00:${String(i % 60).padStart(2, '0')}`, file_name: `f${i}.jpg` }));
    await seedSearchable(t, own, items);
    const listed = (await t.api('GET', '/api/assets', { query: { library_id: own, limit: 200 } })).json().data.map((a: { id: string }) => a.id);
    const listed2 = (await t.api('GET', '/api/assets', { query: { library_id: own, limit: 200, starting_after_id: listed[199] } })).json().data.map((a: { id: string }) => a.id);
    const all: string[] = [];
    for (let page = 1; ; page++) {
      const got = idsOf(await find({ library_id: own, local_datetime_before: '2002-01-01T00:00:00', limit: 70, page }));
      all.push(...got);
      if (got.length < 70) break;
    }
    expect(all).toEqual([...listed, ...listed2]);
    expect(all).toHaveLength(230);
  });

  it('caps a content search at 200 ranked assets: later pages are empty', async () => {
    const own = await seedLibrary(t.runtime.deps.db, t.config, userId, 'cap');
    await seedSearchable(t, own, Array.from({ length: 230 }, (_, i) => ({ original_datetime: '2003-03-03T00:00:00', file_name: `sunset_${i}.jpg` })));
    const pages = await Promise.all([1, 2, 3].map((page) => find({ library_id: own, query: 'sunset', limit: 90, page })));
    expect(pages.map((p) => p.data.length)).toEqual([90, 90, 20]);
    expect(new Set(pages.flatMap((p) => idsOf(p))).size).toBe(200);
    expect((await find({ library_id: own, query: 'sunset', limit: 200, page: 2 })).data).toEqual([]);
  });

  it('never shows another user’s assets; an unknown library is 404', async () => {
    const other = await createOtherUser(t);
    await seedSearchable(t, other.libraryId, [{ file_name: 'canon_other.jpg', metadata: { make: 'Canon' } }]);
    const mine = await searchGet(t, { query: 'canon_other canon', library_id: lib });
    expect(mine.body.data.map((d) => d.asset.original_file_name)).not.toContain('canon_other.jpg');
    const theirs = await searchGet(t, { query: 'canon' }, other.key);
    expect(theirs.body.data.map((d) => d.asset.original_file_name)).toEqual(['canon_other.jpg']);
    expect((await searchGet(t, { query: 'canon', library_id: other.libraryId })).status).toBe(404);
  });

  it('checks limit, page and list sizes', async () => {
    expect((await searchGet(t, { library_id: lib, query: 'x', limit: 201 })).status).toBe(422);
    expect((await searchGet(t, { library_id: lib, query: 'x', page: 0 })).status).toBe(422);
    expect((await searchGet(t, { library_id: lib, query: 'x', include: 'nope' })).status).toBe(422);
    expect((await searchGet(t, { library_id: lib, person_ids: Array.from({ length: 201 }, (_, i) => `person_${i}`) })).status).toBe(422);
  });

  it('album_id and person_ids are criteria (nothing matches before albums and people exist)', async () => {
    expect((await find({ album_id: 'album_x' })).data).toEqual([]);
    expect((await find({ person_ids: 'person_a,person_b' })).data).toEqual([]);
  });

  it('POST takes the same fields as multipart form data, include in the query string', async () => {
    const post = async (fields: Record<string, string>, url = '/api/search?include=metadata') => {
      const { payload, contentType } = multipartBody(fields);
      return t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType, authorization: `Bearer ${TEST_API_KEY}` } });
    };
    const res = await post({ library_id: lib, query: 'canon', limit: '1', page: '1' });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toHaveLength(1);
    expect(res.json().data[0].asset.metadata.make).toBe('Canon');
    const none = await post({ library_id: lib });
    expect(none.statusCode).toBe(422);
    expect(none.json().detail[0].loc).toEqual(['body']);
    const bad = await post({ library_id: lib, query: 'x', limit: 'many' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().detail[0].loc).toEqual(['body', 'limit']);
    const many = await post({ library_id: lib, 'person_ids[]': 'person_a' });
    expect(many.statusCode).toBe(200);
  });

  it('POST with an image and no embedding provider finds byte-identical copies, at distance 0', async () => {
    const bytes = Buffer.from('the bytes of some photo');
    const checksum = createHash('sha256').update(bytes).digest('base64');
    const [copy] = await seedSearchable(t, lib, [{ checksum, file_name: 'original.jpg' }]);
    const { payload, contentType } = multipartBody({ library_id: lib }, { field: 'image', filename: 'query.jpg', content: bytes });
    const res = await t.app.inject({ method: 'POST', url: '/api/search', payload, headers: { 'content-type': contentType, authorization: `Bearer ${TEST_API_KEY}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toEqual([{ asset: expect.objectContaining({ id: copy.id }), distance: 0 }]);
    const other = multipartBody({ library_id: lib }, { field: 'image', filename: 'query.jpg', content: Buffer.from('something else') });
    const none = await t.app.inject({ method: 'POST', url: '/api/search', payload: other.payload, headers: { 'content-type': other.contentType, authorization: `Bearer ${TEST_API_KEY}` } });
    expect(none.json().data).toEqual([]);
  });
});
