import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { mediaFile } from '../support/media.js';
import { seedAssets } from '../support/seed.js';
import { uploadFile } from '../support/upload.js';
import { createOtherUser, createOwnerLibrary } from '../support/users.js';

interface Event {
  cursor: string;
  entity_type: string;
  entity_id: string;
  event_type: string;
  created_at: string;
  payload?: Record<string, unknown>;
}

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();
const BULK = 30;

describe.each(DIALECTS)('GET /api/events on %s', (dialect) => {
  let t: TestApp;
  let libraryId: string;
  let a: string;
  let b: string;
  let seededIds: string[];
  let clock = T0;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    t.runtime.deps.clock = () => new Date(clock);
    // T0: two uploads; T1: a PATCH; T2: a trash; T3: a bulk update of 30; T4: a permanent delete.
    a = (await uploadFile(t, mediaFile('gps/italy_tuscany_DSCN0010.jpg'), { device_asset_id: 'a' })).json().id;
    b = (await uploadFile(t, mediaFile('gps/finland_oulu_bird.jpg'), { device_asset_id: 'b' })).json().id;
    libraryId = (await t.api('GET', '/api/libraries')).json()[0].id;
    clock = T0 + HOUR;
    expect((await t.api('PATCH', `/api/assets/${a}`, { body: { description: 'hello' } })).statusCode).toBe(200);
    clock = T0 + 2 * HOUR;
    expect((await t.api('POST', '/api/assets/trash', { body: { ids: [b] } })).statusCode).toBe(200);
    clock = T0 + 3 * HOUR;
    seededIds = (await seedAssets(t.runtime.deps.db, libraryId, Array.from({ length: BULK }, () => ({})), at(3))).map((r) => r.id);
    const bulk = await t.api('POST', '/api/assets/bulk-update', { body: { updates: seededIds.map((id) => ({ id, change: { rating: 2 } })) } });
    expect(bulk.statusCode).toBe(200);
    clock = T0 + 4 * HOUR;
    expect((await t.api('DELETE', `/api/assets/${b}`)).statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  const TOTAL = 2 + 2 + 1 + 2 * BULK + 1;
  const events = (query: Record<string, unknown> = {}, key?: string) => t.api('GET', '/api/events', { query, key });
  const page = async (query: Record<string, unknown> = {}) => {
    const res = await events(query);
    expect(res.statusCode).toBe(200);
    return res.json() as { data: Event[]; has_more: boolean };
  };
  const walk = async (query: Record<string, unknown>) => {
    const all: Event[] = [];
    let pages = 0;
    for (let cursor: string | undefined; ; pages++) {
      const p = await page({ ...query, after_cursor: cursor });
      all.push(...p.data);
      if (!p.has_more) return { all, pages: pages + 1 };
      expect(p.data.length).toBe(query.limit);
      cursor = p.data.at(-1)!.cursor;
    }
  };
  const dbRows = () => t.runtime.deps.db.selectFrom('events').selectAll().where('library_id', '=', libraryId).orderBy('seq').execute();
  const key = (e: { entity_type: string; entity_id: string; event_type: string; created_at: string }) =>
    `${e.entity_type}/${e.event_type}/${e.entity_id}/${e.created_at}`;

  it('returns every event in strictly increasing order, with the expected kinds and timestamps', async () => {
    const rows = await dbRows();
    expect(rows).toHaveLength(TOTAL);
    const all = await page({ limit: 200 });
    expect(all.has_more).toBe(false);
    expect(all.data.map(key)).toEqual(rows.map(key));
    // The default page is 20.
    const first = await page();
    expect(first.data).toHaveLength(20);
    expect(first.has_more).toBe(true);
    expect(first.data.map(key)).toEqual(rows.slice(0, 20).map(key));

    const kinds = all.data.map((e) => [e.entity_type, e.event_type, e.entity_id]);
    expect(kinds.slice(0, 5)).toEqual([
      ['asset', 'asset_created', a],
      ['asset', 'asset_created', b],
      ['asset', 'asset_updated', a],
      ['metadata', 'metadata_updated', a],
      ['asset', 'asset_updated', b],
    ]);
    expect(kinds.at(-1)).toEqual(['asset', 'asset_deleted', b]);
    expect(all.data[0].created_at).toBe(at(0));
    expect(all.data[2].created_at).toBe(at(1));
    expect(all.data.at(-1)!.created_at).toBe(at(4));
    expect(all.data[2].payload).toEqual({ stack_id: null });
    for (const e of all.data) {
      expect(typeof e.cursor).toBe('string');
      expect(e.cursor).not.toContain('|');
      expect(e.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)$/);
    }
    expect(new Set(all.data.map((e) => e.cursor)).size).toBe(TOTAL);
  });

  it('has_more is exact at the page boundary', async () => {
    expect((await page({ limit: TOTAL })).has_more).toBe(false);
    expect((await page({ limit: TOTAL - 1 })).has_more).toBe(true);
    const all = (await page({ limit: 200 })).data;
    const tail = await page({ limit: 3, after_cursor: all.at(-4)!.cursor });
    expect(tail.data.map((e) => e.cursor)).toEqual(all.slice(-3).map((e) => e.cursor));
    expect(tail.has_more).toBe(false);
    const end = await page({ after_cursor: all.at(-1)!.cursor });
    expect(end).toEqual({ data: [], has_more: false });
  });

  it.each([1, 7, 20, 65])('an after_cursor walk with limit %i returns every event exactly once, in order', async (limit) => {
    const all = (await page({ limit: 200 })).data;
    const { all: walked, pages } = await walk({ limit });
    expect(walked.map((e) => e.cursor)).toEqual(all.map((e) => e.cursor));
    expect(pages).toBe(Math.max(1, Math.ceil(TOTAL / limit)));
  });

  it('filters by entity_types, repeated or comma-separated; metadata events are keyed by asset id', async () => {
    const rows = await dbRows();
    const metadata = await page({ entity_types: 'metadata', limit: 200 });
    expect(metadata.data).toHaveLength(1 + BULK);
    expect(metadata.data.every((e) => e.entity_type === 'metadata' && e.event_type === 'metadata_updated')).toBe(true);
    expect(metadata.data.map((e) => e.entity_id)).toEqual([a, ...seededIds]);

    const expected = rows.filter((r) => r.entity_type === 'asset' || r.entity_type === 'metadata').map(key);
    const repeated = await page({ entity_types: ['asset', 'metadata'], limit: 200 });
    const comma = await page({ entity_types: 'asset,metadata', limit: 200 });
    expect(repeated.data.map(key)).toEqual(expected);
    expect(comma.data.map(key)).toEqual(expected);
    expect((await page({ entity_types: 'album', limit: 200 })).data).toEqual([]);

    const assetOnly = await walk({ entity_types: 'asset', limit: 4 });
    expect(assetOnly.all.map(key)).toEqual(rows.filter((r) => r.entity_type === 'asset').map(key));
  });

  it('created_at_gte is inclusive, created_at_lt exclusive, and aware bounds compare as instants', async () => {
    const between = await page({ created_at_gte: at(1), created_at_lt: at(2), limit: 200 });
    expect(between.data.map((e) => [e.event_type, e.entity_id])).toEqual([
      ['asset_updated', a],
      ['metadata_updated', a],
    ]);
    const before = await page({ created_at_lt: at(1), limit: 200 });
    expect(before.data.map((e) => e.event_type)).toEqual(['asset_created', 'asset_created']);
    const after = await page({ created_at_gte: at(4), limit: 200 });
    expect(after.data.map((e) => [e.event_type, e.entity_id])).toEqual([['asset_deleted', b]]);
    // T2 = 12:00Z, written as 14:00+02:00.
    const offset = await page({ created_at_gte: '2025-03-01T14:00:00+02:00', created_at_lt: '2025-03-01T14:00:00.001+02:00', limit: 200 });
    expect(offset.data.map((e) => [e.event_type, e.entity_id])).toEqual([['asset_updated', b]]);
    // Combined with a cursor, as the recommended sync loop does.
    const all = (await page({ limit: 200 })).data;
    const sync = await walk({ created_at_lt: at(4), limit: 10 });
    expect(sync.all.map((e) => e.cursor)).toEqual(all.slice(0, -1).map((e) => e.cursor));
    const resumed = await page({ after_cursor: all[3].cursor, created_at_lt: at(3), limit: 200 });
    expect(resumed.data.map((e) => e.cursor)).toEqual([all[4].cursor]);
  });

  it.each([
    [{ limit: 201 }, ['query', 'limit'], 'less_than_equal'],
    [{ limit: 0 }, ['query', 'limit'], 'greater_than_equal'],
    [{ limit: 'ten' }, ['query', 'limit'], 'int_parsing'],
    [{ after_cursor: 'a|b' }, ['query', 'after_cursor'], undefined],
    [{ after_cursor: 'not a cursor!' }, ['query', 'after_cursor'], undefined],
    [{ after_cursor: '' }, ['query', 'after_cursor'], undefined],
    [{ created_at_gte: 'yesterday' }, ['query', 'created_at_gte'], undefined],
    [{ created_at_lt: '2025-13-01T00:00:00Z' }, ['query', 'created_at_lt'], undefined],
    [{ entity_types: 'exif' }, ['query', 'entity_types', 0], 'enum'],
    [{ entity_types: 'asset,bogus' }, ['query', 'entity_types', 1], 'enum'],
  ])('422 for %j', async (query, loc, type) => {
    const res = await events(query);
    expect(res.statusCode).toBe(422);
    const [issue] = res.json().detail;
    expect(issue.loc).toEqual(loc);
    if (type) expect(issue.type).toBe(type);
    expect(typeof issue.msg).toBe('string');
  });

  it("is scoped to the caller's library: another user sees none of it and cannot name it", async () => {
    const other = await createOtherUser(t);
    const own = await events({ limit: 200 }, other.key);
    expect(own.statusCode).toBe(200);
    expect(own.json()).toEqual({ data: [], has_more: false });
    const foreign = await events({ library_id: libraryId }, other.key);
    expect(foreign.statusCode).toBe(404);
    expect(typeof foreign.json().detail).toBe('string');
    // Their own activity shows in their feed only.
    const [theirs] = await seedAssets(t.runtime.deps.db, other.libraryId, [{}]);
    expect((await t.api('PATCH', `/api/assets/${theirs.id}`, { body: { rating: 1 }, key: other.key })).statusCode).toBe(200);
    const after = await events({ limit: 200 }, other.key);
    expect(after.json().data.map((e: Event) => [e.event_type, e.entity_id])).toEqual([
      ['asset_updated', theirs.id],
      ['metadata_updated', theirs.id],
    ]);
    expect((await page({ limit: 200 })).data).toHaveLength(TOTAL);
    // A cursor from one feed never reveals the other's events.
    const otherCursor = after.json().data[0].cursor;
    expect((await page({ after_cursor: otherCursor, limit: 200 })).data.every((e) => e.entity_id !== theirs.id)).toBe(true);
  });

  it("with two libraries, each feed holds only its own library's events", async () => {
    const owner = (await t.api('GET', '/api/users/me')).json().id;
    const second = await createOwnerLibrary(t, owner, 'Second');
    const [asset] = await seedAssets(t.runtime.deps.db, second, [{}]);
    expect((await t.api('PATCH', `/api/assets/${asset.id}`, { body: { description: 'second' } })).statusCode).toBe(200);
    const inSecond = await page({ library_id: second, limit: 200 });
    expect(inSecond.data.map((e) => [e.event_type, e.entity_id])).toEqual([
      ['asset_updated', asset.id],
      ['metadata_updated', asset.id],
    ]);
    const inFirst = await page({ library_id: libraryId, limit: 200 });
    expect(inFirst.data).toHaveLength(TOTAL);
    expect(inFirst.data.some((e) => e.entity_id === asset.id)).toBe(false);
    // With several live libraries, library_id is required.
    const ambiguous = await events();
    expect([400, 422]).toContain(ambiguous.statusCode);
  });
});
