import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { mediaEntry, mediaFile } from '../support/media.js';
import { uploadBuffer, uploadFile } from '../support/upload.js';
import { createOtherUser } from '../support/users.js';

const ITALY = 'gps/italy_tuscany_DSCN0010.jpg'; // GPS + naive DateTimeOriginal, blank ImageDescription
const FINLAND = 'gps/finland_oulu_bird.jpg'; // GPS + DateTimeOriginal + ImageDescription "Photo of a Bird"
const COLORADO = 'gps/usa_colorado_thompson-springs.jpg';
const PNG = 'faces/alex_lacamoire/alex-lacamoire.png'; // no capture time in the file
const FINLAND_DESCRIPTION = 'Photo of a Bird';
const PNG_FILE_CREATED_AT = '2023-05-06T07:08:09-04:00';

/** A JPEG whose XMP says Rating=4 and carries a description: the file-side ground truth is what we wrote. */
async function ratedJpeg(): Promise<Buffer> {
  const xmp =
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="4"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>';
  return sharp({ create: { width: 48, height: 32, channels: 3, background: '#2a7' } }).jpeg().withXmp(xmp).toBuffer();
}

const close = (a: number, b: number) => Math.abs(a - b) < 1e-5;

describe.each(DIALECTS)('PATCH /api/assets/{id} on %s', (dialect) => {
  let t: TestApp;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    for (const file of [ITALY, FINLAND, COLORADO]) {
      const res = await uploadFile(t, mediaFile(file), { device_asset_id: file });
      expect(res.statusCode, file).toBe(201);
      ids[file] = res.json().id;
    }
    const png = await uploadFile(t, mediaFile(PNG), { device_asset_id: PNG, file_created_at: PNG_FILE_CREATED_AT });
    expect(png.statusCode).toBe(201);
    ids[PNG] = png.json().id;
    const rated = await uploadBuffer(t, 'rated.jpg', await ratedJpeg(), { device_asset_id: 'rated' });
    expect(rated.statusCode).toBe(201);
    ids.rated = rated.json().id;
  });
  afterAll(async () => {
    await t.close();
  });

  const patch = (id: string, body: unknown) => t.api('PATCH', `/api/assets/${id}`, { body });
  const getFull = async (id: string) => {
    const res = await t.api('GET', `/api/assets/${id}`, { query: { include: 'metadata,file_data' } });
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const metadataRow = (id: string) => t.runtime.deps.db.selectFrom('asset_metadata').selectAll().where('asset_id', '=', id).executeTakeFirstOrThrow();
  const assetRow = (id: string) => t.runtime.deps.db.selectFrom('assets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const eventCount = async () => {
    const row = await t.runtime.deps.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  };
  /** Every event after `cursor` (all of them when undefined), walking the feed. */
  const feed = async (cursor?: string) => {
    const all: { cursor: string; entity_type: string; entity_id: string; event_type: string; payload?: Record<string, unknown> }[] = [];
    for (let after = cursor; ; ) {
      const res = await t.api('GET', '/api/events', { query: { limit: 200, after_cursor: after } });
      expect(res.statusCode).toBe(200);
      const page = res.json();
      all.push(...page.data);
      if (!page.has_more) return all;
      after = page.data.at(-1).cursor;
    }
  };
  const lastCursor = async () => (await feed()).at(-1)?.cursor;

  it('an empty body changes nothing and answers the full shape (metadata and file_data without include)', async () => {
    const id = ids[ITALY];
    const truth = mediaEntry(ITALY);
    const before = await getFull(id);
    const lean = (await t.api('GET', `/api/assets/${id}`)).json();
    expect(lean.metadata).toBeNull();
    expect(lean.file_data).toBeNull();

    const res = await patch(id, {});
    expect(res.statusCode).toBe(200);
    const body = res.json();
    for (const key of ['id', 'mime_type', 'original_file_name', 'local_datetime', 'created_at', 'updated_at']) expect(body[key], key).toBeDefined();
    expect(body.id).toBe(id);
    expect(body.metadata).not.toBeNull();
    expect(body.metadata.asset_id).toBe(id);
    expect(body.file_data).not.toBeNull();
    expect(body.file_data.checksum).toBe(truth.sha256_base64);
    expect(body.file_data.checksum_sha1).toBe(truth.sha1_base64);
    expect(body.file_data.file_size_bytes).toBe(truth.size_bytes);
    expect(body.local_datetime).toBe(truth.datetime_original!.iso);
    expect(close(body.metadata.latitude, truth.gps!.lat)).toBe(true);
    expect(close(body.metadata.longitude, truth.gps!.lon)).toBe(true);
    expect(body.metadata.original_datetime).toBe(before.metadata.original_datetime);
    expect(body.metadata.description).toBe(before.metadata.description);
    expect(body.metadata.rating).toBe(before.metadata.rating);
    expect(body.description).toBeNull();
  });

  it('sets GPS, keeps every omitted field, and null on both restores the file coordinates', async () => {
    const id = ids[ITALY];
    const truth = mediaEntry(ITALY).gps!;
    expect((await patch(id, { description: 'kept' })).statusCode).toBe(200);

    const set = await patch(id, { latitude: -33.8568, longitude: 151.2153 });
    expect(set.statusCode).toBe(200);
    expect(set.json().metadata.latitude).toBe(-33.8568);
    expect(set.json().metadata.longitude).toBe(151.2153);
    expect(set.json().metadata.description).toBe('kept');
    expect(set.json().local_datetime).toBe(mediaEntry(ITALY).datetime_original!.iso);
    const row = await metadataRow(id);
    expect([row.user_latitude, row.user_longitude]).toEqual([-33.8568, 151.2153]);
    expect(close(row.file_latitude!, truth.lat) && close(row.file_longitude!, truth.lon)).toBe(true);
    const asset = await assetRow(id);
    expect([asset.latitude, asset.longitude]).toEqual([-33.8568, 151.2153]);
    expect((await getFull(id)).metadata.latitude).toBe(-33.8568);

    // Omitting them leaves them alone.
    const other = await patch(id, { description: 'changed' });
    expect(other.json().metadata.latitude).toBe(-33.8568);
    expect(other.json().metadata.longitude).toBe(151.2153);

    const cleared = await patch(id, { latitude: null, longitude: null });
    expect(cleared.statusCode).toBe(200);
    expect(close(cleared.json().metadata.latitude, truth.lat)).toBe(true);
    expect(close(cleared.json().metadata.longitude, truth.lon)).toBe(true);
    expect(cleared.json().metadata.description).toBe('changed');
    const after = await metadataRow(id);
    expect([after.user_latitude, after.user_longitude]).toEqual([null, null]);
    const assetAfter = await assetRow(id);
    expect(close(assetAfter.latitude!, truth.lat) && close(assetAfter.longitude!, truth.lon)).toBe(true);
    // A GPS filter sees the effective (file) coordinates again.
    const inItaly = await t.api('GET', '/api/assets', { query: { bbox: '11,43,12,44', ids: id } });
    expect(inItaly.json().data.map((a: { id: string }) => a.id)).toEqual([id]);

    await patch(id, { description: null });
  });

  it('description writes metadata.description, never the AI description; null shows the file description again', async () => {
    const id = ids[FINLAND];
    expect((await getFull(id)).metadata.description).toBe(FINLAND_DESCRIPTION);

    const set = await patch(id, { description: 'Bird on a branch, Oulu' });
    expect(set.statusCode).toBe(200);
    expect(set.json().metadata.description).toBe('Bird on a branch, Oulu');
    expect(set.json().description).toBeNull();
    const row = await metadataRow(id);
    expect(row.user_description).toBe('Bird on a branch, Oulu');
    expect(row.file_description).toBe(FINLAND_DESCRIPTION);
    expect((await assetRow(id)).description).toBeNull();
    const got = await getFull(id);
    expect(got.metadata.description).toBe('Bird on a branch, Oulu');
    expect(got.description).toBeNull();

    const cleared = await patch(id, { description: null });
    expect(cleared.json().metadata.description).toBe(FINLAND_DESCRIPTION);
    expect(cleared.json().description).toBeNull();
    expect((await metadataRow(id)).user_description).toBeNull();
  });

  it('an aware original_datetime keeps its offset in local_datetime and metadata.original_datetime; null restores the file time', async () => {
    const id = ids[COLORADO];
    const fileTime = (await getFull(id)).local_datetime;
    expect(fileTime.startsWith(mediaEntry(COLORADO).datetime_original!.iso.slice(0, 19))).toBe(true);

    const aware = await patch(id, { original_datetime: '2021-03-04T05:06:07+02:00' });
    expect(aware.statusCode).toBe(200);
    expect(aware.json().local_datetime).toBe('2021-03-04T05:06:07+02:00');
    expect(aware.json().metadata.original_datetime).toBe('2021-03-04T05:06:07+02:00');
    const got = await getFull(id);
    expect(got.local_datetime).toBe('2021-03-04T05:06:07+02:00');
    expect(got.metadata.original_datetime).toBe('2021-03-04T05:06:07+02:00');
    const row = await assetRow(id);
    expect(row.local_offset).toBe(120);
    expect(row.local_utc).toBe('2021-03-04T03:06:07.000Z');

    const naive = await patch(id, { original_datetime: '2019-12-31T23:59:58' });
    expect(naive.json().local_datetime).toBe('2019-12-31T23:59:58');
    expect(naive.json().metadata.original_datetime).toBe('2019-12-31T23:59:58');
    expect((await getFull(id)).local_datetime).toBe('2019-12-31T23:59:58');
    const naiveRow = await assetRow(id);
    expect(naiveRow.local_offset).toBeNull();
    expect(naiveRow.local_utc).toBeNull();

    // Omitted: unchanged.
    expect((await patch(id, { description: 'x' })).json().local_datetime).toBe('2019-12-31T23:59:58');

    const cleared = await patch(id, { original_datetime: null, description: null });
    expect(cleared.json().local_datetime).toBe(fileTime);
    expect((await metadataRow(id)).user_original_datetime).toBeNull();
    expect((await getFull(id)).local_datetime).toBe(fileTime);
  });

  it('metadata.original_datetime is served as an ISO datetime whatever ISO spelling the client sent', async () => {
    const id = ids[COLORADO];
    const res = await patch(id, { original_datetime: '2021-03-04 05:06:07+02:00' });
    expect(res.statusCode).toBe(200);
    expect(res.json().local_datetime).toBe('2021-03-04T05:06:07+02:00');
    expect(res.json().metadata.original_datetime).toBe('2021-03-04T05:06:07+02:00');
    expect((await getFull(id)).metadata.original_datetime).toBe('2021-03-04T05:06:07+02:00');
    const compact = await patch(id, { original_datetime: '2021-03-04T05:06:07+0200' });
    expect(compact.json().metadata.original_datetime).toBe('2021-03-04T05:06:07+02:00');
    const dateOnly = await patch(id, { original_datetime: '2021-03-04' });
    expect(dateOnly.statusCode).toBe(200);
    expect(dateOnly.json().local_datetime).toBe('2021-03-04T00:00:00');
    expect(dateOnly.json().metadata.original_datetime).toBe('2021-03-04T00:00:00');
    await patch(id, { original_datetime: null });
  });

  it('without a capture time in the file, null original_datetime falls back to file_created_at', async () => {
    const id = ids[PNG];
    expect(mediaEntry(PNG).datetime_original).toBeNull();
    const initial = await getFull(id);
    expect(initial.local_datetime).toBe(PNG_FILE_CREATED_AT);
    expect(initial.file_data.file_created_at).toBe(PNG_FILE_CREATED_AT);

    const set = await patch(id, { original_datetime: '2001-02-03T04:05:06' });
    expect(set.json().local_datetime).toBe('2001-02-03T04:05:06');
    const cleared = await patch(id, { original_datetime: null });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().local_datetime).toBe(PNG_FILE_CREATED_AT);
    expect(cleared.json().metadata.original_datetime).not.toBe('2001-02-03T04:05:06');
    expect((await getFull(id)).local_datetime).toBe(PNG_FILE_CREATED_AT);
    const row = await assetRow(id);
    expect(row.local_offset).toBe(-240);
  });

  it('rating 0 masks the file rating, null unmasks it, and the ratings filter follows the effective value', async () => {
    const id = ids.rated;
    const ratedIds = async (r: number) =>
      (await t.api('GET', '/api/assets', { query: { ratings: r, ids: id } })).json().data.map((a: { id: string }) => a.id);
    expect((await getFull(id)).metadata.rating).toBe(4);
    expect(await ratedIds(4)).toEqual([id]);

    const masked = await patch(id, { rating: 0 });
    expect(masked.statusCode).toBe(200);
    expect(masked.json().metadata.rating).toBe(0);
    const row = await metadataRow(id);
    expect([row.user_rating, row.file_rating]).toEqual([0, 4]);
    expect((await assetRow(id)).rating).toBe(0);
    expect(await ratedIds(4)).toEqual([]);
    expect(await ratedIds(0)).toEqual([id]);

    const five = await patch(id, { rating: 5 });
    expect(five.json().metadata.rating).toBe(5);
    expect(await ratedIds(5)).toEqual([id]);

    const unmasked = await patch(id, { rating: null });
    expect(unmasked.json().metadata.rating).toBe(4);
    expect((await metadataRow(id)).user_rating).toBeNull();
    expect((await assetRow(id)).rating).toBe(4);
    expect((await getFull(id)).metadata.rating).toBe(4);
  });

  it('writes asset_updated {stack_id} then metadata_updated, both keyed by the asset id', async () => {
    const id = ids[ITALY];
    const cursor = await lastCursor();
    const before = await assetRow(id);
    const res = await patch(id, { description: 'event check' });
    expect(res.statusCode).toBe(200);
    const events = await feed(cursor);
    expect(events.map((e) => [e.entity_type, e.event_type, e.entity_id])).toEqual([
      ['asset', 'asset_updated', id],
      ['metadata', 'metadata_updated', id],
    ]);
    expect(events[0].payload).toEqual({ stack_id: null });
    expect(res.json().updated_at > before.updated_at).toBe(true);
    expect(res.json().metadata.updated_at).toBe(res.json().updated_at);
    await patch(id, { description: null });
  });

  it('ignores unknown body fields (additionalProperties) and changes nothing else', async () => {
    const id = ids[ITALY];
    const before = await getFull(id);
    const res = await patch(id, { favourite: true, note: 'x' });
    expect(res.statusCode).toBe(200);
    expect(res.json().metadata.latitude).toBe(before.metadata.latitude);
    expect(res.json().metadata.description).toBe(before.metadata.description);
    expect(res.json().local_datetime).toBe(before.local_datetime);
  });

  const rejects: [string, unknown, (string | number)[], string][] = [
    ['latitude without longitude', { latitude: 10 }, ['body', 'longitude'], 'value_error'],
    ['longitude without latitude', { longitude: 10 }, ['body', 'latitude'], 'value_error'],
    ['latitude null with a longitude', { latitude: null, longitude: 10 }, ['body', 'latitude'], 'value_error'],
    ['a latitude with longitude null', { latitude: 10, longitude: null }, ['body', 'longitude'], 'value_error'],
    ['latitude 91', { latitude: 91, longitude: 0 }, ['body', 'latitude'], 'less_than_equal'],
    ['latitude -90.5', { latitude: -90.5, longitude: 0 }, ['body', 'latitude'], 'greater_than_equal'],
    ['longitude 181', { latitude: 0, longitude: 181 }, ['body', 'longitude'], 'less_than_equal'],
    ['rating 6', { rating: 6 }, ['body', 'rating'], 'less_than_equal'],
    ['rating -1', { rating: -1 }, ['body', 'rating'], 'greater_than_equal'],
    ['rating "x"', { rating: 'x' }, ['body', 'rating'], 'int_parsing'],
    ['latitude "north"', { latitude: 'north', longitude: 1 }, ['body', 'latitude'], 'float_parsing'],
    ['original_datetime "yesterday"', { original_datetime: 'yesterday' }, ['body', 'original_datetime'], 'datetime_from_date_parsing'],
    ['description 7', { description: 7 }, ['body', 'description'], 'string_type'],
  ];
  it.each(rejects)('422 for %s, with FastAPI-shaped detail and nothing written', async (_name, body, loc, type) => {
    const id = ids[ITALY];
    const before = await getFull(id);
    const events = await eventCount();
    const res = await patch(id, body);
    expect(res.statusCode).toBe(422);
    const detail = res.json().detail;
    expect(Array.isArray(detail)).toBe(true);
    expect(detail[0].loc).toEqual(loc);
    expect(detail[0].type).toBe(type);
    expect(typeof detail[0].msg).toBe('string');
    expect(detail[0].msg.length).toBeGreaterThan(0);
    expect(JSON.stringify(res.json())).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(await getFull(id)).toEqual(before);
    expect(await eventCount()).toBe(events);
  });

  it('range errors carry the limit in ctx and the rejected input', async () => {
    const lat = (await patch(ids[ITALY], { latitude: 91, longitude: 0 })).json().detail[0];
    expect(lat.ctx).toEqual({ le: 90 });
    expect(lat.input).toBe(91);
    const lon = (await patch(ids[ITALY], { latitude: 0, longitude: 181 })).json().detail[0];
    expect(lon.ctx).toEqual({ le: 180 });
    expect(lon.input).toBe(181);
    const rating = (await patch(ids[ITALY], { rating: 6 })).json().detail[0];
    expect(rating.ctx).toEqual({ le: 5 });
    expect(rating.input).toBe(6);
  });

  it('404 {detail} for an unknown id, with nothing written', async () => {
    const events = await eventCount();
    for (const id of ['asset_2222222222222222222222', 'asset_nope', 'lib_2222222222222222222222']) {
      const res = await patch(id, { description: 'x' });
      expect(res.statusCode, id).toBe(404);
      expect(typeof res.json().detail).toBe('string');
    }
    expect(await eventCount()).toBe(events);
  });

  it("404 for another user's asset, exactly like a missing one, and nothing written", async () => {
    const other = await createOtherUser(t);
    const id = ids[ITALY];
    const before = await getFull(id);
    const events = await eventCount();
    const res = await t.api('PATCH', `/api/assets/${id}`, { body: { description: 'hijack' }, key: other.key });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual((await t.api('PATCH', '/api/assets/asset_2222222222222222222222', { body: { description: 'x' }, key: other.key })).json());
    expect(await getFull(id)).toEqual(before);
    expect(await eventCount()).toBe(events);
  });
});
