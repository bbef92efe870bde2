/**
 * Issue 7: people and album names are searchable, and every change to them (naming, hiding,
 * reassigning, detaching, merging and deleting people; renaming albums, changing members,
 * deleting albums) reaches the search documents in the same transaction. Real face detection
 * and clustering on the corpus, both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { mediaFile } from '../support/media.js';
import { searchGet } from '../support/search.js';
import { uploadFile } from '../support/upload.js';

/** Kit Harington three times (no file name says "Harington"), Biden once, and a photo without faces. */
const FILES = {
  john1: 'faces/kit_harington/john1.jpeg',
  john2: 'faces/kit_harington/john2.jpeg',
  jonSnow: 'faces/kit_harington/johnsnow_test1.jpg',
  biden: 'faces/biden/biden.jpg',
  fir: 'jpeg/nature/silver_fir.jpg',
} as const;
type Name = keyof typeof FILES;

describe.each(DIALECTS)('people and album names in search on %s', (dialect) => {
  let t: TestApp;
  const asset = {} as Record<Name, string>;
  const nameOf = new Map<string, Name>();
  let kit: string;

  const found = async (query: string): Promise<Name[]> => {
    const res = await searchGet(t, { query, limit: 50 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data.map((d) => nameOf.get(d.asset.id)!).sort();
  };
  const facesOf = async (name: Name): Promise<{ id: string; person_id: string | null }[]> => (await t.api('GET', '/api/faces', { query: { asset_id: asset[name] } })).json().data;

  beforeAll(async () => {
    t = await createTestApp(dialect, { EUCALYPT_FACES: 'on' });
    for (const [name, path] of Object.entries(FILES) as [Name, string][]) {
      const res = await uploadFile(t, mediaFile(path), { device_asset_id: path });
      expect(res.statusCode, path).toBe(201);
      asset[name] = res.json().id;
      nameOf.set(res.json().id, name);
    }
    await t.runtime.worker.runUntilIdle();
    const people = (await t.api('GET', '/api/people', { query: { limit: 50, name_filter: 'unnamed' } })).json().data as { id: string; asset_count: number }[];
    const cluster = people.filter((p) => p.asset_count === 3);
    expect(cluster).toHaveLength(1);
    kit = cluster[0].id;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('an unnamed cluster adds nothing; naming the person finds exactly their photos', async () => {
    expect(await found('Harington')).toEqual([]);
    expect((await t.api('PATCH', `/api/people/${kit}`, { body: { name: 'Kit Harington' } })).statusCode).toBe(200);
    expect(await found('Harington')).toEqual(['john1', 'john2', 'jonSnow']);
    expect(await found('kit harington')).toEqual(['john1', 'john2', 'jonSnow']);
  });

  it('a rename replaces the old name; hiding the person takes the name out until shown again', async () => {
    await t.api('PATCH', `/api/people/${kit}`, { body: { name: 'Aemon Targaryen' } });
    expect(await found('Harington')).toEqual([]);
    expect(await found('Targaryen')).toEqual(['john1', 'john2', 'jonSnow']);
    await t.api('PATCH', `/api/people/${kit}`, { body: { is_hidden: true } });
    expect(await found('Targaryen')).toEqual([]);
    await t.api('PATCH', `/api/people/${kit}`, { body: { is_hidden: false } });
    expect(await found('Targaryen')).toEqual(['john1', 'john2', 'jonSnow']);
  });

  it('a manual face and a reassigned face carry the person; a detached face drops them', async () => {
    const manual = await t.api('POST', '/api/faces', { body: { asset_id: asset.fir, bounding_box: { x: 0, y: 0, w: 20, h: 20 }, person_id: kit } });
    expect(manual.statusCode).toBe(200);
    expect(await found('Targaryen')).toEqual(['fir', 'john1', 'john2', 'jonSnow']);

    const [john2Face] = await facesOf('john2');
    expect(john2Face.person_id).toBe(kit);
    await t.api('PATCH', `/api/faces/${john2Face.id}`, { body: { person_id: null } });
    expect(await found('Targaryen')).toEqual(['fir', 'john1', 'jonSnow']);

    const [bidenFace] = await facesOf('biden');
    await t.api('PATCH', `/api/faces/${bidenFace.id}`, { body: { person_id: kit } });
    expect(await found('Targaryen')).toEqual(['biden', 'fir', 'john1', 'jonSnow']);

    expect((await t.api('DELETE', `/api/faces/${manual.json().id}`)).statusCode).toBe(200);
    expect(await found('Targaryen')).toEqual(['biden', 'john1', 'jonSnow']);
  });

  it('merging carries the target’s name to the sources’ photos; deleting the person removes it', async () => {
    const joe = (await t.api('POST', '/api/people', { body: { name: 'Joseph Robinette' } })).json().id as string;
    const [john2Face] = await facesOf('john2');
    await t.api('PATCH', `/api/faces/${john2Face.id}`, { body: { person_id: joe } });
    expect(await found('Robinette')).toEqual(['john2']);

    expect((await t.api('POST', `/api/people/${kit}/merge`, { body: { source_person_ids: [joe] } })).statusCode).toBe(200);
    expect(await found('Robinette')).toEqual([]);
    expect(await found('Targaryen')).toEqual(['biden', 'john1', 'john2', 'jonSnow']);

    expect((await t.api('DELETE', `/api/people/${kit}`)).statusCode).toBe(200);
    expect(await found('Targaryen')).toEqual([]);
  });

  it('album names follow renames, membership and deletion', async () => {
    const album = (await t.api('POST', '/api/albums', { body: { name: 'Honeymoon Trip' } })).json().id as string;
    expect(await found('honeymoon')).toEqual([]);
    await t.api('POST', `/api/albums/${album}/assets`, { body: { asset_ids: [asset.fir, asset.biden] } });
    expect(await found('honeymoon')).toEqual(['biden', 'fir']);

    await t.api('PATCH', `/api/albums/${album}`, { body: { name: 'Wedding Weekend' } });
    expect(await found('honeymoon')).toEqual([]);
    expect(await found('wedding')).toEqual(['biden', 'fir']);

    await t.api('DELETE', `/api/albums/${album}/assets`, { body: { asset_ids: [asset.biden] } });
    expect(await found('wedding')).toEqual(['fir']);

    expect((await t.api('DELETE', `/api/albums/${album}`)).statusCode).toBe(200);
    expect(await found('wedding')).toEqual([]);
  });
});
