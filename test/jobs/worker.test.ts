import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TaskHandler, PermanentTaskError } from '../../src/jobs/task.js';
import { Worker } from '../../src/jobs/worker.js';
import * as taskStore from '../../src/store/tasks.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';

const handler = (run: TaskHandler['run']): TaskHandler => ({ type: 'thumbhash', run });

describe.each(DIALECTS)('durable task queue on %s', (dialect) => {
  let t: TestApp;
  let libraryId: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    libraryId = (await t.api('GET', '/api/libraries')).json()[0].id;
  });
  afterAll(async () => {
    await t.close();
  });

  const enqueue = async (payload: unknown, extra: Partial<taskStore.NewTask> = {}) => {
    await taskStore.enqueue(t.runtime.deps.db, t.clock.now().toISOString(), [{ task_type: 'thumbhash', library_id: libraryId, payload, ...extra }]);
  };
  const tasksOf = async (marker: string) => {
    const rows = await t.runtime.deps.db.selectFrom('tasks').selectAll().execute();
    return rows.filter((r) => JSON.parse(r.payload).marker === marker);
  };

  it('runs a task once and records success with its result, visible in /api/tasks', async () => {
    const seen: string[] = [];
    const w = new Worker(t.runtime.deps, [handler(async (_ctx, p: any) => (seen.push(p.marker), { result: `did ${p.marker}` }))], { concurrency: 2 });
    await enqueue({ marker: 'once' });
    await w.runUntilIdle();
    expect(seen).toEqual(['once']);
    const [row] = await tasksOf('once');
    expect(row).toMatchObject({ status: 'success', result: 'did once', attempts: 1, locked_by: null });
    const listed = (await t.api('GET', '/api/tasks/', { query: { task_type: 'thumbhash', status: 'success' } })).json();
    expect(listed.find((x: { id: string }) => x.id === row.id)).toMatchObject({ status: 'success', retry_count: 0, result: 'did once' });
    expect((await t.api('GET', `/api/tasks/${row.celery_task_id}`)).json().id).toBe(row.id);
    expect((await t.api('GET', '/api/tasks/btask_nope')).statusCode).toBe(404);
  });

  it('dedupes by key while the first is still pending', async () => {
    await enqueue({ marker: 'keyed' }, { key: 'k1' });
    await enqueue({ marker: 'keyed' }, { key: 'k1' });
    expect(await tasksOf('keyed')).toHaveLength(1);
    await new Worker(t.runtime.deps, [handler(async () => ({ result: 'ok' }))], { concurrency: 1 }).runUntilIdle();
    await enqueue({ marker: 'keyed' }, { key: 'k1' }); // the first finished: a new run is needed
    expect(await tasksOf('keyed')).toHaveLength(2);
    await new Worker(t.runtime.deps, [handler(async () => ({ result: 'ok' }))], { concurrency: 1 }).runUntilIdle();
  });

  it('retries with backoff, keeps the error message after a later success', async () => {
    let calls = 0;
    const w = new Worker(t.runtime.deps, [handler(async () => {
      calls++;
      if (calls === 1) throw new Error('flaky disk');
      return { result: 'second time lucky' };
    })], { concurrency: 1 });
    await enqueue({ marker: 'retry' });
    await w.runUntilIdle();
    let [row] = await tasksOf('retry');
    expect(row).toMatchObject({ status: 'started', error_message: 'flaky disk', locked_by: null, attempts: 1 });
    expect(Date.parse(row.run_at)).toBeGreaterThan(t.clock.now().getTime());
    t.clock.advance(10 * 60_000);
    await w.runUntilIdle();
    [row] = await tasksOf('retry');
    expect(row).toMatchObject({ status: 'success', error_message: 'flaky disk', attempts: 2, result: 'second time lucky' });
  });

  it('fails for good after max attempts, and at once on a permanent error', async () => {
    const w = new Worker(t.runtime.deps, [handler(async (_c, p: any) => {
      if (p.marker === 'permanent') throw new PermanentTaskError('cannot decode this file');
      throw new Error('always broken');
    })], { concurrency: 1 });
    await enqueue({ marker: 'exhaust' }, { maxAttempts: 3 });
    await enqueue({ marker: 'permanent' });
    for (let i = 0; i < 4; i++) {
      await w.runUntilIdle();
      t.clock.advance(30 * 60_000);
    }
    expect((await tasksOf('exhaust'))[0]).toMatchObject({ status: 'failure', attempts: 3, error_message: 'always broken' });
    expect((await tasksOf('permanent'))[0]).toMatchObject({ status: 'failure', attempts: 1, error_message: 'cannot decode this file' });
  });

  it("reclaims a dead worker's task after its lease expires; the dead worker cannot finish it", async () => {
    await enqueue({ marker: 'lease' });
    const now = t.clock.now();
    const [claimed] = await taskStore.claim(t.runtime.deps.db, t.runtime.deps.dialect, {
      worker: 'dead-worker',
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + 1000).toISOString(),
      limit: 1,
      types: ['thumbhash'],
    });
    expect(JSON.parse(claimed.payload).marker).toBe('lease');
    const seen: string[] = [];
    const w = new Worker(t.runtime.deps, [handler(async (_c, p: any) => (seen.push(p.marker), { result: 'rescued' }))], { concurrency: 1 });
    await w.runUntilIdle();
    expect(seen).toEqual([]); // lease still valid
    t.clock.advance(5000);
    await w.runUntilIdle();
    expect(seen).toEqual(['lease']);
    expect(await taskStore.complete(t.runtime.deps.db, claimed.id, 'dead-worker', t.clock.now().toISOString(), 'late')).toBe(false);
    expect((await tasksOf('lease'))[0]).toMatchObject({ status: 'success', result: 'rescued', attempts: 2 });
  });

  it('a running worker closes a task whose holder died on its last attempt, and still runs new work', async () => {
    await enqueue({ marker: 'abandoned' }, { maxAttempts: 1 });
    const now = t.clock.now();
    await taskStore.claim(t.runtime.deps.db, t.runtime.deps.dialect, { worker: 'dead-worker', now: now.toISOString(), leaseUntil: new Date(now.getTime() + 1000).toISOString(), limit: 1, types: ['thumbhash'] });
    t.clock.advance(5000);
    const seen: string[] = [];
    const w = new Worker(t.runtime.deps, [handler(async (_c, p: any) => (seen.push(p.marker), { result: 'ok' }))], { concurrency: 1, pollMs: 20 });
    w.start();
    try {
      await expect.poll(async () => (await tasksOf('abandoned'))[0].status, { timeout: 5000 }).toBe('failure');
      expect((await tasksOf('abandoned'))[0]).toMatchObject({ error_message: 'The worker running this task stopped responding', locked_by: null });
      await enqueue({ marker: 'after-abandoned' });
      w.nudge();
      await expect.poll(() => seen, { timeout: 5000 }).toEqual(['after-abandoned']);
    } finally {
      await w.stop();
    }
    expect(seen).not.toContain('abandoned');
  });

  it('never gives one task to two workers claiming at the same time', async () => {
    for (let i = 0; i < 40; i++) await enqueue({ marker: 'race', n: i });
    const now = t.clock.now();
    const claimOnce = (worker: string) =>
      taskStore.claim(t.runtime.deps.db, t.runtime.deps.dialect, { worker, now: now.toISOString(), leaseUntil: new Date(now.getTime() + 60_000).toISOString(), limit: 7, types: ['thumbhash'] });
    const batches = await Promise.all(Array.from({ length: 8 }, (_, i) => claimOnce(`w${i}`)));
    const ids = batches.flat().map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(40);
    await t.runtime.deps.db.updateTable('tasks').set({ status: 'success', locked_by: null }).where('id', 'in', ids).execute();
  });

  it('leaves background tasks while foreground ones keep coming, then runs them', async () => {
    const log: string[] = [];
    let releaseFirst!: () => void;
    const firstClaimed = new Promise<void>((resolve) => (releaseFirst = resolve));
    const foreground: TaskHandler = { type: 'thumbhash', run: async (_c, p: any) => (log.push(`start ${p.marker}`), releaseFirst(), await new Promise((r) => setTimeout(r, 100)), log.push(`end ${p.marker}`), { result: 'ok' }) };
    const background: TaskHandler = { type: 'embedding', run: async (_c, p: any) => (log.push(`start ${p.marker}`), { result: 'ok' }) };
    const w = new Worker(t.runtime.deps, [foreground, background], { concurrency: 2, pollMs: 20, backgroundAfterMs: 400 });
    await enqueue({ marker: 'f1' });
    w.start();
    try {
      await firstClaimed;
      const claimedAt = performance.now();
      await taskStore.enqueue(t.runtime.deps.db, t.clock.now().toISOString(), [{ task_type: 'embedding', library_id: libraryId, payload: { marker: 'b1' }, priority: taskStore.BACKGROUND_PRIORITY }]);
      await new Promise((r) => setTimeout(r, 150));
      await enqueue({ marker: 'f2' }); // more foreground work: the background task waits on
      w.nudge();
      for (let i = 0; i < 200 && !log.includes('start b1'); i++) await new Promise((r) => setTimeout(r, 20));
      // A slot was free all along, yet b1 started only once foreground claims had paused for 400 ms.
      expect(log.slice(0, 4)).toEqual(['start f1', 'end f1', 'start f2', 'end f2']);
      expect(log[4]).toBe('start b1');
      expect(performance.now() - claimedAt).toBeGreaterThanOrEqual(150 + 400);
    } finally {
      await w.stop();
    }
  });

  it('drains background tasks at once when asked to run until idle', async () => {
    const seen: string[] = [];
    const record: TaskHandler['run'] = async (_c, p: any) => (seen.push(p.marker), { result: 'ok' });
    await enqueue({ marker: 'fg' });
    await taskStore.enqueue(t.runtime.deps.db, t.clock.now().toISOString(), [{ task_type: 'embedding', library_id: libraryId, payload: { marker: 'bg' }, priority: taskStore.BACKGROUND_PRIORITY }]);
    await new Worker(t.runtime.deps, [handler(record), { type: 'embedding', run: record }], { concurrency: 1, backgroundAfterMs: 60_000 }).runUntilIdle();
    expect(seen).toEqual(['fg', 'bg']);
  });
});
