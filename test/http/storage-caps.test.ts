import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { mediaEntry, mediaFile } from '../support/media.js';
import { uploadFile } from '../support/upload.js';

const A = 'gps/italy_tuscany_DSCN0010.jpg';
const B = 'gps/finland_oulu_bird.jpg';
const C = 'gps/kenya_nakuru_kodak.jpg';
const size = (f: string) => mediaEntry(f).size_bytes;

describe.each(DIALECTS)('storage caps and exact usage on %s', (dialect) => {
  let t: TestApp;
  let home: string;
  let userId: string;
  let n = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    [{ id: home, user_id: userId }] = (await t.api('GET', '/api/libraries')).json();
  });
  afterAll(async () => {
    await t.close();
  });

  const db = () => t.runtime.deps.db;
  const upload = (file: string, library_id?: string) => uploadFile(t, mediaFile(file), { device_asset_id: `cap-${n++}`, library_id });
  const used = async () => (await t.api('GET', '/api/users/me')).json().storage_used_bytes as number;
  const library = async (id: string) => (await t.api('GET', `/api/libraries/${id}`)).json() as { storage_used_bytes: number; asset_count: number };
  const setUserCap = (bytes: number | null) => db().updateTable('users').set({ storage_limit_bytes: bytes }).where('id', '=', userId).execute();
  const counts = async () => ({
    assets: (await db().selectFrom('assets').select('id').execute()).length,
    events: (await db().selectFrom('events').select('seq').execute()).length,
  });
  /** Library usage equals the sum of its assets' sizes, and the owner's the sum over libraries. */
  const expectExact = async () => {
    const rows = await db().selectFrom('assets').select(['library_id', 'file_size_bytes']).execute();
    const libs = await db().selectFrom('libraries').select(['id', 'storage_used_bytes', 'asset_count']).where('user_id', '=', userId).execute();
    for (const l of libs) {
      const mine = rows.filter((r) => r.library_id === l.id);
      expect(l.storage_used_bytes, l.id).toBe(mine.reduce((s, r) => s + r.file_size_bytes, 0));
      expect(l.asset_count, l.id).toBe(mine.length);
    }
    expect(await used()).toBe(libs.reduce((s, l) => s + l.storage_used_bytes, 0));
  };
  const expect507 = async (file: string, library_id?: string) => {
    const before = await counts();
    const res = await upload(file, library_id);
    expect(res.statusCode, res.body).toBe(507);
    expect(Object.keys(res.json())).toEqual(['detail']);
    expect(await counts()).toEqual(before);
  };

  it('the owner at the cap gets 507, even for a duplicate; a permanent delete gives the bytes back exactly', async () => {
    const start = await used();
    await setUserCap(start + size(A));
    const first = await upload(A);
    expect(first.statusCode).toBe(201);
    expect(await used()).toBe(start + size(A));
    await expect507(B);
    await expect507(A); // checked before the duplicate lookup
    await expectExact();
    expect((await t.api('DELETE', `/api/assets/${first.json().id}`)).statusCode).toBe(200);
    expect(await used()).toBe(start);
    await expectExact();
    expect((await upload(B)).statusCode).toBe(201);
    await expectExact();
  });

  it("a purged library's bytes come back to the owner exactly; until the purge they still count", async () => {
    const lib = (await t.api('POST', '/api/libraries', { body: { name: 'Filled' } })).json().id;
    const start = await used();
    await setUserCap(start + size(C));
    expect((await upload(C, lib)).statusCode).toBe(201);
    await expect507(A, home);
    expect((await t.api('POST', `/api/libraries/${lib}/trash`)).statusCode).toBe(200);
    await expect507(A, home); // trashed content still occupies storage
    expect((await t.api('DELETE', `/api/libraries/${lib}`)).statusCode).toBe(200);
    await t.runtime.worker.runUntilIdle();
    expect((await t.api('GET', `/api/libraries/${lib}`)).statusCode).toBe(404);
    expect(await used()).toBe(start);
    await expectExact();
    expect((await upload(A, home)).statusCode).toBe(201);
    await setUserCap(null);
  });

  it('a library at its own cap refuses uploads (507) while other libraries accept them; empty-trash frees it', async () => {
    const other = (await t.api('POST', '/api/libraries', { body: { name: 'Roomy' } })).json().id;
    const full = await library(home);
    await db().updateTable('libraries').set({ storage_limit_bytes: full.storage_used_bytes }).where('id', '=', home).execute();
    await expect507(C, home);
    expect((await upload(C, other)).statusCode).toBe(201);
    const homeAssets = (await t.api('GET', '/api/assets', { query: { library_id: home, limit: 200 } })).json().data.map((a: { id: string }) => a.id);
    expect((await t.api('POST', '/api/assets/trash', { body: { ids: homeAssets }, query: { library_id: home } })).statusCode).toBe(200);
    await expect507(C, home); // trash alone frees nothing
    expect((await t.api('POST', '/api/assets/empty-trash', { query: { library_id: home } })).statusCode).toBe(200);
    expect(await library(home)).toMatchObject({ storage_used_bytes: 0, asset_count: 0 });
    expect((await upload(C, home)).statusCode).toBe(201);
    await expectExact();
  });
});
