import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { seedAssets } from '../support/seed.js';
import { uploadBuffer } from '../support/upload.js';
import { createOtherUser, createOwnerLibrary } from '../support/users.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]00:00)$/;
const ID = (prefix: string) => new RegExp(`^${prefix}_[2-9A-HJ-NP-Za-km-z]{22}$`);
/** What a leaked stack or internal detail looks like in a body. */
const LEAK = /node_modules|\/src\/|\.ts:\d+|\.js:\d+|\bat [\w.<>]+ \(|stack|SQLITE|syntax error|relation "|kysely/i;

interface Route {
  method: string;
  url: string;
  operationId: string;
}

describe.each(DIALECTS)('auth, users, libraries and error shapes on %s', (dialect) => {
  let t: TestApp;
  let routes: Route[];
  let assetId: string;
  let libraryId: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    libraryId = (await t.api('GET', '/api/libraries')).json()[0].id;
    [{ id: assetId }] = await seedAssets(t.runtime.deps.db, libraryId, [{}]);
    const doc = (await t.api('GET', '/openapi.json', { key: null })).json();
    routes = Object.entries<Record<string, { operationId: string }>>(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method.toUpperCase(),
        url: path.replace('{asset_id}', assetId).replace('{library_id}', libraryId),
        operationId: op.operationId,
      })),
    );
  });
  afterAll(async () => {
    await t.close();
  });

  describe('authentication', () => {
    it('GET /api/server/ping is public and answers pong', async () => {
      for (const key of [null, 'apikey_wrong_0123456789abcdef', undefined]) {
        const res = await t.api('GET', '/api/server/ping', { key });
        expect(res.statusCode).toBe(200);
        expect(res.body.replace(/^"|"$/g, '')).toBe('pong');
      }
    });

    it('lists at least the core operations, so the sweep below covers them', () => {
      const ids = routes.map((r) => r.operationId);
      for (const op of ['get_current_user', 'list_libraries', 'get_library', 'upload_asset', 'list_assets', 'get_asset', 'update_asset', 'delete_asset', 'bulk_update_assets', 'trash_assets', 'restore_assets', 'delete_assets', 'empty_trash', 'check_asset_existence', 'get_geo_clusters', 'count_assets', 'get_events']) {
        expect(ids, op).toContain(op);
      }
    });

    const badCredentials: [string, Record<string, string>][] = [
      ['no Authorization header', {}],
      ['an unknown API key', { authorization: 'Bearer apikey_wrong_0123456789abcdef' }],
      ['a non-key bearer token', { authorization: 'Bearer not-a-key' }],
      ['a session token this server did not sign', { authorization: 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJldWNhbHlwdCJ9.c2lnbmF0dXJl' }],
      ['a Basic credential', { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` }],
      ['an empty bearer', { authorization: 'Bearer ' }],
      ['the key without a scheme', { authorization: TEST_API_KEY }],
    ];
    it.each(badCredentials)('every route but ping and the login answers 401 {detail, error, message} for %s, and writes nothing', async (_name, headers) => {
      const events = await t.runtime.deps.db.selectFrom('events').select('seq').execute();
      for (const route of routes) {
        if (route.operationId === 'ping' || route.operationId.startsWith('oauth_')) continue;
        const hasBody = ['POST', 'PATCH', 'DELETE'].includes(route.method) && route.operationId !== 'upload_asset' && route.operationId !== 'empty_trash';
        const res = await t.app.inject({
          method: route.method as 'GET',
          url: route.url,
          headers: { ...headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
          ...(hasBody ? { payload: JSON.stringify({ ids: [assetId], description: 'x', updates: [{ id: assetId, change: { rating: 1 } }] }) } : {}),
        });
        expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
        const body = res.json();
        expect(body.error, `${route.method} ${route.url}`).toBe('unauthorized');
        expect(typeof body.detail, `${route.method} ${route.url}`).toBe('string');
        expect(body.detail.length).toBeGreaterThan(0);
        expect(body.message, `${route.method} ${route.url}`).toBe(body.detail);
      }
      expect(await t.runtime.deps.db.selectFrom('events').select('seq').execute()).toEqual(events);
      expect((await t.api('GET', `/api/assets/${assetId}`)).json().trashed_at).toBeNull();
    });

    it('accepts the key with any case of the Bearer scheme', async () => {
      for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
        const res = await t.app.inject({ method: 'GET', url: '/api/users/me', headers: { authorization: `${scheme} ${TEST_API_KEY}` } });
        expect(res.statusCode, scheme).toBe(200);
      }
    });

    it('401 for a revoked key and for an inactive account', async () => {
      const other = await createOtherUser(t, 'revoked');
      expect((await t.api('GET', '/api/users/me', { key: other.key })).statusCode).toBe(200);
      await t.runtime.deps.db.updateTable('api_keys').set({ is_active: 0 }).where('user_id', '=', other.userId).execute();
      const revoked = await t.api('GET', '/api/users/me', { key: other.key });
      expect(revoked.statusCode).toBe(401);
      expect(revoked.json()).toMatchObject({ error: 'unauthorized' });

      const inactive = await createOtherUser(t, 'inactive');
      await t.runtime.deps.db.updateTable('users').set({ is_active: 0 }).where('id', '=', inactive.userId).execute();
      const res = await t.api('GET', '/api/libraries', { key: inactive.key });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'unauthorized' });
      expect(typeof res.json().message).toBe('string');
    });
  });

  describe('users and libraries', () => {
    it('GET /api/users/me returns every required UserResponse field with its type', async () => {
      const res = await t.api('GET', '/api/users/me');
      expect(res.statusCode).toBe(200);
      const me = res.json();
      expect(me.id).toMatch(ID('intuser'));
      expect(me.created_at).toMatch(ISO_UTC);
      expect(me.updated_at).toMatch(ISO_UTC);
      for (const flag of ['is_active', 'is_superuser', 'is_verified']) expect(typeof me[flag], flag).toBe('boolean');
      expect(me.is_active).toBe(true);
      for (const n of ['storage_limit_bytes', 'storage_used_bytes']) expect(Number.isSafeInteger(me[n]), `${n} = ${me[n]}`).toBe(true);
      expect(me.storage_used_bytes).toBe(0);
      expect(me.storage_limit_bytes).toBeGreaterThan(me.storage_used_bytes);
      for (const optional of ['email', 'first_name', 'last_name', 'timezone']) {
        expect(me[optional] === null || typeof me[optional] === 'string', optional).toBe(true);
      }
      const row = await t.runtime.deps.db.selectFrom('users').selectAll().where('id', '=', me.id).executeTakeFirstOrThrow();
      expect(me.created_at).toBe(row.created_at);
    });

    it("GET /api/users/me reports the configured cap and each caller's own profile", async () => {
      const other = await createOtherUser(t, 'profile');
      const mine = (await t.api('GET', '/api/users/me')).json();
      const theirs = (await t.api('GET', '/api/users/me', { key: other.key })).json();
      expect(theirs.id).toBe(other.userId);
      expect(theirs.id).not.toBe(mine.id);
      expect(theirs.email).toBe('profile@example.test');
      expect(theirs.is_superuser).toBe(false);
      await t.runtime.deps.db.updateTable('users').set({ storage_limit_bytes: 5_000_000, storage_used_bytes: 1234 }).where('id', '=', other.userId).execute();
      const capped = (await t.api('GET', '/api/users/me', { key: other.key })).json();
      expect(capped.storage_limit_bytes).toBe(5_000_000);
      expect(capped.storage_used_bytes).toBe(1234);
    });

    it('GET /api/libraries lists the live libraries as LibraryResponse; state filters', async () => {
      const me = (await t.api('GET', '/api/users/me')).json();
      const res = await t.api('GET', '/api/libraries');
      expect(res.statusCode).toBe(200);
      const list = res.json();
      expect(Array.isArray(list)).toBe(true);
      expect(list).toHaveLength(1);
      const [lib] = list;
      expect(lib.id).toMatch(ID('lib'));
      expect(lib.name).toBe('Default Library');
      expect(lib.user_id).toBe(me.id);
      expect(lib.asset_count).toBe(1);
      expect(lib.storage_used_bytes).toBe(1000);
      expect(lib.created_at).toMatch(ISO_UTC);
      expect(lib.updated_at).toMatch(ISO_UTC);
      expect(lib.description === null || typeof lib.description === 'string').toBe(true);
      expect(lib.storage_limit_bytes === null || Number.isSafeInteger(lib.storage_limit_bytes)).toBe(true);
      expect((await t.api('GET', '/api/libraries', { query: { state: 'live' } })).json()).toEqual(list);
      expect((await t.api('GET', '/api/libraries', { query: { state: 'all' } })).json()).toEqual(list);
      expect((await t.api('GET', '/api/libraries', { query: { state: 'trashed' } })).json()).toEqual([]);
      const bad = await t.api('GET', '/api/libraries', { query: { state: 'deleted' } });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().detail[0]).toMatchObject({ loc: ['query', 'state'], type: 'enum' });
    });

    it("GET /api/libraries/{id} returns the library; 404 for unknown ids and other users' libraries", async () => {
      const list = (await t.api('GET', '/api/libraries')).json();
      const one = await t.api('GET', `/api/libraries/${libraryId}`);
      expect(one.statusCode).toBe(200);
      expect(one.json()).toEqual(list[0]);
      const other = await createOtherUser(t, 'libs');
      for (const [id, key] of [
        ['lib_2222222222222222222222', undefined],
        ['nope', undefined],
        [other.libraryId, undefined],
        [libraryId, other.key],
      ] as const) {
        const res = await t.api('GET', `/api/libraries/${id}`, { key });
        expect(res.statusCode, id).toBe(404);
        expect(typeof res.json().detail).toBe('string');
      }
      const theirs = (await t.api('GET', '/api/libraries', { key: other.key })).json();
      expect(theirs.map((l: { id: string }) => l.id)).toEqual([other.libraryId]);
    });

    it('trashed libraries: hidden from the default list, listed newest-trashed first, still readable by id', async () => {
      const owner = (await t.api('GET', '/api/users/me')).json().id;
      const older = await createOwnerLibrary(t, owner, 'Trashed first');
      const newer = await createOwnerLibrary(t, owner, 'Trashed second');
      const db = t.runtime.deps.db;
      await db.updateTable('libraries').set({ trashed_at: '2025-01-01T00:00:00.000Z' }).where('id', '=', older).execute();
      await db.updateTable('libraries').set({ trashed_at: '2025-02-01T00:00:00.000Z' }).where('id', '=', newer).execute();
      const ids = async (state?: string) =>
        (await t.api('GET', '/api/libraries', { query: { state } })).json().map((l: { id: string }) => l.id);
      expect(await ids()).toEqual([libraryId]);
      expect(await ids('trashed')).toEqual([newer, older]);
      expect((await ids('all')).sort()).toEqual([libraryId, older, newer].sort());
      const one = await t.api('GET', `/api/libraries/${older}`);
      expect(one.statusCode).toBe(200);
      expect(one.json().name).toBe('Trashed first');
      // Only one live library remains, so library_id is still optional elsewhere.
      expect((await t.api('GET', '/api/events')).statusCode).toBe(200);
    });
  });

  describe('error shapes', () => {
    it('an unknown route answers 404 {detail: "Not Found"}, with or without a key', async () => {
      for (const url of ['/api/nope', '/api/assets/x/y/z', '/nothing', '/api']) {
        for (const key of [undefined, null, 'apikey_wrong']) {
          const res = await t.api('GET', url, { key });
          expect(res.statusCode, `${url} ${key}`).toBe(404);
          expect(res.json()).toEqual({ detail: 'Not Found' });
        }
      }
      // A known route still wants the key.
      expect((await t.api('GET', '/api/assets', { key: null })).statusCode).toBe(401);
    });

    it('a served path called with another method answers 405 with Allow, as FastAPI does, before auth', async () => {
      for (const [method, url, allow] of [
        ['PUT', '/api/assets', 'DELETE, GET, HEAD, POST'],
        ['POST', '/api/server/ping', 'GET, HEAD'],
        ['PUT', `/api/assets/${assetId}`, 'DELETE, GET, HEAD, PATCH'],
        ['DELETE', '/api/tasks/', 'GET, HEAD'],
      ]) {
        for (const key of [undefined, null]) {
          const res = await t.api(method, url, { key });
          expect(res.statusCode, `${method} ${url}`).toBe(405);
          expect(res.headers.allow, `${method} ${url}`).toBe(allow);
          expect(res.json()).toEqual({ detail: 'Method Not Allowed' });
        }
      }
    });

    it('malformed JSON answers 422 json_invalid, and nothing is written', async () => {
      for (const [method, url] of [
        ['PATCH', `/api/assets/${assetId}`],
        ['POST', '/api/assets/bulk-update'],
        ['POST', '/api/assets/trash'],
        ['POST', '/api/assets/exist'],
      ]) {
        for (const payload of ['{"description": ', '{description: "x"}', "{'a': 1}", '{"a":1}}']) {
          const res = await t.app.inject({
            method: method as 'POST',
            url,
            headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
            payload,
          });
          expect(res.statusCode, `${url} ${payload}`).toBe(422);
          const [issue] = res.json().detail;
          expect(issue.type).toBe('json_invalid');
          expect(issue.loc[0]).toBe('body');
          expect(typeof issue.msg).toBe('string');
          expect(res.body).not.toMatch(LEAK);
        }
      }
      expect((await t.api('GET', `/api/assets/${assetId}`)).json().trashed_at).toBeNull();
    });

    it('validation errors are FastAPI-shaped and never carry a stack or internals', async () => {
      const cases: [string, string, Record<string, unknown> | undefined, unknown][] = [
        ['PATCH', `/api/assets/${assetId}`, undefined, { latitude: 'x', longitude: 1 }],
        ['PATCH', `/api/assets/${assetId}`, undefined, []],
        ['POST', '/api/assets/bulk-update', undefined, { updates: 'all' }],
        ['POST', '/api/assets/trash', undefined, { ids: [1, 2] }],
        ['GET', '/api/assets', { limit: 1000 }, undefined],
        ['GET', '/api/assets', { include: 'everything' }, undefined],
        ['GET', '/api/assets', { bbox: '1,2,3', center: '1,2', radius: 5 }, undefined],
        ['GET', '/api/assets', { starting_after_id: 'asset_2222222222222222222222' }, undefined],
        ['GET', '/api/assets/counts', { group_by: 'hour' }, undefined],
        ['GET', '/api/assets/geo-clusters', { bbox: 'a,b,c,d', cell_size: 1 }, undefined],
        ['GET', '/api/events', { after_cursor: '%%%' }, undefined],
      ];
      for (const [method, url, query, body] of cases) {
        const res = await t.api(method, url, { query, body });
        const label = `${method} ${url} ${JSON.stringify(query ?? body)}`;
        expect(res.statusCode, label).toBe(422);
        const detail = res.json().detail;
        expect(Array.isArray(detail), label).toBe(true);
        expect(detail.length, label).toBeGreaterThan(0);
        for (const issue of detail) {
          expect(Array.isArray(issue.loc), label).toBe(true);
          expect(['body', 'query', 'path'], label).toContain(issue.loc[0]);
          expect(typeof issue.msg, label).toBe('string');
          expect(typeof issue.type, label).toBe('string');
          expect(Object.keys(issue).every((k) => ['loc', 'msg', 'type', 'input', 'ctx'].includes(k)), label).toBe(true);
        }
        expect(res.body, label).not.toMatch(LEAK);
      }
    });

    it('a NUL character in any text input is a 422 at its location on both databases, never a 500, and writes nothing', async () => {
      const NUL = '\u0000';
      const events = await t.runtime.deps.db.selectFrom('events').select('seq').execute();
      const cases: [string, string, Record<string, unknown> | undefined, unknown, (string | number)[]][] = [
        ['GET', `/api/assets/asset_${NUL}x`, undefined, undefined, ['path', 'asset_id']],
        ['DELETE', `/api/assets/${assetId}${NUL}`, undefined, undefined, ['path', 'asset_id']],
        ['GET', `/api/libraries/lib_${NUL}`, undefined, undefined, ['path', 'library_id']],
        ['GET', '/api/assets', { ids: `asset_${NUL}` }, undefined, ['query', 'ids', 0]],
        ['GET', '/api/assets', { library_id: `lib_${NUL}` }, undefined, ['query', 'library_id']],
        ['GET', '/api/assets', { starting_after_id: `asset_${NUL}` }, undefined, ['query', 'starting_after_id']],
        ['GET', '/api/events', { after_cursor: NUL }, undefined, ['query', 'after_cursor']],
        ['PATCH', `/api/assets/${assetId}`, undefined, { description: `a${NUL}b` }, ['body', 'description']],
        ['POST', '/api/assets/bulk-update', undefined, { updates: [{ id: assetId, change: { description: NUL } }] }, ['body', 'updates', 0, 'change', 'description']],
        ['POST', '/api/assets/trash', undefined, { ids: [assetId, `x${NUL}`] }, ['body', 'ids', 1]],
        ['POST', '/api/assets/exist', undefined, { checksums: [`x${NUL}`] }, ['body', 'checksums', 0]],
        ['POST', '/api/assets/exist', undefined, { deviceId: NUL, deviceAssetIds: ['a'] }, ['body', 'deviceId']],
      ];
      for (const [method, url, query, body, loc] of cases) {
        const res = await t.api(method, url.replace(NUL, '%00'), { query, body });
        const label = `${method} ${url} ${JSON.stringify(query ?? body)}`;
        expect(res.statusCode, label).toBe(422);
        expect(res.json().detail[0].loc, label).toEqual(loc);
      }
      const upload = await uploadBuffer(t, 'nul.jpg', Buffer.from('not reached'), { device_id: `dev${NUL}` });
      expect(upload.statusCode).toBe(422);
      expect(upload.json().detail[0].loc).toEqual(['body', 'device_id']);
      expect(await t.runtime.deps.db.selectFrom('events').select('seq').execute()).toEqual(events);
      const row = await t.runtime.deps.db.selectFrom('asset_metadata').select('user_description').where('asset_id', '=', assetId).executeTakeFirstOrThrow();
      expect(row.user_description).toBeNull();
      expect((await t.api('GET', `/api/assets/${assetId}`)).json().trashed_at).toBeNull();
    });

    it('other 4xx bodies are {detail} only', async () => {
      const big = await t.app.inject({
        method: 'POST',
        url: '/api/assets/exist',
        headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ checksums: ['x'.repeat(9 * 1024 * 1024)] }),
      });
      expect(big.statusCode).toBe(413);
      expect(Object.keys(big.json())).toEqual(['detail']);
      expect(big.body).not.toMatch(LEAK);
      const missing = await t.api('GET', '/api/assets/asset_2222222222222222222222');
      expect(missing.statusCode).toBe(404);
      expect(Object.keys(missing.json())).toEqual(['detail']);
    });
  });

  describe('/openapi.json', () => {
    it('is public, valid JSON, names the spec operationIds and components', async () => {
      for (const key of [null, 'apikey_wrong_0123456789abcdef']) {
        const res = await t.api('GET', '/openapi.json', { key });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        const doc = JSON.parse(res.body);
        expect(doc.openapi).toMatch(/^3\./);
        const operationIds = Object.values<Record<string, { operationId?: string }>>(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
        for (const op of ['update_asset', 'list_assets', 'get_asset', 'upload_asset', 'bulk_update_assets', 'trash_assets', 'restore_assets', 'get_geo_clusters', 'get_current_user', 'list_libraries', 'get_library']) {
          expect(operationIds, op).toContain(op);
        }
        expect(new Set(operationIds).size).toBe(operationIds.length);
        const asset = doc.components.schemas.AssetResponse;
        expect(asset).toBeDefined();
        for (const field of ['id', 'mime_type', 'original_file_name', 'local_datetime', 'created_at', 'updated_at']) {
          expect(asset.properties[field], field).toBeDefined();
          expect(asset.required, field).toContain(field);
        }
        expect(doc.paths['/api/assets/{asset_id}'].patch.operationId).toBe('update_asset');
        expect(doc.paths['/api/assets/{asset_id}'].patch.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/AssetResponse');
        expect(doc.paths['/api/server/ping'].get.security).toEqual([]);
        expect(res.body).not.toMatch(/\$id|def-\d/);
      }
    });
  });

  describe('unexpected failures', () => {
    it('a failing database answers 500 {detail: "Internal Server Error"} with nothing leaked', async () => {
      // Break the store for real (no mocks): the events table every write appends to is gone.
      await t.runtime.deps.db.schema.dropTable('events').execute();
      const res = await t.api('PATCH', `/api/assets/${assetId}`, { body: { description: 'boom' } });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ detail: 'Internal Server Error' });
      // The transaction rolled back: the asset row is untouched.
      const row = await t.runtime.deps.db.selectFrom('asset_metadata').select('user_description').where('asset_id', '=', assetId).executeTakeFirstOrThrow();
      expect(row.user_description).toBeNull();
      expect((await t.api('GET', '/api/server/ping')).statusCode).toBe(200);
    });
  });
});
