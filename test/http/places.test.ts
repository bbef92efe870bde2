import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { mediaFile } from '../support/media.js';
import { CODE_BY_LABEL, placedFiles, ZONE_BY_PATH } from '../support/places.js';
import { uploadFile } from '../support/upload.js';

describe.each(DIALECTS)('places and time on %s', (dialect) => {
  let t: TestApp;
  const ids = new Map<string, string>();
  beforeAll(async () => {
    t = await createTestApp(dialect);
    for (const file of placedFiles()) {
      const res = await uploadFile(t, mediaFile(file.path));
      ids.set(file.path, res.json().id);
    }
    await t.runtime.worker.runUntilIdle();
  }, 180_000);
  afterAll(async () => {
    await t.close();
  });

  const metadataOf = async (id: string) => (await t.api('GET', `/api/assets/${id}`, { query: { include: 'metadata' } })).json();

  it('geocodes every labelled GPS file: country, a city, the place time zone, a display label', async () => {
    for (const file of placedFiles()) {
      const { metadata } = await metadataOf(ids.get(file.path)!);
      expect(metadata.country_code, file.path).toBe(CODE_BY_LABEL[file.labels.place.country]);
      expect(metadata.city, file.path).toEqual(expect.any(String));
      expect(metadata.timezone, file.path).toBe(ZONE_BY_PATH[file.path]);
      expect(metadata.display_label, file.path).toContain(metadata.city);
    }
  });

  it('records a successful reverse_geocoding task and a metadata_updated event per asset', async () => {
    const id = ids.get('gps/spain_madrid_iphone6.jpg')!;
    const tasks = (await t.api('GET', `/api/tasks/asset/${id}`)).json();
    expect(tasks).toContainEqual(expect.objectContaining({ task_type: 'reverse_geocoding', status: 'success', asset_id: id }));
    const events = (await t.api('GET', '/api/events', { query: { entity_types: 'metadata', limit: 200 } })).json().data;
    expect(events.filter((e: { entity_id: string }) => e.entity_id === id).map((e: { event_type: string }) => e.event_type)).toContain('metadata_updated');
  });

  it('gives a naive capture time the DST-correct offset of the place; keeps a file offset', async () => {
    // Madrid, 10 April 2015: summer time, UTC+2; the file has no OffsetTime tag.
    expect((await metadataOf(ids.get('gps/spain_madrid_iphone6.jpg')!)).local_datetime).toBe('2015-04-10T20:12:23.016+02:00');
    // Georgia (USA): the file says -05:00 itself.
    expect((await metadataOf(ids.get('heic/usa_georgia_iphone16_orientation6.heic')!)).local_datetime).toMatch(/-05:00$/);
  });

  it('re-geocodes after a GPS edit to another continent and clears names with the GPS', async () => {
    const id = ids.get('gps/spain_madrid_iphone6.jpg')!;
    const patched = await t.api('PATCH', `/api/assets/${id}`, { body: { latitude: 35.6895, longitude: 139.6917 } });
    expect(patched.statusCode).toBe(200);
    await t.runtime.worker.runUntilIdle();
    let { metadata, local_datetime } = await metadataOf(id);
    expect(metadata).toMatchObject({ country_code: 'JP', country: 'Japan', timezone: 'Asia/Tokyo' });
    expect(metadata.display_label).toMatch(/Japan|Tokyo/);
    expect(local_datetime).toBe('2015-04-10T20:12:23.016+09:00');

    // null drops the override: the file's own GPS (Madrid) comes back.
    await t.api('PATCH', `/api/assets/${id}`, { body: { latitude: null, longitude: null } });
    await t.runtime.worker.runUntilIdle();
    ({ metadata } = await metadataOf(id));
    expect(metadata).toMatchObject({ country_code: 'ES', timezone: 'Europe/Madrid' });
  });

  it('clears place names when an asset without file GPS loses its user GPS; mid-ocean has no city', async () => {
    const res = await uploadFile(t, mediaFile('jpeg/nature/silver_fir.jpg'));
    const id = res.json().id;
    await t.api('PATCH', `/api/assets/${id}`, { body: { latitude: 0, longitude: -140 } });
    await t.runtime.worker.runUntilIdle();
    let { metadata } = await metadataOf(id);
    expect(metadata).toMatchObject({ city: null, country_code: null, timezone: 'Etc/GMT+9' });

    await t.api('PATCH', `/api/assets/${id}`, { body: { latitude: 48.8566, longitude: 2.3522 } });
    await t.runtime.worker.runUntilIdle();
    ({ metadata } = await metadataOf(id));
    expect(metadata).toMatchObject({ country_code: 'FR', timezone: 'Europe/Paris' });
    expect(metadata.display_label).toEqual(expect.stringContaining('France'));

    await t.api('PATCH', `/api/assets/${id}`, { body: { latitude: null, longitude: null } });
    await t.runtime.worker.runUntilIdle();
    ({ metadata } = await metadataOf(id));
    expect(metadata).toMatchObject({ latitude: null, longitude: null, city: null, state: null, country: null, country_code: null, timezone: null, display_label: null });
  });
});
