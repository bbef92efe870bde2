import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApiKeyCommand } from '../../src/commands/api-key.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { seedAssets } from '../support/seed.js';
import { DEFAULT_FIELDS, multipartBody } from '../support/upload.js';

const PHOTO = path.resolve(__dirname, '../../../shared/media/gps/italy_tuscany_DSCN0010.jpg');

/** Runs `eucalypt api-key …` against the test app's database; returns status and output. */
async function cli(t: TestApp, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runApiKeyCommand(argv, t.config, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

describe.each(DIALECTS)('API keys made with `eucalypt api-key`, and their grants, on %s', (dialect) => {
  let t: TestApp;
  let libraryId: string;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    libraryId = (await t.api('GET', '/api/libraries')).json()[0].id;
    for (const [name, actions] of [['read', 'read'], ['write', 'read,write'], ['delete', 'read,write,delete'], ['all', 'delete_permanently,read,delete,write']]) {
      const made = await cli(t, 'create', '--name', name, '--actions', actions);
      expect(made.code).toBe(0);
      keys[name] = made.stdout.trim();
      expect(keys[name]).toMatch(/^apikey_[A-Za-z0-9_-]{40,}$/);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = (key: string) => {
    const { payload, contentType } = multipartBody({ ...DEFAULT_FIELDS, device_asset_id: `grant-${key.slice(-6)}` }, { filename: 'tuscany.jpg', content: fs.readFileSync(PHOTO) });
    return t.app.inject({ method: 'POST', url: '/api/assets', payload, headers: { 'content-type': contentType, authorization: `Bearer ${key}` } });
  };

  it('refuses actions a key was not given, with 403 in the error shape, and allows the rest', async () => {
    const [{ id: a }, { id: b }] = await seedAssets(t.runtime.deps.db, libraryId, [{}, {}]);
    const call = (key: string, method: string, url: string, body?: unknown) => t.api(method, url, { key: keys[key], body });

    // read: look, check existence and search (POSTs that only read), nothing else
    expect((await call('read', 'GET', '/api/assets')).statusCode).toBe(200);
    expect((await call('read', 'POST', '/api/assets/exist', { deviceAssetIds: ['x'], deviceId: 'y' })).statusCode).toBe(200);
    expect((await t.api('GET', '/api/search', { key: keys.read, query: { query: 'tuscany' } })).statusCode).toBe(200);
    const form = multipartBody({ query: 'tuscany' });
    expect((await t.app.inject({ method: 'POST', url: '/api/search', payload: form.payload, headers: { 'content-type': form.contentType, authorization: `Bearer ${keys.read}` } })).statusCode).toBe(200);
    const refused = await upload(keys.read);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ detail: 'This API key does not grant the "write" action' });
    expect((await call('read', 'PATCH', `/api/assets/${a}`, { rating: 3 })).statusCode).toBe(403);

    // write: upload and change, and album membership, but no trash
    expect((await upload(keys.write)).statusCode).toBe(201);
    expect((await call('write', 'PATCH', `/api/assets/${a}`, { rating: 3 })).statusCode).toBe(200);
    const album = (await call('write', 'POST', '/api/albums', { name: 'Granted' })).json();
    expect((await call('write', 'POST', `/api/albums/${album.id}/assets`, { asset_ids: [a] })).statusCode).toBe(200);
    expect((await call('write', 'DELETE', `/api/albums/${album.id}/assets`, { asset_ids: [a] })).statusCode).toBe(200);
    expect((await call('write', 'POST', '/api/assets/trash', { ids: [a] })).statusCode).toBe(403);
    expect((await call('write', 'DELETE', `/api/albums/${album.id}`)).statusCode).toBe(403);

    // delete: reversible removals; destroying data for good needs delete_permanently
    expect((await call('delete', 'POST', '/api/assets/trash', { ids: [a, b] })).statusCode).toBe(200);
    expect((await call('delete', 'POST', '/api/assets/restore', { ids: [b] })).statusCode).toBe(200);
    expect((await call('delete', 'DELETE', `/api/albums/${album.id}`)).statusCode).toBe(200);
    expect((await call('delete', 'POST', '/api/assets/empty-trash')).statusCode).toBe(403);
    expect((await call('delete', 'DELETE', `/api/assets/${b}`)).statusCode).toBe(403);
    expect((await call('delete', 'DELETE', '/api/assets', { ids: [b] })).statusCode).toBe(403);

    expect((await call('all', 'DELETE', `/api/assets/${b}`)).statusCode).toBe(200);
    expect((await call('all', 'POST', '/api/assets/empty-trash')).statusCode).toBe(200);
    expect((await call('all', 'GET', `/api/assets/${a}`)).statusCode).toBe(404); // emptied from the trash
  });

  it('answers 403 on first-party-only routes to any key, 401 without one', async () => {
    for (const [method, url] of [['GET', '/api/api-keys/'], ['GET', '/api/api-keys'], ['POST', '/api/api-keys/'], ['DELETE', '/api/api-keys/apikey_x'], ['GET', `/api/libraries/${libraryId}/members`], ['POST', '/api/libraries/invitations']]) {
      const res = await t.api(method, url, { key: keys.all, body: method === 'POST' ? {} : undefined });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().detail).toMatch(/first-party session/);
      expect((await t.api(method, url, { key: null })).statusCode).toBe(401);
    }
  });

  it('limits a key to its selected libraries: the others look missing, and it cannot make new ones', async () => {
    const other = (await t.api('POST', '/api/libraries', { body: { name: 'Family' } })).json();
    const [{ id: mine }] = await seedAssets(t.runtime.deps.db, other.id, [{}]);
    const [{ id: notMine }] = await seedAssets(t.runtime.deps.db, libraryId, [{}]);
    expect((await cli(t, 'create', '--name', 'nope', '--actions', 'read', '--libraries', 'lib_unknown')).code).toBe(1);
    const made = await cli(t, 'create', '--name', 'family-frame', '--actions', 'read,write', '--libraries', other.id);
    expect(made.code).toBe(0);
    const key = made.stdout.trim();
    const call = (method: string, url: string, options: { body?: unknown; query?: Record<string, unknown> } = {}) => t.api(method, url, { key, ...options });

    expect((await call('GET', '/api/libraries')).json().map((l: { id: string }) => l.id)).toEqual([other.id]);
    expect((await call('GET', `/api/libraries/${libraryId}`)).statusCode).toBe(404);
    // Without library_id the key's only library is the one meant (§3.2), though the owner has two.
    expect((await call('GET', '/api/assets')).json().data.map((a: { id: string }) => a.id)).toContain(mine);
    expect((await t.api('GET', '/api/assets')).statusCode).toBe(400); // the owner's full key must choose
    expect((await call('GET', '/api/assets', { query: { library_id: libraryId } })).statusCode).toBe(404);
    expect((await call('GET', `/api/assets/${notMine}`)).statusCode).toBe(404);
    expect((await call('GET', `/api/assets/${mine}`)).statusCode).toBe(200);
    expect((await call('PATCH', `/api/assets/${notMine}`, { body: { rating: 1 } })).statusCode).toBe(404);
    expect((await call('GET', '/api/events', { query: { library_id: libraryId } })).statusCode).toBe(404);
    expect((await call('GET', '/api/tasks/', { query: { library_id: libraryId } })).statusCode).toBe(404);
    const created = await call('POST', '/api/libraries', { body: { name: 'Sneaky' } });
    expect(created.statusCode).toBe(403);
    expect(created.json().detail).toMatch(/limited to selected libraries/);

    const { payload, contentType } = multipartBody({ ...DEFAULT_FIELDS, device_asset_id: 'scoped' }, { filename: 'tuscany.jpg', content: fs.readFileSync(PHOTO) });
    const uploaded = await t.app.inject({ method: 'POST', url: '/api/assets', payload, headers: { 'content-type': contentType, authorization: `Bearer ${key}` } });
    expect([200, 201]).toContain(uploaded.statusCode);
    const inOther = (await t.api('GET', '/api/assets', { query: { library_id: other.id } })).json().data.map((a: { id: string }) => a.id);
    expect(inOther).toContain(uploaded.json().id);
    expect((await cli(t, 'list')).stdout).toMatch(new RegExp(`read,write\\s+${other.id}\\s+last used`));
  });

  it('lists keys and revokes one at once; a revoked key gets 401', async () => {
    const listed = await cli(t, 'list');
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines).toHaveLength(6); // the initial key, the four above and the library-scoped one
    const readLine = lines.find((l) => l.endsWith('  read'))!;
    expect(readLine).toMatch(/^apikey_\S+\s+active\s+read\s+all libraries\s+last used \d{4}-/); // used by the tests above
    expect(lines.find((l) => l.endsWith('  all'))).toMatch(/last used \d{4}-/);
    const id = readLine.split(/\s+/)[0];
    expect((await t.api('GET', '/api/libraries', { key: keys.read })).statusCode).toBe(200);
    expect((await cli(t, 'revoke', id)).code).toBe(0);
    expect((await t.api('GET', '/api/libraries', { key: keys.read })).statusCode).toBe(401);
    expect((await cli(t, 'list')).stdout).toMatch(new RegExp(`^${id}\\s+revoked`, 'm'));
    expect((await cli(t, 'revoke', 'apikey_nope')).code).toBe(1);
  });

  it('refuses grants §1.6 does not allow, with a usage error', async () => {
    for (const actions of ['write', 'read,admin', '']) {
      const res = await cli(t, 'create', '--name', 'bad', '--actions', actions);
      expect(res.code, actions).toBe(2);
      expect(res.stdout).toBe('');
    }
    expect((await cli(t, 'create', '--actions', 'read')).stderr).toMatch(/--name is required/);
    expect((await cli(t, 'create', '--name', 'x', '--bogus')).code).toBe(2);
  });
});
