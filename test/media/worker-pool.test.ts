import { afterEach, describe, expect, it } from 'vitest';
import { exactBuffer, WorkerPool } from '../../src/media/worker-pool.js';
import type { TestRequest, TestResponse } from './fixtures/pool-test-worker.js';

class PoolFailure extends Error {
  constructor(
    message: string,
    readonly ready: boolean,
  ) {
    super(message);
  }
}

const pools: WorkerPool<TestRequest, TestResponse>[] = [];
const makePool = (size: number, idleMs = 60_000) => {
  const pool = new WorkerPool<TestRequest, TestResponse>({
    fromUrl: new URL('./fixtures/', import.meta.url).href,
    module: 'pool-test-worker',
    threadName: 'pool-test',
    size,
    idleMs,
    failure: (message, ready) => new PoolFailure(message, ready),
  });
  pools.push(pool);
  return pool;
};

afterEach(async () => {
  delete process.env.POOL_TEST_FAIL_AT_START;
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('WorkerPool', () => {
  it('runs jobs on up to `size` workers at once and answers each with its own response', async () => {
    const pool = makePool(2);
    const answers = await Promise.all([1, 2, 3, 4].map((value) => pool.run({ op: 'sleep', value: 150 + value })));
    expect(answers.map((a) => a.value)).toEqual([302, 304, 306, 308]);
    expect(new Set(answers.map((a) => a.thread)).size).toBe(2);
  });

  it('fails only the job whose worker died, as one that was ready, and carries on', async () => {
    const pool = makePool(1);
    const died = pool.run({ op: 'die', value: 0 });
    const next = pool.run({ op: 'echo', value: 21 });
    await expect(died).rejects.toMatchObject({ ready: true, message: 'pool-test worker exited with code 7' });
    expect((await next).value).toBe(42);
  });

  it('fails every queued job when a worker dies before it is ready', async () => {
    process.env.POOL_TEST_FAIL_AT_START = '1';
    const pool = makePool(1);
    const jobs = [pool.run({ op: 'echo', value: 1 }), pool.run({ op: 'echo', value: 2 })];
    for (const job of jobs) await expect(job).rejects.toMatchObject({ ready: false, message: 'pool-test worker exited with code 3' });
  });

  it('retires idle workers and starts a fresh one for later work; close rejects what is queued', async () => {
    const pool = makePool(1, 50);
    const first = await pool.run({ op: 'echo', value: 1 });
    await new Promise((r) => setTimeout(r, 300));
    const second = await pool.run({ op: 'echo', value: 2 });
    expect(second.thread).not.toBe(first.thread);
    const pending = expect(pool.run({ op: 'sleep', value: 5000 })).rejects.toMatchObject({ message: 'pool-test pool closed' });
    await pool.close();
    await pending;
  });

  it('checks its settings', () => {
    expect(() => makePool(1).configure({ size: 0 }, 4)).toThrow('size: expected an integer from 1 to 4, got 0');
    expect(() => makePool(1).configure({ idleMs: -1 }, 4)).toThrow('idleMs: expected a non-negative integer, got -1');
  });

  it('hands a request exactly the bytes of a view, leaving the caller\'s buffer attached', () => {
    const whole = new Uint8Array([1, 2, 3, 4, 5, 6]);
    expect(exactBuffer(whole)).toBe(whole.buffer);
    const view = whole.subarray(2, 5);
    const own = exactBuffer(view);
    expect([...new Uint8Array(own)]).toEqual([3, 4, 5]);
    expect(own).not.toBe(whole.buffer);
    expect(whole.buffer.byteLength).toBe(6);
  });
});
