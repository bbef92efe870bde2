import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isId } from '../../src/domain/ids.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { eventLines, feed, lastCursor } from '../support/events.js';
import { type SeedAsset, seedAssets } from '../support/seed.js';
import { createOtherUser, createOwnerLibrary } from '../support/users.js';

interface Stack {
  id: string;
  asset_count: number;
  origin: 'auto_burst' | 'user';
  primary_asset_id: string | null;
  created_at: string;
  updated_at: string;
}

describe.each(DIALECTS)('stacks on %s', (dialect) => {
  let t: TestApp;
  let libraryId: string;
  let hour = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    libraryId = (await t.api('GET', '/api/libraries')).json()[0].id;
  });
  afterAll(async () => {
    await t.close();
  });

  /** Fresh assets in the default library, hours apart (never a burst). */
  const seed = async (n: number, extra: SeedAsset = {}) => {
    const items = Array.from({ length: n }, () => ({ original_datetime: new Date(Date.UTC(2020, 0, 1) + hour++ * 3_600_000).toISOString().slice(0, 19), ...extra }));
    return (await seedAssets(t.runtime.deps.db, libraryId, items)).map((a) => a.id);
  };
  const create = (body: Record<string, unknown>) => t.api('POST', '/api/stacks', { body });
  const createOk = async (asset_ids: string[], primary_asset_id?: string): Promise<Stack> => {
    const res = await create({ asset_ids, ...(primary_asset_id ? { primary_asset_id } : {}) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const getStack = (id: string) => t.api('GET', `/api/stacks/${id}`);
  /** Member ids through the spec's way of listing them: GET /api/assets?stack_id=, every state. */
  const members = async (stackId: string) => {
    const res = await t.api('GET', '/api/assets', { query: { stack_id: stackId, state: 'all', limit: 200 } });
    expect(res.statusCode).toBe(200);
    return res.json().data.map((a: { id: string }) => a.id).sort();
  };
  const stackIdOf = async (assetId: string) => (await t.api('GET', `/api/assets/${assetId}`)).json().stack_id;
  const stackRows = () => t.runtime.deps.db.selectFrom('asset_stacks').selectAll().execute();
  const sorted = (ids: string[]) => [...ids].sort();

  it('POST /api/stacks makes a user stack; members carry stack_id; events: stack_created then each member', async () => {
    const [a, b, c] = await seed(3);
    const cursor = await lastCursor(t);
    const stack = await createOk([a, b, c], b);
    expect(isId('asset_stack', stack.id)).toBe(true);
    expect(stack).toEqual({ id: stack.id, asset_count: 3, origin: 'user', primary_asset_id: b, created_at: stack.created_at, updated_at: stack.updated_at });
    expect(Date.parse(stack.created_at)).not.toBeNaN();
    expect((await getStack(stack.id)).json()).toEqual(stack);
    expect(await members(stack.id)).toEqual(sorted([a, b, c]));
    expect(await stackIdOf(a)).toBe(stack.id);
    const row = (await stackRows()).find((s) => s.id === stack.id)!;
    expect(row).toMatchObject({ library_id: libraryId, origin: 'user', primary_asset_id: b });
    expect(eventLines(await feed(t, cursor))).toEqual([`stack_created ${stack.id}`, `asset_updated ${a} ${stack.id}`, `asset_updated ${b} ${stack.id}`, `asset_updated ${c} ${stack.id}`]);
    const stackEvent = (await feed(t, cursor, { entity_types: 'stack' }))[0];
    expect(stackEvent).toMatchObject({ entity_type: 'stack', entity_id: stack.id, event_type: 'stack_created' });
  });

  it('a stack without a cover has primary_asset_id null; duplicates in asset_ids are harmless', async () => {
    const [a, b] = await seed(2);
    const stack = await createOk([a, b, a]);
    expect(stack.primary_asset_id).toBeNull();
    expect(stack.asset_count).toBe(2);
  });

  it('422 and nothing written: one asset, one distinct asset, a cover outside asset_ids or in the trash', async () => {
    const [a, b] = await seed(2);
    const [trashed] = await seed(1, { trashed_at: new Date().toISOString() });
    const before = (await stackRows()).length;
    const cursor = await lastCursor(t);
    const one = await create({ asset_ids: [a] });
    expect(one.statusCode).toBe(422);
    expect(one.json().detail[0]).toMatchObject({ loc: ['body', 'asset_ids'], type: 'too_short' });
    const same = await create({ asset_ids: [a, a] });
    expect(same.statusCode).toBe(422);
    expect(same.json().detail[0].loc).toEqual(['body', 'asset_ids']);
    const outside = await create({ asset_ids: [a, b], primary_asset_id: trashed });
    expect(outside.statusCode).toBe(422);
    expect(outside.json().detail[0].loc).toEqual(['body', 'primary_asset_id']);
    const inTrash = await create({ asset_ids: [a, trashed], primary_asset_id: trashed });
    expect(inTrash.statusCode).toBe(422);
    expect(inTrash.json().detail[0].loc).toEqual(['body', 'primary_asset_id']);
    expect((await create({})).statusCode).toBe(422);
    expect((await create({ asset_ids: [a, b], primary_asset_id: 5 })).statusCode).toBe(422);
    expect((await stackRows()).length).toBe(before);
    expect(await feed(t, cursor)).toEqual([]);
    expect(await stackIdOf(a)).toBeNull();
  });

  it('404 and nothing written for an unknown asset, another user\'s asset, or one in another library', async () => {
    const [a, b] = await seed(2);
    const other = await createOtherUser(t, 'stacks-other');
    const [foreign] = await seedAssets(t.runtime.deps.db, other.libraryId, [{}]);
    const before = (await stackRows()).length;
    for (const stranger of ['asset_nope', foreign.id]) {
      const res = await create({ asset_ids: [a, b, stranger] });
      expect(res.statusCode).toBe(404);
      expect(res.json().detail).toContain(stranger);
    }
    // Another user's library id is not found either.
    expect((await create({ asset_ids: [a, b], library_id: other.libraryId })).statusCode).toBe(404);
    expect((await stackRows()).length).toBe(before);
    expect(await stackIdOf(a)).toBeNull();
  });

  it('create takes assets from other stacks: survivors become user, a stack left with one dissolves, a moved pinned cover folds its stack in', async () => {
    const [s1, s2, s3, p1, p2, p3, q1, q2, x] = await seed(9);
    const keeps = await createOk([s1, s2, s3]);
    const folds = await createOk([p1, p2, p3], p2);
    const dissolves = await createOk([q1, q2]);
    // Make `keeps` an auto stack again to see the user mutation flip it back.
    await t.runtime.deps.db.updateTable('asset_stacks').set({ origin: 'auto_burst' }).where('id', '=', keeps.id).execute();
    const cursor = await lastCursor(t);

    const stack = await createOk([x, s3, p2, q1], x);
    expect(stack.asset_count).toBe(6);
    expect(await members(stack.id)).toEqual(sorted([x, s3, p1, p2, p3, q1]));
    expect(await members(keeps.id)).toEqual(sorted([s1, s2]));
    expect((await getStack(keeps.id)).json()).toMatchObject({ origin: 'user', asset_count: 2 });
    expect((await getStack(folds.id)).statusCode).toBe(404);
    expect((await getStack(dissolves.id)).statusCode).toBe(404);
    expect(await stackIdOf(q2)).toBeNull();

    const lines = eventLines(await feed(t, cursor));
    expect(lines[0]).toBe(`stack_created ${stack.id}`);
    expect(sorted(lines.filter((l) => l.endsWith(stack.id) && l.startsWith('asset_updated')))).toEqual(sorted([x, s3, p1, p2, p3, q1].map((id) => `asset_updated ${id} ${stack.id}`)));
    expect(lines).toContain(`stack_updated ${keeps.id}`);
    // Members' asset_updated before stack_deleted, for each dissolved stack.
    expect(lines.indexOf(`asset_updated ${q2} null`)).toBeLessThan(lines.indexOf(`stack_deleted ${dissolves.id}`));
    expect(lines.indexOf(`asset_updated ${p3} ${stack.id}`)).toBeLessThan(lines.indexOf(`stack_deleted ${folds.id}`));
    expect(lines.filter((l) => l.startsWith('stack_deleted')).sort()).toEqual(sorted([`stack_deleted ${folds.id}`, `stack_deleted ${dissolves.id}`]));
    expect(lines).toHaveLength(1 + 6 + 1 + 1 + 1 + 1);
  });

  it('asset_count counts live members only; trashed members still count against dissolution', async () => {
    const [a, b, c] = await seed(3);
    const stack = await createOk([a, b, c]);
    const cursor = await lastCursor(t);
    expect((await t.api('POST', '/api/assets/trash', { body: { ids: [b] } })).statusCode).toBe(200);
    expect((await getStack(stack.id)).json().asset_count).toBe(2);
    // The count changed, so the stack did too.
    expect(eventLines(await feed(t, cursor))).toEqual([`asset_updated ${b} ${stack.id}`, `stack_updated ${stack.id}`]);
    // Members of any state are listed with state=all; the default (live) hides the trashed one.
    const live = (await t.api('GET', '/api/assets', { query: { stack_id: stack.id, order: 'asc' } })).json().data.map((x: { id: string }) => x.id);
    expect(sorted(live)).toEqual(sorted([a, c]));
    // Removing a leaves b (trashed) and c: two members, so the stack stays, with one live member.
    expect((await t.api('DELETE', `/api/stacks/${stack.id}/assets`, { body: { asset_ids: [a] } })).statusCode).toBe(200);
    expect((await getStack(stack.id)).json()).toMatchObject({ asset_count: 1, origin: 'user' });
    expect(await members(stack.id)).toEqual(sorted([b, c]));
    expect(await stackIdOf(b)).toBe(stack.id);
  });

  it('POST /api/stacks/{id}/assets: skips members, moves others, makes the stack user; a no-op writes nothing', async () => {
    const [a, b, c, d, e] = await seed(5);
    const stack = await createOk([a, b]);
    const source = await createOk([c, d, e]);
    await t.runtime.deps.db.updateTable('asset_stacks').set({ origin: 'auto_burst' }).where('id', 'in', [stack.id, source.id]).execute();
    let cursor = await lastCursor(t);

    const noop = await t.api('POST', `/api/stacks/${stack.id}/assets`, { body: { asset_ids: [a, b] } });
    expect(noop.statusCode).toBe(200);
    expect(noop.json()).toMatchObject({ origin: 'auto_burst', asset_count: 2 });
    expect(await feed(t, cursor)).toEqual([]);

    const added = await t.api('POST', `/api/stacks/${stack.id}/assets`, { body: { asset_ids: [a, e] } });
    expect(added.statusCode).toBe(200);
    expect(added.json()).toMatchObject({ id: stack.id, origin: 'user', asset_count: 3 });
    expect(await members(stack.id)).toEqual(sorted([a, b, e]));
    expect((await getStack(source.id)).json()).toMatchObject({ origin: 'user', asset_count: 2 });
    expect(eventLines(await feed(t, cursor))).toEqual([`asset_updated ${e} ${stack.id}`, `stack_updated ${stack.id}`, `stack_updated ${source.id}`]);

    cursor = await lastCursor(t);
    expect((await t.api('POST', `/api/stacks/${stack.id}/assets`, { body: { asset_ids: [d] } })).statusCode).toBe(200);
    expect((await getStack(source.id)).statusCode).toBe(404);
    expect(eventLines(await feed(t, cursor))).toEqual([`asset_updated ${d} ${stack.id}`, `stack_updated ${stack.id}`, `asset_updated ${c} null`, `stack_deleted ${source.id}`]);
  });

  it('add: 404 for an unknown stack or asset (nothing written), 422 for an empty list', async () => {
    const [a, b, c] = await seed(3);
    const stack = await createOk([a, b]);
    const cursor = await lastCursor(t);
    expect((await t.api('POST', '/api/stacks/asset_stack_nope/assets', { body: { asset_ids: [c] } })).statusCode).toBe(404);
    expect((await t.api('POST', `/api/stacks/${stack.id}/assets`, { body: { asset_ids: [c, 'asset_nope'] } })).statusCode).toBe(404);
    expect((await t.api('POST', `/api/stacks/${stack.id}/assets`, { body: { asset_ids: [] } })).statusCode).toBe(422);
    expect(await stackIdOf(c)).toBeNull();
    expect(await feed(t, cursor)).toEqual([]);
  });

  it('DELETE /api/stacks/{id}/assets: non-members ignored, pinned cover unpinned, below two dissolves; ≤200 ids', async () => {
    const [a, b, c, d, outsider] = await seed(5);
    const stack = await createOk([a, b, c, d], b);
    let cursor = await lastCursor(t);

    const ignored = await t.api('DELETE', `/api/stacks/${stack.id}/assets`, { body: { asset_ids: [outsider, 'asset_nope'] } });
    expect(ignored.statusCode).toBe(200);
    expect(ignored.json()).toEqual({});
    expect(await feed(t, cursor)).toEqual([]);

    expect((await t.api('DELETE', `/api/stacks/${stack.id}/assets`, { body: { asset_ids: [b] } })).json()).toEqual({});
    expect((await getStack(stack.id)).json()).toMatchObject({ primary_asset_id: null, asset_count: 3, origin: 'user' });
    expect(eventLines(await feed(t, cursor))).toEqual([`asset_updated ${b} null`, `stack_updated ${stack.id}`]);

    cursor = await lastCursor(t);
    expect((await t.api('DELETE', `/api/stacks/${stack.id}/assets`, { body: { asset_ids: [a, c] } })).statusCode).toBe(200);
    expect((await getStack(stack.id)).statusCode).toBe(404);
    expect(await stackIdOf(d)).toBeNull();
    // The removed members (in id order), then the one left behind, then the stack.
    expect(eventLines(await feed(t, cursor))).toEqual([...sorted([`asset_updated ${a} null`, `asset_updated ${c} null`]), `asset_updated ${d} null`, `stack_deleted ${stack.id}`]);

    const [e, f] = await seed(2);
    const other = await createOk([e, f]);
    const tooMany = await t.api('DELETE', `/api/stacks/${other.id}/assets`, { body: { asset_ids: Array.from({ length: 201 }, (_, i) => `asset_${i}`) } });
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().detail[0]).toMatchObject({ loc: ['body', 'asset_ids'], type: 'too_long' });
    expect((await t.api('DELETE', '/api/stacks/asset_stack_nope/assets', { body: { asset_ids: [e] } })).statusCode).toBe(404);
  });

  it('PATCH /api/stacks/{id} pins a live member and makes the stack user; 422 for non-members, trashed members, null', async () => {
    const [a, b, c, outsider] = await seed(4);
    const stack = await createOk([a, b, c]);
    await t.runtime.deps.db.updateTable('asset_stacks').set({ origin: 'auto_burst' }).where('id', '=', stack.id).execute();
    const cursor = await lastCursor(t);
    const res = await t.api('PATCH', `/api/stacks/${stack.id}`, { body: { primary_asset_id: c } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: stack.id, primary_asset_id: c, origin: 'user', asset_count: 3 });
    expect(eventLines(await feed(t, cursor))).toEqual([`stack_updated ${stack.id}`]);
    // The same cover again: nothing changes, nothing is written.
    const again = await lastCursor(t);
    expect((await t.api('PATCH', `/api/stacks/${stack.id}`, { body: { primary_asset_id: c } })).statusCode).toBe(200);
    expect(await feed(t, again)).toEqual([]);

    await t.api('POST', '/api/assets/trash', { body: { ids: [a] } });
    for (const body of [{ primary_asset_id: outsider }, { primary_asset_id: a }, { primary_asset_id: 'asset_nope' }, { primary_asset_id: null }, {}]) {
      const bad = await t.api('PATCH', `/api/stacks/${stack.id}`, { body });
      expect(bad.statusCode, JSON.stringify(body)).toBe(422);
      expect(bad.json().detail[0].loc.slice(0, 2)).toEqual(['body', 'primary_asset_id']);
    }
    expect((await getStack(stack.id)).json().primary_asset_id).toBe(c);
    // A trashed cover keeps its pin (§2.15).
    await t.api('POST', '/api/assets/trash', { body: { ids: [c] } });
    expect((await getStack(stack.id)).json()).toMatchObject({ primary_asset_id: c, asset_count: 1 });
    expect((await t.api('PATCH', '/api/stacks/asset_stack_nope', { body: { primary_asset_id: c } })).statusCode).toBe(404);
  });

  it('DELETE /api/stacks/{id} dissolves: members untouched but unstacked, their events before stack_deleted; then 404', async () => {
    const [a, b, c] = await seed(3);
    const stack = await createOk([a, b, c], a);
    await t.api('POST', '/api/assets/trash', { body: { ids: [c] } });
    const cursor = await lastCursor(t);
    const res = await t.api('DELETE', `/api/stacks/${stack.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    expect(eventLines(await feed(t, cursor))).toEqual([`asset_updated ${a} null`, `asset_updated ${b} null`, `asset_updated ${c} null`].sort().concat(`stack_deleted ${stack.id}`));
    for (const id of [a, b, c]) expect(await stackIdOf(id)).toBeNull();
    expect((await t.api('GET', `/api/assets/${c}`)).json().trashed_at).not.toBeNull();
    expect((await getStack(stack.id)).statusCode).toBe(404);
    expect((await t.api('DELETE', `/api/stacks/${stack.id}`)).statusCode).toBe(404);
  });

  it('permanently deleting members: a deleted cover unpins; a stack left with one member dissolves', async () => {
    const [a, b, c, d, e] = await seed(5);
    const big = await createOk([a, b, c], a);
    const pair = await createOk([d, e]);
    const cursor = await lastCursor(t);
    expect((await t.api('DELETE', `/api/assets/${a}`)).statusCode).toBe(200);
    expect((await getStack(big.id)).json()).toMatchObject({ primary_asset_id: null, asset_count: 2, origin: 'user' });
    expect((await t.api('DELETE', '/api/assets', { body: { ids: [d] } })).statusCode).toBe(200);
    expect((await getStack(pair.id)).statusCode).toBe(404);
    expect(await stackIdOf(e)).toBeNull();
    expect(eventLines(await feed(t, cursor))).toEqual([
      `stack_updated ${big.id}`,
      `asset_deleted ${a}`,
      `asset_updated ${e} null`,
      `stack_deleted ${pair.id}`,
      `asset_deleted ${d}`,
    ]);
  });

  it('GET /api/stacks: ordered by id, cursor walk, filters origin / primary_asset_id / ids; 422 over 200', async () => {
    const lib = await createOwnerLibrary(t, (await t.api('GET', '/api/users/me')).json().id, 'stack list');
    try {
      const assets = (await seedAssets(t.runtime.deps.db, lib, Array.from({ length: 14 }, (_, i) => ({ original_datetime: `2021-01-01T00:${String(i).padStart(2, '0')}:00` })))).map((r) => r.id);
      const made: Stack[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await create({ asset_ids: [assets[2 * i], assets[2 * i + 1]], primary_asset_id: i % 2 ? assets[2 * i] : null, library_id: lib });
        expect(res.statusCode).toBe(200);
        made.push(res.json());
      }
      await t.runtime.deps.db.updateTable('asset_stacks').set({ origin: 'auto_burst' }).where('id', 'in', [made[0].id, made[2].id]).execute();
      const ids = made.map((s) => s.id).sort();

      const walked: string[] = [];
      let after: string | undefined;
      for (;;) {
        const res = await t.api('GET', '/api/stacks', { query: { library_id: lib, limit: 3, starting_after_id: after } });
        expect(res.statusCode).toBe(200);
        const page = res.json();
        walked.push(...page.data.map((s: Stack) => s.id));
        for (const s of page.data) expect(s.asset_count).toBe(2);
        if (!page.has_more) break;
        expect(page.data).toHaveLength(3);
        after = page.data.at(-1).id;
      }
      expect(walked).toEqual(ids);

      const auto = (await t.api('GET', '/api/stacks', { query: { library_id: lib, origin: 'auto_burst' } })).json();
      expect(auto.data.map((s: Stack) => s.id)).toEqual([made[0].id, made[2].id].sort());
      expect(auto.has_more).toBe(false);
      const user = (await t.api('GET', '/api/stacks', { query: { library_id: lib, origin: 'user' } })).json();
      expect(user.data).toHaveLength(5);
      const pinned = (await t.api('GET', '/api/stacks', { query: { library_id: lib, primary_asset_id: assets[2] } })).json();
      expect(pinned.data.map((s: Stack) => s.id)).toEqual([made[1].id]);
      expect((await t.api('GET', '/api/stacks', { query: { library_id: lib, primary_asset_id: assets[3] } })).json().data).toEqual([]);
      const picked = (await t.api('GET', '/api/stacks', { query: { library_id: lib, ids: `${made[4].id},asset_stack_nope,${made[3].id}` } })).json();
      expect(picked.data.map((s: Stack) => s.id)).toEqual([made[3].id, made[4].id].sort());
      const both = (await t.api('GET', '/api/stacks', { query: { library_id: lib, ids: [made[0].id, made[1].id], origin: 'user' } })).json();
      expect(both.data.map((s: Stack) => s.id)).toEqual([made[1].id]);

      expect((await t.api('GET', '/api/stacks', { query: { library_id: lib, limit: 201 } })).statusCode).toBe(422);
      expect((await t.api('GET', '/api/stacks', { query: { library_id: lib, origin: 'manual' } })).statusCode).toBe(422);
      expect((await t.api('GET', '/api/stacks', { query: { library_id: lib, ids: Array.from({ length: 201 }, (_, i) => `x${i}`) } })).statusCode).toBe(422);
      // Two live libraries: library_id is required.
      expect((await t.api('GET', '/api/stacks')).statusCode).toBe(400);
      // The default library does not see these stacks.
      const defaultIds = (await t.api('GET', '/api/stacks', { query: { library_id: libraryId, limit: 200 } })).json().data.map((s: Stack) => s.id);
      expect(defaultIds.filter((id: string) => ids.includes(id))).toEqual([]);
    } finally {
      // Back to one live library for the other tests.
      await t.runtime.deps.db.updateTable('libraries').set({ trashed_at: new Date().toISOString() }).where('id', '=', lib).execute();
    }
  });

  it('GET /api/assets?stack_id= lists members in capture order with the other filters; another user sees nothing', async () => {
    const [a, b, c] = await seed(3);
    const stack = await createOk([c, a, b]);
    const asc = (await t.api('GET', '/api/assets', { query: { stack_id: stack.id, order: 'asc', limit: 1 } })).json();
    expect(asc.data.map((x: { id: string }) => x.id)).toEqual([a]);
    expect(asc.has_more).toBe(true);
    expect(asc.data[0].stack_id).toBe(stack.id);
    const one = (await t.api('GET', '/api/assets', { query: { stack_id: stack.id, ids: b } })).json();
    expect(one.data.map((x: { id: string }) => x.id)).toEqual([b]);
    expect((await t.api('GET', '/api/assets', { query: { stack_id: 'asset_stack_nope' } })).json().data).toEqual([]);

    const other = await createOtherUser(t, 'stacks-peeker');
    expect((await t.api('GET', `/api/stacks/${stack.id}`, { key: other.key })).statusCode).toBe(404);
    expect((await t.api('PATCH', `/api/stacks/${stack.id}`, { key: other.key, body: { primary_asset_id: a } })).statusCode).toBe(404);
    expect((await t.api('DELETE', `/api/stacks/${stack.id}`, { key: other.key })).statusCode).toBe(404);
    expect((await t.api('POST', `/api/stacks/${stack.id}/assets`, { key: other.key, body: { asset_ids: [a] } })).statusCode).toBe(404);
    expect((await t.api('GET', '/api/assets', { key: other.key, query: { stack_id: stack.id } })).json().data).toEqual([]);
    expect((await t.api('GET', '/api/stacks', { key: other.key })).json().data).toEqual([]);
    expect(await members(stack.id)).toEqual(sorted([a, b, c]));
  });
});
