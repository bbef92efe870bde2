import pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { mediaEntry, mediaFile } from '../support/media.js';
import { uploadFile } from '../support/upload.js';

/** Obama ×3 and Biden alone, the two of them together twice, a photo without faces and a video with faces. */
const FILES = {
  obama: 'faces/obama/obama.jpg',
  obama2: 'faces/obama/obama2.jpg',
  obamaSmall: 'faces/obama/obama_small.jpg',
  biden: 'faces/biden/biden.jpg',
  obamaBiden: 'faces/group/obama_and_biden.jpg',
  both: 'faces/group/two_people.jpg',
  nature: 'jpeg/nature/silver_fir.jpg',
  video: 'video/hamilton_clip_faces.mp4',
} as const;
type Name = keyof typeof FILES;

interface Face {
  id: string;
  asset_id: string;
  person_id: string | null;
  source: string;
  confidence: number | null;
  timestamp_ms: number | null;
  bounding_box: { x: number; y: number; w: number; h: number };
  asset_urls: { thumbnail: { url: string } };
  cluster_assignment: null | { distance_to_person: number | null; candidates: { person_id: string; name: string | null; distance: number }[] };
}

describe.each(DIALECTS)('faces and people on %s', (dialect) => {
  let t: TestApp;
  const asset = {} as Record<Name, string>;
  let obama: string;
  let biden: string;

  const facesOf = async (name: Name): Promise<Face[]> => (await t.api('GET', '/api/faces', { query: { asset_id: asset[name] } })).json().data;
  const events = async (types: string[]) => (await t.api('GET', '/api/events', { query: { entity_types: types, limit: 200 } })).json().data as { entity_id: string; event_type: string; payload?: Record<string, unknown> }[];
  const fetchUrl = (url: string) => {
    const u = new URL(url);
    return t.app.inject({ method: 'GET', url: u.pathname + u.search });
  };

  beforeAll(async () => {
    t = await createTestApp(dialect, { EUCALYPT_FACES: 'on' });
    for (const [name, path] of Object.entries(FILES) as [Name, string][]) {
      const res = await uploadFile(t, mediaFile(path), { device_asset_id: path });
      expect(res.statusCode, path).toBe(201);
      asset[name] = res.json().id;
    }
    await t.runtime.worker.runUntilIdle();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('detects every labelled face, in display space, with a confidence and a working crop URL', async () => {
    for (const name of ['obama', 'obama2', 'obamaSmall', 'biden', 'obamaBiden', 'both', 'nature'] as const) {
      const entry = mediaEntry(FILES[name]);
      const faces = await facesOf(name);
      const { count } = entry.labels.faces as { count: number };
      expect(faces.length, name).toBeGreaterThanOrEqual(count);
      expect(faces.length, name).toBeLessThanOrEqual((entry.labels.face_count_max as number | undefined) ?? count);
      for (const f of faces) {
        expect(f.source).toBe('automatic');
        expect(f.confidence).toBeGreaterThan(0.5);
        expect(f.confidence).toBeLessThanOrEqual(1);
        expect(f.timestamp_ms).toBeNull();
        const { x, y, w, h } = f.bounding_box;
        expect(x + w).toBeLessThanOrEqual(entry.display_width!);
        expect(y + h).toBeLessThanOrEqual(entry.display_height!);
        expect(w).toBeGreaterThan(40);
      }
    }
    const [face] = await facesOf('obama');
    const crop = await fetchUrl(face.asset_urls.thumbnail.url);
    expect(crop.statusCode).toBe(200);
    expect(crop.headers['content-type']).toBe('image/webp');
    expect((await sharp(crop.rawPayload).metadata()).width).toBeGreaterThan(40);
    const tampered = new URL(face.asset_urls.thumbnail.url);
    tampered.searchParams.set('v', 'x');
    expect((await fetchUrl(tampered.toString())).statusCode).toBe(403);
    // Tasks: detection per asset, clustering library-scoped.
    const tasks = (await t.api('GET', '/api/tasks/', { query: { limit: 1000 } })).json() as { task_type: string; status: string; asset_id: string | null }[];
    expect(tasks.filter((x) => x.task_type === 'face_detection').map((x) => x.status)).toEqual(Array(Object.keys(FILES).length).fill('success'));
    const clustering = tasks.filter((x) => x.task_type === 'face_clustering');
    expect(clustering.length).toBeGreaterThan(0);
    expect(clustering.every((x) => x.asset_id === null && x.status === 'success')).toBe(true);
  });

  it('finds faces in a video on sampled frames, with timestamp_ms', async () => {
    const faces = await facesOf('video');
    expect(faces.length).toBeGreaterThan(0);
    for (const f of faces) expect(f.timestamp_ms).toEqual(expect.any(Number));
  });

  it('groups the photos of each person into one person; face_created comes before face_updated', async () => {
    const obamaFaces = [...(await facesOf('obama')), ...(await facesOf('obama2')), ...(await facesOf('obamaSmall'))];
    const bidenFaces = await facesOf('biden');
    obama = obamaFaces[0].person_id!;
    biden = bidenFaces[0].person_id!;
    expect(obama).toMatch(/^person_/);
    expect(biden).toMatch(/^person_/);
    expect(obama).not.toBe(biden);
    expect(obamaFaces.every((f) => f.person_id === obama)).toBe(true);
    expect(bidenFaces.every((f) => f.person_id === biden)).toBe(true);
    for (const group of ['both', 'obamaBiden'] as const) {
      const named = (await facesOf(group)).map((f) => f.person_id).filter((p) => p !== null).sort();
      expect(named, group).toEqual([obama, biden].sort());
    }

    const people = (await t.api('GET', '/api/people', { query: { name_filter: 'all', sort: 'asset_count_desc' } })).json().data;
    expect(people.map((p: { id: string }) => p.id).slice(0, 2)).toEqual([obama, biden]);
    expect(people[0]).toMatchObject({ name: null, asset_count: 5, is_favorite: false, is_hidden: false });
    expect(people[1].asset_count).toBe(3);
    expect((await fetchUrl(people[0].asset_urls.thumbnail.url)).statusCode).toBe(200);

    const log = await events(['face']);
    const face = obamaFaces[0].id;
    const created = log.findIndex((e) => e.entity_id === face && e.event_type === 'face_created');
    const updated = log.findIndex((e) => e.entity_id === face && e.event_type === 'face_updated');
    expect(created).toBeGreaterThanOrEqual(0);
    expect(log[created].payload).toBeUndefined();
    expect(updated).toBeGreaterThan(created);
    expect(log[updated].payload).toEqual({ person_id: obama });
    expect((await events(['person'])).filter((e) => e.event_type === 'person_created').map((e) => e.entity_id)).toEqual(expect.arrayContaining([obama, biden]));
  });

  it('person_ids filters assets by the intersection of people, on lists and counts', async () => {
    const list = async (ids: string[]) => (await t.api('GET', '/api/assets', { query: { person_ids: ids.join(','), limit: 50 } })).json().data.map((a: { id: string }) => a.id).sort();
    expect(await list([obama])).toEqual([asset.obama, asset.obama2, asset.obamaSmall, asset.both, asset.obamaBiden].sort());
    expect(await list([obama, biden])).toEqual([asset.both, asset.obamaBiden].sort());
    const repeated = await t.api('GET', '/api/assets', { query: { person_ids: [obama, biden] } });
    expect(repeated.json().data.map((a: { id: string }) => a.id).sort()).toEqual([asset.both, asset.obamaBiden].sort());
    const counts = (await t.api('GET', '/api/assets/counts', { query: { group_by: 'year', person_ids: biden } })).json().data;
    expect(counts.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(3);
    const geo = await t.api('GET', '/api/assets/geo-clusters', { query: { bbox: '-180,-90,180,90', cell_size: 10, person_ids: obama } });
    expect(geo.statusCode).toBe(200);
    expect(geo.json().data).toEqual([]);
    expect((await t.api('GET', '/api/assets', { query: { person_ids: Array(201).fill(obama) } })).statusCode).toBe(422);
  });

  it('include=faces|people on assets; lean assets carry null', async () => {
    const full = (await t.api('GET', `/api/assets/${asset.both}`, { query: { include: 'faces,people' } })).json();
    expect(full.faces).toHaveLength(2);
    expect(full.faces[0]).toMatchObject({ asset_id: asset.both, source: 'automatic' });
    expect(full.people.map((p: { id: string }) => p.id).sort()).toEqual([obama, biden].sort());
    expect(full.people[0].asset_urls).toBeNull();
    const lean = (await t.api('GET', `/api/assets/${asset.both}`)).json();
    expect(lean.faces).toBeNull();
    expect(lean.people).toBeNull();
    const none = (await t.api('GET', '/api/assets', { query: { ids: asset.nature, include: ['faces', 'people'] } })).json().data[0];
    expect(none.faces).toEqual([]);
    expect(none.people).toEqual([]);
  });

  it('include=cluster_assignment gives the distance to the person and ranked candidates; cluster_metrics the cohesion', async () => {
    const [face] = await facesOf('obama');
    const got = (await t.api('GET', `/api/faces/${face.id}`, { query: { include: 'cluster_assignment' } })).json() as Face;
    expect(got.cluster_assignment!.distance_to_person).toBeGreaterThanOrEqual(0);
    expect(got.cluster_assignment!.distance_to_person).toBeLessThan(0.5);
    const candidates = got.cluster_assignment!.candidates;
    expect(candidates.every((c) => c.person_id !== obama)).toBe(true);
    expect(candidates.map((c) => c.distance)).toEqual([...candidates.map((c) => c.distance)].sort((a, b) => a - b));
    expect((await t.api('GET', `/api/faces/${face.id}`)).json().cluster_assignment).toBeNull();
    const listed = (await t.api('GET', '/api/faces', { query: { person_id: biden, include: 'cluster_assignment' } })).json().data as Face[];
    expect(listed).toHaveLength(3);
    expect(listed.every((f) => typeof f.cluster_assignment!.distance_to_person === 'number')).toBe(true);
    expect((await t.api('GET', '/api/faces', { query: { include: 'bogus' } })).statusCode).toBe(422);

    const person = (await t.api('GET', `/api/people/${obama}`, { query: { include: 'cluster_metrics' } })).json();
    expect(person.cluster_metrics.face_count).toBe(5);
    expect(person.cluster_metrics.pairwise_mean).toBeGreaterThan(0);
    expect(person.cluster_metrics.pairwise_p90).toBeGreaterThanOrEqual(person.cluster_metrics.pairwise_mean);
    expect((await t.api('GET', `/api/people/${obama}`)).json().cluster_metrics).toBeNull();
    const listedPeople = (await t.api('GET', '/api/people', { query: { name_filter: 'all', include: 'cluster_metrics' } })).json().data;
    expect(listedPeople.every((p: { cluster_metrics: unknown }) => p.cluster_metrics !== null)).toBe(true);
  });

  it('renaming: PATCH sets the name (faces stay), name_filter, name and name sorts', async () => {
    const res = await t.api('PATCH', `/api/people/${obama}`, { body: { name: 'Barack Obama', is_favorite: true } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: obama, name: 'Barack Obama', is_favorite: true, asset_count: 5 });
    expect((await events(['person'])).at(-1)).toMatchObject({ entity_id: obama, event_type: 'person_updated' });
    const names = async (query: Record<string, unknown>) => (await t.api('GET', '/api/people', { query })).json().data.map((p: { id: string }) => p.id);
    expect(await names({})).toEqual([obama]);
    expect(await names({ name: 'bar' })).toEqual([obama]);
    expect(await names({ name: 'OBAMA' })).toEqual([obama]);
    expect(await names({ name: 'nobody' })).toEqual([]);
    expect(await names({ name_filter: 'unnamed' })).toEqual([biden]);
    expect(await names({ ids: biden })).toEqual([biden]);
    expect(await names({ name_filter: 'all', sort: 'name_asc' })).toEqual([obama, biden]);
    expect(await names({ name_filter: 'all', sort: 'name_desc' })).toEqual([obama, biden]);
    expect(await names({ asset_id: asset.biden })).toEqual([]);
    expect(await names({ asset_id: asset.both, name_filter: 'all', sort: 'created_at_asc' })).toHaveLength(2);
    expect(await names({ album_id: 'album_x' })).toEqual([]);
    const page1 = (await t.api('GET', '/api/people', { query: { name_filter: 'all', sort: 'asset_count_asc', limit: 1 } })).json();
    expect(page1).toMatchObject({ has_more: true, data: [{ id: biden }] });
    const page2 = (await t.api('GET', '/api/people', { query: { name_filter: 'all', sort: 'asset_count_asc', limit: 1, starting_after_id: biden } })).json();
    expect(page2).toMatchObject({ has_more: false, data: [{ id: obama }] });
    expect((await t.api('GET', '/api/people', { query: { name_filter: 'unnamed', sort: 'name_asc' } })).statusCode).toBe(422);
    expect((await t.api('GET', '/api/people', { query: { sort: 'bogus' } })).statusCode).toBe(422);
    expect((await facesOf('obama'))[0].person_id).toBe(obama);
  });

  it('manual faces: created unassigned or assigned, validated against the asset, never moved by clustering', async () => {
    const entry = mediaEntry(FILES.nature);
    const tooWide = await t.api('POST', '/api/faces', { body: { asset_id: asset.nature, bounding_box: { x: entry.display_width! - 10, y: 0, w: 20, h: 20 } } });
    expect(tooWide.statusCode).toBe(422);
    expect((await t.api('POST', '/api/faces', { body: { asset_id: 'asset_missing', bounding_box: { x: 0, y: 0, w: 5, h: 5 } } })).statusCode).toBe(404);
    const res = await t.api('POST', '/api/faces', { body: { asset_id: asset.nature, bounding_box: { x: 10, y: 20, w: 30, h: 40 }, person_id: biden } });
    expect(res.statusCode).toBe(200);
    const manual = res.json() as Face;
    expect(manual).toMatchObject({ asset_id: asset.nature, source: 'manual', confidence: null, person_id: biden, bounding_box: { x: 10, y: 20, w: 30, h: 40 } });
    const log = (await events(['face'])).filter((e) => e.entity_id === manual.id);
    expect(log.map((e) => e.event_type)).toEqual(['face_created', 'face_updated']);
    expect(log[1].payload).toEqual({ person_id: biden });
    expect((await t.api('GET', `/api/people/${biden}`)).json().asset_count).toBe(4);
    const loose = (await t.api('POST', '/api/faces', { body: { asset_id: asset.nature, bounding_box: { x: 100, y: 100, w: 30, h: 30 } } })).json() as Face;
    expect(loose.person_id).toBeNull();
    await t.api('PATCH', `/api/faces/${(await facesOf('obama2'))[0].id}`, { body: { person_id: null } }); // queue a clustering pass
    await t.runtime.worker.runUntilIdle();
    expect((await t.api('GET', `/api/faces/${manual.id}`)).json().person_id).toBe(biden);
    expect((await t.api('GET', `/api/faces/${loose.id}`)).json().person_id).toBeNull();
    expect((await t.api('GET', `/api/faces/${manual.id}`)).json().asset_urls.thumbnail.url).toMatch(/\/media\/faces\//);
    expect((await fetchUrl((await t.api('GET', `/api/faces/${manual.id}`)).json().asset_urls.thumbnail.url)).statusCode).toBe(200);
  });

  it('detaching sends a face back to the pool without returning to that person; reassigning sticks', async () => {
    const [face] = await facesOf('obama2');
    expect(face.person_id).toBeNull(); // detached in the previous test, and clustering ran since
    const detachedEvent = (await events(['face'])).filter((e) => e.entity_id === face.id && e.event_type === 'face_updated').at(-1);
    expect(detachedEvent!.payload).toEqual({ person_id: null });
    expect((await t.api('GET', `/api/people/${obama}`)).json().asset_count).toBe(4);
    const tasks = (await t.api('GET', '/api/tasks/', { query: { task_type: 'face_clustering', limit: 100 } })).json();
    expect(tasks.length).toBeGreaterThan(1);
    const back = await t.api('PATCH', `/api/faces/${face.id}`, { body: { person_id: obama } });
    expect(back.statusCode).toBe(200);
    expect(back.json().person_id).toBe(obama);
    expect((await t.api('GET', `/api/people/${obama}`)).json().asset_count).toBe(5);
    expect((await t.api('PATCH', `/api/faces/${face.id}`, { body: { person_id: 'person_missing' } })).statusCode).toBe(404);
    expect((await t.api('PATCH', `/api/faces/${face.id}`, { body: {} })).statusCode).toBe(422);
  });

  it('merging moves every face to the target and deletes the sources; unnamed faceless people merge to 204', async () => {
    const target = (await t.api('POST', '/api/people', { body: { name: 'Joe', birth_date: '1942-11-20' } })).json();
    expect(target).toMatchObject({ name: 'Joe', birth_date: '1942-11-20', asset_count: 0, asset_urls: null });
    const bidenFaces = ((await t.api('GET', '/api/faces', { query: { person_id: biden, limit: 50 } })).json().data as Face[]).map((f) => f.id);
    const merged = await t.api('POST', `/api/people/${target.id}/merge`, { body: { source_person_ids: [biden] } });
    expect(merged.statusCode).toBe(200);
    expect(merged.json()).toMatchObject({ id: target.id, name: 'Joe', asset_count: 4 });
    expect(merged.json().thumbnail_face_id).toEqual(expect.any(String));
    expect((await t.api('GET', `/api/people/${biden}`)).statusCode).toBe(404);
    const moved = (await t.api('GET', '/api/faces', { query: { person_id: target.id, limit: 50 } })).json().data.map((f: Face) => f.id);
    expect(moved.sort()).toEqual(bidenFaces.sort());
    const log = await events(['person', 'face']);
    expect(log.some((e) => e.entity_id === biden && e.event_type === 'person_deleted')).toBe(true);
    expect(log.filter((e) => e.event_type === 'face_updated' && e.payload?.person_id === target.id).map((e) => e.entity_id).sort()).toEqual(bidenFaces.sort());
    expect((await t.api('GET', `/api/people/${target.id}/merge`)).statusCode).toBe(405); // merge is POST only
    expect((await t.api('POST', `/api/people/${target.id}/merge`, { body: { source_person_ids: [target.id] } })).statusCode).toBe(422);
    expect((await t.api('POST', `/api/people/${target.id}/merge`, { body: { source_person_ids: [] } })).statusCode).toBe(422);
    expect((await t.api('POST', `/api/people/${target.id}/merge`, { body: { source_person_ids: ['person_missing'] } })).statusCode).toBe(404);

    const a = (await t.api('POST', '/api/people', { body: {} })).json();
    const b = (await t.api('POST', '/api/people', { body: {} })).json();
    const empty = await t.api('POST', `/api/people/${a.id}/merge`, { body: { source_person_ids: [b.id] } });
    expect(empty.statusCode).toBe(204);
    expect(empty.body).toBe('');
    expect((await t.api('GET', `/api/people/${a.id}`)).statusCode).toBe(404);
    expect((await t.api('GET', `/api/people/${b.id}`)).statusCode).toBe(404);
    biden = target.id;
  });

  it('deleting a person unassigns its faces (which clustering may regroup); deleting a face keeps asset and person', async () => {
    const faces = (await t.api('GET', '/api/faces', { query: { person_id: biden, limit: 50 } })).json().data as Face[];
    const res = await t.api('DELETE', `/api/people/${biden}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    expect((await t.api('GET', `/api/people/${biden}`)).statusCode).toBe(404);
    for (const f of faces) expect((await t.api('GET', `/api/faces/${f.id}`)).json().person_id).toBeNull();
    const log = await events(['person', 'face']);
    expect(log.some((e) => e.entity_id === biden && e.event_type === 'person_deleted')).toBe(true);
    expect((await t.api('GET', '/api/tasks/', { query: { task_type: 'face_clustering', status: 'pending' } })).json()).toHaveLength(1);

    const [face] = await facesOf('obamaSmall');
    expect((await t.api('DELETE', `/api/faces/${face.id}`)).json()).toEqual({});
    expect((await t.api('GET', `/api/faces/${face.id}`)).statusCode).toBe(404);
    expect((await t.api('GET', `/api/assets/${asset.obamaSmall}`)).statusCode).toBe(200);
    expect((await t.api('GET', `/api/people/${obama}`)).json().asset_count).toBe(4);
    expect((await events(['face'])).at(-1)).toMatchObject({ entity_id: face.id, event_type: 'face_deleted' });
    expect((await t.api('DELETE', `/api/people/person_missing`)).statusCode).toBe(404);
  });

  it.runIf(dialect === 'postgres')('DELETE of a person whose faces change concurrently is a 409 and deletes nothing', async () => {
    const client = new pg.Client({ connectionString: t.config.databaseUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('UPDATE people SET faces_version = faces_version + 1 WHERE id = $1', [obama]);
      const pending = t.api('DELETE', `/api/people/${obama}`);
      await new Promise((r) => setTimeout(r, 300));
      await client.query('COMMIT');
      const res = await pending;
      expect(res.statusCode).toBe(409);
      expect(res.json().detail).toMatch(/retry/);
    } finally {
      await client.end();
    }
    expect((await t.api('GET', `/api/people/${obama}`)).statusCode).toBe(200);
    expect((await facesOf('obama'))[0].person_id).toBe(obama);
    expect((await t.api('DELETE', `/api/people/${obama}`)).statusCode).toBe(200);
  });
});
