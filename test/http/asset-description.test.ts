/**
 * AI descriptions through a real local OpenAI-compatible server (test/support/model-server.ts):
 * the preview goes as a data URL, the answer lands in asset.description ("" on a refusal,
 * null until done), metadata.description is untouched, and the words become searchable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { mediaFile } from '../support/media.js';
import { type ModelServer, startModelServer } from '../support/model-server.js';
import { idsOf, searchGet } from '../support/search.js';
import { uploadFile } from '../support/upload.js';

describe.each(DIALECTS)('asset_description on %s', (dialect) => {
  let t: TestApp;
  let models: ModelServer;

  beforeAll(async () => {
    models = await startModelServer();
    t = await createTestApp(dialect, {
      EUCALYPT_DESCRIPTION_URL: `${models.url}/v1/`,
      EUCALYPT_DESCRIPTION_MODEL: 'test-vlm',
      EUCALYPT_DESCRIPTION_API_KEY: 'sk-describe',
      EUCALYPT_DESCRIPTION_PROMPT: 'Say what you see.',
      EUCALYPT_LABELS: 'off',
      EUCALYPT_OCR: 'off',
    });
  });
  afterAll(async () => {
    await t?.close();
    await models?.close();
  });

  const get = async (id: string) => (await t.api('GET', `/api/assets/${id}`, { query: { include: 'metadata' } })).json();

  it('is null until done, then the model’s answer; the user’s description stays; the words are searchable', async () => {
    models.describe = (image) => (image.startsWith('data:image/jpeg;base64,') ? 'A prairie falcon with spread wings above a sandstone ledge.' : 'no image');
    const res = await uploadFile(t, mediaFile('jpeg/nature/prairie_falcon.jpg'));
    const id = res.json().id;
    const fileDescription = res.json().metadata.description;
    expect(fileDescription).toEqual(expect.stringContaining('falcon'));
    expect(res.json().description).toBeNull();
    await t.runtime.worker.runUntilIdle();

    const asset = await get(id);
    expect(asset.description).toBe('A prairie falcon with spread wings above a sandstone ledge.');
    expect(asset.metadata.description).toBe(fileDescription);
    const call = models.requests.find((r) => r.path === '/v1/chat/completions')!;
    expect(call.authorization).toBe('Bearer sk-describe');
    expect(call.body).toMatchObject({ model: 'test-vlm', messages: [{ role: 'user', content: [{ type: 'text', text: 'Say what you see.' }, { type: 'image_url' }] }] });
    expect(idsOf((await searchGet(t, { query: 'sandstone' })).body)).toEqual([id]);

    const tasks = (await t.api('GET', `/api/tasks/asset/${id}`)).json() as { task_type: string; status: string }[];
    expect(tasks).toContainEqual(expect.objectContaining({ task_type: 'asset_description', status: 'success' }));
    const events = (await t.api('GET', '/api/events', { query: { entity_types: 'asset', limit: 200 } })).json().data as { entity_id: string; event_type: string }[];
    expect(events.filter((e) => e.entity_id === id && e.event_type === 'asset_updated').length).toBeGreaterThanOrEqual(1);

    // A later PATCH of the user's description leaves the AI description alone, and vice versa.
    const patched = (await t.api('PATCH', `/api/assets/${id}`, { body: { description: 'Mine' } })).json();
    expect(patched).toMatchObject({ description: 'A prairie falcon with spread wings above a sandstone ledge.', metadata: { description: 'Mine' } });
  });

  it('a refusal is stored as ""', async () => {
    models.mode.chat = 'refuse';
    try {
      const id = (await uploadFile(t, mediaFile('jpeg/nature/silver_fir.jpg'))).json().id;
      await t.runtime.worker.runUntilIdle();
      expect((await get(id)).description).toBe('');
    } finally {
      models.mode.chat = 'ok';
    }
  });

  it('an unavailable model is retried later, and the description arrives', async () => {
    models.mode.chat = 'fail';
    models.describe = () => 'Pink cyclamen flowers.';
    const id = (await uploadFile(t, mediaFile('jpeg/nature/cyclamen_persicum.jpg'))).json().id;
    await t.runtime.worker.runUntilIdle();
    const task = ((await t.api('GET', `/api/tasks/asset/${id}`)).json() as { task_type: string; status: string; error_message: string }[]).find((x) => x.task_type === 'asset_description');
    expect(task).toMatchObject({ status: 'started', error_message: expect.stringContaining('503') });
    expect((await get(id)).description).toBeNull();

    models.mode.chat = 'ok';
    t.clock.advance(10 * 60_000);
    await t.runtime.worker.runUntilIdle();
    expect((await get(id)).description).toBe('Pink cyclamen flowers.');
  });
});
