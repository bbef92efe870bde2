import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetRow } from '../../src/store/assets.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { type SeedAsset, seedAssets, seedLibrary } from '../support/seed.js';

type GroupBy = 'day' | 'week' | 'month' | 'year';
interface Bucket {
  time_bucket: string;
  count: number;
}
interface Cell {
  count: number;
  latitude: number;
  longitude: number;
  representative_asset_id: string;
}

/** Start of the naive local-calendar bucket holding a wall clock; weeks start on Monday. */
function bucketOf(wall: string, groupBy: GroupBy): string {
  const day = wall.slice(0, 10);
  if (groupBy === 'day') return `${day}T00:00:00`;
  if (groupBy === 'month') return `${day.slice(0, 7)}-01T00:00:00`;
  if (groupBy === 'year') return `${day.slice(0, 4)}-01-01T00:00:00`;
  const date = new Date(`${day}T00:00:00Z`);
  const weekday = date.getUTCDay(); // 0 = Sunday
  date.setUTCDate(date.getUTCDate() - (weekday === 0 ? 6 : weekday - 1));
  return `${date.toISOString().slice(0, 10)}T00:00:00`;
}

function lcg(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

const maxId = (ids: string[]) => ids.reduce((a, b) => (a > b ? a : b));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.each(DIALECTS)('asset statistics on %s', (dialect) => {
  let t: TestApp;
  let userId: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    userId = (await t.api('GET', '/api/libraries')).json()[0].user_id;
  });
  afterAll(async () => {
    await t.close();
  });

  async function library(name: string): Promise<string> {
    const id = await seedLibrary(t.runtime.deps.db, t.config, userId, name);
    expect(((await t.api('GET', '/api/libraries')).json() as { id: string }[]).map((l) => l.id)).toContain(id);
    return id;
  }
  const seed = (libraryId: string, items: SeedAsset[]) => seedAssets(t.runtime.deps.db, libraryId, items);

  async function get<T>(url: string, query: Record<string, unknown>): Promise<T> {
    const res = await t.api('GET', url, { query });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }
  async function expect422(url: string, query: Record<string, unknown>, loc?: (string | number)[]) {
    const res = await t.api('GET', url, { query });
    expect(res.statusCode, res.body).toBe(422);
    const detail = res.json().detail;
    expect(Array.isArray(detail)).toBe(true);
    if (loc) expect(detail[0].loc).toEqual(loc);
    return detail[0] as { loc: (string | number)[] };
  }

  describe('GET /api/assets/counts', () => {
    const counts = (query: Record<string, unknown>) => get<{ data: Bucket[]; has_more: boolean }>('/api/assets/counts', query);

    describe('on a calendar with boundary cases', () => {
      let libraryId: string;

      beforeAll(async () => {
        libraryId = await library('calendar');
        await seed(libraryId, [
          { original_datetime: '2023-12-31T23:30:00' }, // Sunday
          { original_datetime: '2024-01-01T00:00:00', rating: 5 }, // Monday
          { original_datetime: '2024-01-01T08:00:00+09:00', media_type: 'video' }, // 2023-12-31 in UTC
          { original_datetime: '2023-12-31T20:00:00-05:00' }, // 2024-01-01 in UTC
          { original_datetime: '2024-02-29T12:00:00', media_type: 'video', rating: 5 },
          { original_datetime: '2024-03-31T23:59:59.999' }, // Sunday
          { original_datetime: '2024-04-01T00:00:00', rating: 5 },
          { original_datetime: '2024-01-01T10:00:00', trashed_at: '2024-05-01T00:00:00.000Z' },
          { original_datetime: '2022-06-15T12:00:00Z' }, // Wednesday
        ]);
      });

      const b = (time_bucket: string, count: number) => ({ time_bucket, count });

      it.each([
        ['day', [b('2024-04-01T00:00:00', 1), b('2024-03-31T00:00:00', 1), b('2024-02-29T00:00:00', 1), b('2024-01-01T00:00:00', 2), b('2023-12-31T00:00:00', 2), b('2022-06-15T00:00:00', 1)]],
        ['week', [b('2024-04-01T00:00:00', 1), b('2024-03-25T00:00:00', 1), b('2024-02-26T00:00:00', 1), b('2024-01-01T00:00:00', 2), b('2023-12-25T00:00:00', 2), b('2022-06-13T00:00:00', 1)]],
        ['month', [b('2024-04-01T00:00:00', 1), b('2024-03-01T00:00:00', 1), b('2024-02-01T00:00:00', 1), b('2024-01-01T00:00:00', 2), b('2023-12-01T00:00:00', 2), b('2022-06-01T00:00:00', 1)]],
        ['year', [b('2024-01-01T00:00:00', 5), b('2023-01-01T00:00:00', 2), b('2022-01-01T00:00:00', 1)]],
      ] as const)('group_by=%s buckets by naive wall-clock calendar, newest first', async (groupBy, expected) => {
        expect(await counts({ library_id: libraryId, group_by: groupBy })).toEqual({ data: expected, has_more: false });
        expect(await counts({ library_id: libraryId, group_by: groupBy, order: 'asc' })).toEqual({ data: [...expected].reverse(), has_more: false });
        expect(await counts({ library_id: libraryId, group_by: groupBy, order: 'desc' })).toEqual({ data: expected, has_more: false });
      });

      it('state=live excludes trashed assets; trashed and all include them', async () => {
        const day = (state: string) => counts({ library_id: libraryId, group_by: 'day', state }).then((r) => r.data.find((x) => x.time_bucket === '2024-01-01T00:00:00')?.count);
        expect(await day('live')).toBe(2);
        expect(await counts({ library_id: libraryId, group_by: 'year', state: 'trashed' })).toEqual({ data: [b('2024-01-01T00:00:00', 1)], has_more: false });
        expect(await day('all')).toBe(3);
      });

      it('limit cuts the list and has_more says so', async () => {
        expect(await counts({ library_id: libraryId, group_by: 'day', limit: 2 })).toEqual({ data: [b('2024-04-01T00:00:00', 1), b('2024-03-31T00:00:00', 1)], has_more: true });
        expect((await counts({ library_id: libraryId, group_by: 'day', limit: 5 })).has_more).toBe(true);
        expect((await counts({ library_id: libraryId, group_by: 'day', limit: 6 })).has_more).toBe(false);
        expect((await counts({ library_id: libraryId, group_by: 'month', order: 'asc', limit: 1 })).data).toEqual([b('2022-06-01T00:00:00', 1)]);
      });

      it('filters AND together', async () => {
        expect((await counts({ library_id: libraryId, group_by: 'day', media_type: 'video' })).data).toEqual([b('2024-02-29T00:00:00', 1), b('2024-01-01T00:00:00', 1)]);
        expect((await counts({ library_id: libraryId, group_by: 'day', ratings: 5 })).data).toEqual([b('2024-04-01T00:00:00', 1), b('2024-02-29T00:00:00', 1), b('2024-01-01T00:00:00', 1)]);
        expect((await counts({ library_id: libraryId, group_by: 'day', ratings: 5, media_type: 'video' })).data).toEqual([b('2024-02-29T00:00:00', 1)]);
        expect((await counts({ library_id: libraryId, group_by: 'year', ratings: 0 })).data).toEqual([b('2024-01-01T00:00:00', 2), b('2023-01-01T00:00:00', 2), b('2022-01-01T00:00:00', 1)]);
        // Exclusive: the 5-star asset at exactly 2024-01-01T00:00:00 is out.
        expect((await counts({ library_id: libraryId, group_by: 'month', ratings: 5, local_datetime_after: '2024-01-01T00:00:00' })).data).toEqual([
          b('2024-04-01T00:00:00', 1),
          b('2024-02-01T00:00:00', 1),
        ]);
        expect((await counts({ library_id: libraryId, group_by: 'year', local_datetime_before: '2024-01-01T00:00:00' })).data).toEqual([b('2023-01-01T00:00:00', 2), b('2022-01-01T00:00:00', 1)]);
        expect((await counts({ library_id: libraryId, group_by: 'day', local_datetime_after: '2023-12-31T23:30:00', local_datetime_before: '2024-03-31T23:59:59.999' })).data).toEqual([
          b('2024-02-29T00:00:00', 1),
          b('2024-01-01T00:00:00', 2),
        ]);
      });

      it('ignores undeclared parameters such as ids and bbox', async () => {
        const all = await counts({ library_id: libraryId, group_by: 'year' });
        expect(await counts({ library_id: libraryId, group_by: 'year', ids: 'asset_2222222222222222222222' })).toEqual(all);
        expect(await counts({ library_id: libraryId, group_by: 'year', bbox: '0,0,1,1' })).toEqual(all);
      });

      it.each([
        ['local_datetime_after', '2024-01-01T00:00:00Z'],
        ['local_datetime_before', '2024-01-01T00:00:00+02:00'],
        ['local_datetime_after', '2024-01-01T00:00:00-05:00'],
        ['starting_after_bucket', '2024-01-01T00:00:00Z'],
      ])('an aware %s (%s) → 422', async (field, value) => {
        await expect422('/api/assets/counts', { library_id: libraryId, group_by: 'month', [field]: value }, ['query', field]);
      });

      it('group_by missing or not day|week|month|year → 422 at query.group_by', async () => {
        await expect422('/api/assets/counts', { library_id: libraryId }, ['query', 'group_by']);
        await expect422('/api/assets/counts', { library_id: libraryId, group_by: 'hour' }, ['query', 'group_by']);
        await expect422('/api/assets/counts', { library_id: libraryId, group_by: '' }, ['query', 'group_by']);
      });

      it('bad limit, order and cursor → 422', async () => {
        await expect422('/api/assets/counts', { library_id: libraryId, group_by: 'day', limit: 0 }, ['query', 'limit']);
        await expect422('/api/assets/counts', { library_id: libraryId, group_by: 'day', limit: 201 }, ['query', 'limit']);
        await expect422('/api/assets/counts', { library_id: libraryId, group_by: 'day', order: 'up' }, ['query', 'order']);
        await expect422('/api/assets/counts', { library_id: libraryId, group_by: 'day', starting_after_bucket: 'last' }, ['query', 'starting_after_bucket']);
        await expect422('/api/assets/counts', { library_id: libraryId, group_by: 'day', local_datetime_before: 'soon' }, ['query', 'local_datetime_before']);
      });
    });

    describe('walking every bucket', () => {
      let libraryId: string;
      const live: string[] = []; // wall clocks of live assets

      beforeAll(async () => {
        libraryId = await library('counts-walk');
        const rand = lcg(7);
        const items: SeedAsset[] = [];
        for (let i = 0; i < 400; i++) {
          const day = new Date(Date.UTC(2021, 0, 1) + rand(3 * 365) * 86_400_000);
          const wall = `${day.toISOString().slice(0, 10)}T${String(rand(24)).padStart(2, '0')}:${String(rand(60)).padStart(2, '0')}:00`;
          const offset = ['', '+02:00', '-08:00', 'Z'][rand(4)];
          const trashed = rand(6) === 0;
          items.push({ original_datetime: wall + offset, trashed_at: trashed ? '2024-06-01T00:00:00.000Z' : null, media_type: rand(3) === 0 ? 'video' : 'image' });
          if (!trashed) live.push(wall);
        }
        await seed(libraryId, items);
      });

      function expected(groupBy: GroupBy, order: 'asc' | 'desc', after?: string): Bucket[] {
        const totals = new Map<string, number>();
        for (const wall of live) {
          if (after !== undefined && !(wall > after)) continue;
          const k = bucketOf(wall, groupBy);
          totals.set(k, (totals.get(k) ?? 0) + 1);
        }
        const list = [...totals].map(([time_bucket, count]) => ({ time_bucket, count })).sort((x, y) => (x.time_bucket < y.time_bucket ? -1 : 1));
        return order === 'asc' ? list : list.reverse();
      }

      async function walk(query: Record<string, unknown>, next: (last: Bucket) => Record<string, unknown>): Promise<Bucket[]> {
        const out: Bucket[] = [];
        let extra: Record<string, unknown> = {};
        for (let guard = 0; guard < 500; guard++) {
          const page = await counts({ library_id: libraryId, limit: 7, ...query, ...extra });
          out.push(...page.data);
          if (!page.has_more) {
            return out;
          }
          expect(page.data).toHaveLength(7);
          extra = next(page.data.at(-1)!);
        }
        throw new Error('walk did not end');
      }

      it.each(['day', 'week', 'month', 'year'] as const)('group_by=%s: starting_after_bucket walks every bucket once, both orders', async (groupBy) => {
        for (const order of ['desc', 'asc'] as const) {
          const want = expected(groupBy, order);
          expect(want.length).toBeGreaterThan(groupBy === 'year' ? 2 : 7);
          const got = await walk({ group_by: groupBy, order }, (last) => ({ starting_after_bucket: last.time_bucket }));
          expect(got).toEqual(want);
          expect(got.reduce((s, x) => s + x.count, 0)).toBe(live.length);
        }
      });

      it.each(['day', 'week', 'month', 'year'] as const)('group_by=%s: the 0.159 cursor local_datetime_before = last time_bucket walks every bucket once', async (groupBy) => {
        const got = await walk({ group_by: groupBy }, (last) => ({ local_datetime_before: last.time_bucket }));
        expect(got).toEqual(expected(groupBy, 'desc'));
        const after = '2022-03-15T12:00:00';
        const bounded = await walk({ group_by: groupBy, local_datetime_after: after }, (last) => ({ local_datetime_before: last.time_bucket }));
        expect(bounded).toEqual(expected(groupBy, 'desc', after));
      });

      it('limit defaults to 20', async () => {
        const page = await counts({ library_id: libraryId, group_by: 'day' });
        expect(page.data).toEqual(expected('day', 'desc').slice(0, 20));
        expect(page.has_more).toBe(true);
      });

      it('has_more is false exactly on the last page', async () => {
        const all = expected('month', 'desc');
        const pages = Math.ceil(all.length / 7);
        let cursor: string | undefined;
        for (let p = 0; p < pages; p++) {
          const page = await counts({ library_id: libraryId, group_by: 'month', limit: 7, starting_after_bucket: cursor });
          expect(page.data).toEqual(all.slice(7 * p, 7 * p + 7));
          expect(page.has_more).toBe(p < pages - 1);
          cursor = page.data.at(-1)!.time_bucket;
        }
        expect(await counts({ library_id: libraryId, group_by: 'month', limit: 7, starting_after_bucket: cursor })).toEqual({ data: [], has_more: false });
      });
    });
  });

  describe('GET /api/assets/geo-clusters', () => {
    const clusters = (query: Record<string, unknown>) => get<{ data: Cell[] }>('/api/assets/geo-clusters', query).then((r) => r.data);
    const byCount = (cells: Cell[]) => [...cells].sort((a, b) => b.count - a.count || a.latitude - b.latitude || a.longitude - b.longitude);

    describe('cells, centroids and representatives', () => {
      let libraryId: string;
      let a: AssetRow[];
      let ties: AssetRow[];
      let other: AssetRow[];

      beforeAll(async () => {
        libraryId = await library('geo');
        // Cell [10,11)×[45,46) with cell_size 1
        a = await seed(libraryId, [
          { latitude: 45.2, longitude: 10.2, original_datetime: '2024-01-01T10:00:00' },
          { latitude: 45.6, longitude: 10.4, original_datetime: '2024-05-01T10:00:00' },
          { latitude: 45.1, longitude: 10.9, original_datetime: '2024-03-01T10:00:00' },
          { latitude: 45.5, longitude: 10.5, original_datetime: '2025-01-01T10:00:00', trashed_at: '2025-02-01T00:00:00.000Z' },
          { latitude: 45.3, longitude: 10.3, original_datetime: '2023-01-01T10:00:00', media_type: 'video', rating: 5 },
        ]);
        // Cell [12,13)×[45,46): five assets captured at the same moment; the greatest id represents them
        ties = await seed(libraryId, Array.from({ length: 5 }, (_, i) => ({ latitude: 45.4 + i * 0.01, longitude: 12.5, original_datetime: '2024-02-02T02:02:02' })));
        other = await seed(libraryId, [
          { latitude: 46.5, longitude: 12.5, original_datetime: '2024-01-01T10:00:00+02:00' }, // cell [12,13)×[46,47)
          { latitude: 45, longitude: 25, original_datetime: '2024-01-01T10:00:00' }, // east of the box
          { latitude: 51, longitude: 10.5, original_datetime: '2024-01-01T10:00:00' }, // north of the box
          { original_datetime: '2030-01-01T10:00:00' }, // no GPS
        ]);
      });

      it('groups geotagged live assets in the box per cell: count, mean position, newest capture', async () => {
        const got = byCount(await clusters({ library_id: libraryId, bbox: '0,40,20,50', cell_size: 1 }));
        expect(got.map((c) => c.count)).toEqual([5, 4, 1]);
        const [tie, cellA, cellC] = got;
        expect(cellA.representative_asset_id).toBe(a[1].id);
        expect(cellA.latitude).toBeCloseTo(mean([45.2, 45.6, 45.1, 45.3]), 9);
        expect(cellA.longitude).toBeCloseTo(mean([10.2, 10.4, 10.9, 10.3]), 9);
        expect(tie.representative_asset_id).toBe(maxId(ties.map((x) => x.id)));
        expect(tie.latitude).toBeCloseTo(45.42, 9);
        expect(tie.longitude).toBeCloseTo(12.5, 9);
        expect(cellC).toEqual({ count: 1, latitude: 46.5, longitude: 12.5, representative_asset_id: other[0].id });
      });

      it('takes the state, media_type, ratings and time filters', async () => {
        const all = byCount(await clusters({ library_id: libraryId, bbox: '10,45,11,46', cell_size: 1, state: 'all' }));
        expect(all).toEqual([expect.objectContaining({ count: 5, representative_asset_id: a[3].id })]);
        const trashed = await clusters({ library_id: libraryId, bbox: '0,40,20,50', cell_size: 1, state: 'trashed' });
        expect(trashed).toEqual([{ count: 1, latitude: 45.5, longitude: 10.5, representative_asset_id: a[3].id }]);
        const video = await clusters({ library_id: libraryId, bbox: '0,40,20,50', cell_size: 1, media_type: 'video' });
        expect(video).toEqual([{ count: 1, latitude: 45.3, longitude: 10.3, representative_asset_id: a[4].id }]);
        expect(await clusters({ library_id: libraryId, bbox: '0,40,20,50', cell_size: 1, ratings: 5 })).toEqual(video);
        const recent = byCount(await clusters({ library_id: libraryId, bbox: '10,45,11,46', cell_size: 1, local_datetime_after: '2024-01-01T10:00:00' }));
        expect(recent).toEqual([expect.objectContaining({ count: 2, representative_asset_id: a[1].id })]);
        expect(recent[0].latitude).toBeCloseTo(45.35, 9);
        const older = await clusters({ library_id: libraryId, bbox: '10,45,11,46', cell_size: 1, local_datetime_before: '2024-03-01T10:00:00' });
        expect(byCount(older)).toEqual([expect.objectContaining({ count: 2, representative_asset_id: a[0].id })]);
      });

      it('a finer grid splits cells; one cell over the whole box merges them', async () => {
        const fine = await clusters({ library_id: libraryId, bbox: '10,45,11,46', cell_size: 0.25 });
        expect(fine.reduce((s, c) => s + c.count, 0)).toBe(4);
        expect(fine.length).toBe(4);
        const coarse = await clusters({ library_id: libraryId, bbox: '0,40,20,50', cell_size: 90 });
        expect(coarse).toEqual([expect.objectContaining({ count: 10 })]);
        expect(await clusters({ library_id: libraryId, bbox: '-20,-50,-10,-40', cell_size: 1 })).toEqual([]);
      });

      it('bbox and cell_size are required, cell_size ≥ 0.0001, bbox well formed', async () => {
        await expect422('/api/assets/geo-clusters', { library_id: libraryId, cell_size: 1 }, ['query', 'bbox']);
        await expect422('/api/assets/geo-clusters', { library_id: libraryId, bbox: '0,40,20,50' }, ['query', 'cell_size']);
        await expect422('/api/assets/geo-clusters', { library_id: libraryId }, undefined);
        await expect422('/api/assets/geo-clusters', { library_id: libraryId, bbox: '0,40,20,50', cell_size: 0.00009 }, ['query', 'cell_size']);
        await expect422('/api/assets/geo-clusters', { library_id: libraryId, bbox: '0,40,20,50', cell_size: 0 }, ['query', 'cell_size']);
        await expect422('/api/assets/geo-clusters', { library_id: libraryId, bbox: '0,40,20,50', cell_size: 'big' }, ['query', 'cell_size']);
        expect(await clusters({ library_id: libraryId, bbox: '10,45,11,46', cell_size: 0.0001 })).toHaveLength(4);
        for (const bbox of ['0,40,20', '0,50,20,40', 'a,b,c,d', '0,40,200,50']) {
          await expect422('/api/assets/geo-clusters', { library_id: libraryId, bbox, cell_size: 1 }, ['query', 'bbox']);
        }
      });
    });

    describe('across the antimeridian', () => {
      let libraryId: string;
      let assets: AssetRow[];

      beforeAll(async () => {
        libraryId = await library('geo-antimeridian');
        assets = await seed(libraryId, [
          { latitude: -10.5, longitude: 179.9, original_datetime: '2024-01-01T00:00:00' },
          { latitude: -10.4, longitude: 179.8, original_datetime: '2024-01-02T00:00:00' },
          { latitude: -10.5, longitude: -179.9, original_datetime: '2024-01-03T00:00:00' },
          { latitude: -5.5, longitude: -175.5, original_datetime: '2024-01-04T00:00:00' },
          { latitude: -10, longitude: 0, original_datetime: '2024-01-05T00:00:00' },
          { latitude: -10, longitude: 160, original_datetime: '2024-01-06T00:00:00' },
          { latitude: 5, longitude: 179.5, original_datetime: '2024-01-07T00:00:00' },
        ]);
      });

      it('170,-20,-170,0 takes cells on both sides of ±180 and nothing at 0', async () => {
        const got = byCount(await clusters({ library_id: libraryId, bbox: '170,-20,-170,0', cell_size: 1 }));
        expect(got).toHaveLength(3);
        const [east, west, far] = [got[0], got.find((c) => c.longitude < -179)!, got.find((c) => c.longitude > -179 && c.longitude < -170)!];
        expect(east.count).toBe(2);
        expect(east.latitude).toBeCloseTo(-10.45, 9);
        expect(east.longitude).toBeCloseTo(179.85, 9);
        expect(east.representative_asset_id).toBe(assets[1].id);
        expect(west).toMatchObject({ count: 1, latitude: -10.5, representative_asset_id: assets[2].id });
        expect(west.longitude).toBeCloseTo(-179.9, 9);
        expect(far).toMatchObject({ count: 1, latitude: -5.5, representative_asset_id: assets[3].id });
        expect(far.longitude).toBeCloseTo(-175.5, 9);
        for (const c of got) {
          expect(c.longitude >= 170 || c.longitude <= -170).toBe(true);
        }
      });

      it('-180,-90,180,90 clusters every geotagged asset', async () => {
        const got = await clusters({ library_id: libraryId, bbox: '-180,-90,180,90', cell_size: 45 });
        expect(got.reduce((s, c) => s + c.count, 0)).toBe(7);
        for (const c of got) {
          expect(c.longitude).toBeGreaterThanOrEqual(-180);
          expect(c.longitude).toBeLessThanOrEqual(180);
        }
      });
    });

    describe('the 1000-cell cap', () => {
      let libraryId: string;

      beforeAll(async () => {
        libraryId = await library('geo-dense');
        // 1,001 assets on a 0.01° lattice: 40 per row, 26 rows, the last row holding one.
        await seed(
          libraryId,
          Array.from({ length: 1001 }, (_, i) => ({
            latitude: 0.005 + Math.floor(i / 40) * 0.01,
            longitude: 0.005 + (i % 40) * 0.01,
            original_datetime: '2024-01-01T00:00:00',
          })),
        );
      });

      it('more than 1000 non-empty cells → 422; exactly 1000 → 200', async () => {
        await expect422('/api/assets/geo-clusters', { library_id: libraryId, bbox: '0,0,1,1', cell_size: 0.01 }, ['query', 'cell_size']);
        const thousand = await clusters({ library_id: libraryId, bbox: '0,0,1,0.25', cell_size: 0.01 });
        expect(thousand).toHaveLength(1000);
        expect(thousand.every((c) => c.count === 1)).toBe(true);
        const coarse = await clusters({ library_id: libraryId, bbox: '0,0,1,1', cell_size: 0.1 });
        expect(coarse).toHaveLength(12);
        expect(coarse.reduce((s, c) => s + c.count, 0)).toBe(1001);
      });
    });
  });
});
