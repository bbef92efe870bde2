import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BURST_SETTLE_MS, burstTask } from '../../src/jobs/burst-detection.js';
import { sharedExifTool } from '../../src/media/exiftool.js';
import * as taskStore from '../../src/store/tasks.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { eventLines, feed, lastCursor } from '../support/events.js';
import { mediaFile } from '../support/media.js';
import { type SeedAsset, seedAssets, seedLibrary } from '../support/seed.js';
import { uploadBuffer } from '../support/upload.js';

interface Stack {
  id: string;
  origin: string;
  primary_asset_id: string | null;
  asset_count: number;
}

describe.each(DIALECTS)('burst_detection on %s', (dialect) => {
  let t: TestApp;
  let ownerId: string;
  let scratch: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    ownerId = (await t.api('GET', '/api/users/me')).json().id;
    scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-burst-'));
  });
  afterAll(async () => {
    await t.close();
    await fsp.rm(scratch, { recursive: true, force: true });
  });

  const newLibrary = (name: string) => seedLibrary(t.runtime.deps.db, t.config, ownerId, name);
  /** Runs burst detection for the library as the queue would: once its settle delay has passed. */
  const detect = async (libraryId: string) => {
    await taskStore.enqueue(t.runtime.deps.db, t.clock.now().toISOString(), [burstTask(libraryId, t.clock.now().toISOString())]);
    t.clock.advance(BURST_SETTLE_MS + 1000);
    await t.runtime.worker.runUntilIdle();
  };
  const autoStacks = async (libraryId: string): Promise<Stack[]> => (await t.api('GET', '/api/stacks', { query: { library_id: libraryId, origin: 'auto_burst', limit: 200 } })).json().data;
  const membersOf = async (libraryId: string, stackId: string): Promise<string[]> =>
    (await t.api('GET', '/api/assets', { query: { library_id: libraryId, stack_id: stackId, state: 'all', order: 'asc', limit: 200 } })).json().data.map((a: { id: string }) => a.id);
  /** Each auto stack's members in capture order, stacks ordered by their first member. */
  const groups = async (libraryId: string) => {
    const all = await Promise.all((await autoStacks(libraryId)).map((s) => membersOf(libraryId, s.id)));
    return all.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  };
  const lastTask = async (libraryId: string) =>
    t.runtime.deps.db.selectFrom('tasks').selectAll().where('library_id', '=', libraryId).where('task_type', '=', 'burst_detection').orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
  const at = (ms: number) => new Date(Date.UTC(2024, 4, 1, 12) + ms).toISOString().slice(0, 23);
  const seed = async (libraryId: string, items: SeedAsset[]) => (await seedAssets(t.runtime.deps.db, libraryId, items)).map((a) => a.id);

  it('groups one camera’s sub-second shots and its own burst ids into auto_burst stacks without a cover; leaves the rest', async () => {
    const lib = await newLibrary('bursts');
    const [b1, b2, b3, b4, otherCamera, later, muchLater, id1, id2, unknownTime, video] = await seed(lib, [
      { original_datetime: at(0), make: 'NIKON CORPORATION', model: 'NIKON D70' },
      { original_datetime: at(180), make: 'NIKON CORPORATION', model: 'NIKON D70' },
      { original_datetime: at(420), make: 'nikon corporation', model: 'NIKON D70 ' },
      { original_datetime: at(1300), make: 'NIKON CORPORATION', model: 'NIKON D70' },
      { original_datetime: at(200), make: 'Canon', model: 'Canon EOS 40D' },
      { original_datetime: at(120_000), make: 'NIKON CORPORATION', model: 'NIKON D70' },
      { original_datetime: at(600_000), make: 'NIKON CORPORATION', model: 'NIKON D70' },
      { original_datetime: at(3_600_000), make: 'Apple', model: 'iPhone 12', auto_stack_id: 'BURST-UUID-1' },
      { original_datetime: at(3_605_000), make: 'Apple', model: 'iPhone 12', auto_stack_id: 'BURST-UUID-1' },
      { original_datetime: null, make: 'NIKON CORPORATION', model: 'NIKON D70' },
      { original_datetime: at(100), make: 'NIKON CORPORATION', model: 'NIKON D70', media_type: 'video' },
    ]);
    const cursor = await lastCursor(t, { library_id: lib });
    await detect(lib);

    const task = await lastTask(lib);
    expect(task).toMatchObject({ status: 'success', asset_id: null });
    expect(task.result).toMatch(/^2 bursts among 10 photos; created 2/);
    const stacks = await autoStacks(lib);
    expect(stacks).toHaveLength(2);
    for (const s of stacks) expect(s).toMatchObject({ origin: 'auto_burst', primary_asset_id: null });
    expect(await groups(lib)).toEqual([[b1, b2, b3, b4], [id1, id2]].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    for (const id of [otherCamera, later, muchLater, unknownTime, video]) {
      expect((await t.api('GET', `/api/assets/${id}`)).json().stack_id, id).toBeNull();
    }
    const lines = eventLines(await feed(t, cursor, { library_id: lib }));
    expect(lines.filter((l) => l.startsWith('stack_created')).sort()).toEqual(stacks.map((s) => `stack_created ${s.id}`).sort());
    expect(lines.filter((l) => l.startsWith('asset_updated'))).toHaveLength(6);
    expect(lines.indexOf(`asset_updated ${b1} ${(await t.api('GET', `/api/assets/${b1}`)).json().stack_id}`)).toBeGreaterThan(-1);

    // Running again finds the same bursts: nothing changes, nothing is written.
    const again = await lastCursor(t, { library_id: lib });
    await detect(lib);
    expect((await lastTask(lib)).result).toMatch(/no change$/);
    expect(await feed(t, again, { library_id: lib })).toEqual([]);
  });

  it('never touches user stacks or their members, and keeps auto stacks stable as bursts grow or break', async () => {
    const lib = await newLibrary('bursts and user stacks');
    const cam = { make: 'Fujifilm', model: 'X-T4' };
    const [a, b, c, d, e] = await seed(lib, [0, 300, 600, 900, 1200].map((ms) => ({ original_datetime: at(ms), ...cam })));
    const user = (await t.api('POST', '/api/stacks', { body: { asset_ids: [d, e], library_id: lib } })).json();
    await detect(lib);
    const [auto] = await autoStacks(lib);
    expect(await membersOf(lib, auto.id)).toEqual([a, b, c]);
    expect(await membersOf(lib, user.id)).toEqual([d, e]);
    expect((await t.api('GET', `/api/stacks/${user.id}`)).json()).toMatchObject({ origin: 'user', asset_count: 2 });

    // A new shot joins the burst: the same stack grows (no new stack).
    const [f] = await seed(lib, [{ original_datetime: at(-500), ...cam }]);
    const cursor = await lastCursor(t, { library_id: lib });
    await detect(lib);
    expect((await autoStacks(lib)).map((s) => s.id)).toEqual([auto.id]);
    expect(await membersOf(lib, auto.id)).toEqual([f, a, b, c]);
    expect(eventLines(await feed(t, cursor, { library_id: lib }))).toEqual([`asset_updated ${f} ${auto.id}`, `stack_updated ${auto.id}`]);

    // A capture-time edit moves two shots away: PATCH queues detection, which shrinks the burst.
    for (const id of [b, c]) {
      expect((await t.api('PATCH', `/api/assets/${id}`, { body: { original_datetime: '2024-06-01T09:00:00' } })).statusCode).toBe(200);
    }
    expect(await lastTask(lib)).toMatchObject({ status: 'pending', asset_id: null });
    t.clock.advance(BURST_SETTLE_MS + 1000);
    await t.runtime.worker.runUntilIdle();
    // b and c now share one capture time: the id breaks the tie.
    expect(await groups(lib)).toEqual([[f, a], [b, c].sort()].sort((x, y) => (x[0] < y[0] ? -1 : 1)));
    expect(await membersOf(lib, auto.id)).toEqual([f, a]);

    // Once a user edits an auto stack it is theirs: detection leaves it alone from then on.
    expect((await t.api('PATCH', `/api/stacks/${auto.id}`, { body: { primary_asset_id: a } })).json().origin).toBe('user');
    await t.api('PATCH', `/api/assets/${f}`, { body: { original_datetime: '2030-01-01T00:00:00' } });
    t.clock.advance(BURST_SETTLE_MS + 1000);
    await t.runtime.worker.runUntilIdle();
    expect(await membersOf(lib, auto.id)).toEqual([a, f]);
    expect((await t.api('GET', `/api/stacks/${auto.id}`)).json()).toMatchObject({ origin: 'user', primary_asset_id: a });
  });

  it('a burst whose shots no longer chain dissolves, members first; a trashed library is skipped', async () => {
    const lib = await newLibrary('burst that breaks');
    const cam = { make: 'Sony', model: 'A7' };
    const [a, b] = await seed(lib, [{ original_datetime: at(0), ...cam }, { original_datetime: at(500), ...cam }]);
    await detect(lib);
    const [stack] = await autoStacks(lib);
    const cursor = await lastCursor(t, { library_id: lib });
    await t.api('PATCH', `/api/assets/${b}`, { body: { original_datetime: '2001-01-01T00:00:00' } });
    t.clock.advance(BURST_SETTLE_MS + 1000);
    await t.runtime.worker.runUntilIdle();
    expect(await autoStacks(lib)).toEqual([]);
    const lines = eventLines(await feed(t, cursor, { library_id: lib }));
    expect(lines.slice(-3, -1).sort()).toEqual([`asset_updated ${a} null`, `asset_updated ${b} null`].sort());
    expect(lines.at(-1)).toBe(`stack_deleted ${stack.id}`);

    await t.runtime.deps.db.updateTable('libraries').set({ trashed_at: new Date().toISOString() }).where('id', '=', lib).execute();
    await seed(lib, [{ original_datetime: at(100), ...cam }, { original_datetime: at(200), ...cam }]);
    await detect(lib);
    expect((await lastTask(lib)).result).toBe('skipped');
    expect(await t.runtime.deps.db.selectFrom('asset_stacks').select('id').where('library_id', '=', lib).execute()).toEqual([]);
  });

  it('groups a burst built from real photos uploaded through the API, after the settle delay', async () => {
    const lib = await newLibrary('real burst');
    /** One real camera JPEG, re-tagged with a capture time (and sub-second) per frame: distinct bytes, same camera. */
    const frame = async (name: string, source: string, when: string, subsec: string) => {
      const file = path.join(scratch, name);
      await fsp.copyFile(mediaFile(source), file);
      await fsp.chmod(file, 0o644);
      await sharedExifTool().write(file, { DateTimeOriginal: when, SubSecTimeOriginal: subsec } as never, { writeArgs: ['-overwrite_original'] });
      return fsp.readFile(file);
    };
    const shots: [string, string, string, string][] = [
      ['burst1.jpg', 'jpeg/camera/Nikon_D70.jpg', '2024:05:01 12:00:00', '000'],
      ['burst2.jpg', 'jpeg/camera/Nikon_D70.jpg', '2024:05:01 12:00:00', '350'],
      ['burst3.jpg', 'jpeg/camera/Nikon_D70.jpg', '2024:05:01 12:00:00', '700'],
      ['burst4.jpg', 'jpeg/camera/Nikon_D70.jpg', '2024:05:01 12:00:01', '050'],
      ['later.jpg', 'jpeg/camera/Nikon_D70.jpg', '2024:05:01 12:03:00', '000'],
      ['muchlater.jpg', 'jpeg/camera/Nikon_D70.jpg', '2024:05:01 12:10:00', '000'],
      ['canon.jpg', 'jpeg/camera/Canon_40D.jpg', '2024:05:01 12:00:00', '500'],
    ];
    const ids: Record<string, string> = {};
    t.clock.freeze();
    for (const [name, source, when, subsec] of shots) {
      const res = await uploadBuffer(t, name, await frame(name, source, when, subsec), { library_id: lib, device_asset_id: name });
      expect(res.statusCode, name).toBe(201);
      ids[name] = res.json().id;
    }
    // Detection waits for the rest of the burst to arrive: one pending, library-scoped task.
    const pending = await t.runtime.deps.db.selectFrom('tasks').selectAll().where('library_id', '=', lib).where('task_type', '=', 'burst_detection').execute();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ status: 'pending', asset_id: null });
    await t.runtime.worker.runUntilIdle();
    expect(await autoStacks(lib)).toEqual([]);

    t.clock.advance(BURST_SETTLE_MS + 1000);
    await t.runtime.worker.runUntilIdle();
    const stacks = await autoStacks(lib);
    expect(stacks).toHaveLength(1);
    expect(stacks[0]).toMatchObject({ asset_count: 4, origin: 'auto_burst', primary_asset_id: null });
    expect(await membersOf(lib, stacks[0].id)).toEqual(['burst1.jpg', 'burst2.jpg', 'burst3.jpg', 'burst4.jpg'].map((n) => ids[n]));
    for (const name of ['later.jpg', 'muchlater.jpg', 'canon.jpg']) {
      expect((await t.api('GET', `/api/assets/${ids[name]}`)).json().stack_id, name).toBeNull();
    }
  });
});
