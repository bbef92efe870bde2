import http from 'node:http';
import { PassThrough } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { eventLines, feed, lastCursor } from '../support/events.js';
import { seedAssets } from '../support/seed.js';

/**
 * Real parallel requests through the whole HTTP stack (inject, and sockets against a listening
 * server). Each test holds the request bodies back until the server has started reading every
 * one of them (so every request has arrived and passed its onRequest hooks), then releases them
 * all: the requests are truly in flight together. Otherwise a fast first request may finish
 * before the second starts, and then both rightly succeed, one after the other. One must win;
 * the others get 409 having written nothing; the rows stay consistent.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition(); await sleep(2)) {
    if (Date.now() - started > 10_000) throw new Error(`timed out waiting for ${what}`);
  }
}

/** Someone consumes this stream: a body parser has started reading it. */
const beingRead = (stream: NodeJS.ReadableStream & { listenerCount(event: string): number }) => stream.listenerCount('readable') > 0 || stream.listenerCount('data') > 0;

interface Call {
  method: string;
  url: string;
  body?: unknown;
}
describe.each(DIALECTS)('concurrent stack edits on %s', (dialect) => {
  let t: TestApp;
  let libraryId: string;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    libraryId = (await t.api('GET', '/api/libraries')).json()[0].id;
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await t.close();
  });

  const seed = async (n: number) => (await seedAssets(t.runtime.deps.db, libraryId, Array.from({ length: n }, () => ({})))).map((a) => a.id);
  const stackOf = async (ids: string[]) => {
    const rows = await t.runtime.deps.db.selectFrom('assets').select(['id', 'stack_id']).where('id', 'in', ids).execute();
    return Object.fromEntries(rows.map((r) => [r.id, r.stack_id]));
  };
  const stackIds = async () => (await t.runtime.deps.db.selectFrom('asset_stacks').select('id').execute()).map((r) => r.id);
  /** Every stack row's members (by assets.stack_id) number at least two, and every stack_id points at a row. */
  const assertConsistent = async () => {
    const stacks = new Set(await stackIds());
    const rows = await t.runtime.deps.db.selectFrom('assets').select(['id', 'stack_id']).where('stack_id', 'is not', null).execute();
    const count = new Map<string, number>();
    for (const r of rows) {
      expect(stacks.has(r.stack_id!), `${r.id} points at a missing stack`).toBe(true);
      count.set(r.stack_id!, (count.get(r.stack_id!) ?? 0) + 1);
    }
    for (const id of stacks) expect(count.get(id) ?? 0, `members of ${id}`).toBeGreaterThanOrEqual(2);
  };
  const statuses = (responses: { statusCode: number }[]) => responses.map((r) => r.statusCode).sort();

  /** Starts every call with its body held back, waits until all have arrived, then sends the bodies. */
  const together = async (calls: Call[]): Promise<LightMyRequestResponse[]> => {
    const bodies = calls.map(() => new PassThrough());
    const pending = calls.map((c, i) =>
      t.app.inject({
        method: c.method as 'POST',
        url: c.url,
        headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        payload: bodies[i],
      }),
    );
    await until(() => bodies.every(beingRead), 'every request body to be read');
    calls.forEach((c, i) => bodies[i].end(c.body === undefined ? '' : JSON.stringify(c.body)));
    return Promise.all(pending);
  };

  /** The same over real sockets: headers first, bodies once the server reads every request's body. */
  const togetherOverSockets = async (calls: Call[]) => {
    const url = new URL(base);
    const arrived: http.IncomingMessage[] = [];
    const onRequest = (req: http.IncomingMessage) => arrived.push(req);
    t.app.server.on('request', onRequest);
    const pending = calls.map((c) => {
      const req = http.request({
        host: url.hostname,
        port: url.port,
        path: c.url,
        method: c.method,
        headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      req.flushHeaders();
      const response = new Promise<{ statusCode: number; retry: string | undefined; body: Record<string, unknown> }>((resolve, reject) => {
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ statusCode: res.statusCode!, retry: res.headers['x-should-retry'] as string | undefined, body: JSON.parse(text) }));
        });
        req.on('error', reject);
      });
      return { req, response, body: c.body };
    });
    try {
      await until(() => arrived.length === calls.length && arrived.every(beingRead), 'the server to read every request body');
    } finally {
      t.app.server.off('request', onRequest);
    }
    for (const p of pending) p.req.end(p.body === undefined ? '' : JSON.stringify(p.body));
    return Promise.all(pending.map((p) => p.response));
  };

  it('two creates over a shared asset: one 200, one retryable 409 that wrote nothing; its retry then succeeds', async () => {
    for (let round = 0; round < 8; round++) {
      const [a, b, c] = await seed(3);
      const before = new Set(await stackIds());
      const cursor = await lastCursor(t);
      const results = await together([
        { method: 'POST', url: '/api/stacks', body: { asset_ids: [a, b] } },
        { method: 'POST', url: '/api/stacks', body: { asset_ids: [b, c] } },
      ]);
      expect(statuses(results), `round ${round}`).toEqual([200, 409]);
      const winner = results.find((r) => r.statusCode === 200)!;
      const loser = results.find((r) => r.statusCode === 409)!;
      expect(loser.json().detail).toMatch(/retry/);
      expect(loser.headers['x-should-retry']).toBeUndefined();
      const stack = winner.json();
      const won = winner === results[0] ? [a, b] : [b, c];
      const lost = winner === results[0] ? c : a;
      expect(await stackOf([a, b, c])).toEqual({ ...Object.fromEntries(won.map((id) => [id, stack.id])), [lost]: null });
      expect((await stackIds()).filter((id) => !before.has(id))).toEqual([stack.id]);
      expect(eventLines(await feed(t, cursor))).toEqual([`stack_created ${stack.id}`, ...won.map((id) => `asset_updated ${id} ${stack.id}`)]);
      await assertConsistent();

      // What the SDK does with a retryable 409: send it again, now against the new state.
      const retried = await t.api('POST', '/api/stacks', { body: { asset_ids: winner === results[0] ? [b, c] : [a, b] } });
      expect(retried.statusCode).toBe(200);
      expect((await t.api('GET', `/api/stacks/${stack.id}`)).statusCode).toBe(404); // left with one member, it dissolved
      await assertConsistent();
    }
  });

  it('five creates over the same pair at once: exactly one stack', async () => {
    const [a, b] = await seed(2);
    const results = await together(Array.from({ length: 5 }, () => ({ method: 'POST', url: '/api/stacks', body: { asset_ids: [a, b], primary_asset_id: a } })));
    expect(statuses(results)).toEqual([200, 409, 409, 409, 409]);
    const stack = results.find((r) => r.statusCode === 200)!.json();
    expect(await stackOf([a, b])).toEqual({ [a]: stack.id, [b]: stack.id });
    await assertConsistent();
  });

  it('the same asset added to two stacks at once: it ends in exactly one of them', async () => {
    for (let round = 0; round < 5; round++) {
      const [s1, s2, s3, s4, x] = await seed(5);
      const one = (await t.api('POST', '/api/stacks', { body: { asset_ids: [s1, s2] } })).json();
      const two = (await t.api('POST', '/api/stacks', { body: { asset_ids: [s3, s4] } })).json();
      const results = await together([
        { method: 'POST', url: `/api/stacks/${one.id}/assets`, body: { asset_ids: [x] } },
        { method: 'POST', url: `/api/stacks/${two.id}/assets`, body: { asset_ids: [x] } },
      ]);
      expect(statuses(results), `round ${round}`).toEqual([200, 409]);
      const winner = results[0].statusCode === 200 ? one : two;
      const loser = winner === one ? two : one;
      expect((await stackOf([x]))[x]).toBe(winner.id);
      expect((await t.api('GET', `/api/stacks/${winner.id}`)).json()).toMatchObject({ asset_count: 3, origin: 'user' });
      expect((await t.api('GET', `/api/stacks/${loser.id}`)).json()).toMatchObject({ asset_count: 2 });
      await assertConsistent();
    }
  });

  it('add racing a dissolve: the add loses with a terminal 409 (stack gone) or the dissolve loses with a retryable one', async () => {
    const outcomes = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const [a, b, x] = await seed(3);
      const stack = (await t.api('POST', '/api/stacks', { body: { asset_ids: [a, b] } })).json();
      const [added, dissolved] = await together([
        { method: 'POST', url: `/api/stacks/${stack.id}/assets`, body: { asset_ids: [x] } },
        { method: 'DELETE', url: `/api/stacks/${stack.id}` },
      ]);
      expect(statuses([added, dissolved]), `round ${round}`).toEqual([200, 409]);
      if (added.statusCode === 409) {
        outcomes.add('add lost');
        expect(added.headers['x-should-retry']).toBe('false');
        expect(added.json().detail).toMatch(/no longer exists/);
        expect(await stackOf([a, b, x])).toEqual({ [a]: null, [b]: null, [x]: null });
      } else {
        outcomes.add('dissolve lost');
        expect(dissolved.headers['x-should-retry']).toBeUndefined();
        expect(await stackOf([a, b, x])).toEqual({ [a]: stack.id, [b]: stack.id, [x]: stack.id });
      }
      await assertConsistent();
    }
    expect(outcomes.size).toBeGreaterThan(0);
  });

  it('over real sockets: parallel create and remove on the same stack members', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b, c, d] = await seed(4);
      const stack = (await t.api('POST', '/api/stacks', { body: { asset_ids: [a, b, c] } })).json();
      const results = await togetherOverSockets([
        { method: 'POST', url: '/api/stacks', body: { asset_ids: [c, d] } },
        { method: 'DELETE', url: `/api/stacks/${stack.id}/assets`, body: { asset_ids: [b] } },
      ]);
      expect(results.find((r) => r.statusCode === 409)!.retry).toBeUndefined();
      expect(statuses(results), `round ${round}`).toEqual([200, 409]);
      const state = await stackOf([a, b, c, d]);
      if (results[0].statusCode === 200) {
        // The create won: c moved out, leaving a and b.
        expect(state).toEqual({ [a]: stack.id, [b]: stack.id, [c]: results[0].body.id, [d]: results[0].body.id });
      } else {
        // The removal won: b left, a and c stay stacked, d is untouched.
        expect(state).toEqual({ [a]: stack.id, [b]: null, [c]: stack.id, [d]: null });
      }
      await assertConsistent();
    }
  });

  it('four different edits of one stack at once: one applies, three get 409, never a 500', async () => {
    const [a, b, c, d] = await seed(4);
    const stack = (await t.api('POST', '/api/stacks', { body: { asset_ids: [a, b] } })).json();
    const results = await together([
      { method: 'POST', url: `/api/stacks/${stack.id}/assets`, body: { asset_ids: [c] } },
      { method: 'POST', url: `/api/stacks/${stack.id}/assets`, body: { asset_ids: [d] } },
      { method: 'PATCH', url: `/api/stacks/${stack.id}`, body: { primary_asset_id: a } },
      { method: 'DELETE', url: `/api/stacks/${stack.id}/assets`, body: { asset_ids: [b] } },
    ]);
    expect(statuses(results)).toEqual([200, 409, 409, 409]);
    await assertConsistent();
  });
});
