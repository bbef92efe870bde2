/**
 * Issue 7 acceptance over the real corpus, on both databases: uploads a processed library once
 * (uploads, thumbnails, geocoding, labels, OCR, metrics), then searches it over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { type ManifestEntry, mediaEntries, mediaFile } from '../support/media.js';
import { idsOf, searchGet } from '../support/search.js';
import { uploadFile } from '../support/upload.js';

const CHOSEN = new Set([
  'heic/iphone_IMG_2682.heic',
  'livephoto/IMG_7943.HEIC',
  'heic/uk_stonehenge.heic',
  'web/uk_stonehenge_exif.webp',
  'web/immich_density_plot.png',
  'faces/group/two_people.jpg',
  'faces/obama/obama.jpg',
  'faces/rose_leslie/rose_leslie_1.jpg',
  'duplicates/el_torcal_rocks.jpg',
  'video/usa_los_angeles_rotated_gps.mov',
]);
const FILES = mediaEntries((e) => e.path.startsWith('jpeg/') || e.path.startsWith('gps/') || CHOSEN.has(e.path));

/** Make, model and lens as the manifest has them (a Canon lens on a camera without a make counts as Canon). */
const cameraOf = (e: ManifestEntry) => ['make', 'model', 'lens_model'].map((k) => (e as unknown as Record<string, string | null>)[k] ?? '').join(' ').toLowerCase();
const faceCount = (e: ManifestEntry) => (e.labels.faces as { count?: number } | undefined)?.count;

describe.each(DIALECTS)('search over the corpus on %s', (dialect) => {
  let t: TestApp;
  const idOf = new Map<string, string>();
  const pathOf = new Map<string, string>();

  beforeAll(async () => {
    t = await createTestApp(dialect);
    for (const file of FILES) {
      const res = await uploadFile(t, mediaFile(file), { device_asset_id: file.path });
      expect(res.statusCode, file.path).toBe(201);
      idOf.set(file.path, res.json().id);
      pathOf.set(res.json().id, file.path);
    }
    await t.runtime.worker.runUntilIdle();
  }, 180_000);
  afterAll(async () => {
    await t.close();
  });

  const paths = async (query: Record<string, unknown>) => {
    const res = await searchGet(t, { limit: 200, ...query });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data.map((d) => pathOf.get(d.asset.id)!);
  };

  it('every photo and video got its embedding task done (labels, OCR, metrics)', async () => {
    const tasks = (await t.api('GET', '/api/tasks', { query: { task_type: 'embedding', limit: 1000 } })).json() as { status: string; asset_id: string; error_message: string | null }[];
    expect(tasks).toHaveLength(FILES.length);
    expect(tasks.filter((task) => task.status !== 'success').map((task) => [pathOf.get(task.asset_id), task.error_message])).toEqual([]);
    // No describer configured: no asset_description tasks, descriptions stay null.
    expect((await t.api('GET', '/api/tasks', { query: { task_type: 'asset_description' } })).json()).toEqual([]);
  });

  it.each(['Canon', 'FUJIFILM', 'Nikon', 'Pentax', 'Sony'])('a camera make (%s) finds exactly that make’s photos', async (make) => {
    const expected = FILES.filter((f) => cameraOf(f).includes(make.toLowerCase())).map((f) => f.path);
    expect(expected.length).toBeGreaterThan(0);
    expect((await paths({ query: make })).sort()).toEqual(expected.sort());
  });

  it.each(['Spain', 'Kenya', 'Czechia', 'United Kingdom', 'United States', 'Austria'])('a country name (%s) finds exactly the photos taken there', async (country) => {
    const expected = FILES.filter((f) => f.labels.place?.country === country).map((f) => f.path);
    expect(expected.length).toBeGreaterThan(0);
    expect((await paths({ query: country })).sort()).toEqual(expected.sort());
  });

  it('a city name finds the photos taken there', async () => {
    // The manifest's own region names, where they are not in the file name.
    expect(await paths({ query: 'Brno' })).toEqual(['livephoto/IMG_7943.HEIC']);
    expect(await paths({ query: 'Nebraska' })).toEqual(['heic/iphone_IMG_2682.heic']);
    // And every city the geocoder named finds every photo it was named for.
    const placed = FILES.filter((f) => f.labels.place);
    const cities = new Map<string, string[]>();
    for (const f of placed) {
      const { metadata } = (await t.api('GET', `/api/assets/${idOf.get(f.path)}`, { query: { include: 'metadata' } })).json();
      expect(metadata.city, f.path).toEqual(expect.any(String));
      cities.set(metadata.city, [...(cities.get(metadata.city) ?? []), f.path]);
    }
    for (const [city, files] of cities) expect(await paths({ query: city }), city).toEqual(expect.arrayContaining(files));
  });

  it('videos are understood from their still and found by the word video', async () => {
    expect(await paths({ query: 'video' })).toEqual(['video/usa_los_angeles_rotated_gps.mov']);
    expect(await paths({ query: 'video', local_datetime_before: '2000-01-01T00:00:00' })).toEqual([]);
  });

  it('a word from the text in an image finds it via OCR', async () => {
    expect(await paths({ query: 'wavefunction' })).toEqual(['web/immich_density_plot.png']);
    expect(await paths({ query: 'quantum square box' })).toEqual(['web/immich_density_plot.png']);
  });

  it('an object label finds correctly labelled photos, never a photo without it', async () => {
    const found = await paths({ query: 'person' });
    const byPath = new Map(FILES.map((f) => [f.path, f]));
    expect(found.filter((p) => (faceCount(byPath.get(p)!) ?? 0) > 0).length).toBeGreaterThan(0);
    expect(found.filter((p) => faceCount(byPath.get(p)!) === 0)).toEqual([]);
  });

  it('filter-only searches page correctly: newest first, the same order as GET /api/assets', async () => {
    const listed = (await t.api('GET', '/api/assets', { query: { limit: 200 } })).json().data.map((a: { id: string }) => a.id);
    const paged: string[] = [];
    for (let page = 1; page < 20; page++) {
      const res = await searchGet(t, { local_datetime_after: '1900-01-01T00:00:00', limit: 7, page });
      paged.push(...idsOf(res.body));
      if (res.body.data.length < 7) break;
    }
    expect(paged).toEqual(listed);
    expect(paged).toHaveLength(FILES.length);
  });

  it('include=metrics gives the documented quality scores from the preview', async () => {
    const id = idOf.get('web/immich_density_plot.png')!;
    const { data } = (await searchGet(t, { query: 'wavefunction', include: 'metrics' })).body;
    const metrics = data[0].asset.metrics as Record<string, number>;
    expect(Object.keys(metrics).sort()).toEqual(['clipped_highlights', 'clipped_shadows', 'colorfulness', 'contrast', 'exposure', 'noise', 'sharpness']);
    for (const key of ['exposure', 'contrast', 'clipped_highlights', 'clipped_shadows']) expect(metrics[key]).toBeGreaterThanOrEqual(0), expect(metrics[key]).toBeLessThanOrEqual(1);
    // A greyscale chart: no colour; crisp grid lines: very sharp.
    expect(metrics.colorfulness).toBeLessThan(5);
    expect(metrics.sharpness).toBeGreaterThan(500);
    expect((await t.api('GET', `/api/assets/${id}`, { query: { include: 'metrics' } })).json().metrics).toEqual(metrics);
    expect((await t.api('GET', `/api/assets/${id}`)).json().metrics).toBeNull();
  });
});
