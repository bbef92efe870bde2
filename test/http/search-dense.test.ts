/**
 * The dense stages through a real local embedding server (test/support/model-server.ts): text
 * → image and image → image neighbours from the vector index (sqlite-vec on SQLite, the
 * in-process index on PostgreSQL), fused with full text, `distance`, filters, the reranker hook
 * and provider failures.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as searchIndex from '../../src/services/search-index.js';
import { createTestApp, type TestApp, TEST_API_KEY } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { mediaFile } from '../support/media.js';
import { type ModelServer, startModelServer, swatch } from '../support/model-server.js';
import { idsOf, type SearchPage, searchGet } from '../support/search.js';
import { multipartBody, uploadBuffer, uploadFile } from '../support/upload.js';

const PHOTOS = ['duplicates/el_torcal_rocks.jpg', 'jpeg/nature/silver_fir.jpg', 'jpeg/nature/prairie_falcon.jpg', 'gps/italy_tuscany_DSCN0010.jpg', 'gps/spain_madrid_iphone6.jpg', 'jpeg/nature/cyclamen_persicum.jpg'];
const SWATCHES = { red: [240, 10, 10], green: [10, 240, 10], blue: [10, 10, 240], yellow: [245, 245, 10] } as const;

describe.each(DIALECTS)('dense search on %s', (dialect) => {
  let t: TestApp;
  let models: ModelServer;
  const idOf = new Map<string, string>();
  const nameOf = new Map<string, string>();

  beforeAll(async () => {
    models = await startModelServer();
    t = await createTestApp(dialect, {
      EUCALYPT_EMBEDDING_PROVIDER: 'http',
      EUCALYPT_EMBEDDING_URL: `${models.url}/v1/embeddings`,
      EUCALYPT_EMBEDDING_MODEL: 'test-clip',
      EUCALYPT_EMBEDDING_API_KEY: 'sk-embed',
      EUCALYPT_RERANK_URL: `${models.url}/v1/rerank`,
      EUCALYPT_LABELS: 'off',
      EUCALYPT_OCR: 'off',
    });
    for (const path of PHOTOS) {
      const res = await uploadFile(t, mediaFile(path));
      idOf.set(path, res.json().id);
    }
    let seed = 1;
    for (const [name, colour] of Object.entries(SWATCHES)) {
      // Named and dated so that neither the file name nor the date words say the colour.
      const res = await uploadBuffer(t, `swatch_${seed}.png`, await swatch([...colour], seed), { device_asset_id: name, file_created_at: `2030-0${seed}-01T00:00:00Z` });
      idOf.set(name, res.json().id);
      seed++;
    }
    for (const [k, v] of idOf) nameOf.set(v, k);
    await t.runtime.worker.runUntilIdle();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await models?.close();
  });

  const names = (page: SearchPage) => page.data.map((d) => nameOf.get(d.asset.id));
  async function postSearch(fields: Record<string, string>, image?: { filename: string; content: Buffer }, query = '') {
    const { payload, contentType } = multipartBody(fields, image && { field: 'image', ...image });
    const res = await t.app.inject({ method: 'POST', url: `/api/search${query}`, payload, headers: { 'content-type': contentType, authorization: `Bearer ${TEST_API_KEY}` } });
    return { status: res.statusCode, body: res.json() as SearchPage & { detail?: unknown } };
  }

  it('the embedding task stored a vector per asset from the provider, with its key', async () => {
    const tasks = (await t.api('GET', '/api/tasks', { query: { task_type: 'embedding', limit: 100 } })).json() as { status: string; result: string }[];
    expect(tasks).toHaveLength(idOf.size);
    expect(tasks.every((task) => task.status === 'success' && task.result.includes('embedding: 64-d'))).toBe(true);
    const imageCalls = models.requests.filter((r) => r.path === '/v1/embeddings' && r.body.modality === 'image');
    expect(imageCalls.length).toBeGreaterThanOrEqual(idOf.size);
    expect(imageCalls[0]).toMatchObject({ authorization: 'Bearer sk-embed', body: { model: 'test-clip', input: [expect.stringMatching(/^data:image\/jpeg;base64,/)] } });
  });

  it('image search returns the exact duplicate of the query image first, at distance ~0', async () => {
    const copy = fs.readFileSync(mediaFile('duplicates/el_torcal_rocks_copy.jpeg'));
    const { status, body } = await postSearch({}, { filename: 'query.jpeg', content: copy });
    expect(status).toBe(200);
    expect(names(body)[0]).toBe('duplicates/el_torcal_rocks.jpg');
    expect(body.data[0].distance).toBeLessThan(0.001);
    // Every other asset is a neighbour too, further away; distances never decrease.
    expect(body.data).toHaveLength(idOf.size);
    const distances = body.data.map((d) => d.distance!);
    expect([...distances].sort((a, b) => a - b)).toEqual(distances);
  });

  it('image search finds a re-encoded, resized near duplicate first', async () => {
    const near = fs.readFileSync(mediaFile('duplicates/DSCN0010_resized_50pct.jpg'));
    const { body } = await postSearch({}, { filename: 'near.jpg', content: near });
    expect(names(body)[0]).toBe('gps/italy_tuscany_DSCN0010.jpg');
  });

  it('a text query runs the dense text→image stage: a colour word finds that colour, with distances', async () => {
    for (const colour of Object.keys(SWATCHES)) {
      const { body } = await searchGet(t, { query: colour });
      expect(names(body)[0], colour).toBe(colour);
      expect(body.data[0].distance).toBeLessThan(0.05);
    }
  });

  it('fuses full text with the dense stage: a word in a file name and description comes first', async () => {
    const { body } = await searchGet(t, { query: 'falcon' });
    expect(names(body)[0]).toBe('jpeg/nature/prairie_falcon.jpg');
    // Found by both stages, so it carries its dense distance.
    expect(body.data[0].distance).toEqual(expect.any(Number));
    expect(body.data).toHaveLength(idOf.size);
  });

  it('filters apply to the dense stages too', async () => {
    const { body } = await searchGet(t, { query: 'green', local_datetime_before: '2030-01-15T00:00:00' });
    expect(names(body)).not.toContain('green');
    expect(names(body)).toContain('red');
    const geo = await postSearch({ bbox: '-10,35,20,50' }, { filename: 'q.png', content: await swatch([10, 240, 10], 99) });
    expect(new Set(names(geo.body))).toEqual(new Set(['gps/italy_tuscany_DSCN0010.jpg', 'gps/spain_madrid_iphone6.jpg']));
    expect(geo.body.data.every((d) => d.distance !== null)).toBe(true);
  });

  it('image and text together: two stages fused, the picture that matches both first', async () => {
    const { body } = await postSearch({ query: 'blue' }, { filename: 'q.png', content: await swatch([10, 10, 240], 7) });
    expect(names(body)[0]).toBe('blue');
  });

  it('a trashed asset leaves the results; restored, it is back', async () => {
    const blue = idOf.get('blue')!;
    await t.api('POST', '/api/assets/trash', { body: { ids: [blue] } });
    expect(idsOf((await searchGet(t, { query: 'blue' })).body)).not.toContain(blue);
    await t.api('POST', '/api/assets/restore', { body: { ids: [blue] } });
    expect(idsOf((await searchGet(t, { query: 'blue' })).body)[0]).toBe(blue);
  });

  it('the reranker reorders the fused head; when it fails, the fused order stands', async () => {
    const before = names((await searchGet(t, { query: 'yellow' })).body);
    expect(before[0]).toBe('yellow');
    const rerankCalls = models.requests.filter((r) => r.path === '/v1/rerank');
    expect(rerankCalls.at(-1)!.body).toMatchObject({ query: 'yellow', documents: expect.arrayContaining([expect.stringContaining('swatch')]) });
    models.rerankFavourite = 'madrid';
    try {
      expect(names((await searchGet(t, { query: 'yellow' })).body)[0]).toBe('gps/spain_madrid_iphone6.jpg');
      models.mode.rerank = 'fail';
      expect(names((await searchGet(t, { query: 'yellow' })).body)).toEqual(before);
    } finally {
      models.rerankFavourite = '';
      models.mode.rerank = 'ok';
    }
  });

  it('when the provider is down, text search falls back to full text; image search answers 503', async () => {
    models.mode.embeddings = 'fail';
    try {
      const text = await searchGet(t, { query: 'falcon' });
      expect(text.status).toBe(200);
      expect(names(text.body)).toEqual(['jpeg/nature/prairie_falcon.jpg']);
      expect(text.body.data[0].distance).toBeNull();
      const image = await postSearch({}, { filename: 'q.png', content: await swatch([10, 240, 10], 5) });
      expect(image.status).toBe(503);
    } finally {
      models.mode.embeddings = 'ok';
    }
  });

  it('an undecodable query image is a 422 at body.image', async () => {
    const { status, body } = await postSearch({}, { filename: 'q.jpg', content: Buffer.from('not an image at all') });
    expect(status).toBe(422);
    expect((body.detail as { loc: unknown[] }[])[0].loc).toEqual(['body', 'image']);
  });

  it('start-up backfill restores missing documents and queues the embedding task where a model’s vectors are missing', async () => {
    const db = t.runtime.deps.db;
    const rows = await db.selectFrom('asset_embeddings').select(['model', 'dims']).execute();
    expect(rows).toHaveLength(idOf.size);
    expect(new Set(rows.map((r) => `${r.model} ${r.dims}`))).toEqual(new Set(['http:test-clip 64']));
    expect(await searchIndex.backfill(t.runtime.deps, 'http:test-clip')).toEqual({ indexed: 0, queued: 0 });

    await db.deleteFrom('asset_search').execute();
    const result = await searchIndex.backfill(t.runtime.deps, 'http:another-model');
    expect(result).toEqual({ indexed: idOf.size, queued: idOf.size });
    expect(names((await searchGet(t, { query: 'falcon' })).body)[0]).toBe('jpeg/nature/prairie_falcon.jpg');
    const pending = await db.selectFrom('tasks').select('asset_id').where('task_type', '=', 'embedding').where('status', '=', 'pending').execute();
    expect(new Set(pending.map((p) => p.asset_id))).toEqual(new Set(idOf.values()));
    // Queued once: a second start-up adds nothing while they wait.
    expect((await searchIndex.backfill(t.runtime.deps, 'http:another-model')).queued).toBe(0);
    await t.runtime.worker.runUntilIdle();
  });
});
