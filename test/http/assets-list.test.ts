import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetRow } from '../../src/store/assets.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { type SeedAsset, seedAssets, seedLibrary } from '../support/seed.js';

/** The wall clock of an ISO capture time, as `YYYY-MM-DDTHH:MM:SS.mmm` (what the list orders by). */
function wallOf(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(iso)!;
  return `${m[1]}.${((m[2] ?? '') + '000').slice(0, 3)}`;
}

/** How the API spells a capture time back: fraction only when non-zero, `Z` as `+00:00`. */
function expectedLocal(iso: string): string {
  const offset = /(Z|[+-]\d{2}:\d{2})$/.exec(iso)?.[1];
  const wall = wallOf(iso);
  const base = wall.endsWith('.000') ? wall.slice(0, 19) : wall;
  return offset === undefined ? base : base + (offset === 'Z' ? '+00:00' : offset);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Deterministic pseudo-random numbers, so a failure replays. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

const R = 6_371_008.8;
const rad = Math.PI / 180;

/** The point `distance` metres from (lon, lat) along `bearing` degrees on a sphere; lon in [-180, 180]. */
function destination(lon: number, lat: number, bearing: number, distance: number): { lon: number; lat: number } {
  const d = distance / R;
  const p1 = lat * rad;
  const l1 = lon * rad;
  const b = bearing * rad;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  let outLon = l2 / rad;
  outLon = ((((outLon + 180) % 360) + 360) % 360) - 180;
  return { lon: outLon, lat: p2 / rad };
}

interface Page {
  data: { id: string; local_datetime: string; trashed_at: string | null; [k: string]: unknown }[];
  has_more: boolean;
}

describe.each(DIALECTS)('GET /api/assets on %s', (dialect) => {
  let t: TestApp;
  let userId: string;
  let defaultLibrary: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const libraries = (await t.api('GET', '/api/libraries')).json();
    expect(libraries).toHaveLength(1);
    defaultLibrary = libraries[0].id;
    userId = libraries[0].user_id;
  });
  afterAll(async () => {
    await t.close();
  });

  /** A library of its own for one scenario, as GET /api/libraries lists it. */
  async function library(name: string): Promise<string> {
    const id = await seedLibrary(t.runtime.deps.db, t.config, userId, name);
    const listed = (await t.api('GET', '/api/libraries')).json() as { id: string }[];
    expect(listed.map((l) => l.id)).toContain(id);
    return id;
  }

  const seed = (libraryId: string, items: SeedAsset[]) => seedAssets(t.runtime.deps.db, libraryId, items);

  async function list(query: Record<string, unknown>): Promise<Page> {
    const res = await t.api('GET', '/api/assets', { query });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  async function listIds(query: Record<string, unknown>): Promise<string[]> {
    return (await list({ limit: 200, ...query })).data.map((a) => a.id);
  }

  async function expect422(query: Record<string, unknown>, loc?: (string | number)[]) {
    const res = await t.api('GET', '/api/assets', { query });
    expect(res.statusCode, res.body).toBe(422);
    const body = res.json();
    expect(Array.isArray(body.detail)).toBe(true);
    if (loc) expect(body.detail[0].loc).toEqual(loc);
    return body.detail[0] as { loc: (string | number)[]; msg: string; type: string };
  }

  describe('walking a 1,000-asset library with limit=7', () => {
    let libraryId: string;
    const rows = new Map<string, { wall: string; local: string; trashed_at: string | null }>();

    beforeAll(async () => {
      libraryId = await library('walk');
      const rand = lcg(42);
      // 40 distinct wall clocks for 1,000 assets: every capture time is shared by ~25 assets.
      const walls = Array.from({ length: 40 }, (_, k) =>
        new Date(Date.UTC(2019, 0, 1) + k * 37 * 86_400_000 + (k % 7) * 3_600_000 + (k % 3) * 250).toISOString().slice(0, 23),
      );
      const offsets = ['', '+02:00', '-07:00', 'Z', '+05:30', '', '-03:30'];
      const trashSlots = Array.from({ length: 200 }, (_, j) => j);
      for (let j = trashSlots.length - 1; j > 0; j--) {
        const k = rand(j + 1);
        [trashSlots[j], trashSlots[k]] = [trashSlots[k], trashSlots[j]];
      }
      const items: SeedAsset[] = [];
      let trashed = 0;
      for (let i = 0; i < 1000; i++) {
        const wall = walls[rand(walls.length)];
        const offset = offsets[rand(offsets.length)];
        const text = (wall.endsWith('.000') && rand(2) === 0 ? wall.slice(0, 19) : wall) + offset;
        let trashedAt: string | null = null;
        if (i % 5 === 0) {
          const slot = trashSlots[trashed++];
          // Mostly distinct trash times, out of capture order; a few share one (id breaks the tie).
          trashedAt = slot % 40 === 0 ? '2025-06-01T00:00:00.000Z' : new Date(Date.UTC(2025, 0, 1) + slot * 1000).toISOString();
        }
        items.push({ original_datetime: text, trashed_at: trashedAt });
      }
      const seeded = await seed(libraryId, items);
      seeded.forEach((row, i) => {
        rows.set(row.id, { wall: wallOf(items[i].original_datetime!), local: expectedLocal(items[i].original_datetime!), trashed_at: row.trashed_at });
      });
      expect(new Set([...rows.values()].map((r) => r.wall)).size).toBeLessThanOrEqual(40);
    });

    function expectedOrder(state: 'live' | 'trashed' | 'all', order: 'asc' | 'desc'): string[] {
      const entries = [...rows].filter(([, r]) => (state === 'all' ? true : state === 'live' ? r.trashed_at === null : r.trashed_at !== null));
      const key = (r: { wall: string; trashed_at: string | null }) => (state === 'trashed' ? r.trashed_at! : r.wall);
      entries.sort(([ida, a], [idb, b]) => cmp(key(a), key(b)) || cmp(ida, idb));
      const ids = entries.map(([id]) => id);
      return order === 'asc' ? ids : ids.reverse();
    }

    it.each([
      ['live', 'desc'],
      ['live', 'asc'],
      ['trashed', 'desc'],
      ['trashed', 'asc'],
      ['all', 'desc'],
      ['all', 'asc'],
    ] as const)('state=%s order=%s returns every asset once, in (sort key, id) order', async (state, order) => {
      const expected = expectedOrder(state, order);
      expect(expected.length).toBe(state === 'live' ? 800 : state === 'trashed' ? 200 : 1000);
      const seen: string[] = [];
      let cursor: string | undefined;
      const pages = Math.ceil(expected.length / 7);
      for (let p = 0; p < pages; p++) {
        const page = await list({ library_id: libraryId, state, order, limit: 7, starting_after_id: cursor });
        const last = p === pages - 1;
        expect(page.data.length, `page ${p}`).toBe(last ? expected.length - 7 * p : 7);
        expect(page.has_more, `page ${p}`).toBe(!last);
        for (const a of page.data) {
          const row = rows.get(a.id)!;
          expect(a.local_datetime).toBe(row.local);
          expect(a.trashed_at).toBe(row.trashed_at);
        }
        seen.push(...page.data.map((a) => a.id));
        cursor = page.data.at(-1)!.id;
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expected);
    });

    it('defaults to state=live, order=desc and limit=20', async () => {
      const page = await list({ library_id: libraryId });
      expect(page.data.map((a) => a.id)).toEqual(expectedOrder('live', 'desc').slice(0, 20));
      expect(page.has_more).toBe(true);
    });
  });

  describe('ids filter and limits', () => {
    let libraryId: string;
    let assets: AssetRow[];
    let foreign: AssetRow[];

    beforeAll(async () => {
      libraryId = await library('ids');
      assets = await seed(libraryId, [
        { original_datetime: '2024-01-01T10:00:00' },
        { original_datetime: '2024-01-02T10:00:00' },
        { original_datetime: '2024-01-03T10:00:00+02:00' },
        { original_datetime: '2024-01-04T10:00:00', trashed_at: '2024-02-01T00:00:00.000Z' },
        { original_datetime: '2024-01-05T10:00:00' },
      ]);
      foreign = await seed(defaultLibrary, [{ original_datetime: '2024-01-06T10:00:00' }]);
    });

    it('restricts to repeated ids keys, newest first', async () => {
      const ids = await listIds({ library_id: libraryId, ids: [assets[0].id, assets[2].id] });
      expect(ids).toEqual([assets[2].id, assets[0].id]);
    });

    it('accepts the comma form ids=a,b', async () => {
      const ids = await listIds({ library_id: libraryId, ids: `${assets[1].id},${assets[4].id}`, order: 'asc' });
      expect(ids).toEqual([assets[1].id, assets[4].id]);
    });

    it('silently omits unknown, foreign and filtered-out ids', async () => {
      const ids = await listIds({
        library_id: libraryId,
        ids: [assets[0].id, 'asset_2222222222222222222222', 'nonsense', foreign[0].id, assets[3].id],
      });
      expect(ids).toEqual([assets[0].id]);
      const all = await listIds({ library_id: libraryId, state: 'all', ids: [assets[0].id, assets[3].id] });
      expect(all).toEqual([assets[3].id, assets[0].id]);
    });

    it('an empty ids value (ids= or ids=,) restricts to nothing', async () => {
      expect(await list({ library_id: libraryId, ids: '' })).toEqual({ data: [], has_more: false });
      expect(await list({ library_id: libraryId, ids: ',' })).toEqual({ data: [], has_more: false });
    });

    it('ANDs ids with the other filters', async () => {
      const ids = await listIds({ library_id: libraryId, ids: assets.map((a) => a.id), local_datetime_after: '2024-01-02T00:00:00', local_datetime_before: '2024-01-05T00:00:00' });
      expect(ids).toEqual([assets[2].id, assets[1].id]);
    });

    it('takes 200 ids and rejects 201 with 422 at query.ids', async () => {
      const many = Array.from({ length: 199 }, (_, i) => `asset_${String(i).padStart(22, '2')}`);
      expect(await listIds({ library_id: libraryId, ids: [...many, assets[0].id] })).toEqual([assets[0].id]);
      const detail = await expect422({ library_id: libraryId, ids: [...many, assets[0].id, assets[1].id] });
      expect(detail.loc.slice(0, 2)).toEqual(['query', 'ids']);
      const comma = await expect422({ library_id: libraryId, ids: [...many, assets[0].id, assets[1].id].join(',') });
      expect(comma.loc.slice(0, 2)).toEqual(['query', 'ids']);
    });

    it.each([0, 201, -1, 'x'])('limit=%s → 422 at query.limit', async (limit) => {
      await expect422({ library_id: libraryId, limit }, ['query', 'limit']);
    });

    it('limit=1 and limit=200 are accepted', async () => {
      const one = await list({ library_id: libraryId, limit: 1 });
      expect(one.data.map((a) => a.id)).toEqual([assets[4].id]);
      expect(one.has_more).toBe(true);
      const big = await list({ library_id: libraryId, limit: 200 });
      expect(big.data).toHaveLength(4);
      expect(big.has_more).toBe(false);
    });

    it('rejects bad order and state values with 422', async () => {
      await expect422({ library_id: libraryId, order: 'newest' }, ['query', 'order']);
      await expect422({ library_id: libraryId, state: 'deleted' }, ['query', 'state']);
    });

    it('starting_after_id of an unknown or foreign asset → 422', async () => {
      const unknown = await expect422({ library_id: libraryId, starting_after_id: 'asset_2222222222222222222222' });
      expect(unknown.loc).toEqual(['query', 'starting_after_id']);
      const other = await expect422({ library_id: libraryId, starting_after_id: foreign[0].id });
      expect(other.loc).toEqual(['query', 'starting_after_id']);
    });

    it('without library_id, a caller with several live libraries is refused (§1.2)', async () => {
      const res = await t.api('GET', '/api/assets');
      expect([400, 422]).toContain(res.statusCode);
      expect(res.json().detail).toBeTruthy();
    });

    it('an empty library lists nothing, has_more false', async () => {
      const empty = await library('empty');
      expect(await list({ library_id: empty })).toEqual({ data: [], has_more: false });
    });
  });

  describe('local_datetime_after / local_datetime_before (exclusive, §1.2/§3.8)', () => {
    let libraryId: string;
    const byName = new Map<string, string>();

    beforeAll(async () => {
      libraryId = await library('bounds');
      const cases: [string, string][] = [
        ['naive-at', '2024-06-01T12:00:00'],
        ['naive-after-1ms', '2024-06-01T12:00:00.001'],
        ['naive-before-1ms', '2024-06-01T11:59:59.999'],
        ['naive-1230', '2024-06-01T12:30:00'],
        ['naive-1130', '2024-06-01T11:30:00'],
        ['naive-1330', '2024-06-01T13:30:00'],
        ['naive-1430', '2024-06-01T14:30:00'],
        // wall 12:00, UTC 10:00
        ['aware-wall-at', '2024-06-01T12:00:00+02:00'],
        // wall 14:00, UTC 12:00 (exactly the aware bound's instant)
        ['aware-utc-at', '2024-06-01T14:00:00+02:00'],
        // wall 13:00 (after 12:00), UTC 11:00 (before 12:00Z)
        ['aware-wall-after-utc-before', '2024-06-01T13:00:00+02:00'],
        // wall 10:00 (before 12:00), UTC 13:00 (after 12:00Z)
        ['aware-wall-before-utc-after', '2024-06-01T10:00:00-03:00'],
        ['aware-utc-after-1ms', '2024-06-01T12:00:00.001Z'],
        ['aware-utc-before-1ms', '2024-06-01T11:59:59.999+00:00'],
      ];
      const seeded = await seed(libraryId, cases.map(([, iso]) => ({ original_datetime: iso })));
      cases.forEach(([name], i) => byName.set(name, seeded[i].id));
    });

    async function names(query: Record<string, unknown>): Promise<string[]> {
      const ids = await listIds({ library_id: libraryId, order: 'asc', ...query });
      const byId = new Map([...byName].map(([n, id]) => [id, n]));
      return ids.map((id) => byId.get(id)!).sort();
    }
    const sorted = (xs: string[]) => [...xs].sort();

    it('a naive bound compares every asset by wall clock, exclusively', async () => {
      expect(await names({ local_datetime_after: '2024-06-01T12:00:00' })).toEqual(
        sorted(['naive-after-1ms', 'naive-1230', 'naive-1330', 'naive-1430', 'aware-utc-at', 'aware-wall-after-utc-before', 'aware-utc-after-1ms']),
      );
      expect(await names({ local_datetime_before: '2024-06-01T12:00:00' })).toEqual(
        sorted(['naive-before-1ms', 'naive-1130', 'aware-wall-before-utc-after', 'aware-utc-before-1ms']),
      );
    });

    it('an aware bound compares offset-aware assets in UTC and naive assets by wall clock', async () => {
      const after = sorted(['naive-after-1ms', 'naive-1230', 'naive-1330', 'naive-1430', 'aware-wall-before-utc-after', 'aware-utc-after-1ms']);
      const before = sorted(['naive-before-1ms', 'naive-1130', 'aware-wall-at', 'aware-wall-after-utc-before', 'aware-utc-before-1ms']);
      expect(await names({ local_datetime_after: '2024-06-01T12:00:00Z' })).toEqual(after);
      expect(await names({ local_datetime_before: '2024-06-01T12:00:00Z' })).toEqual(before);
      expect(await names({ local_datetime_after: '2024-06-01T12:00:00+00:00' })).toEqual(after);
    });

    it('an aware bound with an offset uses its instant for aware assets and its own wall clock for naive ones', async () => {
      // 14:00+02:00 is 12:00Z; naive assets compare with the bound's wall clock, 14:00.
      expect(await names({ local_datetime_after: '2024-06-01T14:00:00+02:00' })).toEqual(
        sorted(['naive-1430', 'aware-wall-before-utc-after', 'aware-utc-after-1ms']),
      );
      expect(await names({ local_datetime_before: '2024-06-01T14:00:00+02:00' })).toEqual(
        sorted(['naive-at', 'naive-after-1ms', 'naive-before-1ms', 'naive-1230', 'naive-1130', 'naive-1330', 'aware-wall-at', 'aware-wall-after-utc-before', 'aware-utc-before-1ms']),
      );
    });

    it('both bounds together form an exclusive window', async () => {
      expect(await names({ local_datetime_after: '2024-06-01T11:30:00', local_datetime_before: '2024-06-01T12:30:00' })).toEqual(
        sorted(['naive-at', 'naive-after-1ms', 'naive-before-1ms', 'aware-wall-at', 'aware-utc-after-1ms', 'aware-utc-before-1ms']),
      );
      expect(await names({ local_datetime_after: '2024-06-01T12:00:00', local_datetime_before: '2024-06-01T12:00:00.001' })).toEqual([]);
    });

    it('a bad datetime → 422 at its field', async () => {
      await expect422({ library_id: libraryId, local_datetime_after: 'yesterday' }, ['query', 'local_datetime_after']);
      await expect422({ library_id: libraryId, local_datetime_before: '2024-13-01T00:00:00' }, ['query', 'local_datetime_before']);
    });
  });

  describe('location filters: bbox and center+radius', () => {
    let libraryId: string;
    const byName = new Map<string, string>();
    const points: Record<string, [number, number] | null> = {};

    function add(name: string, lon: number, lat: number) {
      points[name] = [lon, lat];
    }

    beforeAll(async () => {
      libraryId = await library('geo');
      // A normal box -10,30,-5,40
      add('box-in', -7, 35);
      add('box-in-2', -9.5, 39.5);
      add('box-east-out', -4.9, 35);
      add('box-west-out', -10.1, 35);
      add('box-north-out', -7, 40.1);
      add('box-south-out', -7, 29.9);
      // Across the antimeridian 170,-20,-170,0
      add('am-179.9', 179.9, -10);
      add('am--179.9', -179.9, -10);
      add('am-175', 175, -5);
      add('am--175', -175, -19);
      add('am-180', 180, -10);
      add('am--180', -180, -10);
      add('am-zero-out', 0, -10);
      add('am-169-out', 169, -10);
      add('am--169-out', -169, -10);
      add('am-lat-out', 179.9, 5);
      // Extremes of the world
      add('corner-sw', -180, -90);
      add('corner-ne', 180, 60);
      // Circles: Paris, near the north pole, on the date line
      const circles: [string, number, number][] = [
        ['paris', 2.35, 48.85],
        ['pole', 0, 89.98],
        ['dateline', 179.99, 10],
        ['dateline-w', -179.99, -30],
        ['polar', 10, -89.9],
      ];
      for (const [c, lon, lat] of circles) {
        for (const bearing of [0, 90, 180, 270, 37]) {
          const inside = destination(lon, lat, bearing, 4900);
          const outside = destination(lon, lat, bearing, 5100);
          add(`${c}-in-${bearing}`, inside.lon, inside.lat);
          add(`${c}-out-${bearing}`, outside.lon, outside.lat);
        }
      }
      points['no-gps'] = null;
      const names = Object.keys(points);
      const seeded = await seed(
        libraryId,
        names.map((n, i) => ({
          original_datetime: `2023-01-01T00:00:${String(i % 60).padStart(2, '0')}`,
          latitude: points[n]?.[1] ?? null,
          longitude: points[n]?.[0] ?? null,
        })),
      );
      names.forEach((n, i) => byName.set(n, seeded[i].id));
    });

    async function names(query: Record<string, unknown>): Promise<string[]> {
      const ids = await listIds({ library_id: libraryId, ...query });
      const byId = new Map([...byName].map(([n, id]) => [id, n]));
      return ids.map((id) => byId.get(id)!).sort();
    }

    it('bbox keeps the assets inside a normal box', async () => {
      expect(await names({ bbox: '-10,30,-5,40' })).toEqual(['box-in', 'box-in-2']);
    });

    it('a bbox with min_lon > max_lon wraps across the antimeridian', async () => {
      const got = await names({ bbox: '170,-20,-170,0' });
      expect(got).toEqual(['am--175', 'am--179.9', 'am--180', 'am-175', 'am-179.9', 'am-180']);
      expect(got).not.toContain('am-zero-out');
    });

    it('-180,-90,180,90 matches every geotagged asset and only those', async () => {
      const got = await names({ bbox: '-180,-90,180,90' });
      expect(got).toEqual(Object.keys(points).filter((n) => points[n] !== null).sort());
      expect(got).not.toContain('no-gps');
    });

    it.each([
      ['paris', 2.35, 48.85],
      ['pole', 0, 89.98], // the circle holds the pole: every meridian
      ['polar', 10, -89.9], // 11 km from the south pole: a wide span of meridians
      ['dateline', 179.99, 10],
      ['dateline-w', -179.99, -30],
    ])('center+radius around %s keeps 4.9 km, drops 5.1 km', async (c, lon, lat) => {
      const got = await names({ center: `${lon},${lat}`, radius: 5000 });
      expect(got).toEqual([0, 90, 180, 270, 37].map((b) => `${c}-in-${b}`).sort());
    });

    it('center+radius ANDs with the other filters', async () => {
      expect(await names({ center: '2.35,48.85', radius: 5000, ids: [byName.get('paris-in-0'), byName.get('paris-out-0'), byName.get('box-in')] })).toEqual(['paris-in-0']);
    });

    it('bbox together with center → 422', async () => {
      const detail = await expect422({ library_id: libraryId, bbox: '-10,30,-5,40', center: '-7,35', radius: 1000 });
      expect(detail.loc[0]).toBe('query');
      expect(['bbox', 'center', 'radius']).toContain(detail.loc[1]);
    });

    it.each(['1,2,3', '1,2,3,4,5', 'a,b,c,d', '0,10,1,5', '-181,0,0,1', '0,-91,1,0', '0,0,181,1', ''])('bbox=%j → 422 at query.bbox', async (bbox) => {
      await expect422({ library_id: libraryId, bbox }, ['query', 'bbox']);
    });

    it('center without radius, radius without center, radius out of range → 422', async () => {
      await expect422({ library_id: libraryId, center: '0,45' }, ['query', 'radius']);
      await expect422({ library_id: libraryId, radius: 100 }, ['query', 'center']);
      await expect422({ library_id: libraryId, center: '0,45', radius: 0 }, ['query', 'radius']);
      await expect422({ library_id: libraryId, center: '0,45', radius: 50_001 }, ['query', 'radius']);
      await expect422({ library_id: libraryId, center: '0,95', radius: 100 }, ['query', 'center']);
    });
  });

  describe('media_type, ratings and include', () => {
    let libraryId: string;
    let assets: AssetRow[];

    beforeAll(async () => {
      libraryId = await library('kinds');
      assets = await seed(libraryId, [
        { original_datetime: '2022-01-01T00:00:00', rating: null }, // 0
        { original_datetime: '2022-01-02T00:00:00', rating: 0 }, // 1
        { original_datetime: '2022-01-03T00:00:00', rating: 1, media_type: 'video' }, // 2
        { original_datetime: '2022-01-04T00:00:00', rating: 3 }, // 3
        { original_datetime: '2022-01-05T00:00:00', rating: 5 }, // 4
        { original_datetime: '2022-01-06T00:00:00', rating: 5, media_type: 'video' }, // 5
        { original_datetime: '2022-01-07T00:00:00', rating: -1 }, // 6 legacy
        { original_datetime: '2022-01-08T00:00:00', rating: 7, media_type: 'video' }, // 7 legacy
        { original_datetime: '2022-01-09T00:00:00', rating: 5, trashed_at: '2022-02-01T00:00:00.000Z' }, // 8 trashed
      ]);
    });

    const idsOf = (...i: number[]) => i.map((k) => assets[k].id);

    it('media_type selects images or videos', async () => {
      expect(await listIds({ library_id: libraryId, media_type: 'video', order: 'asc' })).toEqual(idsOf(2, 5, 7));
      expect(await listIds({ library_id: libraryId, media_type: 'image', order: 'asc' })).toEqual(idsOf(0, 1, 3, 4, 6));
      await expect422({ library_id: libraryId, media_type: 'audio' }, ['query', 'media_type']);
    });

    it('ratings=0 matches null, 0 and legacy out-of-range ratings', async () => {
      expect(await listIds({ library_id: libraryId, ratings: 0, order: 'asc' })).toEqual(idsOf(0, 1, 6, 7));
    });

    it('ratings=5 is the favourites', async () => {
      expect(await listIds({ library_id: libraryId, ratings: 5, order: 'asc' })).toEqual(idsOf(4, 5));
      expect(await listIds({ library_id: libraryId, ratings: 5, state: 'all', order: 'asc' })).toEqual(idsOf(4, 5, 8));
    });

    it('ratings=0,5 and repeated keys take the union', async () => {
      expect(await listIds({ library_id: libraryId, ratings: '0,5', order: 'asc' })).toEqual(idsOf(0, 1, 4, 5, 6, 7));
      expect(await listIds({ library_id: libraryId, ratings: [1, 3], order: 'asc' })).toEqual(idsOf(2, 3));
    });

    it('ratings AND media_type', async () => {
      expect(await listIds({ library_id: libraryId, ratings: '0,5', media_type: 'video', order: 'asc' })).toEqual(idsOf(5, 7));
    });

    it('ratings out of 0–5 → 422', async () => {
      const detail = await expect422({ library_id: libraryId, ratings: 6 });
      expect(detail.loc.slice(0, 2)).toEqual(['query', 'ratings']);
      await expect422({ library_id: libraryId, ratings: 'x' });
    });

    const REQUIRED = ['id', 'created_at', 'updated_at', 'current_version_id', 'kind', 'local_datetime', 'mime_type', 'original_file_name'];
    const LEAN = ['width', 'height', 'duration', 'description', 'thumbhash', 'asset_urls', 'stack_id', 'trashed_at'];

    it('the lean response carries every required field, with metadata and file_data null', async () => {
      const { data } = await list({ library_id: libraryId, order: 'asc' });
      expect(data).toHaveLength(8);
      for (const a of data) {
        for (const field of REQUIRED) {
          expect(a[field], field).toBeTypeOf('string');
        }
        for (const field of LEAN) expect(a, field).toHaveProperty(field);
        expect(a.metadata).toBeNull();
        expect(a.file_data).toBeNull();
      }
      expect(data[2].mime_type).toBe('video/mp4');
      expect(data[2].duration).toBe(12.5);
      expect(data[0].local_datetime).toBe('2022-01-01T00:00:00');
      expect(data[0].trashed_at).toBeNull();
    });

    it('include=metadata and include=file_data expand only what they name', async () => {
      const meta = (await list({ library_id: libraryId, order: 'asc', include: 'metadata' })).data;
      expect(meta.map((a) => (a.metadata as { asset_id: string }).asset_id)).toEqual(idsOf(0, 1, 2, 3, 4, 5, 6, 7));
      expect(meta.map((a) => (a.metadata as { rating: number | null }).rating)).toEqual([null, 0, 1, 3, 5, 5, -1, 7]);
      expect(meta.every((a) => a.file_data === null)).toBe(true);

      const files = (await list({ library_id: libraryId, order: 'asc', include: ['file_data'] })).data;
      expect(files.every((a) => a.metadata === null)).toBe(true);
      expect(files.map((a) => (a.file_data as { checksum: string }).checksum)).toEqual(assets.slice(0, 8).map((a) => a.checksum));
      for (const a of files) {
        expect(a.file_data).toMatchObject({ device_id: 'seed', file_size_bytes: 1000 });
        for (const field of ['checksum', 'checksum_sha1', 'device_asset_id', 'device_id', 'file_created_at', 'file_modified_at', 'file_size_bytes']) {
          expect(a.file_data, field).toHaveProperty(field);
        }
      }

      const both = (await list({ library_id: libraryId, order: 'asc', include: 'metadata,file_data', limit: 1 })).data[0];
      expect(both.metadata).toMatchObject({ asset_id: assets[0].id });
      expect(both.file_data).toMatchObject({ checksum: assets[0].checksum });
    });

    it('an unknown include token → 422', async () => {
      const detail = await expect422({ library_id: libraryId, include: 'metadata,exif' });
      expect(detail.loc.slice(0, 2)).toEqual(['query', 'include']);
      await expect422({ library_id: libraryId, include: ['metadata', 'bogus'] });
    });
  });
});
