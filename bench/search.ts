/**
 * npm run bench:search — search latency on a 100,000-asset library, on SQLite and (when one is
 * reachable) PostgreSQL. Assets get realistic search documents (camera, reverse-geocoded
 * places, dates, descriptions, object labels, some OCR text) and 512-d embeddings; queries go
 * through the HTTP API (app.inject) after a warm-up:
 *   - full text (no embedding provider): GET /api/search?query=… over a mixed query set,
 *   - dense top-200: the vector stage alone (sqlite-vec KNN / the in-process index),
 *   - hybrid: full text + dense text stage + fusion, through a local embedding server.
 * Targets (issue 7): full-text p95 ≤ 50 ms; dense top-200 p95 ≤ 100 ms.
 * Env: BENCH_SEARCH_ASSETS (default 100000), BENCH_SEARCH_QUERIES (default 300),
 * BENCH_SEARCH_DIALECTS (default sqlite,postgres), EUCALYPT_TEST_PG_URL (admin URL), BENCH_SEARCH_KEEP=1
 * (keep the databases for inspection).
 */
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { type Config, loadConfig } from '../src/config.js';
import { captureColumns } from '../src/domain/asset-metadata.js';
import { newId } from '../src/domain/ids.js';
import { buildSearchDocument } from '../src/domain/search-document.js';
import { vocabularyOf } from '../src/domain/search-text.js';
import { getReverseGeocoder } from '../src/geo/reverse-geocoder.js';
import { normalise } from '../src/ml/embeddings.js';
import { startRuntime } from '../src/server.js';
import { documentInput } from '../src/services/search-index.js';
import * as libraryStore from '../src/store/libraries.js';
import * as searchStore from '../src/store/search.js';
import type { AssetRow, MetadataRow } from '../src/store/assets.js';
import type { Deps } from '../src/services/deps.js';

const N = Number(process.env.BENCH_SEARCH_ASSETS ?? 100_000);
const QUERIES = Number(process.env.BENCH_SEARCH_QUERIES ?? 300);
const DIMS = 512;
const KEY = 'apikey_bench_search_0123456789abcdef';
const ADMIN_URL = process.env.EUCALYPT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TARGETS = { fullTextP95: 50, denseP95: 100 };

// Deterministic pseudo-random numbers, so runs compare.
let seed = 0x2545f491;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
/** Zipf-like: low indexes far more often (a few cameras and home towns dominate a library). */
const skewed = <T>(list: readonly T[]) => list[Math.floor(list.length * random() ** 2.5)];

const CAMERAS: [string, string, string | null][] = [
  ['Apple', 'iPhone 13 Pro', 'iPhone 13 Pro back triple camera 5.7mm f/1.5'],
  ['Apple', 'iPhone 8', 'iPhone 8 back camera 3.99mm f/1.8'],
  ['samsung', 'SM-S906U', null],
  ['Google', 'Pixel 7', null],
  ['Canon', 'Canon EOS 5D Mark III', 'EF24-105mm f/4L IS USM'],
  ['Canon', 'Canon EOS R5', 'RF24-70mm F2.8 L IS USM'],
  ['NIKON CORPORATION', 'NIKON D750', 'AF-S NIKKOR 50mm f/1.8G'],
  ['SONY', 'ILCE-7M3', 'FE 35mm F1.8'],
  ['FUJIFILM', 'X-T4', 'XF23mmF1.4 R'],
  ['OLYMPUS CORPORATION', 'E-M10MarkII', null],
  ['Panasonic', 'DMC-GX80', null],
  ['LEICA CAMERA AG', 'LEICA Q2', null],
  ['PENTAX', 'PENTAX K-1', null],
  ['Hasselblad', 'L1D-20c', null],
  ['DJI', 'FC3170', null],
  ['GoPro', 'HERO9 Black', null],
  ['Xiaomi', 'Redmi Note 8', null],
  ['HUAWEI', 'P30', null],
  ['OnePlus', 'ONEPLUS A6003', null],
  ['EASTMAN KODAK COMPANY', 'KODAK CX7530 ZOOM DIGITAL CAMERA', null],
];
const COCO = ['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck', 'boat', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'backpack', 'umbrella', 'handbag', 'suitcase', 'frisbee', 'skis', 'kite', 'surfboard', 'bottle', 'wine glass', 'cup', 'bowl', 'banana', 'pizza', 'cake', 'chair', 'couch', 'potted plant', 'bed', 'dining table', 'tv', 'laptop', 'cell phone', 'book', 'clock', 'vase', 'teddy bear'];
const ADJECTIVES = ['sunny', 'misty', 'golden', 'quiet', 'crowded', 'snowy', 'rainy', 'colourful', 'old', 'tiny', 'huge', 'bright', 'dark', 'early', 'late', 'happy', 'lazy', 'windy', 'frozen', 'green'];
const NOUNS = ['sunset', 'beach', 'mountain', 'lake', 'forest', 'street', 'market', 'harbour', 'castle', 'bridge', 'garden', 'cathedral', 'festival', 'wedding', 'birthday', 'picnic', 'concert', 'museum', 'waterfall', 'desert', 'village', 'train', 'airport', 'river', 'island', 'cafe', 'kitchen', 'party', 'hike', 'skyline'];
const OCR_WORDS = ['stop', 'exit', 'open', 'closed', 'welcome', 'station', 'hotel', 'pharmacy', 'menu', 'coffee', 'sale', 'parking', 'police', 'taxi', 'bakery', 'museum', 'platform', 'entrance', 'ticket', 'street'];

function sentence(): string {
  return `${pick(ADJECTIVES)} ${pick(NOUNS)} by the ${pick(NOUNS)} with ${pick(ADJECTIVES)} ${pick(NOUNS)}`;
}

interface Place {
  lat: number;
  lon: number;
  city: string | null;
  state: string | null;
  country: string | null;
  country_code: string | null;
}

function places(): Place[] {
  const geocoder = getReverseGeocoder();
  const out: Place[] = [];
  while (out.length < 400) {
    const lat = random() * 120 - 55;
    const lon = random() * 360 - 180;
    const p = geocoder.lookup(lat, lon);
    if (p.city) out.push({ lat, lon, city: p.city, state: p.state, country: p.country, country_code: p.country_code });
  }
  return out;
}

/** Embeddings in 64 clusters (photos of the same kind of thing sit together), normalised. */
function embeddingFactory(): () => Float32Array {
  const centres = Array.from({ length: 64 }, () => Float32Array.from({ length: DIMS }, () => random() - 0.5));
  return () => {
    const c = pick(centres);
    return normalise(Float32Array.from(c, (x) => x + (random() - 0.5) * 0.6));
  };
}

async function seedLibrary(deps: Deps, libraryId: string, count: number): Promise<{ words: string[]; cities: string[]; seedMs: number; vectorMs: number }> {
  const t0 = performance.now();
  const where = places();
  const vector = embeddingFactory();
  const now = new Date().toISOString();
  const terms = new Set<string>();
  for (let start = 0; start < count; start += 500) {
    const assets: AssetRow[] = [];
    const metas: MetadataRow[] = [];
    const analyses: searchStore.AnalysisRow[] = [];
    const docs: { asset_id: string; library_id: string; document: string; updated_at: string }[] = [];
    for (let i = start; i < Math.min(count, start + 500); i++) {
      const id = newId('asset');
      const [make, model, lens] = skewed(CAMERAS);
      const place = random() < 0.7 ? skewed(where) : undefined;
      const year = 2005 + Math.floor(random() * 21);
      const taken = `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}T${String(Math.floor(random() * 24)).padStart(2, '0')}:00:00`;
      const meta: MetadataRow = {
        asset_id: id, created_at: now, updated_at: now, make, model, lens_model: lens, f_number: 2.8, focal_length: 35, exposure_time: 0.01,
        exposure_bias: 0, iso: 100, orientation: 1, raw_width: 4000, raw_height: 3000, file_original_datetime: taken, digitized_datetime: null,
        modified_datetime: null, file_latitude: place?.lat ?? null, file_longitude: place?.lon ?? null, altitude: null, city: place?.city ?? null,
        state: place?.state ?? null, country: place?.country ?? null, country_code: place?.country_code ?? null, sublocation: null, place_name: null,
        timezone: null, file_description: null, fps: null, live_photo_cid: null, projection_type: null, auto_stack_id: null, file_rating: null,
        user_description: random() < 0.2 ? sentence() : null, user_latitude: null, user_longitude: null, user_original_datetime: null, user_rating: null, motion_photo: 0,
      };
      const asset: AssetRow = {
        id, library_id: libraryId, created_at: now, updated_at: now, trashed_at: random() < 0.01 ? now : null, mime_type: 'image/jpeg', media_type: 'image',
        original_file_name: `IMG_${String(i).padStart(6, '0')}.jpg`, width: 4000, height: 3000, duration: null, description: random() < 0.5 ? `A ${sentence()}.` : null,
        thumbhash: null, stack_id: null, kind: 'original', current_version_id: newId('asset_version'), checksum: randomBytes(32).toString('base64'),
        checksum_sha1: randomBytes(20).toString('base64'), device_asset_id: id, device_id: 'bench', file_created_at: now, file_modified_at: now,
        file_size_bytes: 1000, blob_key: `originals/${libraryId}/${id}.jpg`, ...captureColumns(meta, meta, { file_created_at: now, created_at: now }),
        latitude: place?.lat ?? null, longitude: place?.lon ?? null, rating: null, metrics: null,
      };
      const labels = Array.from({ length: Math.floor(random() * 4) }, () => ({ label: skewed(COCO), score: 0.5 }));
      const analysis: searchStore.AnalysisRow = {
        asset_id: id, version_id: asset.current_version_id, labels: JSON.stringify(labels),
        ocr_text: random() < 0.05 ? Array.from({ length: 2 + Math.floor(random() * 4) }, () => pick(OCR_WORDS)).join(' ') : null, created_at: now, updated_at: now,
      };
      const document = buildSearchDocument(documentInput(asset, meta, analysis));
      for (const w of vocabularyOf(document)) terms.add(w);
      assets.push(asset);
      metas.push(meta);
      analyses.push(analysis);
      docs.push({ asset_id: id, library_id: libraryId, document, updated_at: now });
    }
    await deps.db.transaction().execute(async (trx) => {
      await trx.insertInto('assets').values(assets).execute();
      await trx.insertInto('asset_metadata').values(metas).execute();
      await trx.insertInto('asset_analysis').values(analyses).execute();
      await trx.insertInto('asset_search').values(docs).execute();
    });
  }
  await deps.db.transaction().execute((trx) => searchStore.addTerms(trx, libraryId, [...terms]));
  const seedMs = performance.now() - t0;

  const t1 = performance.now();
  const ids = await deps.db.selectFrom('assets').select('id').where('library_id', '=', libraryId).orderBy('id').execute();
  for (let start = 0; start < ids.length; start += 500) {
    await deps.db.transaction().execute(async (trx) => {
      for (const { id } of ids.slice(start, start + 500)) {
        const v = vector();
        await searchStore.putEmbedding(trx, deps.dialect, {
          asset_id: id, library_id: libraryId, model: 'http:bench-clip', version_id: 'v', dims: DIMS,
          vector: Buffer.from(v.buffer, v.byteOffset, v.byteLength), created_at: now,
        });
      }
    });
  }
  return { words: [...terms], cities: where.map((p) => p.city!).slice(0, 40), seedMs, vectorMs: performance.now() - t1 };
}

/** A local embedding endpoint: a text's vector is a hash-seeded random unit vector. */
async function embeddingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { input: string[] };
      let h = 2166136261;
      for (const ch of body.input[0]) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
      let s = h >>> 0;
      const v = Array.from({ length: DIMS }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [{ embedding: v }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/embeddings`, close: () => new Promise((r) => server.close(() => r())) };
}

function queriesFor(cities: string[], words: string[]): string[] {
  const fixed = [
    'canon', 'apple', 'iphone', 'hasselblad', 'nikon d750', 'fujifilm x-t4', 'leica',
    'dog', 'person', 'bicycle', 'teddy bear', 'cake', 'cell phone',
    'sunset', 'sunset beach', 'frozen lake', 'golden castle', 'birthday party', 'wedding',
    'july', '2019', 'december 2012', 'march 2021 canon',
    'taxi', 'pharmacy', 'welcome hotel',
    'united states', 'france', 'japan', 'brazil',
    'canno', 'bicycel', 'sunsett', 'waterfal', 'cathedrl',
    'cathed', 'harb',
    'dog beach 2019', 'person bicycle street', 'xylophone', 'zebra crossing',
  ];
  return [...fixed, ...cities.slice(0, 25).map((c) => c.toLowerCase()), ...Array.from({ length: 15 }, () => pick(words))];
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: pct(s, 50), p95: pct(s, 95), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}
const fmt = (x: { p50: number; p95: number; max: number; mean: number }) => `p50 ${x.p50.toFixed(1)} ms  p95 ${x.p95.toFixed(1)} ms  max ${x.max.toFixed(1)} ms  mean ${x.mean.toFixed(1)} ms`;

async function postgresUrl(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const name = `eucalypt_bench_search_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function benchDialect(dialect: 'sqlite' | 'postgres', embedUrl: string): Promise<{ ok: boolean } | undefined> {
  const pgDb = dialect === 'postgres' ? await postgresUrl() : undefined;
  if (dialect === 'postgres' && !pgDb) {
    console.log(`postgres: not reachable at ${ADMIN_URL}; skipped`);
    return undefined;
  }
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-bench-search-'));
  const config: Config = loadConfig({
    EUCALYPT_DATA_DIR: dataDir, EUCALYPT_API_KEY: KEY, DATABASE_URL: pgDb?.url, EUCALYPT_WORKERS: '0', EUCALYPT_LOG_LEVEL: 'silent',
    EUCALYPT_EMBEDDING_PROVIDER: 'http', EUCALYPT_EMBEDDING_URL: embedUrl, EUCALYPT_EMBEDDING_MODEL: 'bench-clip',
  });
  const runtime = await startRuntime(config);
  try {
    const deps = runtime.deps;
    const [library] = await libraryStore.listOwned(deps.db, { userId: (await deps.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id, libraryIds: null }, 'live');
    const seeded = await seedLibrary(deps, library.id, N);
    await sql`analyze`.execute(deps.db);
    console.log(`${dialect}: seeded ${N} assets in ${(seeded.seedMs / 1000).toFixed(1)} s, ${N} × ${DIMS}-d embeddings in ${(seeded.vectorMs / 1000).toFixed(1)} s (${seeded.words.length} distinct words)`);

    const textOnly = await buildApp({ ...deps, config: { ...config, embeddingProvider: undefined } });
    const hybrid = await buildApp(deps);
    const queries = queriesFor(seeded.cities, seeded.words);
    const run = async (app: typeof hybrid, q: string) => {
      const t = performance.now();
      const res = await app.inject({ method: 'GET', url: `/api/search?query=${encodeURIComponent(q)}&limit=20`, headers: { authorization: `Bearer ${KEY}` } });
      const ms = performance.now() - t;
      if (res.statusCode !== 200) throw new Error(`${q}: ${res.statusCode} ${res.body}`);
      return { ms, hits: (res.json() as { data: unknown[] }).data.length };
    };

    for (const q of queries) await run(textOnly, q);
    const fullText: number[] = [];
    const perQuery = new Map<string, number[]>();
    let empty = 0;
    for (let i = 0; i < QUERIES; i++) {
      const q = queries[i % queries.length];
      const r = await run(textOnly, q);
      fullText.push(r.ms);
      perQuery.set(q, [...(perQuery.get(q) ?? []), r.ms]);
      if (r.hits === 0) empty++;
    }
    const ft = stats(fullText);
    const slowest = [...perQuery].map(([q, ms]) => [q, Math.max(...ms)] as const).sort((a, b) => b[1] - a[1]).slice(0, 5);
    console.log(`${dialect}: full text over HTTP (${QUERIES} queries, ${queries.length} distinct, ${empty} empty): ${fmt(ft)}`);
    console.log(`${dialect}:   slowest: ${slowest.map(([q, ms]) => `"${q}" ${ms.toFixed(0)} ms`).join(', ')}`);

    const filters = { libraryId: library.id, state: 'live' as const };
    const vector = embeddingFactory();
    const cold = performance.now();
    await searchStore.nearest(deps.db, deps.dialect, filters, { model: 'http:bench-clip', dims: DIMS, vector: vector(), k: 200 });
    const coldMs = performance.now() - cold;
    const dense: number[] = [];
    for (let i = 0; i < Math.min(QUERIES, 200); i++) {
      const t = performance.now();
      const hits = await searchStore.nearest(deps.db, deps.dialect, filters, { model: 'http:bench-clip', dims: DIMS, vector: vector(), k: 200 });
      dense.push(performance.now() - t);
      if (hits.length !== 200) throw new Error(`dense stage returned ${hits.length} hits`);
    }
    const dn = stats(dense);
    console.log(`${dialect}: dense top-200 (${dense.length} queries; first query ${coldMs.toFixed(0)} ms${dialect === 'postgres' ? ', loading the in-process index' : ''}): ${fmt(dn)}`);

    const filtered: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await searchStore.nearest(deps.db, deps.dialect, { ...filters, after: { wall: '2015-01-01T00:00:00.000', utc: undefined } }, { model: 'http:bench-clip', dims: DIMS, vector: vector(), k: 200 });
      filtered.push(performance.now() - t);
    }
    console.log(`${dialect}: dense top-200 with a date filter (~half the library, exact): ${fmt(stats(filtered))}`);

    const both: number[] = [];
    for (let i = 0; i < Math.min(QUERIES, 200); i++) both.push((await run(hybrid, queries[i % queries.length])).ms);
    console.log(`${dialect}: hybrid over HTTP (embed text + full text + dense + fusion): ${fmt(stats(both))}`);

    const filterOnly: number[] = [];
    for (let page = 1; page <= 50; page++) {
      const t = performance.now();
      const res = await textOnly.inject({ method: 'GET', url: `/api/search?local_datetime_after=2010-01-01T00:00:00&limit=50&page=${page * 10}`, headers: { authorization: `Bearer ${KEY}` } });
      filterOnly.push(performance.now() - t);
      if (res.statusCode !== 200) throw new Error(res.body);
    }
    console.log(`${dialect}: filter-only pages (newest first, pages 10–500): ${fmt(stats(filterOnly))}`);
    console.log(`${dialect}: RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);

    const ok = ft.p95 <= TARGETS.fullTextP95 && dn.p95 <= TARGETS.denseP95;
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${dialect}: full-text p95 ${ft.p95.toFixed(1)} ≤ ${TARGETS.fullTextP95} ms; dense top-200 p95 ${dn.p95.toFixed(1)} ≤ ${TARGETS.denseP95} ms`);
    await textOnly.close();
    await hybrid.close();
    return { ok };
  } finally {
    await runtime.close();
    if (process.env.BENCH_SEARCH_KEEP) {
      console.log(`${dialect}: kept ${pgDb?.url ?? dataDir}`);
    } else {
      await pgDb?.drop();
      await fsp.rm(dataDir, { recursive: true, force: true });
    }
  }
}

async function main() {
  console.log(`bench:search — ${N} assets, ${DIMS}-d embeddings, ${os.availableParallelism()} cores, Node ${process.version}`);
  const embed = await embeddingServer();
  let ok = true;
  try {
    for (const dialect of (process.env.BENCH_SEARCH_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[]) {
      const result = await benchDialect(dialect, embed.url);
      if (result && !result.ok) ok = false;
    }
  } finally {
    await embed.close();
  }
  process.exit(ok ? 0 : 1);
}

await main();
